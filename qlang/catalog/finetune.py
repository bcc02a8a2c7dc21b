"""finetune: fine-tuning and distillation of a head on frozen embeddings."""

from qlang.catalog.schema import QUBITS, SHOTS, Entry, p_float, p_int

FOLDS = p_int("folds", 5, 2, 20, "stratified cross-validation folds")
EPOCHS = p_int("epochs", 30, 1, 100_000, "training epochs")
LR = p_float("lr", 0.05, 0.0, 10.0, "learning rate", exclusive_min=True)
LAYERS = p_int("layers", 2, 1, 50, "re-uploading layers")
METRICS = ("accuracy", "accuracy_std", "f1", "n_parameters")
BASELINES = ("logistic_regression", "svm", "mlp")


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
        runnable=True,
        qubits=_q,
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
            SHOTS,
        ),
        stage="finetune",
        family="quantum",
        inputs=("dataset", "model"),
        output="model",
        baselines=("mlp",),
        metrics=METRICS,
        runnable=True,
        qubits=_q,
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
        runnable=True,
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
        runnable=True,
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
        runnable=True,
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
        runnable=True,
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
        runnable=True,
    ),
]
