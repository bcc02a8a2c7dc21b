"""encode: pre-processing and encoding, each feeding a quantum-kernel classifier."""

from qlang.catalog.schema import (
    CIRCUITS_AT,
    COSTS_AT,
    KERNEL_ROLES,
    QUBITS,
    SHOTS,
    Entry,
    p_enum,
    p_float,
    p_int,
)

CLASSIFIER = p_enum("classifier", ("svm", "distance"), "svm", "precomputed-kernel SVM or nearest class mean fidelity")
FOLDS = p_int("folds", 5, 2, 20, "stratified cross-validation folds")
BANDWIDTH = p_float(
    "bandwidth", 1.0, 0.0, 10.0, "scales the encoded angles; x0.5, x1 and x2 of it tuned with C", exclusive_min=True
)
METRICS = ("qubits", "cnots", "depth", "encoding_fidelity", "auc", "accuracy")
BASELINES = ("rbf_svm", "knn", "pca")
RUN = "qlang.runtime.methods.encode:"
# run-time settings: limit None uses every row; C is the quantum SVM's regularisation; a baseline's qubits None
# means the same reduced dimension as its method's encoding
QUANTUM_SETTINGS = {"limit": None, "C": 1.0}
BASELINE_SETTINGS = {"limit": None, "qubits": None}


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
        run=RUN + name,
        roles=KERNEL_ROLES,
        circuits=CIRCUITS_AT + f"{name}_circuits",
        cost=COSTS_AT + name,
        settings=QUANTUM_SETTINGS,
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
        "SVM with an RBF kernel, gamma (x0.25, x1, x4 of scikit-learn's 'scale') tuned with C on the same budget.",
        (p_float("C", 1.0, 0.0, None, "regularisation", exclusive_min=True), FOLDS),
        stage="encode",
        inputs=("dataset",),
        output="dataset",
        metrics=("auc", "accuracy"),
        run=RUN + "rbf_svm",
        cost=COSTS_AT + "rbf_svm",
        settings=BASELINE_SETTINGS,
    ),
    Entry(
        "knn",
        "method",
        "k-nearest neighbours.",
        (p_int("k", 5, 1, 1000, "neighbours"), FOLDS),
        stage="encode",
        inputs=("dataset",),
        output="dataset",
        metrics=("auc", "accuracy"),
        run=RUN + "knn",
        cost=COSTS_AT + "knn",
        settings=BASELINE_SETTINGS,
    ),
    Entry(
        "pca",
        "method",
        "Principal components to the same dimension, then a linear classifier.",
        (p_int("components", 8, 1, 4096, "components kept"), FOLDS),
        stage="encode",
        inputs=("dataset",),
        output="dataset",
        metrics=("auc", "accuracy"),
        run=RUN + "pca",
        cost=COSTS_AT + "pca",
        settings={"limit": None},
    ),
]
