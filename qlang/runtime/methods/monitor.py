"""Monitoring stages: drift tests on windows of data, and anomaly detectors, quantum (fidelity kernel) or
classical, on the same reduced features.

Features: PCA to `qubits` components fitted on reference rows only, z-scored, then arctan(z / 2): nearly
linear within two standard deviations, no clipping (a shifted window stays visible), and bounded to
(-pi/2, pi/2), so an angle encoding cannot wrap a far-off row around onto normal ones (RY(z) of unbounded z
would: 2 pi - 0.9 looks like -0.9). Rows are split once per seed into a reference half and a fresh half.
Drift: `trials` null trials (a reference window against a fresh window: no drift) and as many drifted ones
(the fresh window's z-scored input features all shifted by `shift` standard deviations); each test rejects
at level alpha. type1_error = rejections among null trials, power = rejections among drifted ones. The
windows are the same for every method of a seed.
MMD: unbiased MMD^2 of the pooled Gram matrix of [reference window; test window], p-value from permutations
of that one matrix (the observed split counts as one permutation).
Anomalies: the most frequent label is normal; a detector fits on half of the normal rows and scores the other
half plus anomalies (rows of the other labels) making up `contamination` of the test rows: AUROC and
average precision.
Bandwidth, quantum and RBF alike: the base value (quantum: the spec's bandwidth, which scales the encoded
angles; RBF: the median pairwise distance) times each of BANDWIDTH_FACTORS, picked on reference rows only by
the largest variance of the off-diagonal kernel values (a kernel neither flat nor concentrated). Same budget,
same criterion, no peeking at drifted or anomalous rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from scipy.spatial.distance import cdist, pdist
from scipy.stats import ks_2samp
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.svm import OneClassSVM

from qlang.runtime.data import Dataset
from qlang.runtime.encoder import features_of
from qlang.runtime.methods.context import MethodContext, MethodResult, require
from qlang.runtime.methods.kernel import FidelityKernel, gram_of_states
from qlang.runtime.methods.reduce import Reducer

K = TypeVar("K", bound=Callable[..., np.ndarray])  # a kernel: rows (and other rows) -> Gram matrix

BANDWIDTH_FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)
TUNING_ROWS = 128


# ---- drift -----------------------------------------------------------------------------------------


@dataclass
class Windows:
    reference: np.ndarray  # reduced reference rows (for tuning)
    null: list[tuple[np.ndarray, np.ndarray]]  # (reference window, fresh window)
    drifted: list[tuple[np.ndarray, np.ndarray]]  # (reference window, shifted fresh window)


def quantum_kernel_mmd(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("quantum_kernel_mmd")
    w = _windows(ctx, data, s)
    base = FidelityKernel(ctx, s["shots"])
    kernel = _tuned(w.reference, [base.with_scale(float(s["bandwidth"]) * f) for f in BANDWIDTH_FACTORS])
    ctx.progress(f"MMD: {len(w.null)} null and {len(w.drifted)} drifted windows, bandwidth {kernel.scale:.3g}")
    grams = _pooled_grams(kernel, w.null + w.drifted)
    return _drift_result(ctx, s, grams, {"bandwidth": kernel.scale, "kernel": kernel.label})


def rbf_mmd(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("rbf_mmd")
    w = _windows(ctx, data, s)
    sigma = _tuned_sigma(w.reference)
    grams = [_rbf(np.vstack(pair), np.vstack(pair), sigma) for pair in w.null + w.drifted]
    return _drift_result(ctx, s, grams, {"sigma": sigma})


def ks_test(ctx: MethodContext, data: Dataset) -> MethodResult:
    """Two-sample KS on every feature; a window drifts when any p-value is below alpha / features."""
    s = ctx.settings("ks_test")
    w = _windows(ctx, data, s)
    alpha = float(s["alpha"])

    def smallest(pair) -> tuple[float, int]:
        x, y = pair
        return min(ks_2samp(x[:, f], y[:, f]).pvalue for f in range(x.shape[1])), x.shape[1]

    null, drifted = [smallest(p) for p in w.null], [smallest(p) for p in w.drifted]
    # the report shows Bonferroni-adjusted p-values (features x smallest, at most 1) against the same alpha
    info = {
        "trials": len(w.null),
        "alpha": alpha,
        "p_values": {"null": [min(1.0, d * p) for p, d in null], "drifted": [min(1.0, d * p) for p, d in drifted]},
    }
    return MethodResult(_rates([p <= alpha / d for p, d in null], [p <= alpha / d for p, d in drifted]), data, info)


def _windows(ctx: MethodContext, data: Dataset, s: dict) -> Windows:
    window, trials = int(s["window"]), int(s["trials"])
    require(int(s["qubits"]) >= 1, f"qubits must be at least 1, got {s['qubits']}")
    require(trials >= 1, f"trials must be at least 1, got {trials}")
    data = data.sample(s["limit"], ctx.seed)
    raw = features_of(data, ctx.encoder)
    rng = np.random.default_rng(ctx.seed)
    order = rng.permutation(len(raw))
    reference, fresh = order[: len(raw) // 2], order[len(raw) // 2 :]
    require(
        2 <= window <= len(reference),
        f"a window of {window} rows needs {2 * window} rows, the data has {len(raw)}",
        help="use a smaller window or more rows",
    )
    reducer = Reducer(int(s["qubits"]), "arctan", spread=2.0).fit(raw[reference])
    ref_x = reducer.transform(raw[reference])
    null, drifted = [], []
    for _ in range(trials):
        x = ref_x[rng.choice(len(reference), window, replace=False)]
        rows = raw[fresh[rng.choice(len(fresh), window, replace=False)]]
        null.append((x, reducer.transform(rows)))
        drifted.append((x, reducer.transform(rows + float(s["shift"]))))
    return Windows(ref_x, null, drifted)


def _pooled_grams(kernel: FidelityKernel, pairs: list[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """Exact: the states of every window from one batch, then a matrix product per pooled window; sampled:
    one pooled Gram matrix per window from compute-uncompute circuits."""
    pooled = [np.vstack(pair) for pair in pairs]
    if kernel.shots is not None:
        return [kernel(z) for z in pooled]
    psi = kernel.states(np.vstack(pooled))
    starts = np.cumsum([0] + [len(z) for z in pooled])
    return [gram_of_states(psi[a:b], psi[a:b]) for a, b in itertools.pairwise(starts)]


def mmd2_unbiased(gram: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Unbiased MMD^2 for each row of `first` (P, N) booleans marking the first sample in the pooled Gram matrix."""
    a = first.astype(np.float64)
    b = 1.0 - a
    k = gram - np.diag(np.diag(gram))
    m, n = a.sum(axis=1), b.sum(axis=1)
    xx = ((a @ k) * a).sum(axis=1) / (m * (m - 1))
    yy = ((b @ k) * b).sum(axis=1) / (n * (n - 1))
    xy = ((a @ k) * b).sum(axis=1) / (m * n)
    return xx + yy - 2.0 * xy


