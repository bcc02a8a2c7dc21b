import numpy as np
import pytest
import torch

from qlang.runtime.data import breast_cancer, vader_lexicon
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.methods import METHODS, MethodContext, is_quantum
from qlang.runtime.methods.parameter_shift import QuantumExpvals, expvals_and_jacobian

SMALL = {"qubits": 3, "epochs": 8, "folds": 3, "limit": 120, "refit": False}


def test_parameter_shift_equals_finite_differences(double):
    executor = double(qubits=3, layers=2)
    rng = np.random.default_rng(0)
    x, w = rng.uniform(-1.5, 1.5, (5, 3)), rng.uniform(-np.pi, np.pi, 12)
    values, jacobian = expvals_and_jacobian(executor, "model", x, w)
    assert [c[0] for c in executor.calls] == ["expvals"] and executor.calls[0][2] == 5 * 25
    assert np.allclose(values, executor.expvals("model", x, w))
    eps = 1e-6
    for k in range(12):
        step = np.eye(12)[k] * eps
        numeric = (executor.expvals("model", x, w + step) - executor.expvals("model", x, w - step)) / (2 * eps)
        assert np.allclose(jacobian[:, :, k], numeric, atol=1e-7)


def test_autograd_through_the_circuit_matches_finite_differences(double):
    executor = double(qubits=2, layers=1)
    rng = np.random.default_rng(1)
    x, w = rng.uniform(-1, 1, (4, 2)), rng.uniform(-np.pi, np.pi, 4)
    readout = torch.tensor(rng.normal(size=(2, 2)))
    target = torch.tensor([0, 1, 1, 0])

    def loss(weights):
        z = QuantumExpvals.apply(weights, x, executor, "model")
        return torch.nn.functional.cross_entropy(z @ readout, target)

    weights = torch.tensor(w, requires_grad=True)
    loss(weights).backward()
    eps = 1e-6
    numeric = [(loss(torch.tensor(w + e)) - loss(torch.tensor(w - e))).item() / (2 * eps) for e in np.eye(4) * eps]
    assert np.allclose(weights.grad.numpy(), numeric, atol=1e-7)


def test_hybrid_head_beats_chance_on_breast_cancer(double):
    ctx = MethodContext(double(qubits=3, layers=2), {"model": "model"}, SMALL, seed=0)
    result = METHODS["hybrid_qnn_head"](ctx, breast_cancer())
    majority = np.bincount(breast_cancer().labels).max() / 569
    assert result.metrics["accuracy"] > majority + 0.15
    assert result.metrics["n_parameters"] == 12 + 3 * 2 + 2
    baseline = METHODS["logistic_regression"](MethodContext(params=SMALL, seed=0), breast_cancer())
    assert baseline.metrics["accuracy"] > majority + 0.15
    assert baseline.metrics["n_parameters"] == 3 + 1


def test_same_seed_same_metrics(double):
    run = lambda: METHODS["hybrid_qnn_head"](
        MethodContext(double(qubits=2, layers=1), {"model": "model"}, {**SMALL, "qubits": 2, "epochs": 3}, seed=7),
        breast_cancer(),
    ).metrics
    assert run() == run()


def test_refit_outputs_a_classifier(double):
    executor = double(qubits=2, layers=1)
    params = {**SMALL, "qubits": 2, "epochs": 8, "refit": True}
    result = METHODS["hybrid_qnn_head"](MethodContext(executor, {"model": "model"}, params), breast_cancer())
    from qlang.runtime.encoder import features_of

    data = breast_cancer().sample(120, 0)
    predicted = result.output.predict(features_of(data))
    assert predicted.shape == (120,) and (predicted == data.labels).mean() > 0.7


def test_too_many_folds_is_a_diagnostic():
    with pytest.raises(RuntimeDiagnostic) as caught:
        METHODS["logistic_regression"](MethodContext(params={"folds": 5, "limit": 8}), breast_cancer())
    assert caught.value.code == "Q706"


def test_registry():
    from qlang import catalog

    assert {"quantum_kmeans", "kmeans", "hybrid_qnn_head", "logistic_regression"} <= set(METHODS)
    assert set(METHODS) == {name for name, e in catalog.METHODS.items() if e.runnable}  # the catalog says what runs
    assert is_quantum("hybrid_qnn_head") and not is_quantum("kmeans")


@pytest.mark.minilm
def test_text_pipeline_on_vader_words(double):
    data = vader_lexicon(limit=40, seed=0)
    ctx = MethodContext(double(qubits=2, layers=1), {"model": "model"}, {**SMALL, "qubits": 2, "epochs": 2, "folds": 2})
    assert 0.0 <= METHODS["hybrid_qnn_head"](ctx, data).metrics["accuracy"] <= 1.0
    result = METHODS["kmeans"](MethodContext(params={"qubits": 2}), data)
    assert result.metrics["n"] == 40
