"""`Executor` for Qiskit: runs the circuits built by functions that `qlang.circuits.emit_qiskit`
emits (`builder() -> (qc, x, w)`).

device "aer_simulator": one Aer statevector job per chunk of rows. A circuit without amplitude
encodings is transpiled once and every row is a parameter bind of that job (Aer's runtime
parameter binding); a circuit with them is bound row by row, its placeholder gates replaced by
`Initialize` on fresh qubits, else by the encoding's exact `UnitaryGate`, all rows in one job.
Exact probabilities (and so <Z_i>) come from `save_probabilities` in place of `save_statevector`: the same
job, less to copy back per row.
device "statevector": `qiskit.quantum_info.Statevector` row by row (a slow reference), an amplitude encoding on
fresh qubits as an `Initialize`, whose amplitudes Statevector sets directly.
Sampling (`probs` with shots) uses Aer's sampler, seeded per chunk from the executor's generator.
Gate angles that are expressions of inputs and weights (the ZZ map's 2(pi - x_i)(pi - x_j)) become
plain parameters of the templates, evaluated for all rows at once with numpy: Aer would otherwise
bind every expression row by row in Python, which took twice as long as simulating the rows.
Exceptions: on "statevector", and for circuits with amplitude encodings (Aer cannot take its
sampling shortcut after `Initialize`, which contains a reset, and would simulate every shot),
rows are sampled from their exact probabilities by a numpy generator seeded the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import Parameter, ParameterExpression
from qiskit.circuit.library import Initialize, StatePreparation, UnitaryGate
from qiskit.quantum_info import Statevector
from qiskit_aer import AerSimulator

from qlang.circuits.amplitude import amplitude_reflection, normalise
from qlang.circuits.emit_qiskit import AMPLITUDE_GATE
from qlang.runtime.protocol import CircuitShape
from qlang.runtime.targets import segments
from qlang.runtime.targets.batching import (
    batch_arrays,
    chunks,
    reversed_bits,
    weight_rows,
    z_expvals,
)

DEVICES = ("aer_simulator", "statevector")


@dataclass
class _Compiled:
    shape: CircuitShape
    circuit: QuantumCircuit  # symbolic, as built
    inputs: list[tuple[int, Parameter]]  # (column of x, parameter) for parameters in the circuit
    weights: list[tuple[int, Parameter]]
    gate_parameters: set[Parameter]  # parameters of the gates other than amplitude placeholders
    amplitude_columns: list[list[int]]  # for each amplitude placeholder, the columns of x it reads
    order: np.ndarray  # little-endian index of each protocol-order index
    state_template: QuantumCircuit | None = None  # transpiled, with save_statevector
    angles: list[tuple[Parameter, Callable, list]] | None = None  # (template parameter, f, its arguments)
    probs_template: QuantumCircuit | None = None  # transpiled, with save_probabilities (less to copy back)
    plain: QuantumCircuit | None = None  # the circuit with plain-parameter angles (see _plain_angles)
    segments: list | None = None  # see segments.py; [] when the circuit cannot be cut
    sample_template: QuantumCircuit | None = None  # transpiled, with measure_all


class QiskitExecutor:
    target = "qiskit"

    def __init__(
        self,
        builders: Mapping[str, Callable[[], tuple]],
        device: str = "aer_simulator",
        seed: int = 0,
    ) -> None:
        if device not in DEVICES:
            raise ValueError(f"qiskit device must be one of {DEVICES}, got {device!r}")
        self.device = device
        self._builders = dict(builders)
        self._compiled: dict[str, _Compiled] = {}
        self._aer = (
            AerSimulator(method="statevector", runtime_parameter_bind_enable=True)
            if device == "aer_simulator"
            else None
        )
        self.reseed(seed)

    def reseed(self, seed: int) -> None:
        self._rng = np.random.default_rng(seed)

    def shape(self, name: str) -> CircuitShape:
        return self._get(name).shape

    def states(self, name: str, x: np.ndarray | None, w: np.ndarray | None) -> np.ndarray:
        c = self._get(name)
        batch, x, w = batch_arrays(c.shape, x, w)
        factorised = self._by_segments(c, x, w)
        if factorised is not None:
            return factorised[:, c.order]
        out = np.empty((batch, 2**c.shape.n_wires), dtype=np.complex128)
        for rows in chunks(batch, c.shape.n_wires):
            out[rows] = self._states(c, x[rows], weight_rows(w, rows))[:, c.order]
        return out

    def expvals(self, name: str, x: np.ndarray | None, w: np.ndarray | None) -> np.ndarray:
        probs = self.probs(name, x, w)
        return z_expvals(probs, self.shape(name).n_wires)

    def probs(self, name: str, x: np.ndarray | None, w: np.ndarray | None, shots: int | None = None) -> np.ndarray:
        if shots is None:
            c = self._get(name)
            if c.probs_template is None:
                return np.abs(self.states(name, x, w)) ** 2
            batch, x, w = batch_arrays(c.shape, x, w)
            factorised = self._by_segments(c, x, w)
            if factorised is not None:
                return np.abs(factorised[:, c.order]) ** 2
            out = np.empty((batch, 2**c.shape.n_wires))
            for rows in chunks(batch, c.shape.n_wires):
                results = self._run_aer(c, x[rows], weight_rows(w, rows), c.probs_template, None)
                out[rows] = np.array([r.data.probabilities for r in results])[:, c.order]
            return out
        if int(shots) < 1:
            raise ValueError(f"shots must be positive, got {shots}")
        c = self._get(name)
        batch, x, w = batch_arrays(c.shape, x, w)
        out = np.empty((batch, 2**c.shape.n_wires))
        for rows in chunks(batch, c.shape.n_wires):
            seed = int(self._rng.integers(2**31))
            out[rows] = self._sample(c, x[rows], weight_rows(w, rows), int(shots), seed)
        return out

    # -- building ---------------------------------------------------------------------------

    def _get(self, name: str) -> _Compiled:
        if name not in self._compiled:
            if name not in self._builders:
                raise KeyError(f"no circuit {name!r}; known: {sorted(self._builders)}")
            self._compiled[name] = self._compile(*self._builders[name]())
        return self._compiled[name]

    def _compile(self, qc: QuantumCircuit, x, w) -> _Compiled:
        present = set(qc.parameters)
        gate_parameters, amplitude_columns = set(), []
        for inst in qc.data:
            if inst.operation.name == AMPLITUDE_GATE:
                amplitude_columns.append([p.index for p in inst.operation.params])
            else:
                for param in inst.operation.params:
                    if hasattr(param, "parameters"):
                        gate_parameters |= param.parameters
        c = _Compiled(
            shape=CircuitShape(qc.num_qubits, len(x), len(w)),
            circuit=qc,
            inputs=[(i, p) for i, p in enumerate(x) if p in present],
            weights=[(j, p) for j, p in enumerate(w) if p in present],
            gate_parameters=gate_parameters,
            amplitude_columns=amplitude_columns,
            order=reversed_bits(qc.num_qubits),
        )
        if self._aer is not None and not amplitude_columns:
            qc, c.angles = _plain_angles(qc)
            c.plain = qc
            saving = qc.copy()
            saving.save_statevector()
            c.state_template = transpile(saving, self._aer, optimization_level=0)
            probabilities = qc.copy()
            probabilities.save_probabilities()
            c.probs_template = transpile(probabilities, self._aer, optimization_level=0)
            c.sample_template = transpile(qc.measure_all(inplace=False), self._aer, optimization_level=0)
        return c

    def _bound(self, c: _Compiled, x: np.ndarray, w: np.ndarray, prepare: type | None = None) -> QuantumCircuit:
        """One row's circuit, numbers in place of parameters and amplitude placeholders: a placeholder on fresh
        qubits becomes `prepare` (Aer's `Initialize`, else `StatePreparation`, which transpiles to fewer CNOTs)."""
        values = {p: x[i] for i, p in c.inputs if p in c.gate_parameters}
        values |= {p: w[j] for j, p in c.weights}
        qc = c.circuit.assign_parameters(values) if values else c.circuit
        if not c.amplitude_columns:
            return qc
        prepare = prepare or (Initialize if self._aer is not None else StatePreparation)
        out = QuantumCircuit(qc.num_qubits, name=qc.name)
        touched: set = set()  # Qubits
        columns = iter(c.amplitude_columns)
        for inst in qc.data:
            if inst.operation.name == AMPLITUDE_GATE:
                # The IR lists wires most significant first; Qiskit's first qubit is the least.
                qubits = list(reversed(inst.qubits))
                amplitudes = x[next(columns)]
                if touched.isdisjoint(qubits):
                    out.append(prepare(normalise(amplitudes)), qubits, copy=False)
                else:
                    matrix = amplitude_reflection(amplitudes)
                    out.append(UnitaryGate(matrix, check_input=False), qubits, copy=False)
            else:
                out.append(inst.operation, inst.qubits, copy=False)
            touched.update(inst.qubits)
        return out

    # -- running ----------------------------------------------------------------------------

    def _by_segments(self, c: _Compiled, x: np.ndarray, w: np.ndarray) -> np.ndarray | None:
        """Little-endian states of every row computed segment by segment (segments.py), where that
        needs far fewer Aer experiments than one per row; else None."""
        if c.plain is None or c.shape.n_wires > segments.MAX_WIRES or x.shape[0] == 0:
            return None
        if c.segments is None:
            cut = segments.split(c.plain, {p for _, p in c.inputs}, {p for _, p in c.weights}, c.angles or [])
            c.segments = cut or []
        if not c.segments:
            return None
        batch = x.shape[0]
        ux, ix = _distinct(x)
        uw, iw = _distinct(w) if w.ndim == 2 else (w[None, :], np.zeros(batch, dtype=np.int64))
        if not segments.worth_it(c.segments, len(ux), len(uw), batch):
            return None
        binds_x = self._binds(c, ux, np.zeros((len(ux), c.shape.n_weights)))
        binds_w = self._binds(c, np.zeros((len(uw), x.shape[1])), uw)
        return segments.states(c.segments, c.shape.n_wires, binds_x, ix, binds_w, iw)

    def _rows(self, x: np.ndarray, w: np.ndarray):
        for r in range(x.shape[0]):
            yield x[r], w[r] if w.ndim == 2 else w

    def _binds(self, c: _Compiled, x: np.ndarray, w: np.ndarray) -> dict:
        n = x.shape[0]
        binds = {p: x[:, i] for i, p in c.inputs}
        for j, p in c.weights:
            binds[p] = w[:, j] if w.ndim == 2 else np.full(n, w[j])
        for angle, f, arguments in c.angles or ():
            binds[angle] = np.broadcast_to(np.asarray(f(*(binds[a] for a in arguments)), dtype=float), (n,))
        return binds

    def _run_aer(self, c: _Compiled, x, w, template: QuantumCircuit | None, finish, **options):
        """Results of one Aer job with one experiment per row."""
        aer = self._aer
        if aer is None:
            raise ValueError(f"Aer jobs run on the aer_simulator device, not {self.device}")
        if template is None:
            circuits = [finish(self._bound(c, xr, wr)) for xr, wr in self._rows(x, w)]
            result = aer.run(circuits, **options).result()
        elif c.inputs or c.weights:
            binds = self._binds(c, x, w)
            result = aer.run(template, parameter_binds=[binds], **options).result()
        else:
            result = aer.run([template] * x.shape[0], **options).result()
        if not result.success:
            raise RuntimeError(f"Aer job failed: {result.status}")
        return result.results

    def _states(self, c: _Compiled, x: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Little-endian states of a chunk."""
        if self._aer is None:
            # Statevector sets an Initialize's amplitudes; a StatePreparation it synthesises first (5-15 ms a row)
            rows = [Statevector(self._bound(c, xr, wr, Initialize)).data for xr, wr in self._rows(x, w)]
            return np.array(rows)

        def finish(qc: QuantumCircuit) -> QuantumCircuit:
            qc.save_statevector()
            return qc

        results = self._run_aer(c, x, w, c.state_template, finish)
        return np.array([np.asarray(r.data.statevector) for r in results])

    def _sample(self, c: _Compiled, x, w, shots: int, seed: int) -> np.ndarray:
        """Protocol-order frequencies of a chunk."""
        if self._aer is None or c.amplitude_columns:
            probs = np.abs(self._states(c, x, w)[:, c.order]) ** 2
            probs /= probs.sum(axis=1, keepdims=True)
            return np.random.default_rng(seed).multinomial(shots, probs) / shots
        results = self._run_aer(
            c,
            x,
            w,
            c.sample_template,
            lambda qc: qc.measure_all(inplace=False),
            shots=shots,
            seed_simulator=seed,
        )
        counts = np.zeros((len(results), 2**c.shape.n_wires))
        for r, result in enumerate(results):
            for key, n in result.data.counts.items():
                counts[r, c.order[int(key, 16)]] = n
        return counts / shots


def _distinct(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of `a` and, for each row, the index of its distinct row."""
    if a.shape[1] == 0:
        return a[:1], np.zeros(len(a), dtype=np.int64)
    # Sorting one random projection per row is much faster than sorting rows; equal projections of
    # different rows (never seen, but possible) are caught by the check and sorted the slow way.
    projection = a @ np.random.default_rng(0).uniform(1.0, 2.0, a.shape[1])
    _, first, index = np.unique(projection, return_index=True, return_inverse=True)
    if np.array_equal(a[first][index], a):
        return a[first], index.ravel()
    distinct, index = np.unique(a, axis=0, return_inverse=True)
    return distinct, index.ravel()


def _plain_angles(qc: QuantumCircuit) -> tuple[QuantumCircuit, list]:
    """`qc` with each gate angle that is an expression (not a bare parameter) replaced by a fresh
    parameter, and for each such parameter a numpy function of the parameters it stands for."""
    expressions = [
        p
        for inst in qc.data
        for p in inst.operation.params
        if isinstance(p, ParameterExpression) and not isinstance(p, Parameter) and p.parameters
    ]
    if not expressions:
        return qc, []
    import sympy

    out = qc.copy_empty_like()
    angles: list[tuple[Parameter, Callable, list]] = []
    for inst in qc.data:
        params = []
        for p in inst.operation.params:
            if isinstance(p, ParameterExpression) and not isinstance(p, Parameter) and p.parameters:
                arguments = sorted(p.parameters, key=lambda a: a.name)
                expr = p.sympify()
                symbols = [sympy.Symbol(a.name) for a in arguments]
                angle = Parameter(f"_angle{len(angles)}")
                angles.append((angle, sympy.lambdify(symbols, expr, "numpy", dummify=True), arguments))
                params.append(angle)
            else:
                params.append(p)
        operation = inst.operation
        if any(a is not b for a, b in zip(params, operation.params)):
            operation = operation.to_mutable()
            operation.params = params
        out.append(operation, inst.qubits, inst.clbits, copy=False)
    return out, angles


class QiskitCircuits:
    """The Qiskit target's circuits as the circuit source of the IBM sampler (qlang.runtime.targets.ibm):
    the generated builders' symbolic circuits, their angle expressions as plain parameters."""

    target = "qiskit"

    def __init__(self, builders: Mapping[str, Callable[[], tuple]]):
        self._exact = QiskitExecutor(builders, "statevector")  # compiles the circuits and binds the rows
        self._plain: dict[str, QuantumCircuit] = {}

    def shape(self, name: str) -> CircuitShape:
        return self._exact.shape(name)

    def template(self, name: str) -> QuantumCircuit | None:
        """The circuit with plain-parameter angles (see _plain_angles), unmeasured; None with amplitude
        encodings, whose gates the rows change."""
        c = self._exact._get(name)
        if c.amplitude_columns:
            return None
        if name not in self._plain:
            self._plain[name], c.angles = _plain_angles(c.circuit)  # the angles' values come from _binds
        return self._plain[name]

    def values(self, name: str, x: np.ndarray, w: np.ndarray) -> dict:
        """Each template parameter's value for every row (B,)."""
        c = self._exact._get(name)
        self.template(name)
        return self._exact._binds(c, x, w)

    def bound(self, name: str, x: np.ndarray, w: np.ndarray) -> list[QuantumCircuit]:
        """One circuit per row, numbers in place of parameters and amplitude placeholders."""
        c = self._exact._get(name)
        return [self._exact._bound(c, xr, wr).copy() for xr, wr in self._exact._rows(x, w)]


def executor(builders, device: str, seed: int = 0, noise=None, shots: int | None = None):
    """The exact QiskitExecutor, or with a `qlang.runtime.noise.NoiseModel` the noisy executor on a density-matrix
    simulator, sampling `shots` per circuit."""
    from qlang.catalog.devices import HARDWARE, NOISY_SHOTS

    if device.startswith(HARDWARE):
        from qlang.runtime.targets.ibm import IbmSamplerExecutor

        return IbmSamplerExecutor(QiskitCircuits(builders), device, shots or NOISY_SHOTS, seed=seed)
    if noise is None:
        return QiskitExecutor(builders, device=device, seed=seed)
    from qlang.runtime.targets.qiskit_noisy import NoisyQiskitExecutor

    return NoisyQiskitExecutor(builders, noise, shots or NOISY_SHOTS, device=device, seed=seed)
