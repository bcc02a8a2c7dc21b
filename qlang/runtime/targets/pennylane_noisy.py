"""`Executor` for PennyLane on a noisy device: the emitted bodies on `default.mixed`, with the channels
of a `qlang.runtime.noise.NoiseModel` inserted after every gate by a tape transform, one broadcast
execution per chunk of rows returning density matrices (wire 0 first, as PennyLane orders them). For
zero-noise extrapolation the tape is folded (`folded`) before the channels go in (qlang.runtime.zne).

Why default.mixed and not `qml.from_qiskit_noise`: that needs the pennylane-qiskit plugin and converts
an Aer noise model gate name by gate name, so the channels would follow Qiskit's gate set rather than
the PennyLane circuit's own gates; one NoiseModel inserted after each gate of each target's own
circuit gives the two targets the same channels by construction (and one less dependency).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pennylane as qml
from pennylane.devices.qubit_mixed import simulate

from qlang.circuits.amplitude import amplitude_reflection
from qlang.runtime.noise import NoiseModel, NoisyExecutor, depolarizing_kraus
from qlang.runtime.protocol import CircuitShape
from qlang.runtime.targets.batching import batch_arrays, chunks, weight_rows
from qlang.runtime.targets.pennylane import Body
from qlang.runtime.targets.pennylane_depolarizing import Depolarizing
from qlang.runtime.zne import check_scales

MIXED = "default.mixed"
HEISENBERG_INTERFACE = "torch"  # see NoisyPennyLaneExecutor._half_densities


def channels(wires, model: NoiseModel, closed_form: bool = False) -> list[qml.operation.Operation]:
    """The channels after a gate on `wires` (see qlang.runtime.noise); with `closed_form` the depolarizing
    one is pennylane_depolarizing.Depolarizing, which only qml.devices.qubit_mixed.simulate runs."""
    out = []
    k, p = len(wires), model.depolarizing(len(wires))
    if p > 0 and closed_form:
        out.append(Depolarizing(p, wires=wires))
    elif p > 0:
        # PennyLane's one-qubit DepolarizingChannel(q) keeps ρ with 1 − q and applies each Pauli with q/3,
        # so (1 − p)ρ + p·I/2 is q = 3p/4.
        out.append(
            qml.DepolarizingChannel(0.75 * p, wires=wires)
            if k == 1
            else qml.QubitChannel(depolarizing_kraus(p, k), wires=wires)
        )
    for wire in wires:
        if model.amplitude_damping > 0:
            out.append(qml.AmplitudeDamping(model.amplitude_damping, wires=wire))
        if model.phase_damping > 0:
            out.append(qml.PhaseDamping(model.phase_damping, wires=wire))
    return out


@qml.transform
def with_noise(tape, model: NoiseModel):
    """`tape` with `channels(op.wires)` after each of its operations."""
    ops = []
    for op in tape.operations:
        ops.append(op)
        ops.extend(channels(op.wires, model))
    return [tape.copy(operations=ops)], lambda results: results[0]


@qml.transform
def folded(tape, scale: int):
    """`tape` folded globally to the odd `scale` (qlang.runtime.zne): U (U† U)^k with U its operations, each
    inverse by `qml.adjoint`, the same sequence qlang.runtime.zne.fold gives a Qiskit circuit. A StatePrep
    (only ever first, on fresh wires) becomes the unitary Qiskit's noisy executor runs in its place, its
    amplitude reflection: a state preparation has no inverse. Not `qml.noise.fold_global`, which cannot
    invert a StatePrep."""
    ops = [_as_unitary(op) for op in tape.operations]
    inverse = [qml.adjoint(op, lazy=False) for op in reversed(ops)]
    return [tape.copy(operations=ops + (inverse + ops) * ((scale - 1) // 2))], lambda results: results[0]


def _as_unitary(op):
    if isinstance(op, qml.StatePrep):
        return qml.QubitUnitary(amplitude_reflection(np.asarray(op.parameters[0])), wires=op.wires)
    return op


class NoisyPennyLaneExecutor(NoisyExecutor):
    target = "pennylane"

    def __init__(
        self,
        bodies: Mapping[str, tuple[Body, CircuitShape]],
        noise: NoiseModel,
        shots: int,
        device: str = MIXED,
        seed: int = 0,
    ) -> None:
        self.device, self.noise, self.shots = device, noise, int(shots)
        self._bodies = dict(bodies)
        self._qnodes: dict[tuple[str, int], qml.QNode] = {}
        self._splits: dict[str, int | None] = {}
        self.shots_spent = self.circuits_run = 0
        self.reseed(seed)

    def shape(self, name: str) -> CircuitShape:
        if name not in self._bodies:
            raise KeyError(f"no circuit {name!r}; known: {sorted(self._bodies)}")
        return self._bodies[name][1]

    def densities(self, name: str, x, w, scale: int = 1) -> np.ndarray:
        shape = self.shape(name)
        batch, x, w = batch_arrays(shape, x, w)
        qnode = self._qnode(name, scale)
        width = 2**shape.n_wires
        out = np.empty((batch, width, width), dtype=np.complex128)
        for rows in chunks(batch, 2 * shape.n_wires):  # density matrices: 4**n amplitudes a row
            result = qnode(x[rows].T, weight_rows(w, rows).T)
            out[rows] = np.broadcast_to(np.asarray(result), (rows.stop - rows.start, width, width))
        return out

    def calibration_densities(self, n_wires: int) -> np.ndarray:
        wires = list(range(n_wires))

        def rho(flip: bool):
            for wire in wires:
                if flip:
                    qml.PauliX(wire)
            return qml.density_matrix(wires=wires)

        dev = qml.device("default.mixed", wires=n_wires)
        qnode = with_noise(qml.QNode(rho, dev, diff_method=None), model=self.noise)
        return np.array([np.asarray(qnode(flip)) for flip in (False, True)])

    def _qnode(self, name: str, scale: int) -> qml.QNode:
        """The circuit's QNode at a ZNE scale: folded first, then the noise after every gate of the fold."""
        if (name, scale) not in self._qnodes:
            body, shape = self._bodies[name]
            wires = list(range(shape.n_wires))

            def rho(x, w):
                body(x, w)
                return qml.density_matrix(wires=wires)

            dev = qml.device("default.mixed", wires=shape.n_wires)
            qnode = qml.QNode(rho, dev, diff_method=None)
            if scale != 1:
                check_scales((1, scale))
                qnode = folded(qnode, scale=scale)
            self._qnodes[name, scale] = with_noise(qnode, model=self.noise)
        return self._qnodes[name, scale]

    # -- the Heisenberg picture (qlang.runtime.heisenberg) ---------------------------------------

    def split(self, name: str) -> int | None:
        """Found by recording the body three times: at one point, with the first half of the inputs moved,
        and with the second half moved; an operation whose parameters move reads that half."""
        if name not in self._splits:
            body, shape = self._bodies[name]
            k, rng = shape.n_inputs // 2, np.random.default_rng(0)
            base = rng.uniform(0.5, 2.5, 2 * k)
            w = rng.uniform(0.5, 2.5, shape.n_weights)
            recorded = [qml.tape.make_qscript(body)(base, w).operations]
            for half in (slice(0, k), slice(k, 2 * k)):
                moved = base.copy()
                moved[half] += rng.uniform(0.1, 0.4, k)
                recorded.append(qml.tape.make_qscript(body)(moved, w).operations)
            self._splits[name] = _split(recorded, k)
        return self._splits[name]

    def compute_densities(self, name: str, x: np.ndarray) -> np.ndarray:
        return self._half_densities(name, "compute", np.hstack([x, np.zeros_like(x)]))

    def uncompute_effects(self, name: str, y: np.ndarray) -> np.ndarray:
        return self._half_densities(name, "uncompute", np.hstack([np.zeros_like(y), y]))

    def _half_densities(self, name: str, which: str, x: np.ndarray) -> np.ndarray:
        """ρ or σ (qlang.runtime.heisenberg) of each row of `x` (both halves of the inputs, the other half
        unread): one broadcast run of PennyLane's mixed-state simulator per chunk, in torch (its einsum
        contracts a gate pairwise; numpy's loops over every index at once: three times slower here) on
        qlang.runtime.threads' thread count (torch's own pool on a busy machine was four times slower)."""
        from qlang.runtime.threads import limited

        shape = self.shape(name)
        width = 2**shape.n_wires
        out = np.empty((len(x), width, width), dtype=np.complex128)
        with limited():
            for rows in chunks(len(x), 2 * shape.n_wires):
                tape = self._half_tape(name, which, qml.math.asarray(x[rows].T, like=HEISENBERG_INTERFACE))
                result = qml.math.to_numpy(simulate(tape, interface=HEISENBERG_INTERFACE))
                out[rows] = np.broadcast_to(result, (rows.stop - rows.start, width, width))
        return out

    def _half_tape(self, name: str, which: str, inputs) -> qml.tape.QuantumScript:
        """The noisy compute part on |0...0>, or the adjoint of the noisy uncompute part on the readout's
        all-zeros effect (its operations last to first, each inverted, its channels before it in reverse
        order), for the columns of `inputs` (2k, B); depolarizing in its closed form."""
        from qlang.runtime.heisenberg import readout_effect

        body, shape = self._bodies[name]
        s, wires = self.split(name), list(range(shape.n_wires))
        assert s is not None, f"{name} does not split into compute and uncompute parts"
        recorded = qml.tape.make_qscript(body)(inputs, np.zeros(shape.n_weights)).operations
        ops = []
        if which == "compute":
            for op in recorded[:s]:
                ops += [op, *channels(op.wires, self.noise, closed_form=True)]
        else:
            ops.append(qml.QubitDensityMatrix(readout_effect(shape.n_wires, self.noise.readout), wires=wires))
            for op in reversed(recorded[s:]):
                ops += [*reversed(channels(op.wires, self.noise, closed_form=True)), op.adjoint()]
        return qml.tape.QuantumScript(ops, [qml.density_matrix(wires=wires)])


def _split(recorded: list, k: int) -> int | None:
    """split_point of a body recorded at a base point and with its first, then second, half of inputs moved;
    None when the recordings differ in their operations (data-dependent structure) or hold a state
    preparation or matrix (amplitude encodings)."""
    from qlang.runtime.heisenberg import split_point

    base, *moved = recorded
    if any(op.name in ("StatePrep", "QubitUnitary") for op in base):
        return None
    if any([(o.name, o.wires) for o in ops] != [(o.name, o.wires) for o in base] for ops in moved):
        return None
    reads = []
    for i, op in enumerate(base):
        reads.append(
            {
                column
                for column, ops in zip((0, k), moved)
                if not all(np.allclose(a, b) for a, b in zip(op.data, ops[i].data))
            }
        )
    return split_point(reads, k)
