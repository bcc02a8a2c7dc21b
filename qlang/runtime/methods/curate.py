"""Curation stages: cluster the data, quantum (fidelity-kernel k-means) or classical (k-means)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from qlang.runtime.data import Dataset
from qlang.runtime.encoder import features_of
from qlang.runtime.methods.context import MethodContext, MethodResult, require
from qlang.runtime.methods.kernel import FidelityKernel, gram_preview, offdiagonal_mean
from qlang.runtime.methods.kernel_kmeans import kernel_kmeans
from qlang.runtime.methods.reduce import encoding_reducer


def quantum_kmeans(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("quantum_kmeans")
    data, x, k = _prepare(ctx, data, s)
    kernel = FidelityKernel(ctx, s["shots"])
    ctx.progress(f"kernel: {len(x)} rows, {kernel.label}")
    gram = kernel(x)
    ctx.progress(f"kernel k-means: k={k}, {s['n_init']} restarts")
    labels, objective = kernel_kmeans(gram, k, int(s["n_init"]), int(s["max_iter"]), np.random.default_rng(ctx.seed))
    info = {
        "clusters": k,
        "inputs": x.shape[1],
        "kernel": kernel.label,
        # Near 0: the kernel has concentrated (every pair nearly orthogonal), so clusters mean little.
        "kernel_offdiagonal_mean": offdiagonal_mean(gram),
        "gram_preview": gram_preview(gram, data.labels),
    }
    return _result(data, labels, objective, info)


def kmeans(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("kmeans")
    data, x, k = _prepare(ctx, data, s)
    ctx.progress(f"k-means: k={k}, {s['n_init']} restarts")
    model = KMeans(n_clusters=k, n_init=int(s["n_init"]), max_iter=int(s["max_iter"]), random_state=ctx.seed).fit(x)
    return _result(data, model.labels_, float(model.inertia_), {"clusters": k, "inputs": x.shape[1]})


def _prepare(ctx: MethodContext, data: Dataset, s: dict) -> tuple[Dataset, np.ndarray, int]:
    """The (subsampled) data, its features reduced as the encoding needs, and the cluster count."""
    reducer = encoding_reducer(s["encoding"], s["qubits"])
    require(int(s["n_init"]) >= 1 and int(s["max_iter"]) >= 1, "n_init and max_iter must be at least 1")
    data = data.sample(s["limit"], ctx.seed)
    k = int(s["clusters"]) if s["clusters"] is not None else data.n_classes
    require(2 <= k <= len(data), f"cannot make {k} clusters of {len(data)} rows")
    return data, reducer.fit_transform(features_of(data, ctx.encoder)), k


def _result(data: Dataset, labels: np.ndarray, objective: float, info: dict) -> MethodResult:
    labels = np.asarray(labels, dtype=np.int64)
    metrics = {
        "ari": float(adjusted_rand_score(data.labels, labels)),
        "nmi": float(normalized_mutual_info_score(data.labels, labels)),
        "objective": objective,
        "kept_fraction": 1.0,
        "n": float(len(data)),
    }
    return MethodResult(metrics, replace(data, clusters=labels), info)
