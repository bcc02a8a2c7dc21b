"""Stage methods by name: each is `run(ctx: MethodContext, data: Dataset) -> MethodResult`."""

from __future__ import annotations

from collections.abc import Callable

from qlang.runtime.methods import curate, finetune, hpo, layers, prune
from qlang.runtime.methods.context import MethodContext, MethodResult

METHODS: dict[str, Callable[[MethodContext, object], MethodResult]] = {
    "quantum_kmeans": curate.quantum_kmeans,
    "kmeans": curate.kmeans,
    "hybrid_qnn_head": finetune.hybrid_qnn_head,
    "logistic_regression": finetune.logistic_regression,
    "svm": finetune.svm,
    "mlp": finetune.mlp,
    "qaoa_pruning": prune.qaoa_pruning,
    "annealing_pruning": prune.annealing_pruning,
    "magnitude_pruning": prune.magnitude_pruning,
    "greedy_taylor": prune.greedy_taylor,
    "int8_quantization": prune.int8_quantization,
    "quantum_hpo": hpo.quantum_hpo,
    "random_search": hpo.random_search,
    "tpe": hpo.tpe,
    "fmqa_exact": hpo.fmqa_exact,
    "fmqa_annealing": hpo.fmqa_annealing,
    "hybrid_layer": layers.hybrid_layer,
    "dense_layer": layers.dense_layer,
}

# Circuit roles a quantum method asks its executor for.
ROLES: dict[str, tuple[str, ...]] = {
    "quantum_kmeans": ("feature_map", "overlap"),
    "hybrid_qnn_head": ("model",),
    "qaoa_pruning": ("qaoa",),
    "quantum_hpo": ("qaoa",),
    "hybrid_layer": ("model",),
}


def is_quantum(name: str) -> bool:
    return name in ROLES


__all__ = ["METHODS", "ROLES", "MethodContext", "MethodResult", "is_quantum"]
