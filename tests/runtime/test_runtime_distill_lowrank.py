import numpy as np
import pytest

from qlang.runtime.data import breast_cancer
from qlang.runtime.methods import METHODS, MethodContext
from qlang.runtime.methods.lowrank import length_squared_basis, svd_basis

DISTILL = {"qubits": 2, "layers": 1, "epochs": 6, "lr": 0.1, "temperature": 2.0, "folds": 2, "limit": 60,
           "refit": False, "hidden": 2}


@pytest.mark.parametrize("target", ["pennylane", "qiskit"])
def test_quantum_student_learns_from_the_teacher(real, target):
    ctx = MethodContext(real(target, "quantum_distillation", DISTILL), {"model": "model"}, DISTILL, seed=0)
    result = METHODS["quantum_distillation"](ctx, breast_cancer())
    majority = np.bincount(breast_cancer().labels).max() / 569
    assert result.metrics["teacher_accuracy"] > majority + 0.2
    assert result.metrics["accuracy"] > majority + 0.1
    assert result.metrics["n_parameters"] == 4 + 2 * 2 + 2


def test_classical_student_inherits_the_temperature_and_the_teacher():
    distilled = METHODS["mlp"](MethodContext(params=DISTILL, seed=0), breast_cancer()).metrics
    plain = METHODS["mlp"](MethodContext(params={**DISTILL, "temperature": None}, seed=0), breast_cancer()).metrics
    assert "teacher_accuracy" in distilled and "teacher_accuracy" not in plain
    assert distilled["n_parameters"] == plain["n_parameters"] == 2 * 2 + 2 + 2 * 2 + 2


def test_length_squared_sampling_approaches_the_svd():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(400, 6)) @ rng.normal(size=(6, 50)) + 0.01 * rng.normal(size=(400, 50))
    error = lambda v: np.linalg.norm(a - a @ v @ v.T) / np.linalg.norm(a)  # noqa: E731
    optimum = error(svd_basis(a, 6))
    sampled = error(length_squared_basis(a, 6, 60, rng))
    assert optimum < 0.01 and optimum <= sampled < 0.05
    assert error(length_squared_basis(a, 3, 60, rng)) > 0.2  # rank 3 of a rank-6 matrix cannot be close


@pytest.mark.parametrize("method", ["quantum_inspired_lowrank", "truncated_svd"])
def test_lowrank_reports_every_rank(method):
    params = {"rank": 8, "samples": 64, "folds": 3, "limit": 150}
    m = METHODS[method](MethodContext(params=params, seed=1), breast_cancer()).metrics
    assert {f"accuracy_r{k}" for k in (4, 8, 16)} <= set(m) and m["accuracy"] == m["accuracy_r8"]
    assert m["frobenius_error_r16"] < m["frobenius_error_r8"] < m["frobenius_error_r4"] < 1
    assert m["accuracy"] > 0.8
