"""Fixed overheads the plan prices beside compute: joules per circuit row and per call of each installed
target's executor (a 4-qubit, 2-layer re-uploading circuit, as the hybrid head runs), on each of PennyLane's
exact devices; per gate-row and per pass of a differentiable forward and backward pass where the device
differentiates inside torch; per gate and per gate-amplitude of a one-row call (a QAOA evaluation); per
Qiskit transpile and angle expression as its executor prepares a circuit; per fitting call, tuning candidate,
k-means restart, two-sample test, ensemble tree and small torch step. `run_calibration` is `qlc calibrate`:
these, then the joules per amplitude op and per FLOP of qlang/energy/compute_costs.py;
`calibrate_in_processes` is `qlc calibrate --processes N`."""

from __future__ import annotations

import statistics
from dataclasses import fields, replace

from qlang.catalog.settings import DEVICES
from qlang.energy.meter import Meter
from qlang.plan.prices import Prices, load_prices, save_overheads

SMALL, LARGE = 8, 4096
# rows of the large call where a device runs a broadcast row by row (a tape, or a Python evolution, each): enough
# to see the row cost
LARGE_ON = {"lightning.qubit": 256, "statevector": 64}
GRADIENT_LARGE = 128  # rows of the large differentiable pass


def _executor(target: str, device: str = "default.qubit", circuit=None):
    """The target's executor over `circuit` (a 4-qubit, 2-layer re-uploading circuit unless given), built as
    generated code builds it; (executor, circuit)."""
    from qlang.circuits import emit_pennylane, emit_qiskit
    from qlang.circuits.library import reuploading

    circuit = circuit or reuploading(4, 2)
    if target == "pennylane":
        from qlang.runtime.protocol import CircuitShape
        from qlang.runtime.targets.pennylane import PennyLaneExecutor

        shape = CircuitShape(circuit.n_wires, circuit.n_inputs, circuit.n_weights)
        return PennyLaneExecutor({"m": (emit_pennylane.build(circuit), shape)}, device=device), circuit
    from qlang.runtime.targets.qiskit import QiskitExecutor

    qiskit_device = device if device in DEVICES["qiskit"] else DEVICES["qiskit"][0]
    return QiskitExecutor({"m": lambda: emit_qiskit.build(circuit)}, device=qiskit_device), circuit


WINDOWS = 5


