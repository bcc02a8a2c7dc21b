"""The PennyLane target's circuits as Qiskit circuits, for IBM hardware without the pennylane-qiskit plugin.

Why not the plugin: pennylane-qiskit (0.45.0, the newest) pins qiskit<=2.3 and qiskit-ibm-runtime~=0.45,
while qlang needs qiskit 2.6 and qiskit-ibm-runtime 0.51. So the generated bodies (`body(x, w)`, queuing
PennyLane operations; qlang.circuits.emit_pennylane) are recorded as tapes (`qml.tape.make_qscript`) and
translated gate by gate through `GATES`, a table from PennyLane operation names to Qiskit gates; the
qiskit-ibm-runtime sampler then runs them exactly as it runs the Qiskit target's circuits
(qlang.runtime.targets.ibm).

`PennyLaneCircuits` is the circuit source `IbmSamplerExecutor` reads (see its docstring there):
- `template(name)`: the circuit with one Qiskit `Parameter` per gate angle that depends on the inputs or
  weights, built once from a tape recorded with one probe row; transpiled once by the executor. A gate
  angle that is a constant of the circuit stays a number, as in the Qiskit target's circuits. None where
  a row changes the gates themselves (an amplitude encoding: `StatePrep` or `QubitUnitary`).
- `values(name, x, w)`: each template parameter's value for every row — the angles PennyLane itself
  computed from the rows, read off one tape recorded with all rows broadcast (x (n_inputs, B), w
  (n_weights, B)), so any angle expression of the body needs no translation.
- `bound(name, x, w)`: one circuit per row with numbers in place of parameters, for amplitude encodings:
  `StatePrep` becomes `StatePreparation`, `QubitUnitary` an exact `UnitaryGate`, as the Qiskit target's
  amplitude placeholders do.
PennyLane wire i is Qiskit qubit i; a multi-wire matrix (wire 0 its most significant bit) is applied to
the qubits in reverse order, since Qiskit's first qubit is the least significant.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pennylane as qml
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, library

from qlang.runtime.protocol import CircuitShape

Body = Callable[[np.ndarray, np.ndarray], None]

# PennyLane operation name -> Qiskit gate class (the same matrix; angles carried over as they are): every
# gate qlang.circuits.emit_pennylane emits.
GATES: dict[str, type] = {
    "Hadamard": library.HGate,
    "PauliX": library.XGate,
    "PauliY": library.YGate,
    "PauliZ": library.ZGate,
    "S": library.SGate,
    "Adjoint(S)": library.SdgGate,
    "RX": library.RXGate,
    "RY": library.RYGate,
    "RZ": library.RZGate,
    "PhaseShift": library.PhaseGate,
    "IsingZZ": library.RZZGate,
    "IsingXX": library.RXXGate,
    "IsingYY": library.RYYGate,
    "CNOT": library.CXGate,
    "CZ": library.CZGate,
    "SWAP": library.SwapGate,
    "CSWAP": library.CSwapGate,
}
ROW_GATES = ("StatePrep", "QubitUnitary")  # their matrix is computed from the row: bound row by row


def tape(body: Body, x: np.ndarray, w: np.ndarray) -> list:
    """The operations `body` queues for inputs x (n_inputs, B) and weights w (n_weights, B)."""
    return list(qml.tape.make_qscript(body)(x, w).operations)


def signature(ops: list) -> tuple:
    """What a template depends on: each operation's name and wires."""
    return tuple((op.name, tuple(op.wires)) for op in ops)


def varying(op) -> bool:
    """Whether the operation's angle was computed from the rows (an array over the broadcast rows)."""
    return bool(op.data) and np.ndim(op.data[0]) > 0


def qiskit_circuit(ops: list, n_wires: int, angle: Callable, name: str) -> QuantumCircuit:
    """The operations as a Qiskit circuit; `angle(k, op)` gives the angle of the k-th operation."""
    qc = QuantumCircuit(n_wires, name=name)
    for k, op in enumerate(ops):
        wires = [int(q) for q in op.wires]
        if op.name == "StatePrep":
            qc.append(library.StatePreparation(np.real_if_close(np.asarray(angle(k, op)))), wires[::-1])
        elif op.name == "QubitUnitary":
            qc.append(library.UnitaryGate(np.asarray(angle(k, op)), check_input=False), wires[::-1])
        elif op.name in GATES:
            gate = GATES[op.name]
            qc.append(gate(angle(k, op)) if op.data else gate(), wires)
        else:
            raise ValueError(f"no Qiskit gate for PennyLane's `{op.name}` (circuit {name!r}); add it to GATES")
    return qc


class PennyLaneCircuits:
    """The PennyLane bodies as Qiskit circuits for the IBM sampler (see the module docstring)."""

    target = "pennylane"

    def __init__(self, bodies: Mapping[str, tuple[Body, CircuitShape]]):
        self._bodies = dict(bodies)
        self._templates: dict[str, tuple[tuple, QuantumCircuit | None, list[tuple[int, Parameter]]]] = {}

    def shape(self, name: str) -> CircuitShape:
        if name not in self._bodies:
            raise KeyError(f"no circuit {name!r}; known: {sorted(self._bodies)}")
        return self._bodies[name][1]

    def _tape(self, name: str, x: np.ndarray, w: np.ndarray) -> list:
        """The tape of rows x (B, n_inputs) and weights w (B, n_weights) or shared (n_weights,)."""
        weights = np.broadcast_to(w, (x.shape[0], w.shape[-1])) if w.ndim == 1 else w
        return tape(self._bodies[name][0], x.T, weights.T)

    def _entry(self, name: str):
        if name not in self._templates:
            shape = self.shape(name)
            probe = self._tape(name, np.ones((1, shape.n_inputs)), np.ones(shape.n_weights))
            if any(op.name in ROW_GATES for op in probe):
                self._templates[name] = (signature(probe), None, [])
            else:
                angles = [(k, Parameter(f"_theta{k}")) for k, op in enumerate(probe) if varying(op)]
                by_op = dict(angles)
                template = qiskit_circuit(probe, shape.n_wires, lambda k, op: by_op.get(k, op.data[0]), name)
                self._templates[name] = (signature(probe), template, angles)
        return self._templates[name]

    def template(self, name: str) -> QuantumCircuit | None:
        return self._entry(name)[1]

    def values(self, name: str, x: np.ndarray, w: np.ndarray) -> dict[Parameter, np.ndarray]:
        expected, _, angles = self._entry(name)
        ops = self._checked(name, x, w, expected)
        return {p: np.broadcast_to(np.asarray(ops[k].data[0], dtype=float), (x.shape[0],)) for k, p in angles}

    def bound(self, name: str, x: np.ndarray, w: np.ndarray) -> list[QuantumCircuit]:
        ops = self._checked(name, x, w, self._entry(name)[0])
        n_wires = self.shape(name).n_wires

        def row_angle(r: int) -> Callable:
            return lambda k, op: op.data[0][r] if varying(op) else op.data[0]

        return [qiskit_circuit(ops, n_wires, row_angle(r), name) for r in range(x.shape[0])]

    def _checked(self, name: str, x: np.ndarray, w: np.ndarray, expected: tuple) -> list:
        ops = self._tape(name, x, w)
        if signature(ops) != expected:  # a body whose gates depend on the values cannot be a template
            raise ValueError(f"circuit {name!r} queued different gates for different rows")
        return ops
