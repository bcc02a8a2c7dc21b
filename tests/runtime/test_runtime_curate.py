import numpy as np
import pytest
from sklearn.datasets import make_blobs

from qlang.runtime.data import Dataset, wine
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.methods import METHODS, MethodContext
from qlang.runtime.methods.kernel_kmeans import kernel_kmeans

ROLES = {"feature_map": "feature_map", "overlap": "overlap"}


def blobs(n=90, seed=0) -> Dataset:
    x, y = make_blobs(n, n_features=6, centers=3, cluster_std=0.6, center_box=(-8, 8), random_state=seed)
    return Dataset(None, x, y, ["a", "b", "c"], "blobs", "test")


def test_kernel_kmeans_on_a_linear_kernel_matches_the_blobs():
    data = blobs()
    labels, objective = kernel_kmeans(data.features @ data.features.T, 3, 5, 100, np.random.default_rng(0))
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(data.labels, labels) > 0.99
    assert objective > 0


def test_quantum_kmeans_recovers_blobs_with_one_states_call(double):
    executor = double(qubits=3)
    result = METHODS["quantum_kmeans"](MethodContext(executor, ROLES, {"qubits": 3}, seed=1), blobs())
    assert result.metrics["ari"] > 0.9
    assert result.metrics["kept_fraction"] == 1.0 and result.metrics["n"] == 90
    assert executor.calls == [("states", "feature_map", 90)]
    assert result.output.clusters.shape == (90,)


def test_quantum_kmeans_from_shots_upper_triangle(double):
    executor = double(qubits=3)
    ctx = MethodContext(executor, ROLES, {"qubits": 3, "shots": 2000}, seed=1)
    result = METHODS["quantum_kmeans"](ctx, blobs(40))
    assert result.metrics["ari"] > 0.9
    assert sum(rows for method, _, rows in executor.calls if method == "probs") == 40 * 39 // 2


def test_kmeans_baseline_on_the_same_features():
    result = METHODS["kmeans"](MethodContext(params={"qubits": 3}), blobs())
    assert result.metrics["ari"] > 0.9
    assert result.info["inputs"] == 3


def test_same_seed_same_metrics(double):
    ctx = lambda: MethodContext(double(qubits=2), ROLES, {"qubits": 2, "shots": 200, "limit": 40}, seed=5)
    first = METHODS["quantum_kmeans"](ctx(), wine())
    second = METHODS["quantum_kmeans"](ctx(), wine())
    assert first.metrics == second.metrics


def test_circuit_that_disagrees_with_the_stage_is_reported(double):
    with pytest.raises(RuntimeDiagnostic) as caught:
        METHODS["quantum_kmeans"](MethodContext(double(qubits=2), ROLES, {"qubits": 3}), blobs())
    assert caught.value.code == "Q707"
    with pytest.raises(RuntimeDiagnostic) as caught:
        METHODS["quantum_kmeans"](MethodContext(None, ROLES, {"qubits": 3}), blobs())
    assert caught.value.code == "Q707"


def test_bad_parameters_are_reported():
    with pytest.raises(RuntimeDiagnostic) as caught:
        METHODS["kmeans"](MethodContext(params={"encoding": "ampltude"}), blobs())
    assert caught.value.code == "Q706"