def _joules(meter: Meter, fn, repeats: int) -> float:
    """Joules per call of `fn`: the median of up to WINDOWS windows of `repeats` calls in all, so that a
    moment of contention on a shared machine (one window's reading twice the others') does not set a price."""
    windows = min(WINDOWS, repeats)
    each = max(1, repeats // windows)
    readings = []
    for _ in range(windows):
        with meter.window("calibration") as w:
            for _ in range(each):
                fn()
        readings.append(w.reading().joules / each)
    return statistics.median(readings)


def measure_target(target: str, meter: Meter, quick: bool, device: str = "default.qubit") -> tuple[float, float]:
    """(joules per circuit row, joules per executor call) for one target (PennyLane: on `device`)."""
    import numpy as np

    executor, circuit = _executor(target, device)
    rng = np.random.default_rng(0)
    large_rows = LARGE_ON.get(device, LARGE)

    def call(rows: int):
        x = rng.uniform(-1, 1, (rows, 4))
        w = rng.uniform(-np.pi, np.pi, (rows, circuit.n_weights))
        return lambda: executor.expvals("m", x, w)

    call(SMALL)()  # warm up: transpilation, device set-up
    small = _joules(meter, call(SMALL), 10 if quick else 40)
    large = _joules(meter, call(large_rows), 2 if quick else 6)
    row = max(large - small, 0.0) / (large_rows - SMALL)
    return row, max(small - SMALL * row, 0.0)


# (qubits, layers, mixer) of the QAOA circuits timed: both mixers, whose gates cost differently (ZZ terms, and
# the XY mixer's ring and Dicke-state preparation), so that the fit prices their mix
ONE_ROW_CIRCUITS = ((6, 1, "x"), (12, 2, "x"), (6, 1, "xy"), (12, 2, "xy"))
ONE_ROW_SHOTS = 1024


def measure_one_row_calls(target: str, call_j: float, meter: Meter, quick: bool) -> tuple[float, float]:
    """(joules per gate, joules per gate × amplitude) of an executor call of one row beyond `call_j` (the call's
    and its row's prices on the calibration circuit), as a QAOA optimiser makes them (sampled): a least-squares
    fit, both at least 0, over QAOA circuits of a few widths and depths, whose single-row calls cost their
    simulator per gate more than per amplitude."""
    import numpy as np
    from scipy.optimize import nnls

    from qlang.catalog.costs import qaoa_ising_gates
    from qlang.circuits.library import qaoa_ising

    rows, spent = [], []
    for qubits, layers, mixer in ONE_ROW_CIRCUITS:
        k = qubits // 2 if mixer == "xy" else None
        executor, circuit = _executor(target, circuit=qaoa_ising(qubits, layers, mixer, k))
        rng = np.random.default_rng(0)
        x, w = rng.uniform(-1, 1, (1, circuit.n_inputs)), rng.uniform(0, np.pi, (1, circuit.n_weights))

        def call(executor=executor, x=x, w=w):
            return executor.probs("m", x, w, shots=ONE_ROW_SHOTS)

        call()  # warm up: transpilation, device set-up
        gates = qaoa_ising_gates(qubits, layers, mixer, k or 0)
        rows.append([gates, gates * 2**qubits])
        spent.append(max(_joules(meter, call, 2 if quick else 6) - call_j, 0.0))
    (per_gate, per_gate_amp), _ = nnls(np.array(rows, dtype=float), np.array(spent))
    return float(per_gate), float(per_gate_amp)


def measure_gradient(device: str, meter: Meter, quick: bool) -> tuple[float, float]:
    """(joules per gate per row, joules per pass) of a differentiable forward and backward pass through the
    circuit layer on a PennyLane device that differentiates inside torch (qlang.catalog.costs.Gradient)."""
    row, call, circuit = _gradient_pass("pennylane", device, meter, quick)
    return row / len(circuit.ops), call


def measure_shift_gradient(target: str, meter: Meter, quick: bool) -> tuple[float, float]:
    """(joules per shifted circuit, joules per pass) of a pass through the circuit layer on a target that
    differentiates by parameter shifts (2P + 1 circuits a row in one call): its executor shares the work of a
    row's circuits (the encoding, the same in all of them), which the price of as many independent rows does not
    see."""
    row, call, circuit = _gradient_pass(target, "default.qubit", meter, quick)
    return row / (2 * circuit.n_weights + 1), call


def _gradient_pass(target: str, device: str, meter: Meter, quick: bool):
    """(joules per row, joules per pass, the circuit) of the circuit layer's forward and backward pass."""
    import numpy as np
    import torch

    from qlang.runtime.methods.torch_layer import CircuitLayer

    executor, circuit = _executor(target, device)
    layer = CircuitLayer(executor, "m")
    rng = np.random.default_rng(0)

    def step(rows: int):
        x = torch.from_numpy(rng.uniform(-1, 1, (rows, 4)))

        def run():
            layer.zero_grad()
            layer(x).sum().backward()

        return run

    step(SMALL)()  # warm up: the device and its gradient transform
    small = _joules(meter, step(SMALL), 5 if quick else 20)
    large = _joules(meter, step(GRADIENT_LARGE), 2 if quick else 5)
    row = max(large - small, 0.0) / (GRADIENT_LARGE - SMALL)
    return row, max(small - SMALL * row, 0.0), circuit


def measure_fit(meter: Meter, quick: bool) -> float:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 4))
    y = (x[:, 0] > 0).astype(int)
    LogisticRegression().fit(x, y)  # warm up: the first fit imports its solver, as a run's setup window does
    return _joules(meter, lambda: LogisticRegression().fit(x, y), 10 if quick else 40)


