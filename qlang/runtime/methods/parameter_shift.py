"""Expectation values of a weighted circuit as a torch function, differentiated by the parameter-shift rule.

Valid for circuits where each weight enters exactly one Pauli rotation exp(-i w P / 2), once:
d<Z>/dw_k = (<Z>(w + pi/2 e_k) - <Z>(w - pi/2 e_k)) / 2, exactly.
"""

from __future__ import annotations

import numpy as np
import torch

from qlang.runtime.protocol import Executor

SHIFT = np.pi / 2


def expvals_and_jacobian(
    executor: Executor, circuit: str, x: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """<Z_i> at `weights`, shape (B, wires), and its Jacobian in the weights, shape (B, wires, P),
    from ONE batched `expvals` call: the unshifted weights, then every +shift, then every -shift,
    each block over all B inputs."""
    n_rows, n_weights = len(x), len(weights)
    eye = np.eye(n_weights) * SHIFT
    blocks = np.vstack([weights[None, :], weights + eye, weights - eye])  # (2P + 1, P)
    out = executor.expvals(circuit, np.tile(x, (len(blocks), 1)), np.repeat(blocks, n_rows, axis=0))
    out = out.reshape(len(blocks), n_rows, -1)
    plus, minus = out[1 : n_weights + 1], out[n_weights + 1 :]
    return out[0], np.transpose((plus - minus) / 2.0, (1, 2, 0))


class QuantumExpvals(torch.autograd.Function):
    """expvals(weights; x) for a fixed input batch x; gradients flow to the weights only."""

    @staticmethod
    def forward(ctx, weights: torch.Tensor, x: np.ndarray, executor: Executor, circuit: str) -> torch.Tensor:
        values, jacobian = expvals_and_jacobian(executor, circuit, x, weights.detach().cpu().numpy())
        ctx.save_for_backward(torch.from_numpy(jacobian))
        return torch.from_numpy(values)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (jacobian,) = ctx.saved_tensors
        return torch.einsum("bw,bwp->p", grad_output, jacobian), None, None, None
