"""Resources: the device exists for the target (an exact simulator, a density-matrix simulator with a
`noise` model, or a fake backend), and every stage's qubits fit on it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from qlang.catalog import METHODS
from qlang.catalog.devices import FAKE_BACKENDS, HARDWARE, MIXED, NOISY_SHOTS, hardware_model
from qlang.catalog.mitigation import MAX_SCALE, MITIGATIONS
from qlang.catalog.noise import NOISE
from qlang.catalog.settings import DEVICES
from qlang.checks.lower import DraftPipeline
from qlang.checks.values import Diags, Swept, call
from qlang.diagnostics import Diagnostic, Label, Span, did_you_mean, one_of
from qlang.ir import model as ir
from qlang.sweep import points
from qlang.syntax import ast

BYTES_PER_AMPLITUDE = 16  # complex128


def memory_bytes() -> int:
    """Physical memory of this machine (QLANG_MEMORY_BYTES overrides, for tests and planning elsewhere;
    a value that is not a whole number of bytes is ignored)."""
    override = os.environ.get("QLANG_MEMORY_BYTES", "").strip()
    if override.isdigit():
        return int(override)
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def max_exact_qubits() -> int:
    """Qubits whose statevector fits in half of this machine's memory."""
    amplitudes = memory_bytes() // 2 // BYTES_PER_AMPLITUDE
    return max(0, amplitudes.bit_length() - 1)  # floor(log2), exact for every size


@dataclass(frozen=True)
class Device:
    """The device a pipeline runs on: its name, a device model's qubits, a parametric noise model, shots. In a
    sweep of `device` or `shots`, one point: `coords` are its swept settings, `span` where its device is written."""

    name: str
    qubits: int | None = None  # a fake backend's qubits; none for a simulator
    noise: ir.Noise | None = None
    shots: int | None = None
    coords: dict = field(default_factory=dict)
    span: Span | None = None

    @property
    def noisy(self) -> bool:
        return self.noise is not None or self.qubits is not None

    @property
    def hardware(self) -> bool:
        return self.name.startswith(HARDWARE)


def devices(draft: DraftPipeline, target: str, diags: Diags) -> list[Device]:
    """The devices for `target`: one, or with `device sweep(…)` and/or `shots sweep(…)` one per point of their
    grid (in the order the spec wrote them, the last varying fastest), each device checked as a single one is
    with its own span. A noisy device (a fake backend, or `noise`) samples: its shots default to NOISY_SHOTS."""
    node = draft.setting_nodes.get("device")
    model = noise(draft, diags)
    swept_device = node is not None and isinstance(node.value, ast.Sweep)
    values = node.value.points if swept_device else [None if node is None else node.value]  # type: ignore[union-attr]
    named: list[tuple[str, int | None, Span | None]] = []
    seen: dict[str, Span] = {}
    overridden = target != (draft.settings.get("target") or target)
    for v in values:
        before = len(diags)
        name, qubit_count = device(draft, target, v, model, diags)
        if not swept_device or v is None:
            named.append((name, qubit_count, None))
            continue
        if len(diags) > before:  # a wrong point (diagnosed) is no point
            continue
        if name in seen and overridden and _device_name(v, []) != name:  # yielded to the overriding target's
            continue
        if name in seen:
            diags.append(
                Diagnostic(
                    "Q208",
                    f"the sweep of `device` lists `{name}` twice",
                    v.span,
                    label="again here",
                    notes=(Label(seen[name], "first here"),),
                    help="each point of a sweep runs once; drop the repeat",
                )
            )
            continue
        seen.setdefault(name, v.span)
        named.append((name, qubit_count, v.span))
    shots_setting = draft.settings.get("shots")
    swept_shots = isinstance(shots_setting, Swept)
    shots_points = list(shots_setting.points) if isinstance(shots_setting, Swept) else [shots_setting]
    order = [k for k in draft.setting_nodes if k in ("device", "shots")]
    found = []
    for name, qubit_count, span in named:
        for shots in shots_points:
            coords: dict[str, Any] = {"device": name} if swept_device else {}
            coords |= {"shots": shots} if swept_shots else {}
            coords = {k: coords[k] for k in order if k in coords}
            dev = Device(name, qubit_count, model, shots, coords, span)
            if dev.noisy or dev.hardware:
                dev = Device(name, qubit_count, model, shots or NOISY_SHOTS, coords, span)
            found.append(dev)
    if swept_shots:
        swept_twice(draft, diags)
    if not found:  # every point of a sweep was wrong (diagnosed): one device keeps the later checks going
        found = [Device(DEVICES[target][0])]
    noisy = [d for d in found if d.noisy or d.hardware]
    if noisy:
        shots_node = draft.setting_nodes.get("shots")
        written = shots_node.value.points if shots_node is not None and isinstance(shots_node.value, ast.Sweep) else (
            [shots_node.value] if shots_node is not None else [])  # fmt: skip
        for v in written:
            if isinstance(v, ast.NoneValue):
                diags.append(_exact_only(v.span, "`shots none` asks for exact probabilities", noisy[0]))
        exact_shots(draft, diags, noisy[0])
        statevector_methods(draft, noisy[0], diags)
    return found


