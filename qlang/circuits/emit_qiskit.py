"""Emit one Python function per circuit that builds it with Qiskit.

The function takes no arguments and returns `(qc, x, w)`: the symbolic `QuantumCircuit` and its
`ParameterVector`s `x` (inputs) and `w` (weights). Amplitude encodings cannot be parametrised in
Qiskit, so they appear as opaque placeholder gates `amplitude_encoding(x[s], ..., x[s+d-1])`
(qubits listed most significant first, as in the IR) that the executor replaces row by row with
numbers: a state preparation on fresh qubits, else the encoding's exact unitary (see
`qlang.circuits.ir.AmplitudeEncoding`).
"""

from __future__ import annotations

from typing import ClassVar

from qlang.circuits.emitter import Emitter
from qlang.circuits.ir import AmplitudeEncoding, Circuit, Gate
from qlang.circuits.pysource import INDENT, call, wire_list

AMPLITUDE_GATE = "amplitude_encoding"


class QiskitEmitter(Emitter):
    target = "qiskit"
    IMPORTS = (
        "from numpy import pi",
        "from qiskit import QuantumCircuit",
        "from qiskit.circuit import Gate, ParameterVector",
    )
    # IR gate -> QuantumCircuit method (the same matrices: see qlang.circuits.ir.GATES)
    GATES: ClassVar[dict[str, str]] = {
        "h": "h",
        "x": "x",
        "y": "y",
        "z": "z",
        "s": "s",
        "sdg": "sdg",
        "rx": "rx",
        "ry": "ry",
        "rz": "rz",
        "rzz": "rzz",
        "rxx": "rxx",
        "ryy": "ryy",
        "cnot": "cx",
        "cz": "cz",
        "swap": "swap",
        "cswap": "cswap",
    }

    def prologue(self, circuit: Circuit, func_name: str) -> list[str]:
        return [
            *call(INDENT, "x = ParameterVector", ['"x"', str(circuit.n_inputs)]),
            *call(INDENT, "w = ParameterVector", ['"w"', str(circuit.n_weights)]),
            *call(INDENT, "qc = QuantumCircuit", [str(circuit.n_wires), f'name="{func_name}"']),
        ]

    def epilogue(self, circuit: Circuit) -> list[str]:
        return [f"{INDENT}return qc, x, w"]

    def gate(self, op: Gate, callee: str) -> list[str]:
        args = [] if op.angle is None else [op.angle]
        return call(INDENT, f"qc.{callee}", [*args, *(str(q) for q in op.wires)])

    def amplitude(self, op: AmplitudeEncoding, first: bool) -> list[str]:
        gate = f'Gate("{AMPLITUDE_GATE}", {len(op.wires)}, x[{op.start}:{op.start + op.size}])'
        return call(INDENT, "qc.append", [gate, wire_list(op.wires)])

    def built(self, function_):
        return function_()


EMITTER = QiskitEmitter()
IMPORTS = EMITTER.IMPORTS
emit = EMITTER.emit


def build(circuit: Circuit, func_name: str = "build"):
    """Exec the emitted source, as a generated module would, and call it: `(qc, x, w)`."""
    return EMITTER.build(circuit, func_name)
