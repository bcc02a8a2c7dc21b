"""Stage methods by name: each is `run(ctx: MethodContext, data: Dataset) -> MethodResult`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qlang.runtime.methods import curate, dedup, encode, finetune, hpo, layers, lowrank, monitor, prune, train
from qlang.runtime.methods.context import MethodContext, MethodResult

METHODS: dict[str, Callable[[MethodContext, Any], MethodResult]] = {  # each takes its input stage's output
    "quantum_kmeans": curate.quantum_kmeans,
    "kmeans": curate.kmeans,
    "hybrid_qnn_head": finetune.hybrid_qnn_head,
    "logistic_regression": finetune.logistic_regression,
    "svm": finetune.svm,
    "mlp": finetune.mlp,
    "amplitude_encoding": encode.amplitude_encoding,
    "angle_encoding": encode.angle_encoding,
    "zz_feature_map": encode.zz_feature_map,
    "rbf_svm": encode.rbf_svm,
    "knn": encode.knn,
    "pca": encode.pca,
    "quantum_dedup": dedup.quantum_dedup,
    "cosine_dedup": dedup.cosine_dedup,
    "quantum_kernel_mmd": monitor.quantum_kernel_mmd,
    "rbf_mmd": monitor.rbf_mmd,
    "ks_test": monitor.ks_test,
    "quantum_ocsvm": monitor.quantum_ocsvm,
    "rbf_ocsvm": monitor.rbf_ocsvm,
    "isolation_forest": monitor.isolation_forest,
    "qng": train.qng,
    "parameter_shift": train.parameter_shift,
    "adam": train.adam,
    "sgd": train.sgd,
    "quantum_distillation": finetune.quantum_distillation,
    "quantum_inspired_lowrank": lowrank.quantum_inspired_lowrank,
    "truncated_svd": lowrank.truncated_svd,
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
    "amplitude_encoding": ("feature_map", "overlap"),
    "angle_encoding": ("feature_map", "overlap"),
    "zz_feature_map": ("feature_map", "overlap"),
    "quantum_dedup": ("feature_map", "overlap"),
    "quantum_kernel_mmd": ("feature_map", "overlap"),
    "quantum_ocsvm": ("feature_map", "overlap"),
    "qng": ("model",),
    "parameter_shift": ("model",),
    "adam": ("model",),  # the hybrid model of the stage's method (adam and sgd are baselines of qng)
    "sgd": ("model",),
    "quantum_distillation": ("model",),
    "qaoa_pruning": ("qaoa",),
    "quantum_hpo": ("qaoa",),
    "hybrid_layer": ("model",),
}


def is_quantum(name: str) -> bool:
    """The catalog's answer (a method with circuit roles, such as adam training a quantum model, may be
    classical)."""
    from qlang import catalog

    return name in catalog.METHODS and catalog.METHODS[name].is_quantum


__all__ = ["METHODS", "ROLES", "MethodContext", "MethodResult", "is_quantum"]