def device(
    draft: DraftPipeline, target: str, value: ast.Value | None, model: ir.Noise | None, diags: Diags
) -> tuple[str, int | None]:
    """One device for `target` (`value`: the written device, None where the spec names none): its name and a
    device model's qubits. A simulator written for the spec's own target yields to an overriding one."""
    chosen = _device_name(value, diags)
    where = value.span if value is not None else draft.node.name_span  # a named device has its setting
    known = DEVICES[target]
    overridden = target != (draft.settings.get("target") or target)
    qubit_count = None
    hardware = chosen is not None and chosen.startswith(HARDWARE)
    if hardware:  # either target: PennyLane's circuits are translated to Qiskit (targets/pennylane_qiskit.py)
        model_name = hardware_model(chosen or "")
        qubit_count = FAKE_BACKENDS[model_name] if model_name else None
        if model is not None:
            diags.append(
                Diagnostic(
                    "Q403",
                    f"`{chosen}` is real hardware: its noise is its own; `noise` cannot be added to it",
                    draft.setting_nodes["noise"].value.span,
                    label="a second noise model",
                    help="drop `noise`",
                )
            )
    elif chosen in FAKE_BACKENDS:
        qubit_count = FAKE_BACKENDS[chosen]
        if model is not None:
            diags.append(
                Diagnostic(
                    "Q403",
                    f"`{chosen}` brings its own noise; `noise` cannot be added to it",
                    draft.setting_nodes["noise"].value.span,
                    label="a second noise model",
                    notes=(Label(where, "a device model with its calibrated noise"),),
                    help="drop `noise` to use the device's calibration, or drop `device` to simulate this noise model",
                )
            )
    elif chosen is None or (overridden and chosen not in known and chosen != MIXED[target]):
        chosen = MIXED[target] if model is not None else known[0]
    elif chosen in known or chosen == MIXED[target]:
        exact_only = chosen not in (MIXED[target],)
        if model is not None and exact_only:
            diags.append(
                Diagnostic(
                    "Q403",
                    f"`{chosen}` is an exact simulator: it cannot apply `noise`",
                    where,
                    label="exact-only device",
                    notes=(Label(draft.setting_nodes["noise"].key_span, "noise set here"),),
                    help=f'use `device "{MIXED[target]}"` (a density-matrix simulator), or `device none`',
                )
            )
        elif model is None and not exact_only and chosen not in known:
            diags.append(
                Diagnostic(
                    "Q403",
                    f"`{chosen}` simulates noise, but the spec declares none",
                    where,
                    label="a noisy device without noise",
                    help="add a `noise` model (such as `noise depolarizing(p1: 0.001, p2: 0.01)`) or use "
                    f'`device "{known[0]}"`',
                )
            )
    else:
        choices = [*known, MIXED[target], *FAKE_BACKENDS]
        diags.append(
            Diagnostic(
                "Q205",
                f"`{chosen}` is not a {target} device qlang can run",
                where,
                label="unknown device",
                help=did_you_mean(chosen, choices)
                or f"{target} devices: {one_of(known)}; with `noise`: `{MIXED[target]}`; or a "
                "device model such as `fake_fez` (qiskit-ibm-runtime's fake backends)",
            )
        )
    return chosen or known[0], qubit_count  # (never None here: every branch named a device)


