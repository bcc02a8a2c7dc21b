"""Both targets, every family: same states, expvals and probabilities from the emitted code."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qlang.circuits import library as lib

TOL = 1e-9


def _qaoa(n: int, p: int):
    linear = [0.3 * (i + 1) * (-1) ** i for i in range(n)]
    quadratic = {(i, j): 0.5 + 0.25 * (i + j) for i in range(n) for j in range(i + 1, n)}
    return lib.qaoa(n, p, linear, quadratic)


FAMILIES = {
    "angle_x": lambda n, layers: lib.angle_map(n, "x", 0.7),
    "angle_y": lambda n, layers: lib.angle_map(n),
    "angle_z": lambda n, layers: lib.angle_map(n, "z", 1.3),
    "amplitude": lambda n, layers: lib.amplitude_map(n),
    "zz": lambda n, layers: lib.zz_map(n, reps=layers, bandwidth=0.8),
    "hardware_efficient": lib.hardware_efficient,
    "strongly_entangling": lib.strongly_entangling,
    "reuploading": lib.reuploading,
    "reuploading_x": lambda n, layers: lib.reuploading(n, layers, rotation="x"),
    "qaoa": _qaoa,
    "qaoa_xy": lambda n, p: lib.qaoa(n, p, [0.3] * n, {(0, n - 1): 0.7} if n > 1 else {}, "xy", k=n // 2),
    "qaoa_ising": lambda n, p: lib.qaoa_ising(n, p),
    "qaoa_ising_xy": lambda n, p: lib.qaoa_ising(n, p, "xy", k=(n + 1) // 2),
    "swap_test_angle": lambda n, layers: lib.swap_test(lib.angle_map(n)),
    "swap_test_amplitude": lambda n, layers: lib.swap_test(lib.amplitude_map(n)),
    "compute_uncompute_zz": lambda n, layers: lib.compute_uncompute(lib.zz_map(n, layers)),
    "compute_uncompute_amplitude": lambda n, layers: lib.compute_uncompute(lib.amplitude_map(n)),
}


def random_args(circuit, rng, batch, shared_weights=False):
    x = rng.uniform(-np.pi, np.pi, (batch, circuit.n_inputs)) if circuit.n_inputs else None
    w = None
    if circuit.n_weights:
        w = rng.uniform(
            -np.pi, np.pi, circuit.n_weights if shared_weights else (batch, circuit.n_weights)
        )
    return x, w


sizes = dict(
    n=st.integers(1, 3),
    layers=st.integers(1, 2),
    seed=st.integers(0, 2**32 - 1),
    shared=st.booleans(),
)


GRID = [(n, layers, shared) for n in (1, 2, 3) for layers in (1, 2) for shared in (False, True)]


@pytest.mark.parametrize("family", sorted(FAMILIES))
@settings(max_examples=1, deadline=None)  # one draw covers the whole grid (12 circuits)
@given(seed=st.integers(0, 2**32 - 1))
def test_targets_agree(executors, family, seed):
    """Every point of the family's parameter grid (widths, depths, shared or per-row weights), each at
    random arguments."""
    for n, layers, shared in GRID:
        _agree(executors, FAMILIES[family](n, layers), seed, shared)


def _agree(executors, circuit, seed: int, shared: bool) -> None:
    rng = np.random.default_rng(seed)
    x, w = random_args(circuit, rng, batch=3, shared_weights=shared)
    batch = 1 if x is None and shared else 3  # no inputs and shared weights: one row
    reference, *others = executors({"c": circuit})
    states = reference.states("c", x, w)
    assert states.shape == (batch, 2**circuit.n_wires) and states.dtype == np.complex128
    np.testing.assert_allclose(np.linalg.norm(states, axis=1), 1.0, atol=TOL)
    expvals = reference.expvals("c", x, w)
    assert expvals.shape == (batch, circuit.n_wires)
    for other in others:
        assert other.shape("c") == reference.shape("c")
        np.testing.assert_allclose(other.states("c", x, w), states, atol=TOL, err_msg=other.device)
        np.testing.assert_allclose(
            other.expvals("c", x, w), expvals, atol=TOL, err_msg=other.device
        )
        np.testing.assert_allclose(other.probs("c", x, w), np.abs(states) ** 2, atol=TOL)


@pytest.mark.parametrize("family", sorted(FAMILIES))
@settings(max_examples=2, deadline=None)
@given(**sizes)
def test_inverse_undoes_circuit(executors, family, n, layers, seed, shared):
    circuit = FAMILIES[family](n, layers)
    identity = circuit.compose(circuit.inverse())
    x, w = random_args(circuit, np.random.default_rng(seed), batch=2, shared_weights=shared)
    zero = np.zeros(2**circuit.n_wires)
    zero[0] = 1.0
    targets = [("qiskit", "aer_simulator"), ("pennylane", "default.qubit")]
    for ex in executors({"c": identity}, targets=targets):
        states = ex.states("c", x, w)
        np.testing.assert_allclose(states, np.broadcast_to(zero, states.shape), atol=TOL)


FEATURE_MAPS = {
    "angle": lambda n: lib.angle_map(n, "x", 0.9),
    "zz": lambda n: lib.zz_map(n, reps=2, bandwidth=0.6),
    "amplitude": lib.amplitude_map,
}


@pytest.mark.parametrize("encoding", sorted(FEATURE_MAPS))
@settings(max_examples=3, deadline=None)
@given(n=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_overlap_circuits_measure_fidelity(executors, encoding, n, seed):
    fm = FEATURE_MAPS[encoding](n)
    circuits = {"fm": fm, "cu": lib.compute_uncompute(fm), "swap": lib.swap_test(fm)}
    rng = np.random.default_rng(seed)
    x1, _ = random_args(fm, rng, batch=4)
    x2, _ = random_args(fm, rng, batch=4)
    x2[0] = x1[0]  # one pair of equal points: fidelity 1
    pairs = np.hstack([x1, x2])
    targets = [("qiskit", "aer_simulator"), ("pennylane", "default.qubit")]
    for ex in executors(circuits, targets=targets):
        psi1, psi2 = ex.states("fm", x1, None), ex.states("fm", x2, None)
        fidelity = np.abs(np.sum(psi2.conj() * psi1, axis=1)) ** 2
        assert fidelity[0] == pytest.approx(1.0, abs=TOL)
        np.testing.assert_allclose(ex.probs("cu", pairs, None)[:, 0], fidelity, atol=TOL)
        swap = ex.probs("swap", pairs, None)
        ancilla_zero = swap[:, : swap.shape[1] // 2].sum(axis=1)
        np.testing.assert_allclose(ancilla_zero, (1 + fidelity) / 2, atol=TOL)


@pytest.mark.parametrize(
    "target",
    [
        ("qiskit", "aer_simulator"),
        ("qiskit", "statevector"),
        ("pennylane", "default.qubit"),
        ("pennylane", "lightning.qubit"),
    ],
)
def test_bit_order_wire_zero_is_most_significant(executor, target):
    ex = executor(*target, {"angle": lib.angle_map(2), "amp": lib.amplitude_map(2)})
    state = ex.states("angle", np.array([[np.pi, 0.0]]), None)[0]
    np.testing.assert_allclose(state, [0, 0, 1, 0], atol=TOL)  # RY(pi)|0> = |1> on wire 0
    np.testing.assert_allclose(
        ex.expvals("angle", np.array([[np.pi, 0.0]]), None), [[-1, 1]], atol=TOL
    )
    amplitudes = np.array([[1.0, -2.0, 3.0, 0.5]])
    expected = amplitudes / np.linalg.norm(amplitudes)
    np.testing.assert_allclose(ex.states("amp", amplitudes, None), expected, atol=TOL)
