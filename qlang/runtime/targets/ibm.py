"""`Executor` for Qiskit on IBM hardware: each circuit is transpiled once onto the backend (its native
gates and coupling map) as a parametrised template, and each chunk of rows is submitted as one
qiskit-ibm-runtime SamplerV2 job in batch mode, its rows as the template's parameter values (amplitude
encodings, whose state preparation depends on the row, are bound and transpiled row by row).

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
from collections.abc import Callable, Mapping

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


class IbmSamplerExecutor:
    """The protocol through SamplerV2 in a Batch: `probs` always samples; no statevectors."""

    target = "qiskit"
    mitigation = "none"  # the stage's `mitigation`: "none" or "readout"

    def __init__(self, builders: Mapping[str, Callable[[], tuple]], device: str, shots: int, seed: int = 0):
        from qiskit.transpiler import generate_preset_pass_manager

        from qlang.runtime.targets.qiskit import QiskitExecutor

        self.device, self.shots = device, int(shots)
        self._exact = QiskitExecutor(builders, "statevector", seed)  # compiled circuits and bound rows
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
        return self._exact.shape(name)

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
        c = self._exact._get(name)
        batch, x, w = batch_arrays(c.shape, x, w)
        n = c.shape.n_wires
        out = np.empty((batch, 2**n))
        for rows in chunks(batch, n):
            pubs = self._pubs(name, c, x[rows], weight_rows(w, rows))
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

    def _pubs(self, name: str, c, x: np.ndarray, w: np.ndarray) -> list:
        """The rows as sampler PUBs: one (template, parameter values) for a parametrised circuit, else one
        transpiled circuit per row."""
        if c.amplitude_columns:  # the state preparation depends on the row: bound, then transpiled
            circuits = []
            for xr, wr in self._exact._rows(x, w):
                qc = self._exact._bound(c, xr, wr).copy()
                qc.measure_all()
                circuits.append(qc)
            return [(qc,) for qc in self._manager.run(circuits)]
        template = self._template(name, c)
        if not template.parameters:
            return [(template,)] * x.shape[0]
        binds = self._exact._binds(c, x, w)
        return [(template, np.column_stack([binds[p] for p in template.parameters]))]

    def _template(self, name: str, c):
        """The circuit with plain-parameter angles, measured and transpiled onto the backend: once."""
        if name not in self._templates:
            from qlang.runtime.targets.qiskit import _plain_angles

            plain, c.angles = _plain_angles(c.circuit)
            plain = plain.copy()
            plain.measure_all()
            self._templates[name] = self._manager.run(plain)
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
        """One SamplerV2 job in the executor's batch; its id and reported QPU usage are kept."""
        from qiskit_ibm_runtime import Batch, SamplerV2

        if self._batch is None:
            self._batch = Batch(backend=self._backend)
        sampler = SamplerV2(mode=self._batch, options={"simulator": {"seed_simulator": self.seed}})
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