def swept_twice(draft: DraftPipeline, diags: Diags) -> None:
    """A method or baseline that sweeps its own `shots` under the pipeline's sweep of `shots`: one point would
    have two values."""
    for s in draft.stages:
        for m in [s.method, *s.baselines]:
            if m is None or not isinstance(m.node, ast.Call):
                continue
            for a in m.node.args:
                if a.name == "shots" and isinstance(a.value, ast.Sweep):
                    diags.append(
                        Diagnostic(
                            "Q208",
                            f"`shots` is swept twice: by the pipeline and by `{m.entry.name}`",
                            a.value.span,
                            label="a second sweep of `shots`",
                            notes=(Label(draft.setting_nodes["shots"].value.span, "the pipeline's sweep"),),
                            help="sweep `shots` in one place: the pipeline's applies to every method that leaves "
                            "it unset",
                        )
                    )


def _exact_only(span: Span, what: str, dev: Device) -> Diagnostic:
    return Diagnostic(
        "Q403",
        f"{what}, which a noisy device cannot give",
        span,
        label="exact-only on a noisy device",
        notes=_at_point(dev),
        help="a noisy device only samples: leave `shots` out (the pipeline's shots apply) or give a count",
    )


def _at_point(dev: Device) -> tuple[Label, ...]:
    """A note at a swept device point (nothing for the pipeline's one device)."""
    return (Label(dev.span, f"`{dev.name}` is noisy"),) if dev.span is not None else ()


def exact_shots(draft: DraftPipeline, diags: Diags, dev: Device) -> None:
    """A method (or baseline) that asks for `shots: none` explicitly on a noisy device."""
    for s in draft.stages:
        for m in [s.method, *s.baselines]:
            if m is None or not isinstance(m.node, ast.Call):
                continue
            for a in m.node.args:
                if a.name == "shots" and isinstance(a.value, ast.NoneValue):
                    diags.append(_exact_only(a.span, "`shots: none` asks for exact probabilities", dev))


def statevector_methods(draft: DraftPipeline, dev: Device, diags: Diags) -> None:
    """A method that reads the simulator's statevectors, on a device that only measures."""
    for s in draft.stages:
        m = s.method
        if m is None or not m.entry.statevector_only:
            continue
        others = [
            e.name for e in METHODS.values() if e.stage == m.entry.stage and e.is_quantum and not e.statevector_only
        ]
        diags.append(
            Diagnostic(
                "Q403",
                f"`{m.entry.name}` needs exact statevectors, which the noisy device `{dev.name}` cannot give",
                m.node.span,
                label="reads statevectors",
                notes=_at_point(dev),
                help=(f"use `{others[0]}` on this device, or " if others else "")
                + (
                    f"drop `{dev.name}` from the sweep of `device`"
                    if dev.span is not None
                    else "run this stage on an exact simulator (drop `noise` and the device model)"
                ),
            )
        )


def _device_name(value: ast.Value | None, diags: Diags) -> str | None:
    if value is None or isinstance(value, ast.NoneValue):
        return None
    if isinstance(value, ast.String):
        return value.value
    if isinstance(value, ast.Word):
        return value.name
    diags.append(
        Diagnostic(
            "Q201",
            "`device` expects a simulator name or a device model",
            value.span,
            label="not a device",
            help='for example `device "default.qubit"` or `device fake_fez`',
        )
    )
    return None


