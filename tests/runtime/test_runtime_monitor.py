import numpy as np
import pytest

from qlang import catalog
from qlang.runtime.data import Dataset
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.methods import METHODS, MethodContext
from qlang.runtime.methods.monitor import mmd2_unbiased, permutation_pvalue

ROLES = {"feature_map": "feature_map", "overlap": "overlap"}


def params_of(method, **more):
    return {p.name: p.default for p in catalog.METHODS[method].params} | more


def gaussian(n=200, d=2, seed=0, anomalies=0) -> Dataset:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    labels = np.zeros(n, dtype=int)
    if anomalies:
        x[:anomalies] += 6.0
        labels[:anomalies] = 1
    return Dataset(None, x, labels, ["normal", "anomaly"] if anomalies else ["all"], "gaussian", "test")


def test_unbiased_mmd_matches_the_formula():
    rng = np.random.default_rng(0)
    gram = rng.random((7, 7))
    gram = gram + gram.T
    first = np.array([[True, True, True, False, False, False, False]])
    x, y = slice(0, 3), slice(3, 7)

    def mean_off_diagonal(k):
        return (k.sum() - np.trace(k)) / (len(k) * (len(k) - 1))

    expected = mean_off_diagonal(gram[x, x]) + mean_off_diagonal(gram[y, y]) - 2 * gram[x, y].mean()
    assert mmd2_unbiased(gram, first)[0] == pytest.approx(expected)


def test_permutation_pvalues_are_uniform_under_the_null():
    rng = np.random.default_rng(1)
    pvalues = []
    for _ in range(200):
        z = rng.normal(size=(20, 2))
        gram = np.exp(-((z[:, None] - z[None]) ** 2).sum(-1) / 2)
        pvalues.append(permutation_pvalue(gram, 10, 99, rng))
    assert 0.02 <= np.mean(np.array(pvalues) <= 0.05) <= 0.09
    assert 0.4 <= np.mean(pvalues) <= 0.6


@pytest.mark.parametrize("method", ["quantum_kernel_mmd", "rbf_mmd", "ks_test"])
def test_drift_tests_hold_their_level_and_detect_a_clear_shift(double, method):
    params = params_of(method, window=30, alpha=0.05, qubits=2, trials=40, shift=1.5, permutations=99)
    ctx = MethodContext(double(qubits=2) if method.startswith("quantum") else None, ROLES, params, seed=3)
    result = METHODS[method](ctx, gaussian(400))
    assert result.metrics["type1_error"] <= 0.15
    assert result.metrics["power"] >= 0.9


@pytest.mark.parametrize("target", ["qiskit", "pennylane"])
def test_quantum_kernel_mmd_is_the_same_on_both_targets_and_with_shots(real, target, double):
    params = params_of("quantum_kernel_mmd", window=10, qubits=2, trials=4, shift=1.5, permutations=50)
    exact = METHODS["quantum_kernel_mmd"](MethodContext(real(target, "quantum_kernel_mmd", params), ROLES, params,
                                                        seed=5), gaussian(60))
    reference = METHODS["quantum_kernel_mmd"](MethodContext(double(qubits=2), ROLES, params, seed=5), gaussian(60))
    assert exact.metrics == reference.metrics and exact.info["bandwidth"] == reference.info["bandwidth"]
    sampled = METHODS["quantum_kernel_mmd"](MethodContext(double(qubits=2), ROLES, {**params, "shots": 2000},
                                                          seed=5), gaussian(60))
    assert sampled.metrics["power"] >= 0.75 and sampled.info["kernel"] == "2000 shots"


@pytest.mark.parametrize("target", ["qiskit", "pennylane"])
def test_quantum_ocsvm_finds_far_anomalies(real, target):
    params = params_of("quantum_ocsvm", qubits=2, nu=0.1)
    ctx = MethodContext(real(target, "quantum_ocsvm", params), ROLES, params, seed=2)
    result = METHODS["quantum_ocsvm"](ctx, gaussian(120, anomalies=30))
    assert result.metrics["auroc"] > 0.9 and result.metrics["average_precision"] > 0.5


@pytest.mark.parametrize("baseline", ["rbf_ocsvm", "isolation_forest"])
def test_anomaly_baselines_find_far_anomalies(baseline):
    params = params_of(baseline, qubits=2) | {"nu": 0.1}
    result = METHODS[baseline](MethodContext(params=params, seed=2), gaussian(120, anomalies=30))
    # an isolation forest isolates every row beyond the training range at the same depth, the normal
    # extremes included, so it ranks far anomalies no higher than them
    assert result.metrics["auroc"] > (0.85 if baseline == "isolation_forest" else 0.9)


def test_window_larger_than_the_data_is_a_diagnostic(double):
    params = params_of("quantum_kernel_mmd", window=64, qubits=2)
    with pytest.raises(RuntimeDiagnostic) as caught:
        METHODS["quantum_kernel_mmd"](MethodContext(double(qubits=2), ROLES, params), gaussian(40))
    assert caught.value.code == "Q706" and "window" in str(caught.value)


def test_quantum_ocsvm_from_shots(double):
    params = params_of("quantum_ocsvm", qubits=2, nu=0.1, shots=3000)
    result = METHODS["quantum_ocsvm"](MethodContext(double(qubits=2), ROLES, params, seed=2),
                                      gaussian(80, anomalies=20))
    assert result.metrics["auroc"] > 0.85 and result.info["kernel"] == "3000 shots"
