"""The plan: per stage, the work its method and baselines will do and what that costs in energy,
here (simulation) and on the QPU model, against its budget. Analysis only: nothing runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from qlang import catalog
from qlang.catalog.calls import REFERENCE_LABEL, REFERENCES, call_label
from qlang.catalog.costs import COSTS, Work, data_rows, with_circuit_setup
from qlang.catalog.devices import HARDWARE, hardware_model, with_shots
from qlang.catalog.memory import stage_peaks
from qlang.energy.qpu_circuits import calibration_circuit, stage_circuits
from qlang.ir import model as ir
from qlang.plan.prices import Prices
from qlang.sweep import points

SCHEMA = "qlang-plan/1"
CALIBRATION = "calibration:"  # a durations key `calibration:<wires>:<0|1>`: a readout calibration circuit
FOLDED = "folded:"  # a durations key `folded:<scale>:<role>`: a circuit folded by zero-noise extrapolation
J_PER_KWH = 3.6e6
# A gate and its noise channel applied to a 2^q × 2^q density matrix cost about this many times 4^q
# amplitude updates where a statevector costs 2^q. Measured per row against the exact simulators (ZZ map,
# 2–8 qubits, Aer density matrix and default.mixed): 0.7–6 × 2^q the statevector's time.
DENSITY_MATRIX_OPS = 4


@dataclass
class StageEstimate:
    name: str
    kind: str
    method: str
    family: str
    baselines: list[str]
    rows: int
    qubits: int | None
    circuits: float  # circuit executions on the simulator
    shots: int | None  # per circuit; None = exact
    simulation_j: float | None  # the method, run here
    baseline_j: float | None  # all its baselines, run here
    qpu_j: float | None  # the method on the QPU model
    qpu_circuits: float = 0.0
    qpu_shots: int | None = None
    qpu_note: str | None = None
    qpu_workload: list[tuple[float, int | None, float]] | None = None  # one seed's job: (d_circ s, shots, count)
    qpu_platform: dict | None = None  # the platform priced, what-if overrides applied
    qpu_by_platform_j: dict[str, float] | None = None  # the same circuits on every preset platform
    qpu_calibration_shots: int | None = None  # of the QPU shots, the readout calibration's (all seeds)
    qpu_zne_circuits: float | None = None  # of the QPU circuits, those ZNE folded (all seeds)
    qpu_zne_shots: float | None = None  # their shots
    qpu_zne_j: float | None = None  # their energy on the QPU model (its per-job overhead not included)
    budget_j: float | None = None
    on_over_budget: str = "abort"
    verdict: str = "no budget"
    note: str | None = None
    baselines_j: dict[str, float] | None = None  # each baseline (and reference row) by its label, all seeds
    # per baseline label, on the priced platform, one seed against one seed (qlang.energy.breakeven):
    break_even: dict[str, dict] | None = None  # BreakEven.to_json()
    growth: dict[str, dict] | None = None  # Growth.to_json(): both sides' energy against the data size N
    curves: dict | None = None  # {"n", "quantum_j", "classical_j": {label: [...]}}: per seed at CURVE_SIZES
    peak_bytes: float = 0.0  # estimated peak memory of the stage's largest candidate (qlang.catalog.memory)
    # on a noisy device the run repeats the method beside its noisy run (qlang.runtime.runner): "ideal" on the
    # target's exact simulator, and with mitigation "unmitigated" on the same device; their J, in simulation_j
    beside_j: dict[str, float] | None = None
    # a sweep of `device`/`shots`: per device point, {"point", "device", "shots", "simulation_j", "qpu_j"} (all seeds)
    by_point: list[dict] | None = None


@dataclass
class Plan:
    pipeline: str
    target: str
    device: str
    seeds: int
    qpu: str
    grid_g_per_kwh: float
    calibrated: bool
    stages: list[StageEstimate] = field(default_factory=list)
    budget_j: float | None = None

    @property
    def simulation_j(self) -> float:
        return sum((s.simulation_j or 0) + (s.baseline_j or 0) for s in self.stages)

    @property
    def qpu_j(self) -> float | None:
        values = [s.qpu_j for s in self.stages if s.family == "quantum"]
        known = [v for v in values if v is not None]
        return None if len(known) < len(values) else sum(known)

    def carbon_g(self, joules: float) -> float:
        return joules / J_PER_KWH * self.grid_g_per_kwh

    def to_json(self) -> dict:
        return {
            "schema": SCHEMA,
            "pipeline": self.pipeline,
            "target": self.target,
            "device": self.device,
            "seeds": self.seeds,
            "qpu": self.qpu,
            "calibrated": self.calibrated,
            "grid_g_per_kwh": self.grid_g_per_kwh,
            "budget_j": self.budget_j,
            "stages": [asdict(s) for s in self.stages],
            "totals": {
                "simulation_j": self.simulation_j,
                "qpu_j": self.qpu_j,
                "carbon_g": self.carbon_g(self.simulation_j),
                "verdict": self.verdict(),
            },
        }

    def verdict(self) -> str:
        if self.budget_j is None:
            return "no budget"
        return "fits" if self.simulation_j <= self.budget_j else "over budget"


def stage_work(
    method: ir.Method, rows: int, classes: int, shared: dict | None = None, stage_method: str | None = None
) -> Work | None:
    """The method's work on `rows` rows, or None when it has no cost model (it does not run yet); a baseline's
    with its `shared` parameters and its `stage_method`, whose circuits it may run."""
    cost = COSTS.get(method.name)
    if cost is None:
        return None
    # as the method runs (MethodContext.settings): its run-time settings (refit, batch size…), then what it
    # shares with its stage's method, then its own parameters
    params = {**catalog.METHODS[method.name].settings, **(shared or {}), **method.params}
    return with_circuit_setup(cost(params, rows, classes), method.name, params, stage_method)


def _sampled(stage: ir.Stage, shots: int | None) -> ir.Stage:
    """The stage with the pipeline's shots in every method and baseline that leaves `shots` unset."""
    if shots is None:
        return stage

    def sampled(m: ir.Method) -> ir.Method:
        return m.model_copy(update={"params": with_shots(m.params, shots)})

    return stage.model_copy(
        update={"method": sampled(stage.method), "baselines": [sampled(b) for b in stage.baselines]}
    )