def noise(draft: DraftPipeline, diags: Diags) -> ir.Noise | None:
    """The `noise` setting: channels of qlang.catalog.noise joined by `+`, each at most once."""
    node = draft.setting_nodes.get("noise")
    if node is None or isinstance(node.value, ast.NoneValue):
        return None
    terms = node.value.terms if isinstance(node.value, ast.Sum) else [node.value]
    fields: dict[str, float] = {}
    spans: dict[str, Span] = {}
    ok = True
    for term in terms:
        got = call(term, NOISE, "noise channel", diags, unknown_code="Q108")
        if got is None:
            ok = False
            continue
        entry, params = got
        if any(v is None for v in params.values()):
            ok = False
            continue
        for key, value in _NOISE_FIELDS[entry.name](params).items():
            if key in spans:
                diags.append(
                    Diagnostic(
                        "Q206",
                        f"`{key.replace('_', ' ')}` is given twice in `noise`",
                        term.span,
                        label="again here",
                        notes=(Label(spans[key], "first here"),),
                        help="give each channel once",
                    )
                )
                ok = False
            spans[key] = term.span
            fields[key] = value
    return ir.Noise(**fields) if ok else None


# channel → the ir.Noise fields it sets (a readout of 0 inside `depolarizing` sets nothing)
_NOISE_FIELDS = {
    "depolarizing": lambda p: {"p1": p["p1"], "p2": p["p2"], **({"readout": p["readout"]} if p["readout"] else {})},
    "amplitude_damping": lambda p: {"amplitude_damping": p["gamma"]},
    "phase_damping": lambda p: {"phase_damping": p["gamma"]},
    "readout": lambda p: {"readout": p["error"]},
}


def max_density_qubits() -> int:
    """Qubits whose density matrix (4**n amplitudes) fits in half of this machine's memory."""
    return max_exact_qubits() // 2


def qubits(draft: DraftPipeline, devs: list[Device], diags: Diags) -> dict[str, int | None]:
    """Every stage's qubits; too many for a device model (Q402) or for this machine's memory (Q401), at each
    device point of a sweep."""
    counts: dict[str, int | None] = {}
    for s in draft.stages:
        m = s.method
        per_point = (
            [m.entry.qubits(p) for p in points(m.params, m.sweep)]
            if m is not None and m.entry.qubits is not None
            else []
        )
        n = max((c for c in per_point if c is not None), default=None)  # the widest point of a sweep
        counts[s.name] = n
        if n is None:
            continue
        said: set[tuple[str, str]] = set()
        for dev in devs:
            d = _too_wide(s, n, dev)
            if d is not None and (d.code, d.message) not in said:  # a device's shots points say it once
                said.add((d.code, d.message))
                diags.append(d)
    return counts


def _too_wide(s, n: int, dev: Device) -> Diagnostic | None:
    """Q402 or Q401 for a stage of `n` qubits on `dev`, or None where it fits."""
    span = s.method.node.span if s.method is not None else s.node.name_span
    limit = max_density_qubits() if dev.noisy else max_exact_qubits()
    if dev.qubits is not None and n > dev.qubits:
        return Diagnostic(
            "Q402",
            f"stage `{s.name}` needs {n} qubits; the device `{dev.name}` has {dev.qubits}",
            span,
            label=f"{n} qubits on a {dev.qubits}-qubit device",
            notes=(Label(dev.span, f"a {dev.qubits}-qubit device"),) if dev.span is not None else (),
            help=f"use at most {dev.qubits} qubits, or a larger device model",
        )
    if n > limit and dev.noisy:
        gib = BYTES_PER_AMPLITUDE * 4.0**n / 2**30
        return Diagnostic(
            "Q401",
            f"stage `{s.name}` needs {n} qubits; a density-matrix simulator on this machine holds at most {limit}",
            span,
            label=f"{n} qubits: a {gib:,.0f} GiB density matrix",
            notes=_at_point(dev),
            help=f"a noisy device is simulated with density matrices (4ⁿ amplitudes); use at most {limit} qubits",
        )
    if n > limit:
        gib = BYTES_PER_AMPLITUDE * 2.0**n / 2**30
        return Diagnostic(
            "Q401",
            f"stage `{s.name}` needs {n} qubits; an exact simulator on this machine holds at most {limit}",
            span,
            label=f"{n} qubits: a {gib:,.0f} GiB statevector",
            help=f"`{dev.name}` keeps the whole statevector in memory; use at most {limit} qubits",
        )
    return None