def measure_scored_fit(meter: Meter, quick: bool) -> float:
    """Joules per tuning candidate scored on one inner fold, measured through qlang.runtime.methods.encode's own
    `_tune` (an SVM fitted on a slice of a precomputed Gram, its decision values on the rest and their AUC) over
    15 training rows: the price follows the runtime's code, whatever it calls."""
    import numpy as np

    from qlang.runtime.methods.encode import C_FACTORS, INNER_FOLDS, _grid, _sliced, _svm_fit, _tune

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 4)), np.array([0, 1] * 8)
    kernels = {1.0: _sliced(np.exp(-((x[:, None] - x[None]) ** 2).sum(-1)))}
    candidates, train = _grid((1.0,), C_FACTORS, 1.0), np.arange(15)

    def tune():
        _tune(candidates, kernels, _svm_fit, train, y)

    tune()
    return _joules(meter, tune, 4 if quick else 12) / (len(candidates) * INNER_FOLDS)


def measure_kmeans_init(meter: Meter, quick: bool) -> float:
    import numpy as np
    from sklearn.cluster import KMeans

    x = np.random.default_rng(0).normal(size=(160, 4))
    KMeans(n_clusters=2, n_init=1, random_state=0).fit(x)  # warm up, as for fits
    return _joules(meter, lambda: KMeans(n_clusters=2, n_init=1, random_state=0).fit(x), 5 if quick else 20)


def measure_stat_test(meter: Meter, quick: bool) -> float:
    """Joules per SciPy two-sample KS test on 32 rows a side (its cost is its call overhead)."""
    import numpy as np
    from scipy.stats import ks_2samp

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=32), rng.normal(size=32)
    ks_2samp(x, y)  # warm up
    return _joules(meter, lambda: ks_2samp(x, y), 50 if quick else 200)


def measure_tree(meter: Meter, quick: bool) -> float:
    """Joules per tree of a scikit-learn isolation forest fitted on 64 rows and scoring them (its per-tree
    overhead: the arithmetic on so few rows is negligible)."""
    import numpy as np
    from sklearn.ensemble import IsolationForest

    x = np.random.default_rng(0).normal(size=(64, 4))
    trees = 50

    def run():
        IsolationForest(n_estimators=trees, random_state=0).fit(x).score_samples(x)

    run()  # warm up
    return _joules(meter, run, 2 if quick else 8) / trees


def measure_torch_step(meter: Meter, quick: bool) -> float:
    """Joules per Adam step of FMQA's factorisation machine (qlang.runtime.methods.hpo) on 10 bits, rank 4,
    fitted to 8 evaluations: a small torch model's step costs its overhead."""
    import numpy as np

    from qlang.runtime.methods.hpo import FactorisationMachine

    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 2, (8, 10)).astype(np.float64), rng.normal(size=8)
    steps = 100
    FactorisationMachine(10, 4, 0.01, 5, 0).fit(x, y)  # warm up
    return _joules(meter, lambda: FactorisationMachine(10, 4, 0.01, steps, 0).fit(x, y), 2 if quick else 6) / steps


