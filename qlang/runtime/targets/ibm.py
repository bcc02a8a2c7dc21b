"""`Executor` for IBM hardware, from either target: each circuit is transpiled once onto the backend (its native
gates and coupling map) as a parametrised template, and each chunk of rows is submitted as one job of
qiskit-ibm-runtime's client-side sampler (`qiskit_ibm_runtime.executor_sampler.Sampler`, which runs on the
runtime's Executor primitive) in batch mode, its rows as the template's parameter values (amplitude encodings,
whose state preparation depends on the row, are bound and transpiled row by row). The legacy
`qiskit_ibm_runtime.SamplerV2` is deprecated since 0.50.0 and names this sampler as its replacement; both take
the same PUBs and give the same `PrimitiveResult`, and local testing mode runs both.

The circuits come from a `CircuitSource`: the Qiskit target's builders (`QiskitCircuits`,
qlang.runtime.targets.qiskit) or the PennyLane target's bodies translated gate by gate (`PennyLaneCircuits`,
qlang.runtime.targets.pennylane_qiskit; the pennylane-qiskit plugin pins older Qiskit releases). Everything
after the circuits — batch, transpile, mitigation, usage — is this one path for both targets.

Readout mitigation (`mitigation readout`) measures the two calibration circuits of
qlang.runtime.mitigation through the same sampler, once per circuit width, and undoes the tensored
confusion on every chunk's frequencies, as the simulated noisy executors do. Zero-noise extrapolation is
not offered here: the transpiler would cancel the folded gates, and IBM's own (EstimatorV2's resilience
options) is a different method with a different price.

`backend(name)`: `ibm:<backend>` asks the user's saved account or the environment
(QISKIT_IBM_TOKEN, QISKIT_IBM_INSTANCE, QISKIT_IBM_CHANNEL) for that QPU; a fake backend's name
(`ibm:fake_manila`) is qiskit-ibm-runtime's local testing mode, which runs the same path offline on Aer
with the fake backend's noise — the tests use it. A missing account or an unreachable service is a
RuntimeDiagnostic with a hint, never a traceback; credentials are read by qiskit-ibm-runtime itself,
never from the spec, never logged.

Counts come back as bit strings with qubit 0 rightmost; probabilities are returned wire 0 first (the
most significant bit), as every executor does. `usage_s` sums what the jobs report as QPU usage
(zero in local testing mode); `ran` counts the rows measured per circuit and shots, as the noisy
executors do, for the QPU energy of what ran (qlang.energy.qpu_ran).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Protocol

import numpy as np

from qlang.runtime.errors import BAD_PARAMETER, RuntimeDiagnostic
from qlang.runtime.protocol import CircuitShape
from qlang.runtime.targets.batching import batch_arrays, chunks, weight_rows, z_expvals

PREFIX = "ibm:"
TOKEN_VARIABLES = ("QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL")


def backend(name: str):
    """The backend for `ibm:<backend>` (the account's QPU) or a fake backend's name (local testing mode)."""
    remote = name.removeprefix(PREFIX)
    if remote.startswith("fake_"):
        from qlang.energy.qpu import QpuModelError, device_model

        try:
            return device_model(remote)
        except QpuModelError as e:
            raise RuntimeDiagnostic(
                BAD_PARAMETER, str(e), help="`python -m qlang.runtime.devices` lists the installed fake backends"
            ) from e
    try:
        from qiskit_ibm_runtime import QiskitRuntimeService

        if os.environ.get("QISKIT_IBM_TOKEN"):
            service = QiskitRuntimeService(
                channel=os.environ.get("QISKIT_IBM_CHANNEL", "ibm_quantum_platform"),
                token=os.environ["QISKIT_IBM_TOKEN"],
                instance=os.environ.get("QISKIT_IBM_INSTANCE"),
            )
        else:
            service = QiskitRuntimeService()  # the saved account
        return service.backend(remote)
    except Exception as e:
        raise RuntimeDiagnostic(
            BAD_PARAMETER,
            f"cannot reach IBM backend `{remote}`: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}",
            help="save an account (QiskitRuntimeService.save_account) or set "
            f"{', '.join(TOKEN_VARIABLES)}; a fake backend (`fake_fez`) runs the same path offline",
        ) from e


class CircuitSource(Protocol):
    """A target's circuits as Qiskit circuits: `QiskitCircuits` (qlang.runtime.targets.qiskit) or
    `PennyLaneCircuits` (qlang.runtime.targets.pennylane_qiskit). x is (B, n_inputs), w (B, n_weights) or
    shared (n_weights,)."""

    target: str

    def shape(self, name: str) -> CircuitShape:
        """Wires, inputs and weights of the circuit `name`."""

    def template(self, name: str):
        """The unmeasured circuit with a Parameter for each angle the rows set (the same object on every
        call); None where the rows change the gates themselves (amplitude encodings)."""

    def values(self, name: str, x: np.ndarray, w: np.ndarray) -> dict:
        """Each template Parameter's value for every row, (B,) each."""

    def bound(self, name: str, x: np.ndarray, w: np.ndarray) -> list:
        """One unmeasured circuit per row, numbers in place of parameters."""


class IbmSamplerExecutor:
    """The protocol through the sampler in a Batch: `probs` always samples; no statevectors."""

    mitigation = "none"  # the stage's `mitigation`: "none" or "readout"

    def __init__(self, circuits: CircuitSource, device: str, shots: int, seed: int = 0):
        from qiskit.transpiler import generate_preset_pass_manager

        self.device, self.shots = device, int(shots)
        self.target = circuits.target
        self._circuits = circuits
        self._backend = backend(device)
        self._manager = generate_preset_pass_manager(optimization_level=1, backend=self._backend, seed_transpiler=1234)
        self._templates: dict[str, object] = {}
        self._calibrations: dict[int, np.ndarray] = {}
        self._batch = None
        self.shots_spent = self.circuits_run = 0
        self.calibration_shots = self.calibration_circuits = 0
        self.calibrated_widths: tuple[int, ...] = ()
        self.ran: dict[tuple[str, int], int] = {}  # (circuit name, shots) → rows measured
        self.usage_s = 0.0
        self.jobs: list[str] = []
        self.seed = seed

    def reseed(self, seed: int) -> None:
        self.seed = seed

    def shape(self, name: str) -> CircuitShape:
        return self._circuits.shape(name)

    def states(self, name: str, x, w) -> np.ndarray:
        from qlang.runtime.noise import no_states

        raise no_states(self.device)

    def expvals(self, name: str, x, w) -> np.ndarray:
        return z_expvals(self.probs(name, x, w), self.shape(name).n_wires)

    def probs(self, name: str, x, w, shots: int | None = None) -> np.ndarray:
        if "zne" in self.mitigation.split("+"):
            raise RuntimeDiagnostic(
                BAD_PARAMETER,
                f"zero-noise extrapolation does not run on IBM hardware (`{self.device}`)",
                help="use `mitigation readout` here, or ZNE on a simulated device model (`device fake_fez`)",
            )
        shots = int(shots or self.shots)
        shape = self.shape(name)
        batch, x, w = batch_arrays(shape, x, w)
        n = shape.n_wires
        out = np.empty((batch, 2**n))
        for rows in chunks(batch, n):
            pubs = self._pubs(name, x[rows], weight_rows(w, rows))
            result = self._run(pubs, shots)
            out[rows] = np.vstack([_pub_frequencies(pub, n, shots) for pub in result])
            count = rows.stop - rows.start
            self.shots_spent += shots * count
            self.circuits_run += count
            self.ran[(name, shots)] = self.ran.get((name, shots), 0) + count
        if "readout" in self.mitigation.split("+"):
            from qlang.runtime.mitigation import mitigate

            return mitigate(out, self.confusion(n))
        return out

    def _pubs(self, name: str, x: np.ndarray, w: np.ndarray) -> list:
        """The rows as sampler PUBs: one (template, parameter values) for a parametrised circuit, else one
        transpiled circuit per row."""
        template = self.template(name)
        if template is None:  # the state preparation depends on the row: bound, then transpiled
            circuits = [qc.measure_all(inplace=False) for qc in self._circuits.bound(name, x, w)]
            return [(qc,) for qc in self._manager.run(circuits)]
        if not template.parameters:
            return [(template,)] * x.shape[0]
        values = self._circuits.values(name, x, w)
        return [(template, np.column_stack([values[p] for p in template.parameters]))]

    def template(self, name: str):
        """The circuit's template, measured and transpiled onto the backend: once. None for amplitude
        encodings (transpiled row by row)."""
        if name not in self._templates:
            plain = self._circuits.template(name)
            self._templates[name] = None if plain is None else self._manager.run(plain.measure_all(inplace=False))
        return self._templates[name]

    def confusion(self, n_wires: int) -> np.ndarray:
        """Per-wire confusion matrices (n, 2, 2), from the two calibration circuits measured once per width
        with the executor's shots (counted in `shots_spent` and apart in `calibration_shots`)."""
        if n_wires not in self._calibrations:
            from qlang.energy.qpu_circuits import calibration_circuit
            from qlang.runtime.mitigation import CALIBRATION_CIRCUITS, confusion_matrices

            circuits = self._manager.run([calibration_circuit(n_wires, flip) for flip in (0, 1)])
            zeros, ones = (
                _pub_frequencies(pub, n_wires, self.shots) for pub in self._run([(qc,) for qc in circuits], self.shots)
            )
            spent = CALIBRATION_CIRCUITS * self.shots
            self.shots_spent += spent
            self.circuits_run += CALIBRATION_CIRCUITS
            self.calibration_shots += spent
            self.calibration_circuits += CALIBRATION_CIRCUITS
            self.calibrated_widths = (*self.calibrated_widths, n_wires)
            self._calibrations[n_wires] = confusion_matrices(zeros[0], ones[0], n_wires)
        return self._calibrations[n_wires]

    def _run(self, pubs: list, shots: int):
        """One sampler job in the executor's batch; its id and reported QPU usage are kept."""
        from qiskit_ibm_runtime import Batch
        from qiskit_ibm_runtime.executor_sampler import Sampler

        if self._batch is None:
            self._batch = Batch(backend=self._backend)
        sampler = Sampler(mode=self._batch, options={"simulator": {"seed_simulator": self.seed}})
        job = sampler.run(pubs, shots=shots)
        result = job.result()
        self.jobs.append(str(job.job_id()))
        self.usage_s += job_usage(job)
        return result

    def close(self) -> None:
        if self._batch is not None:
            self._batch.close()
            self._batch = None


def job_usage(job) -> float:
    """The QPU seconds a finished job reports (`job.usage()`); 0 where it reports none (local testing mode)."""
    usage = getattr(job, "usage", None)
    return float(usage() or 0) if callable(usage) else 0.0


def _pub_frequencies(pub, n_wires: int, shots: int) -> np.ndarray:
    """Frequencies (rows, 2**n), wire 0 first, of one PUB result: one row per parameter set."""
    bits = pub.data.meas
    rows = max(1, int(np.prod(bits.shape)))
    if not bits.shape:
        return _probabilities(bits.get_counts(), n_wires, shots)[None]
    return np.array([_probabilities(bits.get_counts(loc=r), n_wires, shots) for r in range(rows)])


def _probabilities(counts: Mapping[str, int], n_wires: int, shots: int) -> np.ndarray:
    """Counts keyed by bit strings (qubit 0 rightmost) as frequencies (2**n,), wire 0 most significant."""
    out = np.zeros(2**n_wires)
    for bits, k in counts.items():
        out[int(bits.replace(" ", "")[::-1], 2)] += k
    return out / shots
