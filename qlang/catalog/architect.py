"""architect: initialisation and architecture search."""

from typing import Any

from qlang.catalog.finetune import EPOCHS, FOLDS, LR
from qlang.catalog.schema import (
    CIRCUITS_AT,
    COSTS_AT,
    MODEL_ROLES,
    QAOA_ROLES,
    QUBITS,
    SHOTS,
    Entry,
    p_enum,
    p_int,
)
from qlang.spaces import SPACES, encoded_bits

EVALUATIONS = p_int("evaluations", 30, 2, 10_000, "objective evaluations (the same budget for every searcher)")
OBJECTIVE = p_enum(
    "objective",
    ("logistic_regression", "svm", "mlp"),
    "logistic_regression",
    "the model whose cross-validated accuracy is maximised",
)
SPACE = p_enum("space", tuple(SPACES), "default", "the search space, a named preset (see qlang/spaces.py)")
METRICS = ("best_score", "evaluations_to_best")
LAYER_METRICS = ("accuracy", "accuracy_std", "f1", "n_parameters")
HPO = "qlang.runtime.methods.hpo:"
LAYERS = "qlang.runtime.methods.layers:"
# Run-time settings of every searcher: folds of each evaluation's cross-validation; limit None uses every row;
# initial random evaluations before the surrogate (None: a quarter, at least 2); the factorisation machine's
# rank, steps and L2; QAOA's COBYLA restarts, random candidate angles and iterations; sampled reads of the
# solution, and simulated-annealing reads of fmqa_annealing.
HPO_SETTINGS: dict[str, Any] = {
    "folds": 3,
    "limit": None,
    "initial": None,
    "fm_rank": 4,
    "fm_steps": 300,
    "fm_l2": 0.01,
    "restarts": 1,
    "candidates": 16,
    "maxiter": 30,
    "reads": 256,
    "anneal_reads": 100,
}
# `layers` reaches dense_layer only as hybrid_layer's baseline
LAYER_SETTINGS = {"qubits": 4, "batch_size": 32, "limit": None, "refit": False}


def matched_units(qubits: int, layers: int, classes: int) -> int:
    """The dense width whose parameters (q h + h + h C + C) come closest to the variational layer's
    (2 L q circuit weights + q C + C readout)."""
    quantum = 2 * layers * qubits + qubits * classes + classes
    return max(1, round((quantum - classes) / (qubits + 1 + classes)))


def _bits(params):
    try:
        return encoded_bits(params.get("space") or "default", params.get("objective") or "logistic_regression")
    except ValueError:  # a space or objective the checks reject anyway
        return None


def _search(name, summary, params=(), family="classical", metrics=METRICS):
    return Entry(
        name,
        "method",
        summary,
        (EVALUATIONS, OBJECTIVE, SPACE, *params),
        stage="architect",
        family=family,
        inputs=("dataset",),
        output="config",
        metrics=metrics,
        run=HPO + name,
        cost=COSTS_AT + name,
        settings=HPO_SETTINGS,
    )


ENTRIES = [
    Entry(
        "quantum_hpo",
        "method",
        "FMQA: a factorisation-machine surrogate of the evaluated configurations becomes a QUBO solved by QAOA; "
        "the best bitstrings are evaluated and the loop repeats.",
        (EVALUATIONS, OBJECTIVE, SPACE, p_int("qaoa_layers", 2, 1, 10, "QAOA depth p"), SHOTS),
        stage="architect",
        family="quantum",
        inputs=("dataset",),
        output="config",
        baselines=("random_search", "tpe", "fmqa_exact", "fmqa_annealing"),
        metrics=(*METRICS, "approximation_ratio"),
        qubits=_bits,
        run=HPO + "quantum_hpo",
        roles=QAOA_ROLES,
        circuits=CIRCUITS_AT + "hpo_circuits",
        cost=COSTS_AT + "quantum_hpo",
        settings=HPO_SETTINGS,
    ),
    Entry(
        "hybrid_layer",
        "method",
        "Insert a variational layer (data re-uploading circuit + linear readout) after the compressed features; "
        "compared with a parameter-matched dense layer, both scored by stratified k-fold accuracy.",
        (QUBITS, p_int("layers", 2, 1, 20, "ansatz layers"), EPOCHS, LR, FOLDS),
        stage="architect",
        family="quantum",
        inputs=("dataset",),
        output="config",
        baselines=("dense_layer",),
        metrics=LAYER_METRICS,
        qubits=lambda p: p.get("qubits"),
        run=LAYERS + "hybrid_layer",
        roles=MODEL_ROLES,
        circuits=CIRCUITS_AT + "model_circuits",
        cost=COSTS_AT + "hybrid_layer",
        settings=LAYER_SETTINGS,
    ),
    _search("random_search", "Uniform random search over the same space (no configuration twice)."),
    _search("tpe", "Tree-structured Parzen estimator (optuna, seeded)."),
    _search("fmqa_exact", "The FMQA loop with the QUBO solved by exhaustive enumeration."),
    _search(
        "fmqa_annealing",
        "The FMQA loop with the QUBO solved by simulated annealing.",
        metrics=(*METRICS, "approximation_ratio"),
    ),
    Entry(
        "dense_layer",
        "method",
        "A tanh dense layer in its place, as wide as matches the variational layer's "
        "parameter count when it is hybrid_layer's baseline (else `units`).",
        (p_int("units", 8, 1, 4096, "width"), EPOCHS, LR, FOLDS),
        stage="architect",
        inputs=("dataset",),
        output="config",
        metrics=LAYER_METRICS,
        run=LAYERS + "dense_layer",
        cost=COSTS_AT + "dense_layer",
        settings=LAYER_SETTINGS,
    ),
]
