"""Stage methods by name: each is `run(ctx: MethodContext, data: Dataset) -> MethodResult`."""

from __future__ import annotations

from collections.abc import Callable

from qlang.runtime.methods import curate, finetune, lowrank, train
from qlang.runtime.methods.context import MethodContext, MethodResult

METHODS: dict[str, Callable[[MethodContext, object], MethodResult]] = {
    "quantum_kmeans": curate.quantum_kmeans,
    "kmeans": curate.kmeans,
    "hybrid_qnn_head": finetune.hybrid_qnn_head,
    "logistic_regression": finetune.logistic_regression,
    "svm": finetune.svm,
    "mlp": finetune.mlp,
    "qng": train.qng,
    "parameter_shift": train.parameter_shift,
    "adam": train.adam,
    "sgd": train.sgd,
    "quantum_distillation": finetune.quantum_distillation,
    "quantum_inspired_lowrank": lowrank.quantum_inspired_lowrank,
    "truncated_svd": lowrank.truncated_svd,
}

# Circuit roles a quantum method asks its executor for.
ROLES: dict[str, tuple[str, ...]] = {
    "quantum_kmeans": ("feature_map", "overlap"),
    "hybrid_qnn_head": ("model",),
    "qng": ("model",),
    "parameter_shift": ("model",),
    "adam": ("model",),  # the hybrid model of the stage's method (adam and sgd are baselines of qng)
    "sgd": ("model",),
    "quantum_distillation": ("model",),
}


# Classical optimisers that train a quantum model: they need circuits, the method itself is not quantum.
CLASSICAL_TRAINERS = {"adam", "sgd"}


def is_quantum(name: str) -> bool:
    return name in ROLES and name not in CLASSICAL_TRAINERS


__all__ = ["METHODS", "ROLES", "MethodContext", "MethodResult", "is_quantum"]
