"""train: the core training loop."""

from qlang.catalog.schema import QUBITS, SHOTS, Entry, p_float, p_int

LR = p_float("lr", 0.05, 0.0, 10.0, "learning rate", exclusive_min=True)
ITERATIONS = p_int("iterations", 100, 1, 1_000_000, "maximum optimiser steps")
TARGET = p_float("target_loss", 0.3, 0.0, None, "loss to reach")
LAYERS = p_int("layers", 2, 1, 50, "ansatz layers")
METRICS = ("iterations_to_target", "circuits_to_target", "final_loss")


def _q(params):
    return params.get("qubits")


ENTRIES = [
    Entry(
        "qng",
        "method",
        "Quantum natural gradient with a block-diagonal (per layer) Fubini–Study metric "
        "(regularised) on a data re-uploading classifier; the readout takes plain gradient steps.",
        (
            LR,
            ITERATIONS,
            TARGET,
            QUBITS,
            LAYERS,
            p_float("regularization", 1e-3, 0.0, 1.0, "added to the metric"),
            SHOTS,
        ),
        stage="train",
        family="quantum",
        inputs=("dataset",),
        output="model",
        baselines=("adam", "sgd"),
        metrics=METRICS,
        higher_is_better=False,
        runnable=True,
        qubits=_q,
    ),
    Entry(
        "parameter_shift",
        "method",
        "Plain full-batch gradient descent with parameter-shift gradients.",
        (LR, ITERATIONS, TARGET, QUBITS, LAYERS, SHOTS),
        stage="train",
        family="quantum",
        inputs=("dataset",),
        output="model",
        baselines=("adam", "sgd"),
        metrics=METRICS,
        higher_is_better=False,
        runnable=True,
        qubits=_q,
    ),
    Entry(
        "adam",
        "method",
        "Adam on the same hybrid model and loss (a baseline of qng and parameter_shift).",
        (LR, ITERATIONS, TARGET),
        stage="train",
        inputs=("dataset",),
        output="model",
        metrics=METRICS,
        higher_is_better=False,
        runnable=True,
    ),
    Entry(
        "sgd",
        "method",
        "Full-batch gradient descent with momentum on the same hybrid model and loss.",
        (LR, ITERATIONS, TARGET, p_float("momentum", 0.0, 0.0, 1.0, "momentum")),
        stage="train",
        inputs=("dataset",),
        output="model",
        metrics=METRICS,
        higher_is_better=False,
        runnable=True,
    ),
]
