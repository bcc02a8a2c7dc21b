"""A stage's circuits as a QPU would run them, for the QPU model (imports Qiskit in each function): the
method's circuits bound to fixed angles, amplitude encodings as state preparations, and the readout
calibration circuits. Shared by the plan (qlang.plan.estimate, before a run) and the runtime
(qlang.energy.qpu_ran, after a noisy stage), so that the runtime needs no planner."""

from __future__ import annotations

from qlang.ir import model as ir


def stage_circuits(stage: ir.Stage) -> dict:
    """{role: QuantumCircuit} of the stage's method, parameters bound to fixed random angles (imports Qiskit)."""
    import numpy as np

    from qlang.circuits.emit_qiskit import build
    from qlang.codegen.model import circuits_of

    out = {}
    for role, circuit in circuits_of(stage).items():
        qc, _x, _w = build(circuit)
        rng = np.random.default_rng(0)
        values = {p: float(v) for p, v in zip(qc.parameters, rng.uniform(0, np.pi, len(qc.parameters)))}
        out[role] = concrete_amplitudes(qc.assign_parameters(values))
    return out


def concrete_amplitudes(qc):
    """`qc` with each bound amplitude-encoding placeholder (qlang.circuits.emit_qiskit.AMPLITUDE_GATE, opaque
    to a transpiler) replaced by what hardware would run: a state preparation of its values on fresh qubits,
    else its inverse (the uncompute half of a compute-uncompute kernel circuit, the only place an encoding
    follows other gates in the library: <0|P(y)^dagger P(x)|0> is the overlap the executor's exact reflection
    gives). Imports Qiskit."""
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import StatePreparation

    from qlang.circuits.amplitude import normalise
    from qlang.circuits.emit_qiskit import AMPLITUDE_GATE

    out = QuantumCircuit(*qc.qregs, *qc.cregs, name=qc.name)
    touched: set = set()
    for inst in qc.data:
        if inst.operation.name == AMPLITUDE_GATE:
            qubits = list(reversed(inst.qubits))  # the IR lists wires most significant first
            prepare = StatePreparation(normalise([float(v) for v in inst.operation.params]))
            out.append(prepare if touched.isdisjoint(qubits) else prepare.inverse(), qubits)
        else:
            out.append(inst.operation, inst.qubits, inst.clbits)
        touched.update(inst.qubits)
    return out


def calibration_circuit(n_wires: int, flip: int):
    """The readout calibration circuit on n wires: all |0⟩ (`flip` 0) or X on every wire (1), measured."""
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(n_wires, name=f"calibration_{flip}")
    if flip:
        qc.x(range(n_wires))
    qc.measure_all()
    return qc
