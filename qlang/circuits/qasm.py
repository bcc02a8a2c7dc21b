"""OpenQASM 3 text of a circuit, with inputs and weights left as symbolic `input float`s."""

from __future__ import annotations

from qiskit import qasm3

from qlang.circuits.emit_qiskit import AMPLITUDE_GATE, build
from qlang.circuits.ir import Circuit


def to_qasm3(circuit: Circuit) -> str:
    """Amplitude encodings appear as calls of an opaque gate `amplitude_encoding(...)` (see
    `emit_qiskit`)."""
    qc, _, _ = build(circuit)
    return qasm3.dumps(qc, basis_gates=("U", AMPLITUDE_GATE))