def measure_circuit_setup(meter: Meter, quick: bool) -> tuple[float, float, float]:
    """(joules per transpile, per angle expression, per segment) of the Qiskit executor preparing a circuit
    (qlang.circuits.setup): a fresh executor preparing the re-uploading circuit, whose three templates are
    its only set-up (no angle expressions), per template; the ZZ map's angles made numpy functions, as the
    executor makes them, per expression; the re-uploading circuit cut into segments, per segment."""
    from qlang.circuits import emit_qiskit
    from qlang.circuits.library import reuploading, stage_circuits
    from qlang.circuits.setup import TEMPLATES, qiskit_setup
    from qlang.runtime.targets import segments
    from qlang.runtime.targets.qiskit import QiskitExecutor, _plain_angles

    circuit = reuploading(4, 2)

    def prepare():
        return QiskitExecutor({"m": lambda: emit_qiskit.build(circuit)})._get("m")

    compiled = prepare()  # warm up: the first transpile loads Qiskit's passes
    transpile_j = _joules(meter, prepare, 3 if quick else 10) / TEMPLATES

    def cut():
        x, w = {p for _, p in compiled.inputs}, {p for _, p in compiled.weights}
        return segments.split(compiled.plain, x, w, compiled.angles or [])

    pieces = len(cut() or [])
    segment_j = _joules(meter, cut, 3 if quick else 10) / pieces
    zz = stage_circuits("zz_feature_map", {"qubits": 4, "reps": 2, "bandwidth": 1.0})["feature_map"]
    qc, _x, _w = emit_qiskit.build(zz)
    expressions = qiskit_setup(zz, exact=False).angle_expressions
    _plain_angles(qc)
    angle_j = _joules(meter, lambda: _plain_angles(qc), 3 if quick else 10) / expressions
    return transpile_j, angle_j, segment_j


def _pennylane_devices(prices: Prices, out: dict, meter: Meter, quick: bool, progress) -> list[str]:
    """Each exact PennyLane device's differentiable pass, and the executor's row and call on the devices other
    than the default (already measured as the target's own); a device not installed keeps its defaults, and the
    returned lines say which."""
    lines = []
    default, *others = DEVICES["pennylane"]
    for device in (default, *others):
        key = f"pennylane:{device}"
        progress(f"pennylane on {device}: executor calls and differentiable passes")
        try:
            if device != default:
                prices.row_j[key], prices.call_j[key] = measure_target("pennylane", meter, quick, device)
            prices.gradient_gate_row_j[key], prices.gradient_call_j[key] = measure_gradient(device, meter, quick)
        except Exception as e:  # noqa: BLE001 (a device plug-in that is not installed or will not start)
            lines.append(f"{key}: not measured ({type(e).__name__}), defaults kept")
            continue
        g_row, g_call = prices.gradient_gate_row_j[key], prices.gradient_call_j[key]
        out[device] = {"joules_per_gradient_gate_row": g_row, "joules_per_gradient_pass": g_call}
        if device != default:
            out[device].update(joules_per_circuit_row=prices.row_j[key], joules_per_executor_call=prices.call_j[key])
    return lines


def run_calibration(quick: bool = False, progress=lambda message: None, as_json: bool = False) -> str:
    """Measure and store this machine's prices, every one on as many threads as a run gives each method
    (qlang/runtime/threads.py); the result as lines of text, or as one JSON object."""
    # loaded before the limit, so that it holds their BLAS and OpenMP pools: threadpoolctl limits only the pools
    # loaded when it is entered (imported inside, a LogisticRegression fit measured 30-50 ms of CPU, not 4.5 ms)
    import sklearn.cluster
    import sklearn.ensemble
    import sklearn.linear_model
    import sklearn.metrics
    import sklearn.svm  # noqa: F401

    from qlang.runtime.threads import limited

    with limited():
        return _calibrate(quick, progress, as_json)


