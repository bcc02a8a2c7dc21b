"""Emit one Python function per circuit that applies its gates with PennyLane.

`def f(x, w):` queues the operations and returns nothing; the executor wraps it in QNodes.
`x` has shape (n_inputs, B) (x[i] is a batch vector) and `w` (n_weights, B) or (n_weights,).
An amplitude encoding that is the circuit's first op is `qml.StatePrep(normalise(...))`; any
other is its exact unitary `amplitude_reflection(...)` as a `qml.QubitUnitary` (see
`qlang.circuits.ir.AmplitudeEncoding`), which on fresh wires prepares the same state.
"""

from __future__ import annotations

from qlang.circuits.ir import AmplitudeEncoding, Circuit
from qlang.circuits.pysource import INDENT, call, function, wire_list

IMPORTS = (
    "import pennylane as qml",
    "from numpy import pi",
    "from qlang.circuits.amplitude import amplitude_reflection, normalise",
)

_OPS = {
    "h": "qml.Hadamard",
    "x": "qml.PauliX",
    "y": "qml.PauliY",
    "z": "qml.PauliZ",
    "s": "qml.S",
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


def _wires(wires) -> str:
    return "wires=" + (str(wires[0]) if len(wires) == 1 else wire_list(wires))


def _op_lines(op, first: bool) -> list[str]:
    if isinstance(op, AmplitudeEncoding):
        rows = f"x[{op.start}:{op.start + op.size}].T"
        if first:
            return call(INDENT, "qml.StatePrep", [f"normalise({rows})", _wires(op.wires)])
        matrix = f"amplitude_reflection({rows})"
        return call(INDENT, "qml.QubitUnitary", [matrix, _wires(op.wires)])
    if op.name == "sdg":
        return [f"{INDENT}qml.adjoint(qml.S({_wires(op.wires)}))"]
    args = [] if op.angle is None else [op.angle]
    return call(INDENT, _OPS[op.name], [*args, _wires(op.wires)])


def emit(circuit: Circuit, func_name: str) -> str:
    body: list[str] = []
    for index, op in enumerate(circuit.ops):
        body += _op_lines(op, first=index == 0)
    return function(func_name, ["x", "w"], circuit.describe(), body)


def build(circuit: Circuit, func_name: str = "body"):
    """Exec the emitted source, as a generated module would, and return the function."""
    namespace: dict = {}
    exec("\n".join(IMPORTS) + "\n\n\n" + emit(circuit, func_name), namespace)  # noqa: S102 (our own emitted code)
    return namespace[func_name]