def mitigation(draft: DraftPipeline, devs: list[Device], diags: Diags) -> None:
    """Each stage's `mitigation` (techniques of qlang.catalog.mitigation joined by `+`) into its settings:
    `mitigation` as "readout", "zne" or "readout+zne" (catalog order) and `zne` as ZNE's parameters or None.
    It needs a noisy device and a stage whose method measures circuits (Q404); on hardware, readout only.
    In a sweep of `device`, it applies at the noisy points; an exact point gets a warning."""
    noisy = [d for d in devs if d.noisy]
    exact = [d for d in devs if not d.noisy]
    dev = noisy[0] if noisy else devs[0]
    for s in draft.stages:
        node = s.setting_nodes.get("mitigation")
        s.settings["mitigation"], s.settings["zne"] = mitigation_techniques(node, diags)
        if node is None or s.settings["mitigation"] == "none":
            continue
        if not dev.noisy:
            readout = s.settings["mitigation"] == "readout"
            why, help_ = (
                f"`{dev.name}` is exact: it has no {'readout errors' if readout else 'noise'} to mitigate",
                f"set a device model (`device fake_fez`) or a `noise` model{' with `readout`' if readout else ''}"
                + ", or drop `mitigation`",
            )
        elif s.method is not None and not s.method.entry.circuits:
            why, help_ = f"`{s.method.entry.name}` measures no circuits: nothing to mitigate", "drop `mitigation`"
        elif any(d.hardware for d in devs) and "zne" in s.settings["mitigation"].split("+"):
            # readout mitigation runs on the sampler (runtime/targets/ibm.py); the folded gates would not survive
            # the transpiler, so ZNE is dropped from the stage here, not refused at run time
            kept = "+".join(t for t in s.settings["mitigation"].split("+") if t != "zne") or "none"
            why, help_ = (
                "zero-noise extrapolation does not run on hardware (`ibm:`): the transpiler would cancel its folded "
                "gates" + ("; readout mitigation still runs" if kept != "none" else ""),
                "run ZNE on the device model (`device fake_fez`), or drop `zne`",
            )
            s.settings["mitigation"], s.settings["zne"] = kept, None
            diags.append(Diagnostic("Q404", "`mitigation zne` has no effect here", node.value.span, label=why,
                                    severity="warning", help=help_))  # fmt: skip
            continue
        elif exact:
            written = s.settings["mitigation"].replace("+", " + ")
            diags.append(Diagnostic("Q404", f"`mitigation {written}` has no effect at the exact device point "
                                    f"`{exact[0].name}`", node.value.span, label="it applies at the noisy points only",
                                    notes=tuple(Label(d.span, "an exact device") for d in exact if d.span)[:1],
                                    severity="warning", help="the exact points run without it; drop them from the "
                                    "sweep of `device` to silence this"))  # fmt: skip
            continue
        else:
            continue
        diags.append(
            Diagnostic(
                "Q404",
                f"`mitigation {s.settings['mitigation'].replace('+', ' + ')}` has no effect here",
                node.value.span,
                label=why,
                severity="warning",
                help=help_,
            )
        )


