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
from qiskit.quantum_info import DensityMatrix
from qiskit_aer import AerSimulator
from qiskit_aer.library import SetDensityMatrix
from qiskit_aer.noise import amplitude_damping_error, depolarizing_error, phase_damping_error

from qlang.circuits.amplitude import amplitude_reflection
from qlang.runtime.heisenberg import readout_effect, split_point
from qlang.runtime.noise import NoiseModel, NoisyExecutor
from qlang.runtime.protocol import CircuitShape
from qlang.runtime.targets.batching import batch_arrays, chunks, weight_rows
from qlang.runtime.targets.qiskit import QiskitExecutor, _plain_angles
from qlang.runtime.zne import fold

MATRIX_GATES = {"cswap"}  # fixed gates the emitters use that Aer's density-matrix method lacks


def channels(qubits, model: NoiseModel) -> list[tuple]:
    """(error instruction, qubits) of the channels after a gate on `qubits` (see qlang.runtime.noise)."""
    out = []
    k, p = len(qubits), model.depolarizing(len(qubits))
    if p > 0:
        out.append((depolarizing_error(p, k), qubits))
    for qubit in qubits:
        if model.amplitude_damping > 0:
            out.append((amplitude_damping_error(model.amplitude_damping), [qubit]))
        if model.phase_damping > 0:
            out.append((phase_damping_error(model.phase_damping), [qubit]))
    return out


def with_noise(qc: QuantumCircuit, model: NoiseModel) -> QuantumCircuit:
    """`qc` with the model's channels after each gate (see qlang.runtime.noise)."""
    out = qc.copy_empty_like()
    for inst in qc.data:
        out.append(inst.operation, inst.qubits, inst.clbits, copy=False)
        for error, qubits in channels(inst.qubits, model):
            out.append(error, qubits)
    return out


def adjoint_with_noise(qc: QuantumCircuit, model: NoiseModel) -> QuantumCircuit:
    """The adjoint of `with_noise(qc)` for self-adjoint channels (qlang.runtime.heisenberg): `qc`'s gates
    from last to first, each inverted and preceded by its channels in reverse order."""
    out = qc.copy_empty_like()
    for inst in reversed(qc.data):
        for error, qubits in reversed(channels(inst.qubits, model)):
            out.append(error, qubits)
        out.append(inst.operation.inverse(), inst.qubits, inst.clbits, copy=False)
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
        self._halves: dict[tuple[str, str], tuple] = {}  # (name, "compute" | "uncompute") -> see _half
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

    # -- the Heisenberg picture (qlang.runtime.heisenberg) ---------------------------------------

    def split(self, name: str) -> int | None:
        c = self._exact._get(name)
        if c.amplitude_columns:
            return None
        column = {p: i for i, p in c.inputs}
        reads = [
            {column[q] for p in inst.operation.params if hasattr(p, "parameters") for q in p.parameters if q in column}
            for inst in c.circuit.data
        ]
        return split_point(reads, c.shape.n_inputs // 2)

    def compute_densities(self, name: str, x: np.ndarray) -> np.ndarray:
        return self._half_densities(name, "compute", np.hstack([x, np.zeros_like(x)]))

    def uncompute_effects(self, name: str, y: np.ndarray) -> np.ndarray:
        return self._half_densities(name, "uncompute", np.hstack([np.zeros_like(y), y]))

    def _half_densities(self, name: str, which: str, x: np.ndarray) -> np.ndarray:
        c = self._exact._get(name)
        template, angles = self._half(name, which)
        half = dataclasses.replace(c, angles=angles)
        width = 2**c.shape.n_wires
        out = np.empty((len(x), width, width), dtype=np.complex128)
        w = np.zeros(c.shape.n_weights)
        for rows in chunks(len(x), 2 * c.shape.n_wires):
            binds = self._exact._binds(half, x[rows], w)
            binds = {p: v for p, v in binds.items() if p in template.parameters}
            if binds:
                result = self._aer.run(template, parameter_binds=[binds]).result()
            else:
                result = self._aer.run([template] * (rows.stop - rows.start)).result()
            if not result.success:
                raise RuntimeError(f"Aer job failed: {result.status}")
            rho = np.array([np.asarray(r.data.density_matrix) for r in result.results])
            out[rows] = rho[:, c.order][:, :, c.order]
        return out

    def _half(self, name: str, which: str) -> tuple[QuantumCircuit, list]:
        """One side of `split` as a noisy circuit saving its density matrix, its angle expressions as plain
        parameters (and what each stands for): the compute part on |0...0>, or the adjoint of the uncompute
        part (its inversion's -θ included) on the readout's all-zeros effect."""
        if (name, which) not in self._halves:
            c = self._exact._get(name)
            s = self.split(name)
            assert s is not None, f"{name} does not split into compute and uncompute parts"
            gates = _aer_ready(c.circuit)
            part = gates.copy_empty_like()
            for inst in gates.data[:s] if which == "compute" else gates.data[s:]:
                part.append(inst)
            if which == "compute":
                qc = with_noise(part, self.noise)
            else:
                qc = gates.copy_empty_like()
                effect = readout_effect(c.shape.n_wires, self.noise.readout)  # a product of equal factors:
                qc.append(SetDensityMatrix(DensityMatrix(effect)), qc.qubits)  # the same in Qiskit's qubit order
                qc.compose(adjoint_with_noise(part, self.noise), inplace=True)
            qc, angles = _plain_angles(qc)
            qc.save_density_matrix()
            self._halves[(name, which)] = (qc, angles)
        return self._halves[(name, which)]
