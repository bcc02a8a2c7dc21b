"""k-means in the feature space of a kernel, given only its Gram matrix."""

from __future__ import annotations

import numpy as np


def kernel_kmeans(
    gram: np.ndarray, k: int, n_init: int, max_iter: int, rng: np.random.Generator
) -> tuple[np.ndarray, float]:
    """Best of `n_init` runs by objective: (cluster ids, sum of squared feature-space distances of
    each point to its cluster's centroid)."""
    best_labels: np.ndarray | None = None
    best_objective = np.inf
    for _ in range(n_init):
        labels = _seed(gram, k, rng)
        for _ in range(max_iter):
            updated = _fill_empty(_distances(gram, labels, k).argmin(axis=1), gram, k)
            if np.array_equal(updated, labels):
                break
            labels = updated
        objective = float(_distances(gram, labels, k)[np.arange(len(labels)), labels].sum())
        if objective < best_objective:
            best_labels, best_objective = labels, objective
    if best_labels is None:
        raise ValueError(f"kernel_kmeans needs n_init >= 1 and a finite objective, got n_init = {n_init}")
    return best_labels, best_objective


def _distances(gram: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """||phi(x_i) - mean of cluster c||^2 = K_ii - 2/|C| sum_j K_ij + 1/|C|^2 sum_jl K_jl; inf if C empty."""
    members = np.eye(k)[labels]  # (n, k) one-hot
    sizes = members.sum(axis=0)
    weights = members / np.where(sizes > 0, sizes, 1.0)
    cross = gram @ weights
    within = np.einsum("jc,jc->c", weights, cross)
    dist = np.diag(gram)[:, None] - 2.0 * cross + within[None, :]
    dist[:, sizes == 0] = np.inf
    return np.maximum(dist, 0.0)


def _seed(gram: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++: each new centre drawn with probability proportional to its squared kernel distance
    from the nearest centre so far; points then join their nearest centre."""
    n = len(gram)
    diag = np.diag(gram)
    centres = [int(rng.integers(n))]
    nearest = np.maximum(diag + diag[centres[0]] - 2.0 * gram[:, centres[0]], 0.0)
    for _ in range(1, k):
        total = nearest.sum()
        centre = int(rng.choice(n, p=nearest / total)) if total > 0 else int(rng.integers(n))
        centres.append(centre)
        nearest = np.minimum(nearest, np.maximum(diag + diag[centre] - 2.0 * gram[:, centre], 0.0))
    to_centres = diag[:, None] + diag[centres][None, :] - 2.0 * gram[:, centres]
    labels = to_centres.argmin(axis=1)
    labels[centres] = np.arange(k)  # coincident centres still each own a cluster
    return labels


def _fill_empty(labels: np.ndarray, gram: np.ndarray, k: int) -> np.ndarray:
    """Give each empty cluster the point farthest from its own centroid (taken from a cluster of 2+)."""
    labels = labels.copy()
    for c in range(k):
        if np.any(labels == c):
            continue
        own = _distances(gram, labels, k)[np.arange(len(labels)), labels]
        own[np.bincount(labels, minlength=k)[labels] < 2] = -1.0
        labels[int(own.argmax())] = c
    return labels
