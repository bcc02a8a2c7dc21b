"""What one unit of each kind of work costs in joules on this machine (see qlang/catalog/costs.py).

Amplitude ops and FLOPs come from `qlc calibrate`'s kernels (qlang/energy/compute_costs.py). The fixed
overheads — per circuit row and per batched call of each target's executor, per fitting call — are
measured by `qlc calibrate` too when the SDKs are installed, and default to the figures below
(measured once on a 2-core development machine and priced with the CPU-time model, 12 W/thread +
1.49 W)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from qlang.catalog.costs import REFERENCE_GATES

WATTS = 12.0 + 1.49  # the CPU-time model's defaults: one busy thread and the RAM term
# the circuit a parameter-shift pass is measured on (qlang/plan/overheads.py: reuploading(4, 2), 16 weights)
SHIFT_REFERENCE_QUBITS, SHIFT_REFERENCE_BLOCKS = 4, 2 * 16 + 1

# The defaults below are CPU seconds on the 2-core development machine, one thread per method (runtime/threads.py):
# the medians of three `qlc calibrate --processes 3` runs where one is measured (some were measured before the
# thread limit, when a k-means restart took 0.1 s of waiting threads, and lay far from any calibration since).
# keyed by target, or by `target:device` where a device's executor costs differently (lightning.qubit runs a
# broadcast as one tape per row: about 0.5 ms of CPU a row where default.qubit takes microseconds). Qiskit's
# "statevector" device evolves each row's circuit gate by gate in Python: 2.7 ms a row of the calibration circuit's
# 32 gates, 66-84 us a gate on 4-8 qubits, so its row is priced per gate (ROW_BY_GATE)
DEFAULT_ROW_J = {
    "pennylane": 9e-6 * WATTS,
    "qiskit": 1.1e-4 * WATTS,
    "pennylane:lightning.qubit": 5.5e-4 * WATTS,
    "qiskit:statevector": 2.7e-3 * WATTS,
}
DEFAULT_CALL_J = {"pennylane": 8e-3 * WATTS, "qiskit": 5e-3 * WATTS, "qiskit:statevector": 1e-3 * WATTS}
ROW_BY_GATE = ("qiskit:statevector",)  # a row costs its gates: the row price times gates / REFERENCE_GATES
# a differentiable pass (forward and backward, qlang.catalog.costs.Gradient) where the device differentiates
# inside torch: per gate per row and per pass. CPU seconds on the 2-core development machine, 4 qubits, 48 gates:
# default.qubit (backprop, one broadcast tape) 0.031 s for 18 rows and 0.04 s for 200; lightning.qubit (adjoint,
# a tape per row) 0.26 s and 1.7 s. Targets and devices not listed differentiate by parameter shifts.
DEFAULT_GRADIENT_GATE_ROW_J = {"pennylane:default.qubit": 8e-7 * WATTS, "pennylane:lightning.qubit": 8.5e-5 * WATTS}
DEFAULT_GRADIENT_CALL_J = {"pennylane:default.qubit": 0.013 * WATTS, "pennylane:lightning.qubit": 0.005 * WATTS}
# a parameter-shift pass on Qiskit's exact simulator, per shifted circuit and per pass: its 2P + 1 circuits of a
# row share their encoding (qlang.runtime.targets.segments), so a shifted circuit costs far less than a row of
# independent inputs: 0.004 ms of CPU against 0.12 ms, and 25-37 ms a pass, on the 2-core development machine
# (reuploading(4, 2), 8 and 128 rows a pass). A shifted circuit grew about 4x a qubit (0.004, 0.023 and 0.10 ms
# on 4, 5 and 6 qubits) and a pass with its weight blocks (23, 35 and 48 ms for 33, 49 and 65 blocks)
DEFAULT_SHIFT_ROW_J = {"qiskit": 4.5e-6 * WATTS}
DEFAULT_SHIFT_CALL_J = {"qiskit": 0.03 * WATTS}
DEFAULT_FIT_J = 2.3e-3 * WATTS
DEFAULT_KMEANS_INIT_J = 1.3e-3 * WATTS
DEFAULT_STAT_TEST_J = 3.5e-4 * WATTS  # scipy.stats.ks_2samp on 8 to 64 rows a side: 0.3-0.4 ms of CPU
DEFAULT_TREE_J = 1.5e-3 * WATTS  # an isolation forest's tree fitted and scored, 6 to 1,000 rows: 1.1-1.8 ms
DEFAULT_SCORED_FIT_J = 2.4e-3 * WATTS  # encode._tune's candidate on an inner fold of 10 rows: SVM fit, decisions, AUC
DEFAULT_TORCH_STEP_J = 7e-4 * WATTS  # an Adam step of FMQA's factorisation machine (10 bits, rank 4): 0.5-0.9 ms
# a Qiskit transpile for Aer and a sympy lambdify of one gate angle (qlang.circuits.setup), CPU seconds measured
# on the 2-core development machine (0.08-0.1 s and 1.7 ms, qiskit 2.x: at optimization level 0 a transpile's
# cost is its fixed pass-manager set-up, 4 to 256 gates alike); PennyLane does neither, nor Qiskit's "statevector"
# device, which runs each circuit as built
DEFAULT_TRANSPILE_J = {"pennylane": 0.0, "qiskit": 0.08 * WATTS, "qiskit:statevector": 0.0}
# an executor call of one row (a QAOA evaluation), per gate and per gate × amplitude, beside its call price:
# CPU seconds on the 2-core development machine, QAOA circuits of 169 to 880 gates on 6 to 12 qubits (PennyLane
# applies each operation in Python, about 0.09 ms a gate; Qiskit binds each gate's angle and Aer runs it, 0.05 ms)
DEFAULT_CALL_GATE_J = {"pennylane": 9e-5 * WATTS, "qiskit": 5.4e-5 * WATTS}
DEFAULT_CALL_GATE_AMP_J = {"pennylane": 3e-8 * WATTS, "qiskit": 0.0}
DEFAULT_ANGLE_J = {"pennylane": 0.0, "qiskit": 0.0017 * WATTS, "qiskit:statevector": 0.0}
# a segment cut for exact states (qlang/runtime/targets/segments.py), per segment: 40 ms of CPU on the 2-core
# development machine, 2 to 6 segments of re-uploading circuits, where a template's transpile took 64 ms
DEFAULT_SEGMENT_J = {"pennylane": 0.0, "qiskit": 0.04 * WATTS, "qiskit:statevector": 0.0}


@dataclass
class Prices:
    joules_per_amplitude_op: float
    joules_per_flop: float
    row_j: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_ROW_J))
    call_j: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CALL_J))
    fit_j: float = DEFAULT_FIT_J
    kmeans_init_j: float = DEFAULT_KMEANS_INIT_J
    stat_test_j: float = DEFAULT_STAT_TEST_J
    tree_j: float = DEFAULT_TREE_J
    torch_step_j: float = DEFAULT_TORCH_STEP_J
    scored_fit_j: float = DEFAULT_SCORED_FIT_J
    transpile_j: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TRANSPILE_J))
    angle_j: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_ANGLE_J))
    segment_j: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SEGMENT_J))
    gradient_gate_row_j: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_GRADIENT_GATE_ROW_J))
    gradient_call_j: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_GRADIENT_CALL_J))
    shift_row_j: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SHIFT_ROW_J))
    shift_call_j: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SHIFT_CALL_J))
    call_gate_j: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CALL_GATE_J))
    call_gate_amp_j: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CALL_GATE_AMP_J))
    calibrated: bool = False
    overheads_calibrated: bool = False

    def joules(self, work, target: str, device: str | None = None) -> float:
        """`work` (qlang.catalog.costs.Work) on `target`'s executor for `device` (a `target:device` price where
        there is one, else the target's)."""
        row, call = _on(self.row_j, target, device), _on(self.call_j, target, device)
        if f"{target}:{device}" in ROW_BY_GATE and work.gates_per_call is not None:
            row *= work.gates_per_call / REFERENCE_GATES
        batched = call
        if target == "pennylane" and work.gates_per_call is not None:  # its calls cost per operation, batch alike
            batched = max(0.0, call + (work.gates_per_call - REFERENCE_GATES) * _on(self.call_gate_j, target, device))
        return (
            work.amplitude_ops * self.joules_per_amplitude_op
            + work.flops * self.joules_per_flop
            + work.circuit_rows * row
            + (work.executor_calls - work.row_calls) * batched
            + work.row_calls * call  # their gates: call_gates
            + work.fits * self.fit_j
            + work.kmeans_inits * self.kmeans_init_j
            + work.stat_tests * self.stat_test_j
            + work.trees * self.tree_j
            + work.torch_steps * self.torch_step_j
            + work.scored_fits * self.scored_fit_j
            + work.transpiles * _on(self.transpile_j, target, device)
            + work.angle_expressions * _on(self.angle_j, target, device)
            + work.segments * _on(self.segment_j, target, device)
            + work.call_gates * _on(self.call_gate_j, target, device)
            + work.call_gate_amps * _on(self.call_gate_amp_j, target, device)
            + (self.gradient_joules(work.gradient, target, device) if work.gradient is not None else 0.0)
        )

    def gradient_joules(self, g, target: str, device: str | None) -> float:
        """A training loop's differentiable passes: forward and backward inside torch where the device does
        that, else every row's parameter-shift circuits, one batched executor call per pass."""
        key = f"{target}:{device}"
        if key in self.gradient_gate_row_j:
            return g.gate_rows * self.gradient_gate_row_j[key] + g.calls * self.gradient_call_j[key]
        circuits = g.shift_circuits
        if target in self.shift_row_j and g.density_matrix == 1.0:  # an exact simulator's measured shift pass
            # measured on the reference circuit (4 qubits, 33 weight blocks): a pass costs per distinct weight block,
            # a shifted circuit per amplitude pair of the combined segments (4^qubits), never more than a plain row
            plain = _on(self.row_j, target, device) + g.gates * 2**g.qubits * self.joules_per_amplitude_op
            shifted = min(plain, self.shift_row_j[target] * 4.0 ** (g.qubits - SHIFT_REFERENCE_QUBITS))
            blocks = (2 * g.weights + 1) / SHIFT_REFERENCE_BLOCKS
            return circuits * shifted + g.calls * self.shift_call_j[target] * blocks
        return (
            circuits * _on(self.row_j, target, device)
            + circuits * g.gates * 2**g.qubits * g.density_matrix * self.joules_per_amplitude_op
            + g.calls * _on(self.call_j, target, device)
        )


