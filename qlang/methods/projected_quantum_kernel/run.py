"""The projected quantum kernel at run time, for encode and monitor stages.

Projections: for rows x (B, n) the Pauli expectations R(x) = [<Z_i>, <X_i>, <Y_i>] (B, 3n), <Z_i> of the
circuits "feature_map", "x_basis" and "y_basis": exact expectation values when shots is None, else each
<Z_i> = sum_b p(b) (1 - 2 b_i) from `shots` samples per row and circuit (wire 0 the most significant bit).
Distance: d(x, x') = sum_k ||rho_k(x) - rho_k(x')||_F^2 = ||R(x) - R(x')||^2 / 2; kernel exp(-gamma d).
gamma none: 1 / the mean of d over distinct pairs of the rows at hand (scikit-learn's `scale` rule for RBF,
on these features), computed without labels.

encode: the same reduced features, folds, tuning budget (C from C x {0.1, 1, 10} by inner 3-fold AUC) and
metrics as the other encode methods (qlang/runtime/methods/encode.py): AUC and accuracy per fold.
monitor: the drift protocol of quantum_kernel_mmd (qlang/runtime/methods/monitor.py), the candidate widths
gamma x {0.25, 0.5, 1, 2, 4} picked on reference rows by the largest variance of off-diagonal kernel values.
"""

from __future__ import annotations

import itertools

import numpy as np

from qlang.runtime.data import Dataset
from qlang.runtime.methods import encode as enc
from qlang.runtime.methods import monitor as mon
from qlang.runtime.methods.context import MethodContext, MethodResult, require
from qlang.runtime.methods.kernel import check_inputs, gram_preview, offdiagonal_mean

ROLES = ("feature_map", "x_basis", "y_basis")


def pauli_expectations(ctx: MethodContext, x: np.ndarray, shots: int | None) -> np.ndarray:
    """R(x): (B, 3n) = [<Z_i> | <X_i> | <Y_i>] of the encoded states."""
    parts = []
    executor = ctx.executor
    assert executor is not None, "a quantum method runs with an executor"
    for role in ROLES:
        name, shape = ctx.circuit(role)
        check_inputs(name, shape.n_inputs, x.shape[1])
        if shots is None:
            parts.append(np.asarray(executor.expvals(name, x, None), dtype=float))
            continue
        p = np.asarray(executor.probs(name, x, None, int(shots)), dtype=float)
        n = shape.n_wires
        bits = (np.arange(2**n)[:, None] >> (n - 1 - np.arange(n))[None, :]) & 1  # wire 0 most significant
        parts.append(p @ (1.0 - 2.0 * bits))
    return np.hstack(parts)


def projected_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """sum_k ||rho_k(a_i) - rho_k(b_j)||_F^2 = ||R(a_i) - R(b_j)||^2 / 2, shape (len(a), len(b))."""
    squared = (a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :] - 2.0 * a @ b.T
    return np.maximum(squared, 0.0) / 2.0


def scale_gamma(r: np.ndarray) -> float:
    """1 / the mean projected distance over distinct pairs of rows (1.0 when every row projects alike)."""
    d = projected_distances(r, r)
    mean = d[np.triu_indices(len(r), k=1)].mean() if len(r) > 1 else 0.0
    return 1.0 / mean if mean > 1e-12 else 1.0


def projected_quantum_kernel(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("projected_quantum_kernel")
    require(int(s["qubits"]) >= 1, f"qubits must be at least 1, got {s['qubits']}")
    data, x, kept = enc._features(ctx, data, s, int(s["qubits"]), "angle")
    ctx.progress(f"projections: {len(x)} rows x 3 circuits" + ("" if s["shots"] is None else f", {s['shots']} shots"))
    r = pauli_expectations(ctx, x, s["shots"])
    distances = projected_distances(r, r)
    # the budget rbf_svm gets: gamma x GAMMA_FACTORS jointly with C x C_FACTORS, by an inner split of each
    # training fold; the projections are measured once, so the widths cost no circuits
    candidates = enc._grid(enc.GAMMA_FACTORS, enc.C_FACTORS, float(s["C"]))
    tuning: list[dict[str, float | None]] = []

    def score(train, test):
        gamma = float(s["gamma"]) if s["gamma"] is not None else scale_gamma(r[train])
        kernels = {f: enc._sliced(np.exp(-gamma * f * distances)) for f in enc.GAMMA_FACTORS}
        factor, C = enc._tune(candidates, kernels, enc._svm_fit, train, data.labels)
        tuning.append({"gamma_factor": factor, "gamma": gamma * factor, "C": C})
        return enc._svm_fit(kernels[factor], train, data.labels, C)(test)

    folds = enc._cross_validate(data.labels, int(s["folds"]), ctx.seed, score)
    ctx.ran_with = {**s, **enc._modes([{k: v for k, v in t.items() if k != "gamma"} for t in tuning])}
    gamma = float(s["gamma"]) if s["gamma"] is not None else scale_gamma(r)
    gram = np.exp(-gamma * distances)
    metrics = {"qubits": float(s["qubits"]), **enc._fold_metrics(folds)}
    info = {
        "inputs": x.shape[1],
        "tuning": {"candidates": len(candidates), "folds": tuning},
        "gamma": gamma,
        "variance_kept": kept,
        "kernel": "projected, exact" if s["shots"] is None else f"projected, {s['shots']} shots",
        "kernel_offdiagonal_mean": offdiagonal_mean(gram),
        "gram_preview": gram_preview(gram, data.labels),
    }
    return MethodResult(metrics, data, info)


class ProjectedKernel:
    """The kernel at width `scale` x gamma, where gamma is fixed by the first rows it sees (the reference)."""

    def __init__(self, ctx: MethodContext, shots: int | None, scale: float = 1.0, gamma: float | None = None):
        self.ctx, self.shots, self.scale, self.gamma = ctx, shots, scale, gamma
        self.label = "projected, exact" if shots is None else f"projected, {shots} shots"

    def with_scale(self, scale: float) -> ProjectedKernel:
        return ProjectedKernel(self.ctx, self.shots, scale, self.gamma)

    def __call__(self, x: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
        rx = pauli_expectations(self.ctx, x, self.shots)
        ry = rx if y is None else pauli_expectations(self.ctx, y, self.shots)
        return self.gram(rx, ry)

    def gram(self, rx: np.ndarray, ry: np.ndarray) -> np.ndarray:
        gamma = self.gamma if self.gamma is not None else scale_gamma(rx)
        return np.exp(-self.scale * gamma * projected_distances(rx, ry))


def projected_kernel_mmd(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("projected_kernel_mmd")
    w = mon._windows(ctx, data, s)
    reference = mon._tuning_rows(w.reference)
    gamma = scale_gamma(pauli_expectations(ctx, reference, s["shots"]))
    base = ProjectedKernel(ctx, s["shots"], gamma=gamma)
    kernel = mon._tuned(w.reference, [base.with_scale(f) for f in mon.BANDWIDTH_FACTORS])
    ctx.progress(f"MMD: {len(w.null)} null and {len(w.drifted)} drifted windows, width x{kernel.scale:.3g}")
    pooled = [np.vstack(pair) for pair in w.null + w.drifted]
    r = pauli_expectations(ctx, np.vstack(pooled), s["shots"])  # every window's rows in one batch per circuit
    starts = np.cumsum([0] + [len(z) for z in pooled])
    grams = [kernel.gram(r[a:b], r[a:b]) for a, b in itertools.pairwise(starts)]
    return mon._drift_result(ctx, s, grams, {"gamma": gamma * kernel.scale, "kernel": kernel.label})
