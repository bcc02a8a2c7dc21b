"""Emit one Python function per circuit that applies its gates with PennyLane.

`def f(x, w):` queues the operations and returns nothing; the executor wraps it in QNodes.
`x` has shape (n_inputs, B) (x[i] is a batch vector) and `w` (n_weights, B) or (n_weights,).
An amplitude encoding that is the circuit's first op is `qml.StatePrep(normalise(...))`; any
other is its exact unitary `amplitude_reflection(...)` as a `qml.QubitUnitary` (see
`qlang.circuits.ir.AmplitudeEncoding`), which on fresh wires prepares the same state.
"""

from __future__ import annotations

from typing import ClassVar

from qlang.circuits.emitter import Emitter
from qlang.circuits.ir import AmplitudeEncoding, Circuit, Gate
from qlang.circuits.pysource import INDENT, call, wire_list


def _wires(wires) -> str:
    return "wires=" + (str(wires[0]) if len(wires) == 1 else wire_list(wires))


class PennyLaneEmitter(Emitter):
    target = "pennylane"
    IMPORTS = (
        "import pennylane as qml",
        "from numpy import pi",
        "from qlang.circuits.amplitude import amplitude_reflection, normalise",
    )
    # IR gate -> PennyLane operation (the same matrices: see qlang.circuits.ir.GATES)
    GATES: ClassVar[dict[str, str]] = {
        "h": "qml.Hadamard",
        "x": "qml.PauliX",
        "y": "qml.PauliY",
        "z": "qml.PauliZ",
        "s": "qml.S",
        "sdg": "qml.adjoint",  # of qml.S
        "rx": "qml.RX",
        "ry": "qml.RY",
        "rz": "qml.RZ",
        "rzz": "qml.IsingZZ",
        "rxx": "qml.IsingXX",
        "ryy": "qml.IsingYY",
        "cnot": "qml.CNOT",
        "cz": "qml.CZ",
        "swap": "qml.SWAP",
        "cswap": "qml.CSWAP",
    }
    PARAMS = ("x", "w")
    DEFAULT_NAME = "body"

    def gate(self, op: Gate, callee: str) -> list[str]:
        if op.name == "sdg":
            return [f"{INDENT}qml.adjoint(qml.S({_wires(op.wires)}))"]
        args = [] if op.angle is None else [op.angle]
        return call(INDENT, callee, [*args, _wires(op.wires)])

    def amplitude(self, op: AmplitudeEncoding, first: bool) -> list[str]:
        rows = f"x[{op.start}:{op.start + op.size}].T"
        if first:
            return call(INDENT, "qml.StatePrep", [f"normalise({rows})", _wires(op.wires)])
        return call(INDENT, "qml.QubitUnitary", [f"amplitude_reflection({rows})", _wires(op.wires)])


EMITTER = PennyLaneEmitter()
IMPORTS = EMITTER.IMPORTS
emit = EMITTER.emit


def build(circuit: Circuit, func_name: str = "body"):
    """Exec the emitted source, as a generated module would, and return the function."""
    return EMITTER.build(circuit, func_name)