def at_point(method: ir.Method, params: dict) -> ir.Method:
    """The method at one sweep point: those parameters, nothing swept."""
    return method.model_copy(update={"params": params, "sweep": {}})


def with_zne(work: Work, scales: list[int]) -> Work:
    """A quantum method's work with zero-noise extrapolation: every circuit runs once per scale, the one folded
    to λ applying λ× the gates (qlang.runtime.zne), so circuit rows grow by the number of scales and amplitude
    updates by their sum. The QPU's folded circuits are priced apart, by their own durations (`_qpu`)."""
    return replace(
        work,
        circuit_rows=work.circuit_rows * len(scales),
        amplitude_ops=work.amplitude_ops * sum(scales),
        call_gates=work.call_gates * sum(scales),
        call_gate_amps=work.call_gate_amps * sum(scales),
    )


def on_noisy_device(work: Work, qubits: int | None, shots: int | None, heisenberg: bool = False) -> Work:
    """A quantum method's work on a noisy device: every circuit samples the pipeline's `shots` (its
    expectation values and probabilities included, not only a `shots` parameter's), and every gate updates a
    density matrix with its channel instead of a statevector. With `heisenberg` (the simulator may take the
    Heisenberg path, qlang.runtime.heisenberg), a sampled overlap kernel simulates a compute and an
    uncompute half per state and multiplies them per pair, instead of one circuit per pair."""
    if not work.amplitude_ops and not work.circuit_rows:
        return work
    growth = 2 ** (qubits or 0) * DENSITY_MATRIX_OPS
    if work.gradient is not None:  # no noisy executor differentiates inside torch: parameter shifts, each noisy
        work = replace(work, gradient=replace(work.gradient, density_matrix=growth))
    if heisenberg and work.heisenberg_ops is not None:
        return replace(
            work,
            amplitude_ops=work.heisenberg_ops * growth,
            flops=work.flops + work.heisenberg_flops,
            shots=work.shots or shots,
        )
    return replace(
        work,
        amplitude_ops=work.amplitude_ops * growth,
        call_gate_amps=work.call_gate_amps * growth,
        shots=work.shots or shots,
    )


