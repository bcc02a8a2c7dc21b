"""`Executor` for PennyLane: wraps the functions that `qlang.circuits.emit_pennylane` emits
(`body(x, w)`, queuing gates) in QNodes returning the state or the probabilities (<Z_i> are
computed from exact probabilities), and runs each chunk of rows as one broadcast execution (x passed as
(n_inputs, B), w as (n_weights, B) or shared (n_weights,)).

Analytic runs share one device per circuit. A run with shots gets a fresh device seeded from
the executor's generator, so results depend only on the seed and the sequence of sampled calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pennylane as qml

from qlang.runtime.protocol import CircuitShape
from qlang.runtime.targets.batching import batch_arrays, chunks, weight_rows, z_expvals

Body = Callable[[np.ndarray, np.ndarray], None]


def _qnode_functions(body: Body, n_wires: int) -> dict[str, Callable]:
    wires = list(range(n_wires))

    def state(x, w):
        body(x, w)
        return qml.state()

    def probs(x, w):
        body(x, w)
        return qml.probs(wires=wires)

    return {"state": state, "probs": probs}


class PennyLaneExecutor:
    target = "pennylane"

    def __init__(
        self,
        bodies: Mapping[str, tuple[Body, CircuitShape]],
        device: str = "default.qubit",
        seed: int = 0,
    ) -> None:
        self.device = device
        self._bodies = dict(bodies)
        self._qnodes: dict[str, dict[str, qml.QNode]] = {}
        self.reseed(seed)

    def reseed(self, seed: int) -> None:
        self._rng = np.random.default_rng(seed)

    def shape(self, name: str) -> CircuitShape:
        return self._entry(name)[1]

    def states(self, name: str, x: np.ndarray | None, w: np.ndarray | None) -> np.ndarray:
        return self._run(name, "state", x, w, self._analytic(name)["state"])

    def expvals(self, name: str, x: np.ndarray | None, w: np.ndarray | None) -> np.ndarray:
        # From exact probabilities: one QNode kind fewer, and lightning.qubit's per-observable
        # kernels are much slower than one probs kernel when its threads compete for cores.
        return z_expvals(self.probs(name, x, w), self.shape(name).n_wires)

    def probs(self, name: str, x: np.ndarray | None, w: np.ndarray | None, shots: int | None = None) -> np.ndarray:
        if shots is None:
            return self._run(name, "probs", x, w, self._analytic(name)["probs"])
        if int(shots) < 1:
            raise ValueError(f"shots must be positive, got {shots}")
        body, shape = self._entry(name)
        dev = qml.device(self.device, wires=shape.n_wires, seed=int(self._rng.integers(2**31)))
        fn = _qnode_functions(body, shape.n_wires)["probs"]
        qnode = qml.set_shots(qml.QNode(fn, dev, diff_method=None), shots=int(shots))
        return self._run(name, "probs", x, w, qnode)

    def torch_expvals(self, name: str) -> Callable:
        """<Z_i> as a torch function of x (B, n_inputs) and w (n_weights,), differentiable in both:
        backprop on default.qubit, adjoint differentiation on any other device (lightning.qubit); the
        function's `diff_method` names which."""
        import torch

        body, shape = self._entry(name)
        diff_method = "backprop" if self.device == "default.qubit" else "adjoint"

        def expvals(x, w):
            body(x, w)
            return [qml.expval(qml.PauliZ(i)) for i in range(shape.n_wires)]

        qnode = qml.QNode(
            expvals, qml.device(self.device, wires=shape.n_wires), interface="torch", diff_method=diff_method
        )

        def run(x, w):
            return torch.stack(list(qnode(x.T, w)), dim=-1).reshape(len(x), shape.n_wires).double()

        run.diff_method = diff_method  # type: ignore[attr-defined]  # what `CircuitLayer.differentiation` reports
        return run

    def _entry(self, name: str) -> tuple[Body, CircuitShape]:
        if name not in self._bodies:
            raise KeyError(f"no circuit {name!r}; known: {sorted(self._bodies)}")
        return self._bodies[name]

    def _analytic(self, name: str) -> dict[str, qml.QNode]:
        if name not in self._qnodes:
            body, shape = self._entry(name)
            dev = qml.device(self.device, wires=shape.n_wires)
            self._qnodes[name] = {
                kind: qml.QNode(fn, dev, diff_method=None) for kind, fn in _qnode_functions(body, shape.n_wires).items()
            }
        return self._qnodes[name]

    def _run(self, name: str, kind: str, x, w, qnode: qml.QNode) -> np.ndarray:
        shape = self.shape(name)
        batch, x, w = batch_arrays(shape, x, w)
        width = 2**shape.n_wires
        out = np.empty((batch, width), dtype=np.complex128 if kind == "state" else np.float64)
        for rows in chunks(batch, shape.n_wires):
            result = qnode(x[rows].T, weight_rows(w, rows).T)
            # Without a broadcast parameter the QNode returns one unbatched row.
            out[rows] = np.broadcast_to(np.asarray(result), (rows.stop - rows.start, width))
        return out


def executor(bodies, device: str, seed: int = 0, noise=None, shots: int | None = None):
    """The exact PennyLaneExecutor, or with a `qlang.runtime.noise.NoiseModel` the noisy executor on a density-matrix
    simulator, sampling `shots` per circuit; on `ibm:<backend>` the IBM sampler, the bodies translated to Qiskit
    (qlang.runtime.targets.pennylane_qiskit)."""
    from qlang.catalog.devices import HARDWARE, NOISY_SHOTS

    if device.startswith(HARDWARE):  # the bodies as Qiskit circuits, on the sampler the Qiskit target uses
        from qlang.runtime.targets.ibm import IbmSamplerExecutor
        from qlang.runtime.targets.pennylane_qiskit import PennyLaneCircuits

        return IbmSamplerExecutor(PennyLaneCircuits(bodies), device, shots or NOISY_SHOTS, seed=seed)
    if noise is None:
        return PennyLaneExecutor(bodies, device=device, seed=seed)
    from qlang.runtime.targets.pennylane_noisy import NoisyPennyLaneExecutor

    return NoisyPennyLaneExecutor(bodies, noise, shots or NOISY_SHOTS, device=device, seed=seed)
