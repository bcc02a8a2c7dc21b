"""Deploy: pruning the hidden units of a trained MLP head (QUBO solved by QAOA, annealing) and its baselines."""

import numpy as np
import pytest
import torch

from qlang.runtime.data import breast_cancer
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.methods import METHODS, MethodContext
from qlang.runtime.methods.prune import prune_head, pruning_qubo, repair
from qlang.runtime.qubo import QUBO, solve_exact

MLP = {"hidden": 6, "epochs": 30, "folds": 2, "limit": 80, "qubits": 4, "refit": True}
PRUNE = {"keep": 0.5, "units": 6, "qaoa_layers": 1, "repeats": 2, "maxiter": 20, "candidates": 8, "restarts": 1}


@pytest.fixture(scope="module")
def model():
    return METHODS["mlp"](MethodContext(params=MLP, seed=0), breast_cancer()).output


def _check_pruned(result, model, k=3):
    out = result.output
    first, _, last = out.head.model
    assert first.out_features == k and last.in_features == k and len(result.info["kept_units"]) == k
    assert result.metrics["parameters_removed"] == model.head.n_parameters - out.head.n_parameters
    assert result.metrics["parameters_removed"] == (6 - k) * (4 + 1 + 2)  # incoming row, bias, outgoing column
    features = model.reducer.transform(np.random.default_rng(0).normal(size=(5, 30)))
    assert out.head.predict_proba(features).shape == (5, 2)  # the pruned model still runs
    for key in ("accuracy_drop", "accuracy_drop_recovered", "latency_ms", "energy_per_inference"):
        assert np.isfinite(result.metrics[key])


def test_prune_head_removes_exactly_the_dropped_units(model):
    kept = np.array([0, 2, 5])
    pruned = prune_head(model.head, kept)
    x = torch.from_numpy(np.random.default_rng(1).normal(size=(7, 4)))
    masked = [m for m in __import__("copy").deepcopy(model.head.model)]
    with torch.no_grad():
        drop = [i for i in range(6) if i not in kept]
        masked[2].weight[:, drop] = 0.0  # a dropped unit contributes nothing downstream
        expected = masked[2](masked[1](masked[0](x)))
        np.testing.assert_allclose(pruned.model(x).numpy(), expected.numpy(), atol=1e-12)
    assert pruned.n_parameters == model.head.n_parameters - 3 * 7
    assert model.head.model[0].out_features == 6  # the original is untouched


@pytest.mark.parametrize("method", ["magnitude_pruning", "greedy_taylor", "annealing_pruning"])
def test_classical_pruners_keep_k_units(model, method):
    result = METHODS[method](MethodContext(params={**PRUNE, "reads": 20}, seed=0), model)
    _check_pruned(result, model)
    assert 0.0 <= result.metrics["approximation_ratio"] <= 1.0


def test_annealing_finds_the_exact_subset(model):
    result = METHODS["annealing_pruning"](MethodContext(params={**PRUNE, "reads": 50}, seed=0), model)
    assert result.metrics["approximation_ratio"] == pytest.approx(1.0)
    assert result.info["kept_units"] == result.info["exact_units"]


@pytest.mark.parametrize("target", ["qiskit", "pennylane"])
def test_qaoa_pruning_runs_on_both_targets(model, target, real):
    params = {**PRUNE, "mixer": "xy", "shots": None}
    executor = real(target, "qaoa_pruning", params)
    result = METHODS["qaoa_pruning"](MethodContext(executor, {"qaoa": "qaoa"}, params, seed=0), model)
    _check_pruned(result, model)
    assert result.metrics["feasibility"] == pytest.approx(1.0)  # the XY mixer never leaves k = 3
    assert result.metrics["approximation_ratio"] > 0.8
    assert result.metrics["p_optimum"] > 1 / 20  # 20 subsets of size 3: better than uniform


def test_int8_quantization_removes_nothing_and_still_runs(model):
    result = METHODS["int8_quantization"](MethodContext(params=PRUNE, seed=0), model)
    assert result.metrics["parameters_removed"] == 0
    assert abs(result.metrics["accuracy_drop"]) <= 0.1
    assert result.output.predict(np.zeros((3, 30))).shape == (3,)


def test_a_model_without_hidden_units_is_a_diagnostic():
    logistic = METHODS["logistic_regression"](MethodContext(params={**MLP, "folds": 2}, seed=0), breast_cancer())
    for method in ("magnitude_pruning", "int8_quantization", "annealing_pruning"):
        with pytest.raises(RuntimeDiagnostic) as caught:
            METHODS[method](MethodContext(params=PRUNE), logistic.output)
        assert caught.value.code == "Q706" and "prunable hidden units" in caught.value.message
    with pytest.raises(RuntimeDiagnostic) as caught:
        METHODS["greedy_taylor"](MethodContext(params=PRUNE), breast_cancer())
    assert caught.value.code == "Q706" and "its input is a Dataset" in caught.value.message


def test_units_must_match_the_model(model):
    with pytest.raises(RuntimeDiagnostic) as caught:
        METHODS["annealing_pruning"](MethodContext(params={**PRUNE, "units": 8}), model)
    assert "6 hidden units" in caught.value.message


def test_the_penalty_makes_every_wrong_size_worse():
    rng = np.random.default_rng(0)
    importance = rng.uniform(0.1, 1, 7)
    redundancy = np.abs(np.corrcoef(rng.normal(size=(7, 20))))
    np.fill_diagonal(redundancy, 0)
    constrained, penalised, _, _ = pruning_qubo(importance / importance.max(), redundancy, 3, 0.5)
    free = QUBO(penalised.linear, penalised.quadratic, penalised.offset)  # no constraint: only the penalty
    best = solve_exact(free)
    assert best.x.sum() == 3 and best.value == pytest.approx(solve_exact(constrained).value)
    assert repair(np.ones(7), importance, 3).sum() == 3 and repair(np.zeros(7), importance, 3).sum() == 3