def heisenberg_applies(pipeline: ir.Pipeline, stage: ir.Stage) -> bool:
    """Whether the noisy simulators may compute the stage's overlap kernels in the Heisenberg picture, as
    qlang.runtime.heisenberg.pairwise_reason decides at run time: a simulated device, no amplitude damping,
    no mitigation (amplitude encodings, whose circuits do not split, carry no `heisenberg_ops`)."""
    from qlang.catalog.devices import HARDWARE

    damping = pipeline.noise is not None and pipeline.noise.amplitude_damping > 0
    return not pipeline.device.startswith(HARDWARE) and not damping and stage.mitigation == "none"


def beside_runs(
    pipeline: ir.Pipeline, stage: ir.Stage, sampled: ir.Stage, rows: int, classes: int, prices: Prices
) -> dict[str, float]:
    """One seed's joules of the runs a noisy stage makes of its circuit method beside the noisy one
    (qlang.runtime.runner): `ideal`, the spec's method on the target's exact simulator without the pipeline's
    shots; with mitigation, `unmitigated`, the noisy run again without it (so the Heisenberg path may apply)."""
    from qlang import catalog
    from qlang.catalog.settings import DEVICES

    if not catalog.METHODS[stage.method.name].circuits:
        return {}
    exact = point_works(stage.method, rows, classes) or []
    out = {"ideal": sum(prices.joules(w, pipeline.target, DEVICES[pipeline.target][0]) for w in exact)}
    if sampled.mitigation != "none":
        plain = sampled.model_copy(update={"mitigation": "none", "zne": None})
        noisy = [
            on_noisy_device(w, plain.qubits, pipeline.shots, heisenberg_applies(pipeline, plain))
            for w in point_works(plain.method, rows, classes) or []
        ]
        out["unmitigated"] = sum(prices.joules(w, pipeline.target, pipeline.device) for w in noisy)
    return out


def point_works(
    method: ir.Method, rows: int, classes: int, shared: dict | None = None, stage_method: str | None = None
) -> list[Work] | None:
    """The work of every sweep point (one for a method that sweeps nothing); None without a cost model."""
    # one point, the method itself, where it sweeps nothing (a copy per stage cost a large spec's check 10%)
    sweep = [at_point(method, p) for p in points(method.params, method.sweep)] if method.sweep else [method]
    works = [stage_work(m, rows, classes, shared, stage_method) for m in sweep]
    known = [w for w in works if w is not None]
    return known if len(known) == len(works) else None


