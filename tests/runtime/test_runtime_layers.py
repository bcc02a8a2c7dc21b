"""Architect: a variational layer against a parameter-matched dense layer."""

import pytest

from qlang.runtime.data import breast_cancer
from qlang.runtime.methods import METHODS, MethodContext
from qlang.runtime.methods.layers import matched_units

PARAMS = {"qubits": 2, "layers": 2, "epochs": 3, "folds": 2, "limit": 40, "lr": 0.05}


@pytest.mark.parametrize("target", ["qiskit", "pennylane"])
def test_hybrid_layer_and_its_parameter_matched_dense_baseline(target, real):
    executor = real(target, "hybrid_layer", PARAMS)
    quantum = METHODS["hybrid_layer"](MethodContext(executor, {"model": "model"}, PARAMS, seed=0), breast_cancer())
    dense = METHODS["dense_layer"](MethodContext(params={**PARAMS, "units": 8}, seed=0), breast_cancer())
    assert quantum.metrics["n_parameters"] == 2 * 2 * 2 + 2 * 2 + 2  # circuit weights + readout
    # units 8 yields to the match: the closest width (each unit is q + 1 + C = 5 parameters)
    assert abs(dense.metrics["n_parameters"] - quantum.metrics["n_parameters"]) <= 2.5
    assert dense.output == {"layer": "dense", "units": 2, "qubits": 2}
    assert quantum.output == {"layer": "variational", "qubits": 2, "layers": 2}
    assert 0.0 <= quantum.metrics["accuracy"] <= 1.0


def test_dense_layer_alone_uses_its_units():
    result = METHODS["dense_layer"](MethodContext(params={"units": 3, "epochs": 2, "folds": 2, "limit": 40}),
                                    breast_cancer())
    assert result.output["units"] == 3


def test_matched_units_minimise_the_parameter_gap():
    for q, layers, classes in [(2, 2, 2), (4, 3, 3), (6, 1, 10)]:
        quantum = 2 * layers * q + q * classes + classes
        dense = lambda h: q * h + h + h * classes + classes
        best = matched_units(q, layers, classes)
        assert all(abs(dense(best) - quantum) <= abs(dense(h) - quantum) for h in range(1, 50))
