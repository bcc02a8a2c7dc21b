"""A QUBO, its Ising form, and energies of every bitstring at once.

f(x) = offset + sum_i linear_i x_i + sum_{i<j} quadratic_ij x_i x_j over x in {0, 1}^n. Bitstring index b
(wire 0 = most significant bit, as in `qlang.runtime.protocol`) is the assignment x_i = bit i of b, so
energies line up with the probabilities an executor returns. With x_i = (1 - z_i) / 2 (|0> has z = +1)
f = ising_offset + sum_i h_i z_i + sum_{i<j} J_ij z_i z_j.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

MAX_ENUMERATED = 22  # 4M bitstrings: energies of all of them stay under ~100 MB


def bit_table(n: int) -> np.ndarray:
    """(2**n, n) uint8: row b is bitstring b, column 0 its most significant bit."""
    index = np.arange(2**n, dtype=np.int64)
    return ((index[:, None] >> np.arange(n - 1, -1, -1)) & 1).astype(np.uint8)


def bits_of(i: int, n: int) -> np.ndarray:
    """(n,) uint8: bitstring i, row i of bit_table(n), without building the table."""
    return ((int(i) >> np.arange(n - 1, -1, -1)) & 1).astype(np.uint8)


def _popcounts(n: int) -> np.ndarray:
    """Number of ones of every bitstring index 0 .. 2**n - 1."""
    index = np.arange(2**n, dtype=np.int64)
    counts = np.zeros(2**n, dtype=np.int64)
    for bit in range(n):
        counts += (index >> bit) & 1
    return counts


@dataclass(frozen=True)
class QUBO:
    linear: np.ndarray  # (n,)
    quadratic: np.ndarray  # (n, n), strictly upper triangular
    offset: float = 0.0
    cardinality: int | None = None  # feasible = exactly this many ones (None: every bitstring)

    @classmethod
    def from_matrix(cls, q: np.ndarray, offset: float = 0.0, cardinality: int | None = None) -> QUBO:
        """From a square matrix Q with f(x) = x^T Q x + offset (any symmetry; x_i^2 = x_i)."""
        q = np.asarray(q, dtype=np.float64)
        if q.ndim != 2 or q.shape[0] != q.shape[1]:
            raise ValueError(f"a QUBO matrix must be square, got {q.shape}")
        return cls(np.diag(q).copy(), np.triu(q + q.T, 1), float(offset), cardinality)

    def __post_init__(self) -> None:
        linear = np.asarray(self.linear, dtype=np.float64)
        quadratic = np.triu(np.asarray(self.quadratic, dtype=np.float64), 1)
        if linear.ndim != 1 or quadratic.shape != (len(linear), len(linear)):
            raise ValueError(f"linear (n,) and quadratic (n, n) disagree: {linear.shape}, {quadratic.shape}")
        if not (np.isfinite(linear).all() and np.isfinite(quadratic).all()):
            raise ValueError("QUBO coefficients must be finite")
        object.__setattr__(self, "linear", linear)
        object.__setattr__(self, "quadratic", quadratic)

    @property
    def n(self) -> int:
        return len(self.linear)

    def value(self, x: np.ndarray) -> np.ndarray:
        """f of one bitstring (n,) or of rows (B, n)."""
        x = np.asarray(x, dtype=np.float64)
        return self.offset + x @ self.linear + np.einsum("...i,ij,...j->...", x, self.quadratic, x)

    @cached_property
    def _energy_table(self) -> np.ndarray:
        if self.n > MAX_ENUMERATED:
            raise ValueError(f"{self.n} variables are too many to enumerate (at most {MAX_ENUMERATED})")
        bits = bit_table(self.n).astype(np.float64)
        return self.offset + bits @ self.linear + ((bits @ self.quadratic) * bits).sum(axis=1)

    @cached_property
    def _feasible_mask(self) -> np.ndarray:
        if self.cardinality is None:
            return np.ones(2**self.n, dtype=bool)
        return _popcounts(self.n) == self.cardinality

    def energies(self) -> np.ndarray:
        """f of every bitstring, indexed like an executor's probabilities (computed once)."""
        return self._energy_table

    def feasible(self) -> np.ndarray:
        """Mask over every bitstring: satisfies the cardinality constraint (all True without one; computed
        once)."""
        return self._feasible_mask

    def is_feasible(self, x: np.ndarray) -> bool:
        return self.cardinality is None or int(np.sum(x)) == self.cardinality

    def ising(self) -> tuple[np.ndarray, np.ndarray, float]:
        """(h, J strictly upper triangular, offset) with f = offset + h.z + sum_{i<j} J_ij z_i z_j."""
        b = self.quadratic
        sym = b + b.T
        h = -self.linear / 2 - sym.sum(axis=1) / 4
        offset = self.offset + self.linear.sum() / 2 + b.sum() / 4
        return h, b / 4, float(offset)


@dataclass
class Solution:
    """A solver's answer: its best bitstring and, for solvers that give a distribution, its quality."""

    x: np.ndarray  # (n,) uint8
    value: float
    solver: str
    wall_s: float = 0.0
    info: dict = field(default_factory=dict)
    # a sampling solver's final distribution over bitstring indices, and the indices it drew (QAOA); kept
    # out of info, which is small and serialisable
    probs: np.ndarray | None = field(default=None, repr=False, compare=False)
    samples: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def feasible(self) -> bool:
        return bool(self.info.get("feasible", True))


def approximation_ratio(qubo: QUBO, value: float) -> float:
    """(f_max - value) / (f_max - f_min) over the feasible bitstrings: 1 at the optimum, 0 at the worst
    feasible bitstring (a minimisation problem's ratio must be normalised; f can have either sign)."""
    e = qubo.energies()[qubo.feasible()]
    low, high = float(e.min()), float(e.max())
    return 1.0 if high == low else float(min(1.0, (high - value) / (high - low)))
