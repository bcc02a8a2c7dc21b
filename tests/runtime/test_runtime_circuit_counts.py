"""The plan's circuit counts against the circuits a run executes, per method: the cost models in
qlang/catalog/costs.py count `circuit_rows` (one circuit on one input) and `executor_calls` (batched calls,
plus SETUP_CALLS for building a real simulator's circuits) from the parameters; the numpy statevector
double in tests/runtime records every call the runtime makes."""

import numpy as np
import pytest

from qlang.catalog import METHODS as CATALOG
from qlang.catalog import costs
from qlang.runtime.data import breast_cancer
from qlang.runtime.methods import METHODS, ROLES, MethodContext

HEAD = {"qubits": 2, "layers": 2, "epochs": 2, "folds": 3, "batch_size": 8, "encoder_layers": 0, "lr": 0.05}
TRAIN = {"qubits": 2, "layers": 2, "iterations": 3, "target_loss": 0.0, "lr": 0.1}
CASES = {
    "head": ("hybrid_qnn_head", HEAD),
    "head, 4 per class": ("hybrid_qnn_head", {**HEAD, "examples_per_class": 4}),
    "head, 8 per class": ("hybrid_qnn_head", {**HEAD, "examples_per_class": 8}),
    "head, full batch, 2 folds": ("hybrid_qnn_head", {**HEAD, "batch_size": None, "folds": 2}),
    "distillation, 6 per class": ("quantum_distillation", {**HEAD, "examples_per_class": 6}),
    "angle kernel": ("angle_encoding", {"qubits": 2, "folds": 3}),
    "angle kernel, 50 shots": ("angle_encoding", {"qubits": 2, "folds": 3, "shots": 50}),
    "angle kernel, distance": ("angle_encoding", {"qubits": 2, "folds": 3, "classifier": "distance"}),
    "zz kernel, 50 shots": ("zz_feature_map", {"qubits": 2, "folds": 3, "shots": 50}),
    "amplitude kernel, 50 shots": ("amplitude_encoding", {"qubits": 2, "folds": 3, "shots": 50}),
    "kmeans, exact": ("quantum_kmeans", {"qubits": 2, "clusters": 2, "encoding": "angle"}),
    "kmeans, 100 shots": ("quantum_kmeans", {"qubits": 2, "clusters": 2, "encoding": "angle", "shots": 100}),
    "mmd, exact": ("quantum_kernel_mmd", {"qubits": 2, "window": 6, "trials": 3}),
    "mmd, 50 shots": ("quantum_kernel_mmd", {"qubits": 2, "window": 6, "trials": 3, "shots": 50}),
    "one-class svm, exact": ("quantum_ocsvm", {"qubits": 2}),
    "one-class svm, 50 shots": ("quantum_ocsvm", {"qubits": 2, "shots": 50}),
    "parameter shift": ("parameter_shift", {**TRAIN}),
    "qng": ("qng", {**TRAIN}),
}


def balanced(data, per_class: int):
    """The first `per_class` rows of each class: a monitor's cost model assumes balanced classes (the normal
    class of an anomaly split is the most frequent one)."""
    rows = np.concatenate([np.flatnonzero(data.labels == c)[:per_class] for c in np.unique(data.labels)])
    return data.subset(np.sort(rows))


@pytest.mark.parametrize("case", sorted(CASES))
def test_planned_circuits_are_the_circuits_run(case, double):
    name, params = CASES[case]
    data = balanced(breast_cancer(), 24)
    executor = double(4 if name == "amplitude_encoding" else 2, 2)  # 2^2 amplitudes: a 4-input stand-in (shots only: its states are not unit vectors of x)
    ctx = MethodContext(executor=executor, circuits={r: r for r in ROLES[name]}, params=params, seed=0)
    METHODS[name](ctx, data)
    work = costs.COSTS[name]({p.name: p.default for p in CATALOG[name].params} | params, len(data), data.n_classes)
    # a training loop's gradients: this executor cannot differentiate inside torch, so parameter shifts
    passes = work.gradient.calls if work.gradient is not None else 0
    assert work.circuits == sum(rows for _, _, rows in executor.calls)
    assert work.executor_calls + passes == pytest.approx(len(executor.calls) + costs.SETUP_CALLS, abs=0.5)
    if work.shots is not None and set(work.qpu_circuits) == {"overlap"}:  # the QPU runs what was sampled
        assert work.qpu_circuits["overlap"] == work.circuit_rows


def test_each_tuned_bandwidth_is_its_own_kernel():
    # issue 12: the bandwidth is tuned (x0.5, x1, x2), each a different feature map and Gram matrix; amplitude
    # encoding has no bandwidth
    full = {p.name: p.default for p in CATALOG["angle_encoding"].params} | {"qubits": 4, "folds": 5}
    angle = costs.COSTS["angle_encoding"](full, 100, 2).qpu_circuits["overlap"]
    amplitude = costs.COSTS["amplitude_encoding"](full, 100, 2).qpu_circuits["overlap"]
    assert amplitude == 100 * 99 / 2 and angle == 3 * amplitude


def test_few_shot_shrinks_the_estimate():
    # issue 12: k = 8, 32 and 128 got identical estimates
    full = {p.name: p.default for p in CATALOG["hybrid_qnn_head"].params} | HEAD
    rows = [costs.hybrid_qnn_head({**full, "examples_per_class": k}, 600, 2).circuits for k in (8, 32, 128)]
    assert rows[0] < rows[1] < rows[2] < costs.hybrid_qnn_head(full, 600, 2).circuits
    flops = [costs.logistic_regression({"folds": 3, "examples_per_class": k}, 600, 2).flops for k in (8, 128)]
    assert flops[0] < flops[1]
