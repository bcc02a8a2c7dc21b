"""Encoding stages: numeric features become quantum states (amplitude, angle or ZZ feature map) whose fidelity
kernel feeds a classifier, against classical classifiers on the same features; all scored by the same
stratified k-fold AUC.

Features: z-scored, then PCA to as many components as the circuit takes (2^qubits for amplitude encoding,
qubits otherwise), scaled per encoding (reduce.Reducer: [0, pi] angles, or non-negative unit vectors for
amplitudes). PCA and scaling see every row but no label (unsupervised), so the Gram matrix is computed once
for all rows and each fold slices it. A baseline sees the same features as its method.
Tuning budget, the same on both sides: inside each outer training fold (never its test fold), an inner
stratified 3-fold AUC picks the kernel's width jointly with C from nine candidates, then the SVM is refitted
on the whole training fold. Quantum (angle, ZZ): the spec's bandwidth times BANDWIDTH_FACTORS; each
bandwidth is a different feature map, hence its own Gram matrix (computed once for all rows, sliced for
every fold and every C). RBF: scikit-learn's "scale" gamma (1 / (features x variance) of the training fold)
times GAMMA_FACTORS; a kernel exp(-gamma d^2) and an angle kernel prod cos^2(b d / 2) ~ exp(-b^2 d^2 / 4) for
small d, so doubling b is quadrupling gamma: the two grids span the same widths. C: the spec's C times
C_FACTORS on both sides. Amplitude encoding has no width (its states are unit vectors whatever the scale):
one Gram, C alone. The distance classifier has no C: the bandwidth alone. The chosen values per fold are in
`info["tuning"]`, their most frequent value in the parameter list (`tuned_bandwidth`, `tuned_gamma_factor`,
`tuned_C`).

Metrics: `auc` (mean over folds; `auc_std` its spread), `accuracy` (likewise; a decision value above 0, or
the largest class score, is the prediction), `qubits`, `cnots` and `depth` of one encoding
circuit (a fixed generic input) transpiled onto a device model (IBM Heron, the qiskit-ibm-runtime fake
backend; absent without qiskit), and `encoding_fidelity`: the fraction of the z-scored features'
variance that reaches the circuit (the PCA components kept), times, for amplitude encoding with an exact
kernel, the mean fidelity |<psi(x)|x/|x|>|^2 of the executor's state with the input it should hold (1 on an
exact simulator; what finite precision or a wrong circuit loses).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable

import numpy as np
from scipy.stats import rankdata
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from qlang.runtime.data import Dataset
from qlang.runtime.encoder import features_of
from qlang.runtime.methods.context import MethodContext, MethodResult, require
from qlang.runtime.methods.kernel import FidelityKernel, gram_of_states, gram_preview, offdiagonal_mean
from qlang.runtime.methods.reduce import Reducer

C_FACTORS = (0.1, 1.0, 10.0)  # the tuning budget: C times these, for every SVM
BANDWIDTH_FACTORS = (0.5, 1.0, 2.0)  # a quantum kernel's bandwidth: the spec's times these
GAMMA_FACTORS = (0.25, 1.0, 4.0)  # the RBF's gamma: scikit-learn's "scale" times these (the same widths)
INNER_FOLDS = 3
DEVICE_MODEL = "heron"
BASELINE_FEATURES = 8  # a baseline alone (no method's qubits to follow)


def amplitude_encoding(ctx: MethodContext, data: Dataset) -> MethodResult:
    return _quantum(ctx, data, "amplitude_encoding")


def angle_encoding(ctx: MethodContext, data: Dataset) -> MethodResult:
    return _quantum(ctx, data, "angle_encoding")


def zz_feature_map(ctx: MethodContext, data: Dataset) -> MethodResult:
    return _quantum(ctx, data, "zz_feature_map")


def _quantum(ctx: MethodContext, data: Dataset, method: str) -> MethodResult:
    s = ctx.settings(method)
    require(int(s["qubits"]) >= 1, f"qubits must be at least 1, got {s['qubits']}")
    require(
        s["classifier"] in ("svm", "distance"), f"unknown classifier '{s['classifier']}'", help="use svm or distance"
    )
    amplitude = method == "amplitude_encoding"
    dims = 2 ** int(s["qubits"]) if amplitude else int(s["qubits"])
    data, x, kept = _features(ctx, data, s, dims, "amplitude" if amplitude else "angle")
    kernel = FidelityKernel(ctx, s["shots"])
    ctx.progress(f"kernel: {len(x)} rows, {kernel.label}")
    fidelity = kept
    factors = (1.0,) if amplitude else BANDWIDTH_FACTORS
    grams = {}
    for factor in factors:  # one Gram per bandwidth: the feature map changes, C does not
        if amplitude and s["shots"] is None:
            psi = kernel.states(x)  # once: the fidelity with the inputs and the Gram matrix both need the states
            fidelity *= float(np.mean(np.abs(np.sum(psi.conj() * x, axis=1)) ** 2))
            grams[factor] = gram_of_states(psi, psi)
        else:
            grams[factor] = kernel.with_scale(factor)(x)
    kernels = {f: _sliced(g) for f, g in grams.items()}
    svm = s["classifier"] == "svm"
    candidates = _grid(factors, C_FACTORS if svm else (None,), float(s["C"]))
    chosen: list[tuple[float, float | None]] = []

    def score(train, test):
        factor, C = _tune(candidates, kernels, _FITS[s["classifier"]], train, data.labels)
        chosen.append((factor, C))
        return _FITS[s["classifier"]](kernels[factor], train, data.labels, C)(test)

    folds = _cross_validate(data.labels, int(s["folds"]), ctx.seed, score)
    base = None if amplitude else float(s["bandwidth"])
    tuning = [{**({} if base is None else {"bandwidth": base * f}), **({"C": C} if svm else {})} for f, C in chosen]
    ctx.ran_with = {**s, **_modes(tuning)}
    gram = grams[Counter(f for f, _ in chosen).most_common(1)[0][0]]  # the preview shows the usual choice
    metrics = {
        "qubits": float(s["qubits"]),
        **_device_counts(method, s),
        "encoding_fidelity": fidelity,
        **_fold_metrics(folds),
    }
    info = {
        "inputs": dims,
        "classifier": s["classifier"],
        "kernel": kernel.label,
        "tuning": {"candidates": len(candidates), "folds": tuning},
        "device_model": DEVICE_MODEL,
        "kernel_offdiagonal_mean": offdiagonal_mean(gram),
        "gram_preview": gram_preview(gram, data.labels),
    }
    return MethodResult(metrics, data, info)


def rbf_svm(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("rbf_svm")
    data, x, _ = _features(ctx, data, s, _baseline_dims(ctx), "angle")
    candidates = _grid(GAMMA_FACTORS, C_FACTORS, float(s["C"]))
    tuning: list[dict[str, float | None]] = []

    def score(train, test):
        gamma = scale_gamma(x[train])
        kernels = {f: _sliced(rbf_kernel(x, gamma=gamma * f)) for f in GAMMA_FACTORS}  # a Gram each, as a method's
        factor, C = _tune(candidates, kernels, _svm_fit, train, data.labels)
        tuning.append({"gamma_factor": factor, "gamma": gamma * factor, "C": C})
        return _svm_fit(kernels[factor], train, data.labels, C)(test)

    folds = _cross_validate(data.labels, int(s["folds"]), ctx.seed, score)
    ctx.ran_with = {**s, **_modes([{k: v for k, v in t.items() if k != "gamma"} for t in tuning])}
    info = {"inputs": x.shape[1], "tuning": {"candidates": len(candidates), "folds": tuning}}
    return MethodResult(_fold_metrics(folds), data, info)


def knn(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("knn")
    require(int(s["k"]) >= 1, f"k must be at least 1, got {s['k']}")
    data, x, _ = _features(ctx, data, s, _baseline_dims(ctx), "angle")

    def score(train, test):
        model = KNeighborsClassifier(n_neighbors=min(int(s["k"]), len(train))).fit(x[train], data.labels[train])
        return model.predict_proba(x[test])

    folds = _cross_validate(data.labels, int(s["folds"]), ctx.seed, score)
    return MethodResult(_fold_metrics(folds), data, {"inputs": x.shape[1]})


def pca(ctx: MethodContext, data: Dataset) -> MethodResult:
    """PCA to `components` (fitted on each training fold), then logistic regression."""
    s = ctx.settings("pca")
    data = data.sample(s["limit"], ctx.seed)
    raw = features_of(data, ctx.encoder)
    components = min(int(s["components"]), *raw.shape)

    def score(train, test):
        model = make_pipeline(StandardScaler(), PCA(components), LogisticRegression(max_iter=1000))
        return model.fit(raw[train], data.labels[train]).predict_proba(raw[test])

    folds = _cross_validate(data.labels, int(s["folds"]), ctx.seed, score)
    return MethodResult(_fold_metrics(folds), data, {"components": components})


def _baseline_dims(ctx: MethodContext) -> int:
    """The features its method's circuit takes: 2^qubits after amplitude encoding (the only encode method
    without a bandwidth), qubits otherwise."""
    qubits = ctx.params.get("qubits")
    if qubits is None:
        return BASELINE_FEATURES
    return int(qubits) if "bandwidth" in ctx.params else 2 ** int(qubits)


def _features(ctx: MethodContext, data: Dataset, s: dict, dims: int, scaling: str):
    """(data, reduced features, fraction of the z-scored variance they keep)."""
    require(int(s["folds"]) >= 2, f"folds must be at least 2, got {s['folds']}")
    data = data.sample(s["limit"], ctx.seed)
    require(data.n_classes >= 2, "an encode stage needs labels of at least two classes")
    smallest = int(np.bincount(data.labels, minlength=data.n_classes).min())
    require(
        smallest >= int(s["folds"]),
        f"the smallest class has {smallest} rows, fewer than {s['folds']} folds",
        help="use fewer folds or more rows",
    )
    z = StandardScaler().fit_transform(features_of(data, ctx.encoder))
    reducer = Reducer(dims, scaling).fit(z)
    return data, reducer.transform(z), float(reducer.pca.explained_variance_ratio_.sum())


def _cross_validate(labels: np.ndarray, folds: int, seed: int, score) -> list[tuple[float, float]]:
    """(AUC, accuracy) of `score(train, test) -> scores` on each stratified fold."""
    splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(labels)), labels)
    out = []
    for train, test in splits:
        scores = score(train, test)
        out.append((_auc(labels[test], scores, len(np.unique(labels))), _accuracy(labels[test], scores, labels[train])))
    return out


def _accuracy(y: np.ndarray, scores: np.ndarray, train_labels: np.ndarray) -> float:
    """The fraction predicted right: a 1-D decision value picks the second of the training classes when
    positive (scikit-learn's convention); per-class scores pick the largest."""
    classes = np.unique(train_labels)
    predicted = classes[(scores > 0).astype(int)] if scores.ndim == 1 else classes[scores.argmax(axis=1)]
    return float(np.mean(predicted == y))


def _auc(y: np.ndarray, scores: np.ndarray, n_classes: int) -> float:
    """Binary: a 1-D decision value, or per-class scores (probabilities, minus distances) whose difference
    ranks the second class; more classes: one-vs-rest AUC of the softmax of per-class scores."""
    if n_classes == 2:
        return binary_auc(y == y.max(), scores[:, 1] - scores[:, 0] if scores.ndim == 2 else scores)
    if len(np.unique(y)) < n_classes:
        return float("nan")
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return float(roc_auc_score(y, e / e.sum(axis=1, keepdims=True), multi_class="ovr"))


def binary_auc(positive: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic on average ranks (a tie counts half), what roc_auc_score computes,
    without its 2-3 ms of input checks a call: an SVM's tuning scores hundreds of candidates a stage. NaN when
    one class is absent."""
    n_positive = int(positive.sum())
    n_negative = len(positive) - n_positive
    if n_positive == 0 or n_negative == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[positive].sum() - n_positive * (n_positive + 1) / 2) / (n_positive * n_negative))


def _fold_metrics(folds: list[tuple[float, float]]) -> dict[str, float]:
    aucs, accuracies = np.array([f[0] for f in folds]), np.array([f[1] for f in folds])
    return {
        "auc": float(np.nanmean(aucs)),
        "auc_std": float(np.nanstd(aucs)),
        "accuracy": float(np.mean(accuracies)),
        "accuracy_std": float(np.std(accuracies)),
    }


# ---- tuning ----------------------------------------------------------------------------------------
# A kernel here maps (row indices, column indices) of the stage's rows to their kernel matrix; a fit maps
# (kernel, training rows, labels, C) to a scorer of other rows.
Kernel = Callable[[np.ndarray, np.ndarray], np.ndarray]
Fit = Callable[[Kernel, np.ndarray, np.ndarray, "float | None"], Callable[[np.ndarray], np.ndarray]]


def scale_gamma(x: np.ndarray) -> float:
    """scikit-learn's gamma="scale": 1 / (features x variance of x), 1.0 for constant x."""
    variance = float(x.var())
    return 1.0 / (x.shape[1] * variance) if variance > 0 else 1.0


def _sliced(gram: np.ndarray) -> Kernel:
    return lambda rows, cols: gram[np.ix_(rows, cols)]


def _grid(factors: tuple, c_factors: tuple, C: float) -> list[tuple[float, float | None]]:
    return [(f, None if c is None else C * c) for f in factors for c in c_factors]


def _svm_fit(kernel: Kernel, rows: np.ndarray, labels: np.ndarray, C: float | None):
    model = SVC(kernel="precomputed", C=C).fit(kernel(rows, rows), labels[rows])
    return lambda other: model.decision_function(kernel(other, rows))


def _distance_fit(kernel: Kernel, rows: np.ndarray, labels: np.ndarray, C: float | None):
    train = kernel(rows, rows)
    return lambda other: _distance_scores(train, kernel(other, rows), labels[rows])


_FITS: dict[str, Fit] = {"svm": _svm_fit, "distance": _distance_fit}


def _tune(candidates: list, kernels: dict[float, Kernel], fit: Fit, train: np.ndarray, labels: np.ndarray):
    """The (width factor, C) of `candidates` with the best mean AUC over an inner stratified INNER_FOLDS-fold
    split of the training rows `train` only (no shuffling: both sides see the same inner folds); ties go to
    the candidate nearest the untuned one (factor 1, the spec's C). A class with a single row: no inner split,
    the untuned candidate."""
    y = labels[train]
    counts = np.bincount(y)[np.bincount(y) > 0]
    folds = int(min(INNER_FOLDS, counts.min())) if len(counts) >= 2 else 0
    untuned = candidates[len(candidates) // 2]  # grids are symmetric around factor 1 and the spec's C
    if folds < 2:
        return untuned
    splits = list(StratifiedKFold(n_splits=folds).split(np.zeros(len(y)), y))

    def inner_auc(candidate) -> float:
        factor, C = candidate
        aucs = [_auc(y[v], fit(kernels[factor], train[t], labels, C)(train[v]), len(counts)) for t, v in splits]
        mean = float(np.nanmean(aucs)) if not np.all(np.isnan(aucs)) else -np.inf
        return round(mean, 12)

    def distance(candidate) -> float:
        return abs(np.log(candidate[0])) + (0.0 if candidate[1] is None else abs(np.log(candidate[1] / untuned[1])))

    return max(candidates, key=lambda c: (inner_auc(c), -distance(c)))


def _modes(tuning: list[dict[str, float | None]]) -> dict[str, float | None]:
    """`tuned_<name>`: the most frequent value of each tuned parameter over the folds (the first on ties)."""
    keys = tuning[0].keys() if tuning else ()
    return {f"tuned_{k}": Counter(t[k] for t in tuning).most_common(1)[0][0] for k in keys}


def _tuned(model: SVC, C: float, x: np.ndarray, y: np.ndarray) -> SVC:
    """`model` with C picked from C * C_FACTORS by inner 3-fold AUC on (x, y) (plain C if a class is too small).
    For methods outside this module's joint width-and-C tuning (the projected kernel)."""
    counts = np.bincount(y)[np.bincount(y) > 0]
    folds = int(min(3, counts.min())) if len(counts) >= 2 else 0
    if folds < 2:
        return model.set_params(C=C).fit(x, y)

    def scoring(estimator, x_val, y_val):
        return _auc(y_val, estimator.decision_function(x_val), len(counts))

    return GridSearchCV(model, {"C": [C * f for f in C_FACTORS]}, cv=folds, scoring=scoring).fit(x, y)


def _svm_scores(train_gram: np.ndarray, test_gram: np.ndarray, y: np.ndarray, C: float) -> np.ndarray:
    return _tuned(SVC(kernel="precomputed"), C, train_gram, y).decision_function(test_gram)


def _distance_scores(train_gram: np.ndarray, test_gram: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Minus the squared feature-space distance to each class mean: ||phi(x) - mu_c||^2 =
    K(x, x) - 2 mean_j K(x, x_j) + mean_jl K(x_j, x_l) over the class's rows; K(x, x) = 1 for a state."""
    classes = np.unique(y)
    out = np.empty((len(test_gram), len(classes)))
    for c, label in enumerate(classes):
        rows = y == label
        out[:, c] = 2.0 * test_gram[:, rows].mean(axis=1) - train_gram[np.ix_(rows, rows)].mean() - 1.0
    return out


def _device_counts(method: str, s: dict) -> dict[str, float]:
    """Two-qubit gates and depth of one encoding circuit on the device model (absent without qiskit and
    qiskit-ibm-runtime's fake backends)."""
    from qlang.energy.qpu import QpuModelError

    try:
        cnots, depth = _transpiled(method, int(s["qubits"]), int(s.get("reps") or 1), float(s.get("bandwidth") or 1))
    except (ImportError, QpuModelError):
        return {}
    return {"cnots": float(cnots), "depth": float(depth)}


@functools.lru_cache(maxsize=32)
def _transpiled(method: str, qubits: int, reps: int, bandwidth: float) -> tuple[int, int]:
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import StatePreparation

    from qlang.circuits import emit_qiskit
    from qlang.circuits.library import stage_circuits
    from qlang.energy.qpu import transpile_for_duration

    rng = np.random.default_rng(0)  # a generic input: no angle that a transpiler could simplify away
    if method == "amplitude_encoding":
        qc = QuantumCircuit(qubits)
        amplitudes = rng.uniform(0.1, 1.0, 2**qubits)
        qc.append(StatePreparation(amplitudes / np.linalg.norm(amplitudes)), list(range(qubits)))
    else:
        circuit = stage_circuits(method, {"qubits": qubits, "reps": reps, "bandwidth": bandwidth})["feature_map"]
        qc, x, _ = emit_qiskit.build(circuit, "encoding")
        qc = qc.assign_parameters(dict(zip(x, rng.uniform(0.1, np.pi - 0.1, len(x)))))
    out, _, _ = transpile_for_duration(qc, DEVICE_MODEL, add_measurements=False)
    two_qubit = sum(1 for inst in out.data if inst.operation.num_qubits == 2)
    return two_qubit, out.depth()