def _calibrate(quick: bool, progress, as_json: bool) -> str:
    import json

    from qlang.energy.compute_costs import calibrate

    meter = Meter()
    progress(f"meter: {meter.provider} ({meter.provenance})")
    progress("statevector and FLOP kernels")
    cal = calibrate(meter, min_seconds=0.3 if quick else 1.0)
    prices: Prices = load_prices()
    data: dict = {"meter": {"provider": meter.provider, "provenance": meter.provenance},
                  "joules_per_amplitude_op": cal.joules_per_amplitude_op, "joules_per_flop": cal.joules_per_flop,
                  "targets": {}}  # fmt: skip
    notes = []  # what was not measured (the rest is `describe`d from the prices)
    for target in ("pennylane", "qiskit"):
        progress(f"{target} executor overheads")
        try:
            row, call = measure_target(target, meter, quick)
        except ImportError:
            notes.append(f"{target}: not installed, defaults kept")
            data["targets"][target] = None
            continue
        prices.row_j[target], prices.call_j[target] = row, call
        data["targets"][target] = {"joules_per_circuit_row": row, "joules_per_executor_call": call}
        progress(f"{target} one-row calls (QAOA evaluations)")
        gate, gate_amp = measure_one_row_calls(target, call + row, meter, quick)
        prices.call_gate_j[target], prices.call_gate_amp_j[target] = gate, gate_amp
        data["targets"][target].update(joules_per_call_gate=gate, joules_per_call_gate_amplitude=gate_amp)
        if target == "pennylane":
            notes += _pennylane_devices(prices, data["targets"][target], meter, quick, progress)
        if target == "qiskit":
            progress("qiskit parameter-shift passes")
            prices.shift_row_j[target], prices.shift_call_j[target] = measure_shift_gradient(target, meter, quick)
            data["targets"][target].update(
                joules_per_shifted_circuit=prices.shift_row_j[target], joules_per_shift_pass=prices.shift_call_j[target]
            )
            for device in DEVICES["qiskit"][1:]:  # the default is the target's own, measured above
                progress(f"qiskit on {device}: executor calls")
                key = f"qiskit:{device}"
                prices.row_j[key], prices.call_j[key] = measure_target(target, meter, quick, device)
                data["targets"][target][device] = {
                    "joules_per_circuit_row": prices.row_j[key],
                    "joules_per_executor_call": prices.call_j[key],
                }
            progress("qiskit circuit set-up: transpiles, segments and angle functions")
            transpile_j, angle_j, segment_j = measure_circuit_setup(meter, quick)
            prices.transpile_j[target], prices.angle_j[target] = transpile_j, angle_j
            prices.segment_j[target] = segment_j
            data["targets"][target].update(
                joules_per_transpile=transpile_j, joules_per_angle_expression=angle_j, joules_per_segment=segment_j
            )
    progress("fitting-call overhead")
    prices.fit_j = measure_fit(meter, quick)
    prices.scored_fit_j = measure_scored_fit(meter, quick)
    prices.kmeans_init_j = measure_kmeans_init(meter, quick)
    prices.stat_test_j = measure_stat_test(meter, quick)
    prices.tree_j = measure_tree(meter, quick)
    prices.torch_step_j = measure_torch_step(meter, quick)
    stored = save_overheads(prices).parent
    data.update(fit_j=prices.fit_j, scored_fit_j=prices.scored_fit_j, kmeans_init_j=prices.kmeans_init_j, stat_test_j=prices.stat_test_j,
                tree_j=prices.tree_j, torch_step_j=prices.torch_step_j, stored_in=str(stored))  # fmt: skip
    if as_json:
        return json.dumps(data, indent=2)
    meter_line = f"meter: {meter.provider} ({meter.provenance})"
    return "\n".join([meter_line, *describe(cal, prices), *notes, f"stored in {stored}"])


