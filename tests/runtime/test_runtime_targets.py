"""The methods against the real Qiskit and PennyLane executors."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from qlang.runtime.data import Dataset, breast_cancer, wine
from qlang.runtime.methods import METHODS, MethodContext
from qlang.runtime.methods.parameter_shift import expvals_and_jacobian

TARGETS = ["qiskit", "pennylane"]
ROLES = {"feature_map": "feature_map", "overlap": "overlap"}


def blobs(n: int) -> Dataset:
    x, y = make_blobs(n, n_features=6, centers=3, cluster_std=0.6, center_box=(-8, 8), random_state=0)
    return Dataset(None, x, y, ["a", "b", "c"], "blobs", "test")


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("encoding", ["angle", "amplitude"])
def test_quantum_kmeans_recovers_blobs(real, target, encoding):
    params = {"qubits": 2, "encoding": encoding}
    result = METHODS["quantum_kmeans"](MethodContext(real(target, "quantum_kmeans", params), ROLES, params), blobs(60))
    assert result.metrics["ari"] > 0.9


@pytest.mark.parametrize("target", TARGETS)
def test_sampled_kernel_is_close_to_exact(real, target):
    params = {"qubits": 2, "limit": 30}
    exact = METHODS["quantum_kmeans"](MethodContext(real(target, "quantum_kmeans", params), ROLES, params), wine())
    ctx = MethodContext(real(target, "quantum_kmeans", params), ROLES, {**params, "shots": 4000})
    sampled = METHODS["quantum_kmeans"](ctx, wine())
    assert abs(sampled.info["kernel_offdiagonal_mean"] - exact.info["kernel_offdiagonal_mean"]) < 0.01


@pytest.mark.parametrize("target", TARGETS)
def test_parameter_shift_equals_finite_differences(real, target):
    executor = real(target, "hybrid_qnn_head", {"qubits": 2, "layers": 2})
    rng = np.random.default_rng(0)
    x, w = rng.uniform(-1.5, 1.5, (3, 2)), rng.uniform(-np.pi, np.pi, 8)
    _, jacobian = expvals_and_jacobian(executor, "model", x, w)
    eps = 1e-5
    for k in range(8):
        step = np.eye(8)[k] * eps
        numeric = (executor.expvals("model", x, w + step) - executor.expvals("model", x, w - step)) / (2 * eps)
        assert np.allclose(jacobian[:, :, k], numeric, atol=1e-6)


def test_both_targets_give_the_same_metrics(real):
    kmeans_params = {"qubits": 2, "limit": 60}
    head_params = {"qubits": 2, "layers": 1, "epochs": 2, "folds": 2, "limit": 60, "refit": False}
    metrics = []
    for target in TARGETS:
        curate = MethodContext(real(target, "quantum_kmeans", kmeans_params), ROLES, kmeans_params, seed=3)
        head = MethodContext(real(target, "hybrid_qnn_head", head_params), {"model": "model"}, head_params, seed=3)
        metrics.append(
            (METHODS["quantum_kmeans"](curate, wine()).metrics, METHODS["hybrid_qnn_head"](head, breast_cancer()).metrics)
        )
    for first, second in zip(*metrics):
        assert first.keys() == second.keys()
        assert all(np.isclose(first[key], second[key], atol=1e-6) for key in first)
