"""train: the core training loop."""

from typing import Any

from qlang.catalog.schema import (
    CIRCUITS_AT,
    COSTS_AT,
    MODEL_ROLES,
    QUBITS,
    Entry,
    p_float,
    p_int,
)

LR = p_float("lr", 0.05, 0.0, 10.0, "learning rate", exclusive_min=True)
ITERATIONS = p_int("iterations", 100, 1, 1_000_000, "maximum optimiser steps")
TARGET = p_float("target_loss", 0.3, 0.0, None, "loss to reach")
LAYERS = p_int("layers", 2, 1, 50, "ansatz layers")
METRICS = ("iterations_to_target", "circuits_to_target", "final_loss")
RUN = "qlang.runtime.methods.train:"
# run-time settings: limit None uses every row; metric_rows rows estimate qng's metric; test_size held out;
# qubits and layers shape the model when a baseline runs alone
SETTINGS = {"limit": None, "metric_rows": 32, "qubits": 4, "layers": 2, "test_size": 0.25}
# adam and sgd train the stage's quantum model (its circuits) with another update rule
MODEL: dict[str, Any] = {"roles": MODEL_ROLES, "settings": SETTINGS}


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
        ),
        stage="train",
        family="quantum",
        inputs=("dataset",),
        output="model",
        baselines=("adam", "sgd"),
        metrics=METRICS,
        higher_is_better=False,
        qubits=_q,
        run=RUN + "qng",
        statevector_only=True,  # the Fubini–Study metric from the states at shifted weights
        circuits=CIRCUITS_AT + "model_circuits",
        cost=COSTS_AT + "qng",
        **MODEL,
    ),
    Entry(
        "parameter_shift",
        "method",
        "Plain full-batch gradient descent with parameter-shift gradients.",
        (LR, ITERATIONS, TARGET, QUBITS, LAYERS),
        stage="train",
        family="quantum",
        inputs=("dataset",),
        output="model",
        baselines=("adam", "sgd"),
        metrics=METRICS,
        higher_is_better=False,
        qubits=_q,
        run=RUN + "parameter_shift",
        circuits=CIRCUITS_AT + "model_circuits",
        cost=COSTS_AT + "parameter_shift",
        **MODEL,
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
        run=RUN + "adam",
        cost=COSTS_AT + "parameter_shift",
        **MODEL,
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
        run=RUN + "sgd",
        cost=COSTS_AT + "parameter_shift",
        **MODEL,
    ),
]
