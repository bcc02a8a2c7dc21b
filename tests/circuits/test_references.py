"""Families against independent definitions: Qiskit's ZZFeatureMap, PennyLane's
StronglyEntanglingLayers, and a numpy QAOA state (all through the protocol's executors)."""

from __future__ import annotations

import numpy as np
import pennylane as qml
import pytest
from qiskit.circuit.library import zz_feature_map
from qiskit.quantum_info import Statevector

from qlang.circuits import library as lib

TOL = 1e-9


@pytest.mark.parametrize("n", [2, 3, 4])
def test_zz_map_is_qiskit_zz_feature_map_up_to_global_phase(executor, n):
    x = np.random.default_rng(n).uniform(-np.pi, np.pi, (2, n))
    states = executor("qiskit", "aer_simulator", {"zz": lib.zz_map(n, reps=2)}).states(
        "zz", x, None
    )
    for row, state in zip(x, states):
        qc = zz_feature_map(n, reps=2)
        reference = Statevector(qc.assign_parameters(row)).reverse_qargs().data
        assert abs(np.vdot(reference, state)) == pytest.approx(1.0, abs=TOL)


@pytest.mark.parametrize("n,layers", [(1, 2), (2, 2), (3, 3)])
def test_strongly_entangling_is_pennylane_template(executor, n, layers):
    weights = np.random.default_rng(n).uniform(-np.pi, np.pi, (layers, n, 3))
    ex = executor("pennylane", "default.qubit", {"se": lib.strongly_entangling(n, layers)})
    ours = ex.states("se", None, weights.reshape(-1))[0]

    @qml.qnode(qml.device("default.qubit", wires=n))
    def template():
        qml.StronglyEntanglingLayers(weights, wires=range(n))
        return qml.state()

    np.testing.assert_allclose(ours, template(), atol=TOL)


def _qaoa_state(n, linear, quadratic, gammas, betas):
    bits = (np.arange(2**n)[:, None] >> (n - 1 - np.arange(n))) & 1  # wire 0 = MSB
    z = 1 - 2 * bits
    cost = z @ np.asarray(linear, float)
    for (i, j), c in quadratic.items():
        cost = cost + c * z[:, i] * z[:, j]
    state = np.full(2**n, 2 ** (-n / 2), dtype=complex)
    rx = lambda beta: np.array(
        [[np.cos(beta), -1j * np.sin(beta)], [-1j * np.sin(beta), np.cos(beta)]]
    )
    for gamma, beta in zip(gammas, betas):
        state = np.exp(-1j * gamma * cost) * state
        mixer = np.array([[1.0]])
        for _ in range(n):
            mixer = np.kron(mixer, rx(beta))
        state = mixer @ state
    return state


@pytest.mark.parametrize("target", [("qiskit", "aer_simulator"), ("pennylane", "default.qubit")])
def test_qaoa_is_exp_of_ising_cost_and_x_mixer(executor, target):
    n, p = 3, 2
    linear, quadratic = [0.5, -1.0, 0.25], {(0, 1): 0.7, (0, 2): -0.3, (1, 2): 1.1}
    weights = np.array([0.4, -0.9, 0.3, 1.2])  # gamma_1, gamma_2, beta_1, beta_2
    ex = executor(*target, {"q": lib.qaoa(n, p, linear, quadratic)})
    expected = _qaoa_state(n, linear, quadratic, weights[:p], weights[p:])
    np.testing.assert_allclose(ex.states("q", None, weights)[0], expected, atol=TOL)
