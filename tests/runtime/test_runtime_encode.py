import numpy as np
import pytest
from sklearn.datasets import make_classification

from qlang import catalog
from qlang.runtime.data import Dataset
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.methods import METHODS, MethodContext

ROLES = {"feature_map": "feature_map", "overlap": "overlap"}
CASES = [("amplitude_encoding", {"qubits": 3}), ("angle_encoding", {"qubits": 3, "bandwidth": 0.5}),
         ("zz_feature_map", {"qubits": 3, "reps": 1, "bandwidth": 0.3})]


def separable(n=60, seed=0) -> Dataset:
    x, y = make_classification(n, n_features=6, n_informative=3, class_sep=2.0, n_clusters_per_class=1, random_state=seed)
    return Dataset(None, x, y, ["a", "b"], "separable", "test")


def params_of(method, params, **more):
    return {p.name: p.default for p in catalog.METHODS[method].params} | params | {"folds": 3} | more


@pytest.mark.parametrize("method,params", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("classifier", ["svm", "distance"])
def test_encodings_classify_separable_data_the_same_on_both_targets(real, method, params, classifier):
    full = params_of(method, params, classifier=classifier)
    results = [METHODS[method](MethodContext(real(target, method, full), ROLES, full, seed=1), separable())
               for target in ("qiskit", "pennylane")]
    for r in results:
        assert r.metrics["auc"] > 0.9 and r.metrics["auc_std"] >= 0.0
        assert 0.0 < r.metrics["encoding_fidelity"] <= 1.0 + 1e-9
        assert r.metrics["qubits"] == params["qubits"] and r.metrics["depth"] >= 1
    assert results[0].metrics == pytest.approx(results[1].metrics, abs=1e-9)
    assert results[0].info["tuning"] == results[1].info["tuning"]  # the same bandwidth and C in every fold


def test_device_counts_follow_the_encoding(real):
    angle = params_of("angle_encoding", {"qubits": 3})
    zz = params_of("zz_feature_map", {"qubits": 3, "reps": 2})
    m_angle = METHODS["angle_encoding"](MethodContext(real("pennylane", "angle_encoding", angle), ROLES, angle),
                                        separable()).metrics
    m_zz = METHODS["zz_feature_map"](MethodContext(real("pennylane", "zz_feature_map", zz), ROLES, zz),
                                     separable()).metrics
    assert m_angle["cnots"] == 0 and m_zz["cnots"] >= 2 * 2 * 3  # two CNOTs per pair and repetition


def test_amplitude_encoding_fidelity_is_the_variance_kept(real):
    full = params_of("amplitude_encoding", {"qubits": 3})  # 8 components of 6 features: all variance kept
    ex = real("pennylane", "amplitude_encoding", full)
    r = METHODS["amplitude_encoding"](MethodContext(ex, ROLES, full), separable())
    assert r.metrics["encoding_fidelity"] == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("baseline", ["rbf_svm", "knn", "pca"])
def test_baselines_score_the_same_folds(baseline):
    params = {"qubits": 3, "bandwidth": 1.0, "folds": 3, "k": 5, "C": 1.0, "components": 3}
    r = METHODS[baseline](MethodContext(params=params, seed=1), separable())
    assert r.metrics["auc"] > 0.9
    if baseline != "pca":
        assert r.info["inputs"] == 3
    amplitude_params = {k: v for k, v in params.items() if k != "bandwidth"}  # amplitude_encoding has none
    amplitude = METHODS[baseline](MethodContext(params=amplitude_params | {"qubits": 2}), separable())
    if baseline != "pca":
        assert amplitude.info["inputs"] == 4  # the 2^2 amplitudes its method's circuit takes


def test_too_few_rows_per_class_is_a_diagnostic(real):
    full = params_of("angle_encoding", {"qubits": 2}, folds=5)
    tiny = separable(8)
    with pytest.raises(RuntimeDiagnostic) as caught:
        METHODS["angle_encoding"](MethodContext(real("pennylane", "angle_encoding", full), ROLES, full), tiny)
    assert caught.value.code == "Q706"


def test_multiclass_auc(real):
    x, y = make_classification(90, n_features=5, n_informative=3, n_classes=3, class_sep=2.5, random_state=2)
    data = Dataset(None, x, y, ["a", "b", "c"], "three", "test")
    full = params_of("angle_encoding", {"qubits": 3})
    r = METHODS["angle_encoding"](MethodContext(real("pennylane", "angle_encoding", full), ROLES, full), data)
    assert 0.8 < r.metrics["auc"] <= 1.0
    assert not np.isnan(METHODS["knn"](MethodContext(params=full), data).metrics["auc"])


def test_angle_encoding_from_shots_is_close_to_exact(double):
    exact = params_of("angle_encoding", {"qubits": 2})
    sampled = {**exact, "shots": 4000}
    data = separable(40)
    a = METHODS["angle_encoding"](MethodContext(double(qubits=2), ROLES, exact, seed=1), data)
    b = METHODS["angle_encoding"](MethodContext(double(qubits=2), ROLES, sampled, seed=1), data)
    assert b.info["kernel"] == "4000 shots" and abs(a.metrics["auc"] - b.metrics["auc"]) < 0.1
    assert b.metrics["encoding_fidelity"] == a.metrics["encoding_fidelity"]  # variance kept: no states needed


# ---- tuning (issue 12: the quantum bandwidth and the RBF's gamma get the same budget) -----------------


def bands(n=120, k=4, seed=0) -> Dataset:
    """One feature, uniform on [0, 1), its class alternating over k equal bands: an angle kernel of bandwidth b
    on x in [0, pi] spans {1, cos bx, sin bx}, which separates 4 bands at b = 4 and not at b = 2."""
    x = np.random.default_rng(seed).uniform(0, 1, n)
    return Dataset(None, x[:, None], (np.floor(k * x) % 2).astype(int), ["a", "b"], "bands", "test")


def test_the_bandwidth_is_tuned_where_the_spec_s_is_wrong(real, monkeypatch):
    from qlang.runtime.methods import encode

    full = params_of("angle_encoding", {"qubits": 1, "bandwidth": 2.0})
    ctx = MethodContext(real("pennylane", "angle_encoding", full), ROLES, full, seed=1)
    tuned = METHODS["angle_encoding"](ctx, bands())
    assert [f["bandwidth"] for f in tuned.info["tuning"]["folds"]] == [4.0] * 3
    assert tuned.info["tuning"]["candidates"] == 9 and ctx.ran_with["tuned_bandwidth"] == 4.0
    assert "tuned_C" in ctx.ran_with and tuned.metrics["auc"] > 0.95
    monkeypatch.setattr(encode, "BANDWIDTH_FACTORS", (1.0,))  # the spec's bandwidth alone: clearly wrong here
    fixed = METHODS["angle_encoding"](MethodContext(real("pennylane", "angle_encoding", full), ROLES, full, seed=1),
                                      bands())
    assert fixed.metrics["auc"] < 0.8


def test_the_rbf_gamma_is_tuned_on_the_same_budget(monkeypatch):
    from qlang.runtime.methods import encode

    params = {"qubits": 1, "bandwidth": 1.0, "folds": 3, "C": 1.0}
    ctx = MethodContext(params=params, seed=1)
    tuned = METHODS["rbf_svm"](ctx, bands(k=8))
    assert [f["gamma_factor"] for f in tuned.info["tuning"]["folds"]] == [4.0] * 3
    assert tuned.info["tuning"]["candidates"] == 9 and ctx.ran_with["tuned_gamma_factor"] == 4.0
    assert tuned.metrics["auc"] > 0.95
    monkeypatch.setattr(encode, "GAMMA_FACTORS", (1.0,))  # scikit-learn's "scale" alone: too smooth for 8 bands
    assert METHODS["rbf_svm"](MethodContext(params=params, seed=1), bands(k=8)).metrics["auc"] < 0.8


@pytest.mark.parametrize("method", ["angle_encoding", "rbf_svm"])
def test_tuning_never_sees_a_test_fold(double, monkeypatch, method):
    """Every kernel entry the inner search reads is between rows of the outer training fold, and scrambling
    every other row's label changes no choice."""
    from sklearn.model_selection import StratifiedKFold

    from qlang.runtime.methods import encode

    real_tune, calls = encode._tune, []

    def spying(candidates, kernels, fit, train, labels):
        touched: set = set()

        def spy(kernel):
            def read(rows, cols):
                touched.update(rows, cols)
                return kernel(rows, cols)
            return read

        scrambled = labels.copy()
        others = np.setdiff1d(np.arange(len(labels)), train)
        scrambled[others] = np.random.default_rng(0).integers(0, 2, len(others))
        choice = real_tune(candidates, {f: spy(k) for f, k in kernels.items()}, fit, train, scrambled)
        assert choice == real_tune(candidates, kernels, fit, train, labels)
        calls.append(touched)
        return choice

    monkeypatch.setattr(encode, "_tune", spying)
    params = {"qubits": 2, "bandwidth": 1.0, "folds": 3, "C": 1.0}
    ctx = MethodContext(executor=double(2, 2) if method != "rbf_svm" else None, circuits=ROLES, params=params, seed=1)
    data = separable()
    METHODS[method](ctx, data)
    outer = StratifiedKFold(n_splits=3, shuffle=True, random_state=1).split(data.features, data.labels)
    tests = [set(test.tolist()) for _, test in outer]
    assert len(calls) == 3 and all(touched and not touched & test for touched, test in zip(calls, tests))


@pytest.mark.parametrize("seed", range(6))
def test_the_rank_auc_is_scikit_learn_s_auc_ties_and_all(seed):
    from sklearn.metrics import roc_auc_score

    from qlang.runtime.methods.encode import _auc

    rng = np.random.default_rng(seed)
    for n in (2, 5, 17, 60):
        y = np.r_[0, 1, rng.integers(0, 2, n - 2)]
        tied = rng.integers(-2, 3, n).astype(float)  # many ties: they count half
        for scores in (tied, rng.normal(size=n), rng.normal(size=(n, 2))):
            expected = roc_auc_score(y, scores[:, 1] - scores[:, 0] if scores.ndim == 2 else scores)
            assert _auc(y, scores, 2) == pytest.approx(expected, abs=1e-12)
            assert _auc(1 - y, scores, 2) == pytest.approx(1 - expected, abs=1e-12)
    assert np.isnan(_auc(np.zeros(4, dtype=int), rng.normal(size=4), 2))  # one class: no AUC