def estimate(pipeline: ir.Pipeline, prices: Prices, spec_dir=None, qpu_durations=None, qpu_overrides=None) -> Plan:
    """`qpu_durations(stage) -> {role: seconds}` gives circuit durations; None leaves the QPU column empty.
    A swept method or baseline costs the sum of its points. `qpu_overrides` replaces fields of the spec's
    QPU platform (`p_sys_w`, `t_rep_s`, `t_job_s`): `qlc plan --what-if`."""
    plan = Plan(
        pipeline.name,
        pipeline.target,
        pipeline.device,
        pipeline.repeat,
        pipeline.qpu,
        pipeline.grid_g_per_kwh,
        prices.calibrated,
        budget_j=pipeline.budget_j,
    )
    sizes = {d.name: data_rows(d.source.model_dump(), spec_dir) for d in pipeline.data}
    peaks = {p.name: p.bytes for p in stage_peaks(pipeline, spec_dir)}
    points = pipeline.device_points()
    for stage in pipeline.stages:
        rows, classes = sizes.get(stage.input, (0, 2))
        sizes[stage.name] = (rows, classes)
        # (device point, the pipeline and the stage there, the method's work at each sweep point there)
        at: list[tuple[ir.DevicePoint, ir.Pipeline, ir.Stage, list[Work] | None]] = []
        for point in points:
            pp = pipeline.at(point) if pipeline.points else pipeline
            s = _sampled(stage, pp.shots)
            at.append((point, pp, s, _device_works(pp, s, rows, classes)))
        s = at[0][2]
        works = None if any(w is None for *_, w in at) else [w for *_, ws in at for w in ws or []]
        quantum = bool(works) and s.method.family == "quantum"
        # per device point, one seed's runs beside the noisy one (beside_runs): the ideal run is the same for
        # every point, so counted once; the unmitigated run at each noisy point
        besides = [
            beside_runs(pp, stage, sp, rows, classes, prices) if quantum and pp.noisy else {} for _, pp, sp, _ in at
        ]
        unmitigated = [b.get("unmitigated", 0.0) for b in besides]
        ideal = next((b["ideal"] for b in besides if "ideal" in b), None)
        beside = {**({"ideal": ideal} if ideal is not None else {}), **({"unmitigated": sum(unmitigated)} if any(
            "unmitigated" in b for b in besides) else {})} or None  # fmt: skip
        method_j = sum(prices.joules(w, pipeline.target, pp.device) for _, pp, _, ws in at for w in ws or [])
        compared = comparison_rows(s)
        baseline_works = [_baseline_works(i, at, rows, classes) for i in range(len(compared))]
        known_baselines = [ws for ws in baseline_works if ws is not None]
        seeds = pipeline.repeat
        est = StageEstimate(
            name=s.name,
            kind=s.kind,
            method=s.method.name,
            family=s.method.family,
            baselines=[label for label, _ in compared],
            rows=rows,
            qubits=s.qubits,
            circuits=sum(w.circuits for w in works) * seeds if works else 0.0,
            shots=works[0].shots if works else None,
            simulation_j=(method_j + sum((beside or {}).values())) * seeds if works else None,
            baseline_j=(
                sum(prices.joules(w, pipeline.target, device) for ws in known_baselines for w, device in ws) * seeds
                if baseline_works and len(known_baselines) == len(baseline_works)
                else None
            ),
            qpu_j=None,
            budget_j=s.budget_j,
            on_over_budget=s.on_over_budget,
            baselines_j={
                label: sum(prices.joules(w, pipeline.target, device) for w, device in ws) * seeds
                for (label, _), ws in zip(compared, baseline_works)
                if ws is not None
            },
        )
        if works is None:
            est.note = f"`{s.method.name}` does not run in this version: no estimate"
        elif s.method.family == "quantum" and qpu_durations is not None:
            timed = []
            for i, (point, pp, sp, point_work) in enumerate(at):
                before = est.qpu_j or 0.0
                for work, params in zip(point_work or [], points_of(sp.method)):
                    one = sp.model_copy(update={"method": at_point(sp.method, params)})
                    timed.append((one.method, _qpu(est, work, one, pp, qpu_durations, seeds, qpu_overrides or {})))
                if pipeline.points:  # the point's QPU energy: what its circuits added (None once one failed)
                    qpu = None if est.qpu_j is None else est.qpu_j - before
                    _by_point(est, point, point_work or [], prices, pp, unmitigated[i], seeds, qpu)
            known = [(m, d) for m, d in timed if d is not None]
            if est.qpu_j is not None and len(known) == len(timed):
                _break_even(est, s, compared, known, classes, prices, pipeline, qpu_overrides or {})
        if works is not None and pipeline.points and est.by_point is None:  # no QPU model: the simulation alone
            for i, (point, pp, _sp, point_work) in enumerate(at):
                _by_point(est, point, point_work or [], prices, pp, unmitigated[i], seeds, None)
        est.peak_bytes = peaks[s.name]
        est.beside_j = {k: v * seeds for k, v in beside.items()} if beside else None
        est.verdict = _verdict(est)
        plan.stages.append(est)
    return plan


def points_of(method: ir.Method) -> list[dict]:
    return points(method.params, method.sweep)


