"""finetune: fine-tuning and distillation of a head on frozen embeddings."""

from qlang.catalog.schema import (
    CIRCUITS_AT,
    COSTS_AT,
    MODEL_ROLES,
    QUBITS,
    Entry,
    p_float,
    p_int,
)

FOLDS = p_int("folds", 5, 2, 20, "stratified cross-validation folds")
EPOCHS = p_int("epochs", 30, 1, 100_000, "training epochs")
LR = p_float("lr", 0.05, 0.0, 10.0, "learning rate", exclusive_min=True)
LAYERS = p_int("layers", 2, 1, 50, "re-uploading layers")
METRICS = ("accuracy", "accuracy_std", "f1", "n_parameters")
BASELINES = ("logistic_regression", "svm", "mlp")
RUN = "qlang.runtime.methods.finetune:"
LOWRANK = "qlang.runtime.methods.lowrank:"
# Run-time settings. limit None: every row; n: a stratified subsample. refit: after cross-validation, train
# on all rows and output that model (False: output None). A baseline compresses to its method's qubits.
QNN_SETTINGS = {"limit": None, "refit": True}
# examples_per_class (few-shot; None: every training row): a baseline inherits it from its method.
SHOTS_PER_CLASS = {"examples_per_class": None}
# compress False: the full embedding, z-scored (the finetune stage's reference row, what one would do anyway)
LOGISTIC_SETTINGS = {"qubits": 4, "max_iter": 1000, "limit": None, "refit": True, "compress": True, **SHOTS_PER_CLASS}
SVM_SETTINGS = {"qubits": 4, "limit": None, "refit": True, **SHOTS_PER_CLASS}
MLP_SETTINGS = {
    "qubits": 4,
    "lr": 0.01,
    "batch_size": 32,
    "limit": None,
    "refit": True,
    "temperature": None,
    **SHOTS_PER_CLASS,
}
# quantum_distillation: the teacher is logistic regression with this C on the full features.
DISTILL_SETTINGS = {"limit": None, "refit": True, "batch_size": 32, "teacher_C": 1.0, **SHOTS_PER_CLASS}
# ranks: the extra ranks reported beside `rank`; C: the downstream logistic regression's
LOWRANK_RANKS = (4, 8, 16)  # the ranks every low-rank method also reports, besides its own
LOWRANK_SETTINGS = {"limit": None, "ranks": LOWRANK_RANKS, "folds": 5, "C": 1.0}


def _q(params):
    return params.get("qubits")


ENTRIES = [
    Entry(
        "hybrid_qnn_head",
        "method",
        "Frozen sentence embeddings → compression to `qubits` angles → a data re-uploading circuit → "
        "an optional encoder of RY and CNOT blocks with growing entanglement range → a data re-uploading head → "
        "⟨Z⟩ readout → a linear layer; trained by Adam with exact circuit gradients (parameter shift, or the "
        "target's autograd). `examples_per_class` makes it few-shot: each training fold keeps that many rows "
        "per class (the baselines inherit it).",
        (
            QUBITS,
            LAYERS,
            EPOCHS,
            LR,
            p_int("batch_size", 32, 1, 1_000_000, "rows per optimiser step", nullable=True),
            FOLDS,
            p_int("encoder_layers", 0, 0, 50, "RY + CNOT encoder blocks before the re-uploading head"),
            p_int(
                "examples_per_class",
                None,
                1,
                1_000_000,
                "training rows per class in each fold (few-shot)",
                nullable=True,
            ),
        ),
        stage="finetune",
        family="quantum",
        inputs=("dataset",),
        output="model",
        baselines=BASELINES,
        metrics=METRICS,
        qubits=_q,
        run=RUN + "hybrid_qnn_head",
        roles=MODEL_ROLES,
        circuits=CIRCUITS_AT + "qnn_head_circuits",
        cost=COSTS_AT + "hybrid_qnn_head",
        settings=QNN_SETTINGS,
    ),
    Entry(
        "quantum_distillation",
        "method",
        "A teacher (logistic regression on the full features, per training fold) distilled into the hybrid "
        "re-uploading head by matching its soft labels at `temperature`; the `mlp` baseline inherits "
        "`temperature` and becomes the classical student of the same teacher.",
        (
            QUBITS,
            LAYERS,
            EPOCHS,
            LR,
            p_float("temperature", 2.0, 0.0, 100.0, "softmax temperature", exclusive_min=True),
            FOLDS,
        ),
        stage="finetune",
        family="quantum",
        inputs=("dataset", "model"),
        output="model",
        baselines=("mlp",),
        metrics=METRICS,
        qubits=_q,
        run=RUN + "quantum_distillation",
        roles=MODEL_ROLES,
        circuits=CIRCUITS_AT + "model_circuits",
        cost=COSTS_AT + "quantum_distillation",
        settings=DISTILL_SETTINGS,
    ),
    Entry(
        "quantum_inspired_lowrank",
        "method",
        "Length-squared (FKV/Tang) sampling low-rank approximation of the feature matrix — quantum-inspired, "
        "runs classically; Frobenius error, time and downstream logistic-regression accuracy at `rank` and at "
        "ranks 4, 8, 16.",
        (p_int("rank", 8, 1, 4096, "target rank"), p_int("samples", 64, 1, 1_000_000, "sampled rows/columns"), FOLDS),
        stage="finetune",
        family="quantum-inspired",
        inputs=("dataset", "model"),
        output="model",
        baselines=("truncated_svd",),
        metrics=("frobenius_error", "accuracy", "time_s"),
        higher_is_better=False,
        run=LOWRANK + "quantum_inspired_lowrank",
        cost=COSTS_AT + "lowrank",
        settings=LOWRANK_SETTINGS,
    ),
    Entry(
        "logistic_regression",
        "method",
        "L2-regularised logistic regression on the same compressed features.",
        (p_float("C", 1.0, 0.0, None, "inverse regularisation", exclusive_min=True), FOLDS),
        stage="finetune",
        inputs=("dataset",),
        output="model",
        metrics=METRICS,
        run=RUN + "logistic_regression",
        cost=COSTS_AT + "logistic_regression",
        settings=LOGISTIC_SETTINGS,
    ),
    Entry(
        "svm",
        "method",
        "RBF support-vector classifier on the same compressed features.",
        (p_float("C", 1.0, 0.0, None, "", exclusive_min=True), FOLDS),
        stage="finetune",
        inputs=("dataset",),
        output="model",
        metrics=METRICS,
        run=RUN + "svm",
        cost=COSTS_AT + "svm",
        settings=SVM_SETTINGS,
    ),
    Entry(
        "mlp",
        "method",
        "A one-hidden-layer tanh perceptron (Adam, mini-batches of 32) on the same compressed "
        "features; set `hidden` to match the quantum head's parameter count.",
        (p_int("hidden", 8, 1, 4096, "hidden units"), EPOCHS, FOLDS),
        stage="finetune",
        inputs=("dataset",),
        output="model",
        metrics=METRICS,
        run=RUN + "mlp",
        cost=COSTS_AT + "mlp",
        settings=MLP_SETTINGS,
    ),
    Entry(
        "truncated_svd",
        "method",
        "Truncated SVD at the same rank.",
        (p_int("rank", 8, 1, 4096, "target rank"),),
        stage="finetune",
        inputs=("dataset", "model"),
        output="model",
        metrics=("frobenius_error", "accuracy", "time_s"),
        higher_is_better=False,
        run=LOWRANK + "truncated_svd",
        cost=COSTS_AT + "truncated_svd",
        settings=LOWRANK_SETTINGS,
    ),
]