def calibrate_in_processes(
    processes: int, quick: bool = False, progress=lambda message: None, as_json: bool = False
) -> str:
    """`qlc calibrate --processes N`: the whole calibration N times, each in a fresh process, and every price
    the median of theirs. On a shared machine one process can run at half the speed of the next for its whole
    life (a small fit measured 25 ms in some fresh processes and 50 ms in others), and every estimate scales
    with the calibration's prices."""
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from qlang.energy.compute_costs import load_calibration, save_calibration

    rounds = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(processes):
            progress(f"calibration {i + 1} of {processes}, in a fresh process")
            cache = Path(tmp) / str(i)
            done = subprocess.run(
                [sys.executable, "-m", "qlang.cli", "calibrate", *(["--quick"] if quick else [])],
                env={**os.environ, "QLANG_CACHE": str(cache)},
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"calibration {i + 1} failed: {done.stderr.strip()[-500:]}")
            rounds.append((load_calibration(cache / "calibration.json"), load_prices(cache)))
    cals = [c for c, _ in rounds]
    cal = replace(
        cals[0],
        joules_per_amplitude_op=statistics.median(c.joules_per_amplitude_op for c in cals),
        joules_per_flop=statistics.median(c.joules_per_flop for c in cals),
    )
    prices = median_prices([p for _, p in rounds])
    save_calibration(cal)
    stored = save_overheads(prices).parent
    if as_json:
        import json
        from dataclasses import asdict

        return json.dumps({"processes": processes, "joules_per_amplitude_op": cal.joules_per_amplitude_op,
                           "joules_per_flop": cal.joules_per_flop, "prices": asdict(prices),
                           "stored_in": str(stored)}, indent=2)  # fmt: skip
    return "\n".join(
        [
            f"the median of {processes} calibrations, each in a fresh process:",
            *describe(cal, prices),
            f"stored in {stored}",
        ]
    )


def median_prices(all_prices: list[Prices]) -> Prices:
    """Every price the median of `all_prices`' (a price missing from one, such as a device not installed there,
    from those that have it)."""
    first = all_prices[0]
    medians: dict = {}
    for f in fields(Prices):
        values = [getattr(p, f.name) for p in all_prices]
        if isinstance(values[0], dict):
            keys = {k for v in values for k in v}
            medians[f.name] = {k: statistics.median(v[k] for v in values if k in v) for k in sorted(keys)}
        elif isinstance(values[0], float):
            medians[f.name] = statistics.median(values)
        else:
            medians[f.name] = getattr(first, f.name)
    return Prices(**medians)


def describe(cal, prices: Prices) -> list[str]:
    """The calibration's prices as lines of text."""
    lines = [
        f"joules per amplitude op: {cal.joules_per_amplitude_op:.3g}",
        f"joules per FLOP: {cal.joules_per_flop:.3g}",
    ]
    for key in sorted(prices.call_j):
        lines.append(f"{key}: {prices.row_j[key]:.3g} J per circuit row, {prices.call_j[key]:.3g} J per executor call")
        if key in prices.call_gate_j:
            lines.append(f"{key}: one-row calls {prices.call_gate_j[key]:.3g} J per gate, "
                         f"{prices.call_gate_amp_j[key]:.3g} J per gate-amplitude")  # fmt: skip
        if key in prices.shift_row_j:
            lines.append(f"{key}: parameter-shift pass {prices.shift_row_j[key]:.3g} J per shifted circuit, "
                         f"{prices.shift_call_j[key]:.3g} J per pass")  # fmt: skip
        if prices.transpile_j.get(key):
            lines.append(f"{key}: {prices.transpile_j[key]:.3g} J per transpile, "
                         f"{prices.angle_j[key]:.3g} J per angle expression, "
                         f"{prices.segment_j[key]:.3g} J per segment cut")  # fmt: skip
    for key in sorted(prices.gradient_call_j):
        lines.append(f"{key}: differentiable pass {prices.gradient_gate_row_j[key]:.3g} J per gate-row, "
                     f"{prices.gradient_call_j[key]:.3g} J per pass")  # fmt: skip
    return lines + [
        f"fitting call: {prices.fit_j:.3g} J",
        f"tuning candidate fitted and scored: {prices.scored_fit_j:.3g} J",
        f"k-means restart: {prices.kmeans_init_j:.3g} J",
        f"two-sample test: {prices.stat_test_j:.3g} J",
        f"ensemble tree: {prices.tree_j:.3g} J",
        f"small torch optimiser step: {prices.torch_step_j:.3g} J",
    ]