def _device_works(pipeline: ir.Pipeline, s: ir.Stage, rows: int, classes: int) -> list[Work] | None:
    """The method's work at each of its sweep points on the pipeline's device (one device point)."""
    works = point_works(s.method, rows, classes)
    if works and pipeline.noisy and s.method.family == "quantum":
        works = [on_noisy_device(w, s.qubits, pipeline.shots, heisenberg_applies(pipeline, s)) for w in works]
        if s.zne is not None:
            works = [with_zne(w, s.zne.scales) for w in works]
    return works


def _baseline_works(i: int, at: list, rows: int, classes: int) -> list[tuple[Work, str]] | None:
    """The work of the stage's i-th compared baseline (comparison_rows), each with the device it runs on: a
    baseline that trains the method's circuits (adam) runs at every device point of a sweep, with that point's
    shots; a classical one once, at the first (qlang.runtime.runner does the same)."""
    from qlang import catalog

    _, first = comparison_rows(at[0][2])[i]
    entry = catalog.METHODS.get(first.name)
    on_device = at if entry is not None and entry.roles else at[:1]
    works = []
    for _point, pipeline, s, _method_works in on_device:
        _, b = comparison_rows(s)[i]
        ws = point_works(b, rows, classes, s.method.params, s.method.name)
        if ws is None:
            return None
        works += [(w, pipeline.device) for w in ws]
    return works


def _by_point(est: StageEstimate, point: ir.DevicePoint, works: list[Work], prices: Prices, pipeline: ir.Pipeline,
              beside_j: float, seeds: int, qpu_j: float | None) -> None:  # fmt: skip
    """One device point's share of the method's estimate (every seed, every method sweep point there, with its
    unmitigated run where the stage mitigates; the ideal run, the same for every point, is in `beside_j`)."""
    est.by_point = [*(est.by_point or []), {
        "point": dict(point.coords),
        "device": point.device,
        "shots": point.shots,
        "simulation_j": (sum(prices.joules(w, pipeline.target, pipeline.device) for w in works) + beside_j) * seeds,
        "qpu_j": qpu_j,
    }]  # fmt: skip


def run_plan(pipeline: dict, spec_dir=None) -> dict:
    """The plan, as JSON, of a pipeline as a run will run it (a generated module's PIPELINES entry, smoke-sized
    where the run is), with the QPU model where Qiskit is installed: what `qlc run` hands the runtime
    (qlang.runtime.runner.stage_estimates), which imports no planner."""
    from qlang.plan.prices import load_prices

    try:
        import qiskit  # noqa: F401  (only for circuit durations)

        durations = qiskit_durations()
    except ImportError:
        durations = None
    return estimate(ir.Pipeline.model_validate(pipeline), load_prices(), spec_dir, durations).to_json()


def comparison_rows(stage: ir.Stage) -> list[tuple[str, ir.Method]]:
    """The stage's baselines by their call labels, then its method's reference row (qlang.catalog.calls), as
    the run compares them."""
    calls = [{"name": b.name, "params": b.params} for b in stage.baselines]
    rows = [(call_label(c, calls), b) for c, b in zip(calls, stage.baselines)]
    reference = REFERENCES.get(stage.method.name)
    if reference is not None:
        rows.append(
            (REFERENCE_LABEL, ir.Method(name=reference["name"], family="classical", params=reference["params"]))
        )
    return rows


