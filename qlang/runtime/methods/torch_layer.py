"""A registered circuit as a torch module: x (B, n_inputs) -> <Z_i> (B, n_wires), trainable weights w.

Where the executor can differentiate inside torch it offers `torch_expvals(name)` (PennyLane: backprop on
default.qubit, adjoint on lightning); elsewhere (Qiskit on Aer) the gradient comes from the parameter-shift
rule, the forward pass and every shift in ONE batched executor call (`QuantumExpvals`). Both are exact on an
exact simulator, so both targets train along the same loss curve from the same seed.
"""

from __future__ import annotations

import numpy as np
import torch

from qlang.runtime.methods.parameter_shift import QuantumExpvals
from qlang.runtime.protocol import Executor


class CircuitLayer(torch.nn.Module):
    def __init__(self, executor: Executor, name: str, weights: np.ndarray | None = None, seed=0):
        super().__init__()
        shape = executor.shape(name)
        if weights is None:
            weights = np.random.default_rng(seed).uniform(-np.pi, np.pi, shape.n_weights)
        self.weights = torch.nn.Parameter(torch.as_tensor(np.asarray(weights, dtype=np.float64)).clone())
        self.executor, self.name, self.shape = executor, name, shape
        native = getattr(executor, "torch_expvals", None)
        self._native = native(name) if native is not None else None

    @property
    def differentiation(self) -> str:
        return getattr(self._native, "diff_method", "parameter-shift")

    def forward(self, x) -> torch.Tensor:
        x = torch.as_tensor(np.asarray(x, dtype=np.float64)) if not torch.is_tensor(x) else x.double()
        if self._native is not None:
            return self._native(x, self.weights)
        if not (torch.is_grad_enabled() and self.weights.requires_grad):
            w = self.weights.detach().numpy()
            return torch.from_numpy(self.executor.expvals(self.name, x.detach().numpy(), w))
        return QuantumExpvals.apply(self.weights, x.detach().numpy(), self.executor, self.name)


def circuit_layer(executor: Executor, name: str, seed=0) -> CircuitLayer:
    """What a generated module's `torch_module(key)` returns."""
    return CircuitLayer(executor, name, seed=seed)