def permutation_pvalue(gram: np.ndarray, m: int, permutations: int, rng: np.random.Generator) -> float:
    """P(MMD^2 of a random split >= the observed one), the first m rows being the first sample."""
    n = len(gram)
    observed = np.zeros((1, n), dtype=bool)
    observed[0, :m] = True
    shuffled = np.argsort(rng.random((permutations, n)), axis=1) < m
    stat, null = mmd2_unbiased(gram, observed)[0], mmd2_unbiased(gram, shuffled)
    return float((1 + np.sum(null >= stat - 1e-12)) / (1 + permutations))


def _drift_result(ctx: MethodContext, s: dict, grams: list[np.ndarray], info: dict) -> MethodResult:
    require(int(s["permutations"]) >= 1, f"permutations must be at least 1, got {s['permutations']}")
    rng = np.random.default_rng(ctx.seed + 1)
    m, alpha = int(s["window"]), float(s["alpha"])
    p_values = [permutation_pvalue(g, m, int(s["permutations"]), rng) for g in grams]
    rejects = [p <= alpha for p in p_values]
    half = len(grams) // 2
    info = {**info, "trials": half, "alpha": alpha, "p_values": {"null": p_values[:half], "drifted": p_values[half:]}}
    return MethodResult(_rates(rejects[:half], rejects[half:]), None, info)


def _rates(null: list[bool], drifted: list[bool]) -> dict[str, float]:
    return {"type1_error": float(np.mean(null)), "power": float(np.mean(drifted))}


# ---- anomalies -------------------------------------------------------------------------------------