def mitigation_techniques(node: ast.Setting | None, diags: Diags) -> tuple[str, dict | None]:
    """("none" | "readout" | "zne" | "readout+zne", ZNE's parameters or None) of a stage's `mitigation`:
    each technique at most once (Q206), an unknown one with a did-you-mean (Q110), ZNE's scales distinct
    odd integers 1 … MAX_SCALE, at least two (Q202)."""
    if node is None or isinstance(node.value, ast.NoneValue):
        return "none", None
    terms = node.value.terms if isinstance(node.value, ast.Sum) else [node.value]
    found: dict[str, tuple[dict, Span]] = {}
    for term in terms:
        got = call(term, MITIGATIONS, "mitigation", diags, unknown_code="Q110")
        if got is None:
            continue
        entry, params = got
        if entry.name in found:
            diags.append(
                Diagnostic(
                    "Q206",
                    f"`{entry.name}` is given twice in `mitigation`",
                    term.span,
                    label="again here",
                    notes=(Label(found[entry.name][1], "first here"),),
                    help="give each technique once",
                )
            )
            continue
        if entry.name == "zne" and not _zne_scales_ok(params.get("scales"), term, diags):
            continue
        found[entry.name] = (params, term.span)
    names = [name for name in MITIGATIONS if name in found]
    zne = found.get("zne")
    return "+".join(names) or "none", (zne[0] if zne else None)


def _zne_scales_ok(scales, term: ast.Value, diags: Diags) -> bool:
    if scales is None or any(v is None for v in scales):
        return False  # already diagnosed
    bad = [v for v in scales if v < 1 or v > MAX_SCALE or v % 2 == 0]
    if not bad and len(scales) >= 2 and len(set(scales)) == len(scales) and 1 in scales:
        return True
    why = (
        f"{bad[0]} is not an odd scale from 1 to {MAX_SCALE}"
        if bad
        else "the scales repeat"
        if len(set(scales)) != len(scales)
        else "one scale has nothing to extrapolate from"
        if len(scales) < 2
        else "scale 1, the circuit as it is, is missing"
    )
    diags.append(
        Diagnostic(
            "Q202",
            f"`scales` of `zne` is out of range: {why}",
            term.span,
            label="not distinct odd scales",
            help="scale 1 and one or more other odd scales 2k + 1 (U (U† U)^k), such as `zne(scales: [1, 3, 5])`",
        )
    )
    return False


NEAR_MEMORY = 0.8  # a stage estimated above this share of the available memory gets a warning


def memory_fits(draft: DraftPipeline, pipeline: ir.Pipeline, spec_dir, diags: Diags) -> None:
    """Each stage's estimated peak memory (qlang.catalog.memory) against the memory this machine has
    available (Q405): an error where it cannot fit, a warning near the limit. Counts file rows; runs nothing."""
    from qlang.catalog.memory import available_bytes, format_bytes, stage_peaks

    have = available_bytes()
    nodes = {s.name: s for s in draft.stages}
    for peak in stage_peaks(pipeline, spec_dir):
        if peak.bytes <= NEAR_MEMORY * have:
            continue
        node = nodes[peak.name]
        over = peak.bytes > have
        params = node.method.params if node.method is not None else {}
        levers = ["take fewer rows (`limit:` on the data source)"]
        if params.get("examples_per_class") is not None:
            levers.append("lower `examples_per_class`")
        if peak.simulator > peak.bytes / 2:  # statevectors dominate: qubits are the lever
            levers.append("use fewer qubits")
        diags.append(
            Diagnostic(
                "Q405",
                f"stage `{peak.name}` needs about {format_bytes(peak.bytes)} of memory at its peak; this machine "
                f"has {format_bytes(have)} available",
                node.method.node.span if node.method is not None else node.node.name_span,
                label=f"`{peak.widest}` on {peak.rows:,} rows" + (f", {peak.qubits} qubits" if peak.qubits else ""),
                severity="error" if over else "warning",
                help=(", ".join(levers[:-1]) + " or " + levers[-1] if len(levers) > 1 else levers[0])
                + ("" if over else ": the run may be killed or swap")
                + "; `qlc plan` shows each stage's estimate",
            )
        )
