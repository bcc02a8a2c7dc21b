"""encode: pre-processing and encoding, each feeding a quantum-kernel classifier."""

from qlang.catalog.schema import QUBITS, SHOTS, Entry, p_enum, p_float, p_int

CLASSIFIER = p_enum("classifier", ("svm", "distance"), "svm", "precomputed-kernel SVM or nearest class mean fidelity")
FOLDS = p_int("folds", 5, 2, 20, "stratified cross-validation folds")
BANDWIDTH = p_float("bandwidth", 1.0, 0.0, 10.0, "scales the encoded angles", exclusive_min=True)
METRICS = ("qubits", "cnots", "depth", "encoding_fidelity", "auc")
BASELINES = ("rbf_svm", "knn", "pca")


def _q(params):
    return params.get("qubits")


def _method(name, summary, extra=()):
    return Entry(
        name,
        "method",
        summary,
        (QUBITS, *extra, CLASSIFIER, FOLDS, SHOTS),
        stage="encode",
        family="quantum",
        inputs=("dataset",),
        output="dataset",
        baselines=BASELINES,
        metrics=METRICS,
        primary="auc",
        qubits=_q,
        runnable=True,
    )


ENTRIES = [
    _method(
        "amplitude_encoding",
        "Amplitude encoding: 2^qubits features as the amplitudes of a state "
        "(its fidelity kernel is the squared cosine similarity — say so when comparing).",
    ),
    _method("angle_encoding", "Angle encoding: one feature per qubit as an RY rotation.", (BANDWIDTH,)),
    _method(
        "zz_feature_map",
        "ZZ (IQP) feature map with pairwise ZZ interactions.",
        (p_int("reps", 2, 1, 16, "repetitions of the map"), BANDWIDTH),
    ),
    Entry(
        "rbf_svm",
        "method",
        "SVM with an RBF kernel, bandwidth tuned on the same budget.",
        (p_float("C", 1.0, 0.0, None, "regularisation", exclusive_min=True), FOLDS),
        stage="encode",
        inputs=("dataset",),
        output="dataset",
        metrics=("auc",),
        runnable=True,
    ),
    Entry(
        "knn",
        "method",
        "k-nearest neighbours.",
        (p_int("k", 5, 1, 1000, "neighbours"), FOLDS),
        stage="encode",
        inputs=("dataset",),
        output="dataset",
        metrics=("auc",),
        runnable=True,
    ),
    Entry(
        "pca",
        "method",
        "Principal components to the same dimension, then a linear classifier.",
        (p_int("components", 8, 1, 4096, "components kept"), FOLDS),
        stage="encode",
        inputs=("dataset",),
        output="dataset",
        metrics=("auc",),
        runnable=True,
    ),
]