def quantum_ocsvm(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("quantum_ocsvm")
    train, test, anomalous = _anomaly_split(ctx, data, s)
    base = FidelityKernel(ctx, s["shots"])
    kernel = _tuned(train, [base.with_scale(float(s["bandwidth"]) * f) for f in BANDWIDTH_FACTORS])
    ctx.progress(f"one-class SVM: {len(train)} normal rows, bandwidth {kernel.scale:.3g}")
    if kernel.shots is None:  # exact: the training rows' states once, for both Gram matrices
        psi_train, psi_test = kernel.states(train), kernel.states(test)
        train_gram, test_gram = gram_of_states(psi_train, psi_train), gram_of_states(psi_test, psi_train)
    else:
        train_gram, test_gram = kernel(train), kernel(test, train)
    model = OneClassSVM(kernel="precomputed", nu=float(s["nu"])).fit(train_gram)
    scores = -model.decision_function(test_gram)
    return _anomaly_result(anomalous, scores, {"bandwidth": kernel.scale, "kernel": kernel.label})


def rbf_ocsvm(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("rbf_ocsvm")
    train, test, anomalous = _anomaly_split(ctx, data, s)
    sigma = _tuned_sigma(train)
    model = OneClassSVM(kernel="rbf", gamma=1.0 / (2.0 * sigma**2), nu=float(s["nu"])).fit(train)
    return _anomaly_result(anomalous, -model.decision_function(test), {"sigma": sigma})


def isolation_forest(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("isolation_forest")
    train, test, anomalous = _anomaly_split(ctx, data, s)
    model = IsolationForest(n_estimators=int(s["n_estimators"]), random_state=ctx.seed).fit(train)
    return _anomaly_result(anomalous, -model.score_samples(test), {})


def _anomaly_split(ctx: MethodContext, data: Dataset, s: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(reduced training rows, reduced test rows, which test rows are anomalies)."""
    require(int(s["qubits"]) >= 1, f"qubits must be at least 1, got {s['qubits']}")
    require(0.0 < float(s["contamination"]) < 1.0, f"contamination must be in (0, 1), got {s['contamination']}")
    data = data.sample(s["limit"], ctx.seed)
    require(data.n_classes >= 2, "anomaly detection needs labels of at least two classes (normal: the most frequent)")
    raw = features_of(data, ctx.encoder)
    rng = np.random.default_rng(ctx.seed)
    normal_label = np.bincount(data.labels).argmax()
    normal = rng.permutation(np.flatnonzero(data.labels == normal_label))
    others = rng.permutation(np.flatnonzero(data.labels != normal_label))
    train, held_out = normal[: len(normal) // 2], normal[len(normal) // 2 :]
    c = float(s["contamination"])
    anomalies = others[: max(1, min(len(others), round(c / (1.0 - c) * len(held_out))))]
    require(
        len(train) >= 2 and len(held_out) >= 1 and len(anomalies) >= 1,
        f"too few rows to split {len(data)} into training, normal and anomalous rows",
        help="use more rows",
    )
    reducer = Reducer(int(s["qubits"]), "arctan", spread=2.0).fit(raw[train])
    test = np.concatenate([held_out, anomalies])
    anomalous = np.concatenate([np.zeros(len(held_out), bool), np.ones(len(anomalies), bool)])
    return reducer.transform(raw[train]), reducer.transform(raw[test]), anomalous


def _anomaly_result(anomalous: np.ndarray, scores: np.ndarray, info: dict) -> MethodResult:
    metrics = {
        "auroc": float(roc_auc_score(anomalous, scores)),
        "average_precision": float(average_precision_score(anomalous, scores)),
    }
    return MethodResult(metrics, None, {**info, "test_rows": len(scores), "anomalies": int(anomalous.sum())})


# ---- bandwidth -------------------------------------------------------------------------------------


def _spread(gram: np.ndarray) -> float:
    return float(gram[np.triu_indices(len(gram), k=1)].var())


def _tuning_rows(reference: np.ndarray) -> np.ndarray:
    return reference[:TUNING_ROWS]


def _tuned(reference: np.ndarray, kernels: list[K]) -> K:
    rows = _tuning_rows(reference)
    return max(kernels, key=lambda k: _spread(k(rows)))


def _rbf(x: np.ndarray, y: np.ndarray, sigma: float) -> np.ndarray:
    return np.exp(-cdist(x, y, "sqeuclidean") / (2.0 * sigma**2))


def _tuned_sigma(reference: np.ndarray) -> float:
    rows = _tuning_rows(reference)
    distances = pdist(rows)
    median = float(np.median(distances[distances > 0])) if np.any(distances > 0) else 1.0
    return max((median * f for f in BANDWIDTH_FACTORS), key=lambda sigma: _spread(_rbf(rows, rows, sigma)))
