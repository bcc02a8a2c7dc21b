"""Emit one Python function per circuit that builds it with Qiskit.

The function takes no arguments and returns `(qc, x, w)`: the symbolic `QuantumCircuit` and its
`ParameterVector`s `x` (inputs) and `w` (weights). Amplitude encodings cannot be parametrised in
Qiskit, so they appear as opaque placeholder gates `amplitude_encoding(x[s], ..., x[s+d-1])`
(qubits listed most significant first, as in the IR) that the executor replaces row by row with
numbers: a state preparation on fresh qubits, else the encoding's exact unitary (see
`qlang.circuits.ir.AmplitudeEncoding`).
"""

from __future__ import annotations

from qlang.circuits.ir import AmplitudeEncoding, Circuit
from qlang.circuits.pysource import INDENT, call, function, wire_list

IMPORTS = (
    "from numpy import pi",
    "from qiskit import QuantumCircuit",
    "from qiskit.circuit import Gate, ParameterVector",
)
AMPLITUDE_GATE = "amplitude_encoding"

_METHODS = {"cnot": "cx"}


def _op_lines(op) -> list[str]:
    if isinstance(op, AmplitudeEncoding):
        gate = f'Gate("{AMPLITUDE_GATE}", {len(op.wires)}, x[{op.start}:{op.start + op.size}])'
        return call(INDENT, "qc.append", [gate, wire_list(op.wires)])
    args = [] if op.angle is None else [op.angle]
    args += [str(q) for q in op.wires]
    return call(INDENT, f"qc.{_METHODS.get(op.name, op.name)}", args)


def emit(circuit: Circuit, func_name: str) -> str:
    body = [
        *call(INDENT, "x = ParameterVector", ['"x"', str(circuit.n_inputs)]),
        *call(INDENT, "w = ParameterVector", ['"w"', str(circuit.n_weights)]),
        *call(INDENT, "qc = QuantumCircuit", [str(circuit.n_wires), f'name="{func_name}"']),
    ]
    for op in circuit.ops:
        body += _op_lines(op)
    body.append(f"{INDENT}return qc, x, w")
    return function(func_name, [], circuit.describe(), body)


def build(circuit: Circuit, func_name: str = "build"):
    """Exec the emitted source, as a generated module would, and call it: `(qc, x, w)`."""
    namespace: dict = {}
    exec("\n".join(IMPORTS) + "\n\n\n" + emit(circuit, func_name), namespace)  # noqa: S102 (our own emitted code)
    return namespace[func_name]()
