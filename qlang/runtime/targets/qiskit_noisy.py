"""`Executor` for Qiskit on a noisy device: the emitted circuits with the channels of a
`qlang.runtime.noise.NoiseModel` appended after every gate (Aer `QuantumError` instructions), run by
Aer's density-matrix simulator; one job per chunk of rows, rows as parameter binds of one transpiled
template (or, with amplitude encodings, bound row by row as on the exact executor).
Density matrices come back little-endian and are reordered to wire 0 first. For zero-noise
extrapolation the circuit is folded (qlang.runtime.zne.fold) before the channels go in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import UnitaryGate
from qiskit_aer import AerSimulator
from qiskit_aer.noise import amplitude_damping_error, depolarizing_error, phase_damping_error

from qlang.circuits.amplitude import amplitude_reflection
from qlang.runtime.noise import NoiseModel, NoisyExecutor
from qlang.runtime.protocol import CircuitShape
from qlang.runtime.targets.batching import batch_arrays, chunks, weight_rows
from qlang.runtime.targets.qiskit import QiskitExecutor, _plain_angles
from qlang.runtime.zne import fold

MATRIX_GATES = {"cswap"}  # fixed gates the emitters use that Aer's density-matrix method lacks


def with_noise(qc: QuantumCircuit, model: NoiseModel) -> QuantumCircuit:
    """`qc` with the model's channels after each gate (see qlang.runtime.noise)."""
    out = qc.copy_empty_like()
    for inst in qc.data:
        out.append(inst.operation, inst.qubits, inst.clbits, copy=False)
        k, p = len(inst.qubits), model.depolarizing(len(inst.qubits))
        if p > 0:
            out.append(depolarizing_error(p, k), inst.qubits)
        for qubit in inst.qubits:
            if model.amplitude_damping > 0:
                out.append(amplitude_damping_error(model.amplitude_damping), [qubit])
            if model.phase_damping > 0:
                out.append(phase_damping_error(model.phase_damping), [qubit])
    return out


def _aer_ready(qc: QuantumCircuit) -> QuantumCircuit:
    """`qc` with what Aer's density-matrix method refuses as exact unitaries of the same gate: a
    StatePreparation (on fresh qubits) as its amplitude encoding's reflection, a cswap as its matrix."""
    out = qc.copy_empty_like()
    for inst in qc.data:
        op = inst.operation
        if op.name == "state_preparation":
            op = UnitaryGate(amplitude_reflection(np.real(np.asarray(op.params, dtype=complex))), check_input=False)
        elif op.name in MATRIX_GATES:
            op = UnitaryGate(op.to_matrix(), label=op.name)
        out.append(op, inst.qubits, inst.clbits, copy=False)
    return out


def big_endian_order(n_wires: int) -> np.ndarray:
    """Index i (wire 0 most significant) → Qiskit's little-endian index of the same basis state."""
    return np.array([int(format(i, f"0{n_wires}b")[::-1], 2) for i in range(2**n_wires)])


class NoisyQiskitExecutor(NoisyExecutor):
    target = "qiskit"

    def __init__(
        self,
        builders: Mapping[str, Callable[[], tuple]],
        noise: NoiseModel,
        shots: int,
        device: str = "aer_simulator",
        seed: int = 0,
    ) -> None:
        self.device, self.noise, self.shots = device, noise, int(shots)
        # its compiled circuits, binds and bound rows; "statevector" transpiles nothing
        self._exact = QiskitExecutor(builders, "statevector", seed)
        self._aer = AerSimulator(method="density_matrix")
        self._templates: dict[tuple[str, int], tuple[QuantumCircuit, list]] = {}
        self.shots_spent = self.circuits_run = 0
        self.reseed(seed)

    def shape(self, name: str) -> CircuitShape:
        return self._exact.shape(name)

    def densities(self, name: str, x, w, scale: int = 1) -> np.ndarray:
        c = self._exact._get(name)
        batch, x, w = batch_arrays(c.shape, x, w)
        width = 2**c.shape.n_wires
        out = np.empty((batch, width, width), dtype=np.complex128)
        for rows in chunks(batch, 2 * c.shape.n_wires):
            rho = self._chunk(name, c, x[rows], weight_rows(w, rows), scale)
            out[rows] = rho[:, c.order][:, :, c.order]
        return out

    def calibration_densities(self, n_wires: int) -> np.ndarray:
        circuits = []
        for flip in (False, True):
            qc = QuantumCircuit(n_wires)
            if flip:
                qc.x(range(n_wires))
            qc = with_noise(qc, self.noise)
            qc.save_density_matrix()
            circuits.append(qc)
        result = self._aer.run(circuits).result()
        if not result.success:
            raise RuntimeError(f"Aer job failed: {result.status}")
        order = big_endian_order(n_wires)
        return np.array([np.asarray(r.data.density_matrix)[order][:, order] for r in result.results])

    def _chunk(self, name: str, c, x: np.ndarray, w: np.ndarray, scale: int) -> np.ndarray:
        if c.amplitude_columns:  # bound row by row
            circuits = []
            for xr, wr in self._exact._rows(x, w):
                qc = with_noise(fold(_aer_ready(self._exact._bound(c, xr, wr)), scale), self.noise)
                qc.save_density_matrix()
                circuits.append(qc)
            result = self._aer.run(circuits).result()
        else:
            template, angles = self._template(name, c, scale)
            if c.inputs or c.weights:
                binds = self._exact._binds(dataclasses.replace(c, angles=angles), x, w)
                result = self._aer.run(template, parameter_binds=[binds]).result()
            else:
                result = self._aer.run([template] * x.shape[0]).result()
        if not result.success:
            raise RuntimeError(f"Aer job failed: {result.status}")
        return np.array([np.asarray(r.data.density_matrix) for r in result.results])

    def _template(self, name: str, c, scale: int) -> tuple[QuantumCircuit, list]:
        """The noisy circuit folded to `scale` (qlang.runtime.zne) before the noise goes in, saving its density
        matrix, with plain-parameter angles (the folds' inverted angles too), and those angles' functions.
        Aer runs the emitted gates and the error instructions as they are: no transpile (which cost a second
        per circuit)."""
        if (name, scale) not in self._templates:
            plain, angles = _plain_angles(fold(_aer_ready(c.circuit), scale))
            qc = with_noise(plain, self.noise)
            qc.save_density_matrix()
            self._templates[name, scale] = (qc, angles)
        return self._templates[name, scale]
