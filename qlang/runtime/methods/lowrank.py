"""Low-rank approximation of the feature matrix a head is fine-tuned on: quantum-inspired (classical) length-squared
sampling against the truncated SVD.

The matrix A: the stage's features (MiniLM embeddings for text), centred, one row per example. Its rank-k
approximation A V_k V_k^T also compresses the features to k numbers per row (A V_k), the input of the
downstream head: logistic regression scored by stratified k-fold accuracy, V_k fitted on each training fold.

- `quantum_inspired_lowrank` (Frieze-Kannan-Vempala; the sampling model of Tang's dequantised algorithms):
  draw `samples` rows i with probability |A_i|^2 / |A|_F^2, rescale each by 1 / sqrt(samples p_i), and take
  the top-k right singular vectors of that small samples x d matrix. It runs classically; it is "quantum-
  inspired" because it needs only the length-squared sampling access a QRAM-based algorithm assumes.
- `truncated_svd`: the exact top-k right singular vectors (the optimal rank-k approximation, Eckart-Young).

Metrics: `frobenius_error` = |A - A V_k V_k^T|_F / |A|_F on all rows, `time_s` of the decomposition (mean over
the folds and the full matrix), `accuracy`; and the same at ranks 4, 8 and 16 (`..._r4` etc.).
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from qlang.runtime.data import Dataset
from qlang.runtime.encoder import features_of
from qlang.runtime.methods.context import MethodContext, MethodResult, require


def length_squared_basis(a: np.ndarray, rank: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    """V_k (d, k) from `samples` rows drawn by length-squared sampling (FKV)."""
    norms = (a**2).sum(axis=1)
    p = norms / norms.sum()
    rows = rng.choice(len(a), size=samples, p=p)
    sketch = a[rows] / np.sqrt(samples * p[rows])[:, None]
    _, _, vt = np.linalg.svd(sketch, full_matrices=False)
    return vt[:rank].T


def svd_basis(a: np.ndarray, rank: int) -> np.ndarray:
    _, _, vt = np.linalg.svd(a, full_matrices=False)
    return vt[:rank].T


def quantum_inspired_lowrank(ctx: MethodContext, data) -> MethodResult:
    s = ctx.settings("quantum_inspired_lowrank")
    require(int(s["samples"]) >= int(s["rank"]), f"samples ({s['samples']}) must be at least rank ({s['rank']})")
    rng = np.random.default_rng(ctx.seed)
    return _lowrank(ctx, data, s, lambda a, k: length_squared_basis(a, k, int(s["samples"]), rng))


def truncated_svd(ctx: MethodContext, data) -> MethodResult:
    s = ctx.settings("truncated_svd")
    return _lowrank(ctx, data, s, svd_basis)


def _lowrank(ctx: MethodContext, given, s: dict, basis) -> MethodResult:
    rows: Dataset = getattr(given, "data", None) or given  # a trained model's input stage: its rows
    data = rows.sample(s["limit"], ctx.seed)
    folds, rank = int(s["folds"]), int(s["rank"])
    require(data.n_classes >= 2, "classification needs at least two classes")
    require(int(np.bincount(data.labels).min()) >= folds, f"{folds} folds need every class {folds} times")
    x, y = features_of(data, ctx.encoder), data.labels
    require(rank <= min(x.shape), f"rank {rank} exceeds the matrix's size {x.shape[0]} x {x.shape[1]}")
    ranks = sorted({rank, *(r for r in s["ranks"] if r <= min(x.shape))})
    a = x - x.mean(axis=0)
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=ctx.seed).split(x, y))
    metrics: dict[str, float] = {}
    for k in ranks:  # the decomposition is repeated per rank, so that each rank's time_s is its own
        started = time.perf_counter()
        v = basis(a, k)
        times = [time.perf_counter() - started]
        error = float(np.linalg.norm(a - a @ v @ v.T) / np.linalg.norm(a))
        accuracy = []
        for train, test in splits:
            mean = x[train].mean(axis=0)
            started = time.perf_counter()
            v = basis(x[train] - mean, k)
            times.append(time.perf_counter() - started)
            head = make_pipeline(StandardScaler(), LogisticRegression(C=float(s["C"]), max_iter=1000))
            head.fit((x[train] - mean) @ v, y[train])
            accuracy.append(head.score((x[test] - mean) @ v, y[test]))
        values = {
            "frobenius_error": error,
            "accuracy": float(np.mean(accuracy)),
            "accuracy_std": float(np.std(accuracy)),
            "time_s": float(np.mean(times)),
        }
        if k == rank:
            metrics.update(values)
        metrics.update({f"{key}_r{k}": value for key, value in values.items() if key != "accuracy_std"})
    metrics["n"] = float(len(data))
    return MethodResult(
        metrics, None, {"ranks": ranks, "shape": list(x.shape), "label": "quantum-inspired (classical)"}
    )