def _on(prices: dict[str, float], target: str, device: str | None) -> float:
    return prices.get(f"{target}:{device}", prices[target])


def overheads_path() -> Path:
    root = os.environ.get("QLANG_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "qlang") / "overheads.json"


# what `qlc calibrate` stores in overheads.json: every price of Prices (the compute kernels' are calibration.json's)
OVERHEADS = tuple(f.name for f in fields(Prices) if f.name.endswith("_j"))
REQUIRED = ("row_j", "call_j", "fit_j")  # a file without these is not a calibration


def load_prices(cache: Path | None = None) -> Prices:
    """The stored prices ($QLANG_CACHE's, or those in the folder `cache`), defaults where none are stored; a file
    that cannot be read whole leaves every default in place."""
    from qlang.energy.compute_costs import load_calibration

    cal = load_calibration(None if cache is None else cache / "calibration.json")
    prices = Prices(cal.joules_per_amplitude_op, cal.joules_per_flop, calibrated=cal.calibrated)
    try:
        stored = json.loads(
            (overheads_path() if cache is None else cache / "overheads.json").read_text(encoding="utf-8")
        )
        return replace(prices, **_stored_overheads(stored, prices), overheads_calibrated=True)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return prices


def _stored_overheads(stored: dict, prices: Prices) -> dict:
    """The stored prices over `prices`' defaults: a keyed price adds its keys to the defaults' (a device measured)."""
    missing = [name for name in REQUIRED if name not in stored]
    if missing:
        raise KeyError(missing[0])
    out: dict = {}
    for name in OVERHEADS:
        if name in stored:
            default = getattr(prices, name)
            value = stored[name]
            out[name] = (
                {**default, **{k: float(v) for k, v in value.items()}} if isinstance(default, dict) else float(value)
            )
    return out


def save_overheads(prices: Prices) -> Path:
    path = overheads_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {k: v for k, v in asdict(prices).items() if k in OVERHEADS}
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path