def _qpu(
    est: StageEstimate, work: Work, stage: ir.Stage, pipeline: ir.Pipeline, durations, seeds: int, overrides: dict
) -> dict[str, float] | None:
    """Adds the QPU model's energy for one point of the stage's method to `est`; its circuits' durations."""
    from qlang.energy.qpu import PRESETS, get_platform, qpu_energy_breakdown

    try:  # a device model transpiles onto itself; a parametric model onto the platform's device model
        model = hardware_model(pipeline.device) if pipeline.device.startswith(HARDWARE) else pipeline.device
        d = durations(stage, model) if pipeline.device_qubits is not None else durations(stage)
    except Exception as e:  # noqa: BLE001 (a circuit the device model cannot take: say so, do not guess)
        est.qpu_note, est.qpu_j, est.qpu_by_platform_j = f"no QPU estimate: {e}", None, None
        return None
    if est.qpu_note and est.qpu_note.startswith("no QPU estimate"):
        return None
    platform = get_platform(pipeline.qpu, **overrides)
    est.qpu_platform = {
        "name": platform.name,
        "p_sys_w": platform.p_sys_w,
        "t_rep_s": platform.t_rep_s,
        "t_job_s": platform.t_job_s,
    }
    est.qpu_workload = [
        *(est.qpu_workload or []),
        *((d[role], work.shots, float(c)) for role, c in work.qpu_circuits.items()),
    ]
    circuits = [(d[role], work.shots, round(count * seeds)) for role, count in work.qpu_circuits.items()]
    calibration = [(d[key], work.shots, seeds) for key in d if key.startswith(CALIBRATION)]
    if calibration:  # `mitigation readout`: its calibration circuits, per width, once per seed
        est.qpu_workload += [(dc, shots, 1.0) for dc, shots, _ in calibration]
        circuits += calibration
        est.qpu_calibration_shots = (est.qpu_calibration_shots or 0) + sum((s or 0) * n for _, s, n in calibration)
    folded = _folded(d, work)
    if folded:  # `mitigation zne`: every circuit again at each scale above 1, each folded circuit longer
        est.qpu_workload += folded
        seeded = [(dc, shots, round(count * seeds)) for dc, shots, count in folded]
        circuits += seeded
        zne = qpu_energy_breakdown(seeded, platform, jobs=0)
        est.qpu_zne_circuits = (est.qpu_zne_circuits or 0) + zne.circuits
        est.qpu_zne_shots = (est.qpu_zne_shots or 0) + zne.shots
        est.qpu_zne_j = (est.qpu_zne_j or 0) + zne.joules
    energy = qpu_energy_breakdown(circuits, platform, jobs=seeds)  # one job per seed
    est.qpu_j = (est.qpu_j or 0.0) + energy.joules
    est.qpu_circuits += energy.circuits
    by_platform = est.qpu_by_platform_j or {}
    est.qpu_by_platform_j = {  # the same circuits on every preset platform, summed over the points
        name: by_platform.get(name, 0.0) + qpu_energy_breakdown(circuits, name, jobs=seeds).joules for name in PRESETS
    }
    est.qpu_shots = int(energy.shots // energy.circuits) if energy.circuits else None
    if energy.default_shots_circuits:
        est.qpu_note = f"exact simulation charged {est.qpu_shots} shots per circuit on the QPU model"
    return d


def _folded(d: dict[str, float], work: Work) -> list[tuple[float, int | None, float]]:
    """(d_circ, shots, count) of one seed's circuits folded by ZNE: each circuit at each scale above 1."""
    out = []
    for key, duration in d.items():
        if key.startswith(FOLDED):
            role = key.split(":", 2)[2]
            out.append((duration, work.shots, float(work.qpu_circuits.get(role, 0.0))))
    return [f for f in out if f[2]]


def _break_even(
    est: StageEstimate,
    stage: ir.Stage,
    compared: list[tuple[str, ir.Method]],
    timed: list[tuple[ir.Method, dict[str, float]]],
    classes: int,
    prices: Prices,
    pipeline: ir.Pipeline,
    overrides: dict,
) -> None:
    """Per baseline, one seed against one seed on the priced platform (what-if overrides applied): the hardware
    at which the QPU model costs what the baseline's modeled energy here does, and how both grow with the
    data size N (the cost models at N rows), with the N at which they cross."""
    from qlang.energy.breakeven import break_even, growth, qpu_joules
    from qlang.energy.qpu import get_platform

    platform = get_platform(pipeline.qpu, **overrides)

    def quantum(n: int) -> float:
        total = 0.0
        for method, d in timed:
            work = stage_work(method, n, classes)
            assert work is not None  # the stage's works were known at its own size
            circuits = [(d[role], work.shots, c) for role, c in work.qpu_circuits.items()]
            circuits += [(d[key], work.shots, 1.0) for key in d if key.startswith(CALIBRATION)]  # once per seed
            circuits += _folded(d, work)
            total += qpu_joules(circuits, platform)
        return total

    def classical(baseline: ir.Method):
        def joules(n: int) -> float:
            works = point_works(baseline, n, classes, stage.method.params, stage.method.name) or []
            return sum(prices.joules(w, pipeline.target, pipeline.device) for w in works)

        return joules

    est.break_even, est.growth = {}, {}
    est.curves = {"n": list(CURVE_SIZES), "quantum_j": [quantum(n) for n in CURVE_SIZES], "classical_j": {}}
    for label, baseline in compared:
        j = (est.baselines_j or {}).get(label)
        if not j or j <= 0:
            continue
        workload = [(d, shots, c) for d, shots, c in est.qpu_workload or []]
        est.break_even[label] = break_even(workload, platform, j / pipeline.repeat).to_json()
        est.growth[label] = growth(quantum, classical(baseline), est.rows).to_json()
        est.curves["classical_j"][label] = [classical(baseline)(n) for n in CURVE_SIZES]


CURVE_SIZES = tuple(sorted({round(2 * 1.5**k) for k in range(38)}))  # 2 … ≈ 10^7 rows, for the report


# --what-if: a name → (platform field, units)
WHAT_IF = {
    "qpu.power": ("p_sys_w", {"W": 1.0, "kW": 1e3, "MW": 1e6}),
    "qpu.t_rep": ("t_rep_s", {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}),
    "qpu.t_job": ("t_job_s", {"s": 1.0, "ms": 1e-3, "min": 60.0}),
}


def what_if(text: str) -> dict[str, float]:
    """`qpu.power=5kW,qpu.t_rep=20us` → {"p_sys_w": 5000.0, "t_rep_s": 2e-05}; a ValueError says what is wrong."""
    import re

    out = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = (part.strip() for part in item.partition("="))
        if name not in WHAT_IF:
            raise ValueError(f"unknown setting `{name}`; use {', '.join(WHAT_IF)}")
        field_name, units = WHAT_IF[name]
        m = re.fullmatch(r"([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([A-Za-zµ]+)", value)
        if m is None or m.group(2) not in units:
            raise ValueError(f"`{item}`: give a number and one of {', '.join(units)}, e.g. {name}=2{next(iter(units))}")
        out[field_name] = float(m.group(1)) * units[m.group(2)]
    return out


def _verdict(est: StageEstimate) -> str:
    if est.simulation_j is None:
        return "not estimated"
    if est.budget_j is None:
        return "no budget"
    if est.simulation_j <= est.budget_j:
        return "fits"
    return {"abort": "over budget", "warn": "over budget (warn)", "fallback": "over budget (fallback)"}[
        est.on_over_budget
    ]


def qiskit_durations(backend: str = "heron"):
    """Circuit durations from transpiling each of a stage's circuits onto a device model (imports Qiskit):
    `durations(stage, device=None)`, `device` (a fake backend's name) in place of `backend`. A stage with
    `mitigation readout` adds its calibration circuits, one pair per circuit width; `mitigation zne` each
    circuit folded to every scale above 1 (barriers between the folds keep the transpile from undoing them)."""
    from qlang.energy.qpu import circuit_duration, circuit_timing

    def durations(stage: ir.Stage, device: str | None = None) -> dict[str, float]:
        chosen = device or backend
        out = {role: circuit_duration(qc, chosen) for role, qc in stage_circuits(stage).items()}
        if stage.zne is not None:
            from qlang.runtime.zne import fold

            for role, qc in stage_circuits(stage).items():
                for scale in stage.zne.scales:
                    if scale != 1:
                        out[f"{FOLDED}{scale}:{role}"] = circuit_duration(fold(qc, scale, barriers=True), chosen)
        if "readout" in stage.mitigation:
            for n in sorted({qc.num_qubits for qc in stage_circuits(stage).values()}):
                for flip in (0, 1):
                    out[f"{CALIBRATION}{n}:{flip}"] = circuit_timing(calibration_circuit(n, flip), chosen).duration_s
        return out

    return durations
