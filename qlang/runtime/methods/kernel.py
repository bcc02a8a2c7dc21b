"""Fidelity kernel K_ij = |<psi(x_i)|psi(x_j)>|^2 through the Executor protocol."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from qlang.runtime.protocol import Executor

PAIRS_PER_CALL = 4096  # rows per `probs` call when estimating from shots; bounds memory, not accuracy


def exact_gram(executor: Executor, feature_map: str, x: np.ndarray) -> np.ndarray:
    """From the statevectors of one batched `states` call."""
    psi = executor.states(feature_map, x, None)
    return np.abs(psi.conj() @ psi.T) ** 2


def sampled_gram(
    executor: Executor,
    overlap: str,
    x: np.ndarray,
    shots: int,
    progress: Callable[[str], None] = lambda message: None,
) -> np.ndarray:
    """From the all-zeros frequency of the compute-uncompute circuit on [x_i, x_j], upper triangle only;
    the diagonal is 1 by construction."""
    n = len(x)
    rows, cols = np.triu_indices(n, k=1)
    pairs = np.hstack([x[rows], x[cols]])
    zeros = np.empty(len(pairs))
    for start in range(0, len(pairs), PAIRS_PER_CALL):
        stop = min(start + PAIRS_PER_CALL, len(pairs))
        zeros[start:stop] = executor.probs(overlap, pairs[start:stop], None, shots)[:, 0]
        progress(f"kernel: {stop}/{len(pairs)} pairs")
    gram = np.eye(n)
    gram[rows, cols] = zeros
    gram[cols, rows] = zeros
    return gram
