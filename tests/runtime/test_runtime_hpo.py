"""Architect: FMQA (QAOA, exact, annealing), random search and TPE over a search space, on a tiny space."""

import numpy as np
import pytest

from qlang import spaces
from qlang.runtime.data import builtin_dataset
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.methods import METHODS, MethodContext
from qlang.runtime.methods.hpo import Encoding, FactorisationMachine
from qlang.runtime.qubo import QUBO, solve_exact
from qlang.runtime.qubo.model import bit_table
from qlang.spaces import Choice

TINY = (Choice("C", (0.01, 0.1, 1.0, 10.0)), Choice("qubits", (2, 4)))  # 3 + 1 bits, 8 configurations
PARAMS = {"evaluations": 5, "objective": "logistic_regression", "space": "tiny", "qaoa_layers": 1, "shots": None,
          "limit": 60, "folds": 2, "maxiter": 15, "candidates": 8, "restarts": 1, "fm_steps": 100}
SEARCHERS = ["random_search", "tpe", "fmqa_exact", "fmqa_annealing"]


@pytest.fixture(autouse=True)
def tiny_space(monkeypatch):
    monkeypatch.setitem(spaces.SPACES, "tiny", {"logistic_regression": TINY})


@pytest.fixture(scope="module")
def wine():
    return builtin_dataset("wine")


def test_encoding_round_trips_and_its_penalty_marks_exactly_the_invalid_bitstrings():
    enc = Encoding((Choice("a", (1, 2, 3, 4)), Choice("b", ("x", "y", "z"), ordinal=False), Choice("c", (0, 1))))
    assert enc.n == 3 + 3 + 1 and len(enc.configs) == 24
    assert {enc.decode(enc.encode(c)) for c in enc.configs} == set(enc.configs)
    linear, quadratic, offset = enc.penalty()
    penalty = QUBO(linear, quadratic, offset).energies()
    valid = np.array([enc.decode(b) is not None for b in bit_table(enc.n)])
    assert valid.sum() == 24
    assert np.allclose(penalty[valid], 0.0) and (penalty[~valid] >= 1.0).all()
    assert enc.decode(np.array([0, 1, 0, 1, 0, 0, 0])) is None  # a broken domain wall


def test_factorisation_machine_recovers_a_quadratic_function():
    rng = np.random.default_rng(0)
    truth = QUBO.from_matrix(rng.normal(size=(5, 5)))
    x = bit_table(5).astype(float)
    fm = FactorisationMachine(5, 5, 0.0, 1500, 0).fit(x, truth.energies())
    fitted = QUBO(*fm.qubo_terms())
    assert np.corrcoef(fitted.energies(), truth.energies())[0, 1] > 0.95
    assert np.array_equal(solve_exact(fitted).x, solve_exact(truth).x)


def _check_search(result, evaluations=5):
    configs = result.info["configs"]
    assert len(configs) == len(result.info["scores"]) == evaluations  # the budget, exactly
    assert all(c["C"] in TINY[0].values and c["qubits"] in TINY[1].values for c in configs)
    assert result.metrics["best_score"] == max(result.info["scores"])
    assert result.info["curve"] == list(np.maximum.accumulate(result.info["scores"]))
    assert 1 <= result.metrics["evaluations_to_best"] <= evaluations
    assert result.output["C"] in TINY[0].values


@pytest.mark.parametrize("method", SEARCHERS)
def test_classical_searchers_respect_the_budget_and_the_space(method, wine):
    result = METHODS[method](MethodContext(params=PARAMS, seed=0), wine)
    _check_search(result)
    if method != "tpe":  # TPE may propose a configuration again (it still costs one evaluation)
        assert len({tuple(c.values()) for c in result.info["configs"]}) == 5


@pytest.mark.parametrize("target", ["qiskit", "pennylane"])
def test_quantum_hpo_runs_on_both_targets(target, wine, real):
    executor = real(target, "quantum_hpo", PARAMS)
    assert executor.shape("qaoa").n_wires == 4
    result = METHODS["quantum_hpo"](MethodContext(executor, {"qaoa": "qaoa"}, PARAMS, seed=0), wine)
    _check_search(result)
    assert len({tuple(c.values()) for c in result.info["configs"]}) == 5
    assert 0.0 <= result.metrics["approximation_ratio"] <= 1.0
    assert result.info["solves"] == 5 - result.info["initial"]


def test_same_seed_same_search(wine):
    run = lambda: METHODS["fmqa_annealing"](MethodContext(params=PARAMS, seed=3), wine).info["scores"]
    assert run() == run()


def test_bad_search_settings_are_diagnostics(wine):
    for bad in ({"space": "nope"}, {"evaluations": 9}, {"objective": "hybrid_qnn_head"}):
        with pytest.raises(RuntimeDiagnostic) as caught:
            METHODS["random_search"](MethodContext(params={**PARAMS, **bad}), wine)
        assert caught.value.code == "Q706", bad
