"""Exact QUBO minimisation by enumerating every bitstring (vectorised; up to MAX_ENUMERATED variables)."""

from __future__ import annotations

import time

import numpy as np

from qlang.runtime.qubo.model import QUBO, Solution, bits_of


def solve_exact(qubo: QUBO) -> Solution:
    """The feasible bitstring of least f (ties: the smallest index)."""
    start = time.perf_counter()
    energies = np.where(qubo.feasible(), qubo.energies(), np.inf)
    best = int(np.argmin(energies))
    x = bits_of(best, qubo.n)
    return Solution(x, float(energies[best]), "exact", time.perf_counter() - start)


def optimum_mask(qubo: QUBO, atol: float = 1e-9) -> np.ndarray:
    """Bitstrings that are feasible and optimal."""
    e = qubo.energies()
    feasible = qubo.feasible()
    best = e[feasible].min()
    return feasible & (e <= best + atol * max(1.0, abs(best)))
