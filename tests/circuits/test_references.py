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


def _xy_ring_matrix(n, beta):
    """exp(-i beta (XX + YY)) on (i, i+1 mod n) in turn, as a dense matrix (wire 0 = MSB)."""
    x, y, eye = np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.eye(2)
    pairs = [(0, 1)] if n == 2 else [(i, (i + 1) % n) for i in range(n)]
    total = np.eye(2**n, dtype=complex)
    for i, j in pairs:
        def on(a, b):
            out = np.array([[1.0]])
            for wire in range(n):
                out = np.kron(out, a if wire == i else b if wire == j else eye)
            return out
        generator = on(x, x) + on(y, y)
        values, vectors = np.linalg.eigh(generator)
        total = (vectors @ np.diag(np.exp(-1j * beta * values)) @ vectors.conj().T) @ total
    return total


@pytest.mark.parametrize("n,k", [(2, 1), (3, 1), (4, 2), (5, 3)])
@pytest.mark.parametrize("target", [("qiskit", "aer_simulator"), ("pennylane", "default.qubit")])
def test_dicke_state_is_equal_superposition_of_weight_k(executor, target, n, k):
    from qlang.circuits.ir import Circuit

    ex = executor(*target, {"d": Circuit("d", n, 0, 0, lib.dicke_state(n, k))})
    state = ex.states("d", None, None)[0]
    weights = np.array([bin(b).count("1") for b in range(2**n)])
    expected = np.where(weights == k, 1 / np.sqrt(np.sum(weights == k)), 0.0)
    np.testing.assert_allclose(state, expected, atol=TOL)


@pytest.mark.parametrize("target", [("qiskit", "aer_simulator"), ("pennylane", "default.qubit")])
def test_qaoa_xy_is_exp_of_cost_and_xy_ring_from_dicke(executor, target):
    n, p, k = 4, 2, 2
    linear = [0.5, -1.0, 0.25, 0.8]
    quadratic = {(0, 1): 0.7, (0, 2): -0.3, (1, 3): 1.1, (2, 3): 0.4}
    weights = np.array([0.4, -0.9, 0.3, 1.2])
    ex = executor(*target, {"q": lib.qaoa(n, p, linear, quadratic, mixer="xy", k=k)})
    bits = (np.arange(2**n)[:, None] >> (n - 1 - np.arange(n))) & 1
    z = 1 - 2 * bits
    cost = z @ np.asarray(linear) + sum(c * z[:, i] * z[:, j] for (i, j), c in quadratic.items())
    state = np.where(bits.sum(axis=1) == k, 1 / np.sqrt(6), 0.0).astype(complex)
    for gamma, beta in zip(weights[:p], weights[p:]):
        state = _xy_ring_matrix(n, beta) @ (np.exp(-1j * gamma * cost) * state)
    ours = ex.states("q", None, weights)[0]
    np.testing.assert_allclose(ours, state, atol=TOL)
    assert np.abs(ours[bits.sum(axis=1) != k]).max() < TOL  # the mixer keeps the Hamming weight


@pytest.mark.parametrize("mixer", ["x", "xy"])
def test_qaoa_ising_with_inputs_equals_qaoa_with_constants(executor, mixer):
    n, p, k = 3, 2, 1
    rng = np.random.default_rng(3)
    h, couplings = rng.normal(size=n), rng.normal(size=3)
    pairs = lib.ising_pairs(n)
    weights = rng.uniform(-np.pi, np.pi, 2 * p)
    fixed = lib.qaoa(n, p, list(h), dict(zip(pairs, couplings)), mixer=mixer, k=k)
    circuits = {"fixed": fixed, "inputs": lib.qaoa_ising(n, p, mixer=mixer, k=k)}
    x = np.concatenate([h, couplings])[None, :]
    for target in [("qiskit", "aer_simulator"), ("pennylane", "default.qubit")]:
        ex = executor(*target, circuits)
        np.testing.assert_allclose(ex.states("inputs", x, weights), ex.states("fixed", None, weights), atol=TOL)
