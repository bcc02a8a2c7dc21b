"""`Executor` for Qiskit on IBM hardware: each chunk of rows is bound, transpiled onto the backend (its
native gates and coupling map) and submitted as one qiskit-ibm-runtime SamplerV2 job in batch mode.

`backend(name)`: `ibm:<backend>` asks the user's saved account or the environment
(QISKIT_IBM_TOKEN, QISKIT_IBM_INSTANCE, QISKIT_IBM_CHANNEL) for that QPU; a fake backend's name
(`ibm:fake_manila`) is qiskit-ibm-runtime's local testing mode, which runs the same path offline on Aer
with the fake backend's noise — the tests use it. A missing account or an unreachable service is a
RuntimeDiagnostic with a hint, never a traceback; credentials are read by qiskit-ibm-runtime itself,
never from the spec, never logged.

Counts come back as bit strings with qubit 0 rightmost; probabilities are returned wire 0 first (the
most significant bit), as every executor does. `usage_s` sums what the jobs report as QPU usage
(zero in local testing mode).
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

    def __init__(self, builders: Mapping[str, Callable[[], tuple]], device: str, shots: int, seed: int = 0):
        from qlang.runtime.targets.qiskit import QiskitExecutor

        self.device, self.shots = device, int(shots)
        self._exact = QiskitExecutor(builders, "statevector", seed)  # compiled circuits and bound rows
        self._backend = backend(device)
        self._batch = None
        self.shots_spent = self.circuits_run = 0
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
        from qiskit.transpiler import generate_preset_pass_manager

        shots = int(shots or self.shots)
        c = self._exact._get(name)
        batch, x, w = batch_arrays(c.shape, x, w)
        n = c.shape.n_wires
        out = np.empty((batch, 2**n))
        manager = generate_preset_pass_manager(optimization_level=1, backend=self._backend, seed_transpiler=1234)
        for rows in chunks(batch, n):
            circuits = []
            for xr, wr in self._exact._rows(x[rows], weight_rows(w, rows)):
                qc = self._exact._bound(c, xr, wr).copy()
                qc.measure_all()
                circuits.append(qc)
            result = self._run(manager.run(circuits), shots)
            for i, pub in enumerate(result):
                out[rows.start + i] = _probabilities(pub.data.meas.get_counts(), n, shots)
            self.shots_spent += shots * len(circuits)
            self.circuits_run += len(circuits)
        return out

    def _run(self, pubs: list, shots: int):
        """One SamplerV2 job in the executor's batch; its id and reported QPU usage are kept."""
        from qiskit_ibm_runtime import Batch, SamplerV2

        if self._batch is None:
            self._batch = Batch(backend=self._backend)
        sampler = SamplerV2(mode=self._batch, options={"simulator": {"seed_simulator": self.seed}})
        job = sampler.run(pubs, shots=shots)
        result = job.result()
        self.jobs.append(str(job.job_id()))
        self.usage_s += float(job.usage() or 0) if hasattr(job, "usage") else 0.0
        return result

    def close(self) -> None:
        if self._batch is not None:
            self._batch.close()
            self._batch = None


def _probabilities(counts: Mapping[str, int], n_wires: int, shots: int) -> np.ndarray:
    """Counts keyed by bit strings (qubit 0 rightmost) as frequencies (2**n,), wire 0 most significant."""
    out = np.zeros(2**n_wires)
    for bits, k in counts.items():
        out[int(bits.replace(" ", "")[::-1], 2)] += k
    return out / shots
