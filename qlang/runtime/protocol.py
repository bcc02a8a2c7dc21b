"""The narrow protocol between method algorithms (written once) and each target's generated code.

Arrays: `x` holds inputs, shape (B, n_inputs) or None when the circuit has no inputs; `w` holds
weights, shape (B, n_weights), or (n_weights,) shared by every row, or None when there are none.
States and probabilities use one bit order on every target: wire 0 is the most significant bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class CircuitShape:
    n_wires: int
    n_inputs: int
    n_weights: int


class Executor(Protocol):
    target: str  # "qiskit" | "pennylane"
    device: str

    def shape(self, name: str) -> CircuitShape:
        """Wires, inputs and weights of the registered circuit `name`."""

    def states(self, name: str, x: np.ndarray | None, w: np.ndarray | None) -> np.ndarray:
        """Statevectors, shape (B, 2**n_wires), complex128."""

    def expvals(self, name: str, x: np.ndarray | None, w: np.ndarray | None) -> np.ndarray:
        """<Z_i> on every wire, shape (B, n_wires), float64."""

    def probs(self, name: str, x: np.ndarray | None, w: np.ndarray | None, shots: int | None = None) -> np.ndarray:
        """Computational-basis probabilities, shape (B, 2**n_wires): exact when shots is None,
        otherwise frequencies from `shots` samples per row drawn by the seeded simulator."""

    def reseed(self, seed: int) -> None:
        """Seed the simulator's sampler (used for every later `probs` call with shots)."""

    # Optional: `torch_expvals(name) -> f(x: Tensor (B, n_inputs), w: Tensor (n_weights,)) -> Tensor (B, n_wires)`,
    # <Z_i> differentiable by torch (PennyLane has it). Without it, `CircuitLayer` differentiates by parameter
    # shift through `expvals`.
