"""The plan as a text table."""

from __future__ import annotations

from qlang.plan.estimate import Plan
from qlang.sweep import label as point_label
from qlang.units import format_energy as _j


def _n(value: float | None) -> str:
    return "—" if not value else f"{value:,.0f}"


def table(plan: Plan) -> str:
    head = [
        "stage",
        "method",
        "qubits",
        "circuits",
        "shots",
        "here (sim)",
        "QPU model",
        "baseline",
        "budget",
        "verdict",
    ]
    rows = []
    for s in plan.stages:
        rows.append(
            [
                f"{s.name} ({s.kind})",
                s.method,
                str(s.qubits or "—"),
                _n(s.circuits),
                "exact" if s.shots is None and s.circuits else _n(s.shots),
                _j(s.simulation_j),
                _j(s.qpu_j),
                _j(s.baseline_j),
                _j(s.budget_j),
                s.verdict,
            ]
        )
    rows.append(["total", "", "", "", "", _j(plan.simulation_j), _j(plan.qpu_j), "", _j(plan.budget_j), plan.verdict()])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    out = [
        f"plan for {plan.pipeline}: {plan.target} on {_devices(plan)}, {plan.seeds} seed(s), QPU model {plan.qpu}",
        "",
        line(head),
        line(["-" * w for w in widths]),
    ]
    out += [line(r) for r in rows]
    for s in plan.stages:  # a sweep of `device`/`shots`: each point priced on its own device
        for p in s.by_point or []:
            where = point_label(p["point"])
            out.append(f"  {s.name} [{where}]: here {_j(p['simulation_j'])}, QPU model {_j(p['qpu_j'])}")
    out.append("")
    out.append(
        f"carbon here: {plan.carbon_g(plan.simulation_j):.3g} gCO2e at {plan.grid_g_per_kwh:g} gCO2e/kWh"
        + (f"; on the QPU model: {plan.carbon_g(plan.qpu_j):.3g} gCO2e" if plan.qpu_j else "")
    )
    out.append(
        "'here' is modeled energy on this machine: the method's counted work priced by "
        + (
            "`qlc calibrate`'s measurements."
            if plan.calibrated
            else "uncalibrated defaults — run `qlc calibrate` for this machine's numbers."
        )
    )
    out.append(memory_line(plan))
    out += mitigation_lines(plan)
    out += break_even_lines(plan)
    notes = sorted({s.qpu_note for s in plan.stages if s.qpu_note} | {s.note for s in plan.stages if s.note})
    out += [f"note: {n}" for n in notes]
    return "\n".join(out)


def mitigation_lines(plan: Plan) -> list[str]:
    """What each stage's error mitigation adds on the QPU model: the readout calibration's shots, and the
    circuits, shots and energy of zero-noise extrapolation's folded circuits."""
    out = []
    for s in plan.stages:
        parts = []
        if s.qpu_calibration_shots:
            parts.append(f"readout calibration {s.qpu_calibration_shots:,} shots")
        if s.qpu_zne_circuits:
            parts.append(
                f"zero-noise extrapolation {s.qpu_zne_circuits:,.0f} folded circuits, {s.qpu_zne_shots:,.0f} shots, "
                f"{_j(s.qpu_zne_j)} (modeled)"
            )
        if parts:
            out.append(f"mitigation, {s.name}: " + "; ".join(parts) + f" of the QPU model's {_j(s.qpu_j)}")
    return out


def memory_line(plan: Plan) -> str:
    """Each stage's estimated peak memory (qlang.catalog.memory) against what this machine has now."""
    from qlang.catalog.memory import available_bytes, format_bytes

    peaks = ", ".join(f"{s.name} {format_bytes(s.peak_bytes)}" for s in plan.stages)
    return f"peak memory (estimated): {peaks}; this machine has {format_bytes(available_bytes())} available"


def _si(value: float, unit: str) -> str:
    for factor, prefix in ((1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p")):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}"


def crossing_words(g: dict) -> str:
    """`cross at N = 2,700,000`, or why not; every crossing when the sides swap more than once."""
    swaps = g.get("crossings") or []
    if len(swaps) > 1:
        return "cross more than once: " + ", ".join(
            f"{'QPU' if s['quantum_cheaper'] else 'classical'} cheaper from N = {s['n']:,}" for s in swaps
        )
    if g["crossing_n"] is not None:
        return f"cross at N = {g['crossing_n']:,}"
    if g.get("beyond_n") is not None:
        return f"no crossing up to N = 10^7 (the slopes extrapolated meet near N ≈ {g['beyond_n']:.2g})"
    if g["classical_slope"] > g["quantum_slope"]:
        return "no crossing up to N = 10^7 (nor before 10^30 at these slopes)"
    return "never cross: the QPU side grows at least as fast"


def break_even_lines(plan: Plan) -> list[str]:
    """Per quantum stage and baseline: the hardware at which the QPU model costs what the baseline does here
    (one seed each, the platform as priced), and how both grow with the data size N."""
    out = []
    for s in plan.stages:
        if not s.break_even or not s.qpu_platform:
            continue
        p = s.qpu_platform
        out += [
            "",
            (
                f"break-even, {s.name} ({s.kind}), one seed, QPU model {p['name']} (P_sys {_si(p['p_sys_w'], 'W')}, "
                f"t_rep {_si(p['t_rep_s'], 's')}, T_job {_si(p['t_job_s'], 's')}) against each baseline here:"
            ),
        ]
        for label, b in s.break_even.items():
            g = (s.growth or {})[label]
            t_rep = _si(b["t_rep_s"], "s") if b["t_rep_s"] is not None else "none"
            shots = f"{b['shots']:.3g}" if b["shots"] is not None else "none"
            out.append(
                f"  vs {label}: QPU {_j(b['qpu_j'])} against {_j(b['classical_j'])}; equal at P_sys "
                f"{_si(b['power_w'], 'W')}, or t_rep {t_rep}, or shots {shots}. With N rows: QPU ∝ "
                f"N^{g['quantum_slope']:.2g}, {label} ∝ N^{g['classical_slope']:.2g}; {crossing_words(g)}"
            )
    return out


def _devices(plan: Plan) -> str:
    """The device, or a sweep's devices (each point's own line follows the table)."""
    names = list(dict.fromkeys(p["device"] for s in plan.stages for p in s.by_point or []))
    return plan.device if len(names) < 2 else "a sweep of " + ", ".join(names)
