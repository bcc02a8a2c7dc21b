"""deploy: inference and deployment — pruning as a QUBO."""

from typing import Any

from qlang.catalog.schema import (
    CIRCUITS_AT,
    COSTS_AT,
    QAOA_ROLES,
    SHOTS,
    Entry,
    Param,
    p_enum,
    p_int,
)

KEEP = Param(
    "keep", "float", 0.5, "fraction of units kept (0–1, or a percentage such as 50 %)", 0.0, 1.0, exclusive_min=True
)
METRICS = ("accuracy_drop", "accuracy_drop_recovered", "parameters_removed", "latency_ms", "energy_per_inference")
SUBSET_METRICS = (*METRICS, "approximation_ratio")  # pruners that choose a subset: its QUBO value against exact
RUN = "qlang.runtime.methods.prune:"
# Run-time settings of every pruner: the calibration share of the rows (the rest evaluates); the redundancy
# weight of the QUBO; timed inference passes; QAOA's COBYLA restarts, iterations and random candidate angles;
# sampled reads of the QAOA solution.
SETTINGS: dict[str, Any] = {
    "calibration": 0.5,
    "redundancy": 0.5,
    "repeats": 3,
    "restarts": 3,
    "maxiter": 60,
    "candidates": 32,
    "reads": 256,
}


def _refs(name):
    return {"run": RUN + name, "cost": COSTS_AT + name, "settings": SETTINGS}


def _units(params):
    return params.get("units")


ENTRIES = [
    Entry(
        "qaoa_pruning",
        "method",
        "Choose which units to keep: a QUBO of Taylor importance − activation redundancy + a cardinality "
        "penalty, solved by QAOA.",
        (
            KEEP,
            p_int("units", 12, 2, 30, "units considered (one qubit each)"),
            p_int("qaoa_layers", 2, 1, 10, "QAOA depth p"),
            p_enum(
                "mixer", ("xy", "x"), "xy", "QAOA mixer: xy keeps exactly k units (Dicke start); x needs the penalty"
            ),
            SHOTS,
        ),
        stage="deploy",
        family="quantum",
        inputs=("model",),
        output="model",
        baselines=("magnitude_pruning", "greedy_taylor", "int8_quantization", "annealing_pruning"),
        metrics=(*SUBSET_METRICS, "p_optimum", "feasibility"),
        higher_is_better=False,
        qubits=_units,
        roles=QAOA_ROLES,
        circuits=CIRCUITS_AT + "qaoa_pruning_circuits",
        **_refs("qaoa_pruning"),
    ),
    Entry(
        "annealing_pruning",
        "method",
        "The same pruning QUBO solved by simulated annealing.",
        (KEEP, p_int("units", 12, 2, 4096, "units considered"), p_int("reads", 100, 1, 100_000, "annealing reads")),
        stage="deploy",
        inputs=("model",),
        output="model",
        baselines=("magnitude_pruning", "greedy_taylor", "int8_quantization"),
        metrics=SUBSET_METRICS,
        higher_is_better=False,
        **_refs("annealing_pruning"),
    ),
    Entry(
        "magnitude_pruning",
        "method",
        "Keep the units with the largest weight norms.",
        (KEEP,),
        stage="deploy",
        inputs=("model",),
        output="model",
        metrics=SUBSET_METRICS,
        higher_is_better=False,
        **_refs("magnitude_pruning"),
    ),
    Entry(
        "greedy_taylor",
        "method",
        "Keep units greedily by first-order Taylor importance.",
        (KEEP,),
        stage="deploy",
        inputs=("model",),
        output="model",
        metrics=SUBSET_METRICS,
        higher_is_better=False,
        **_refs("greedy_taylor"),
    ),
    Entry(
        "int8_quantization",
        "method",
        "torch dynamic int8 quantization.",
        (),
        stage="deploy",
        inputs=("model",),
        output="model",
        metrics=METRICS,
        higher_is_better=False,
        **_refs("int8_quantization"),
    ),
]
