"""Noisy overlap Grams in the Heisenberg picture (qlang.runtime.heisenberg): on both targets the 2N density
matrices give the pairwise circuits' all-zeros probabilities to 1e-10, the two targets agree to 1e-9, the
sampled Gram has the pairwise path's semantics and accounting, and every case the identity does not cover
(amplitude damping, readout mitigation or ZNE, amplitude encodings, circuits that do not split) takes the
pairwise path."""

from __future__ import annotations

import numpy as np
import pytest

from qlang.circuits import library as lib
from qlang.circuits.ir import Circuit, Gate, Input
from qlang.runtime.heisenberg import readout_effect, split_point
from qlang.runtime.methods.kernel import sampled_gram
from qlang.runtime.noise import NoiseModel, depolarizing_kraus
from tests.circuits.test_noise import noisy_pair

MODEL = NoiseModel(p1=0.02, p2=0.06, phase_damping=0.04, readout=0.03)
FEATURE_MAPS = {"zz": lib.zz_map(3, 2), "angle_z": lib.angle_map(2, "z"), "zz_2": lib.zz_map(2, 1, bandwidth=0.7)}
TARGETS = (0, 1)  # index into noisy_pair's (qiskit, pennylane)


def pairwise(executor, x, y):
    """The all-zeros probabilities of every pair's circuit, simulated one density matrix per pair."""
    pairs = np.array([np.r_[a, b] for a in x for b in y])
    return executor.exact_probs("c", pairs, None)[:, 0].reshape(len(x), len(y))


def rows(feature_map, n, seed):
    return np.random.default_rng(seed).uniform(0.0, np.pi, (n, feature_map.n_inputs))


@pytest.mark.parametrize("name", sorted(FEATURE_MAPS))
def test_heisenberg_probabilities_are_the_pairwise_ones_on_both_targets(name):
    fm = FEATURE_MAPS[name]
    executors = noisy_pair({"c": lib.compute_uncompute(fm)}, MODEL)
    x, y = rows(fm, 4, 1), rows(fm, 3, 2)
    grams = []
    for ex in executors:
        assert ex.pairwise_reason("c") is None
        grams.append(ex.overlap_probabilities("c", x, y))
        assert np.abs(grams[-1] - pairwise(ex, x, y)).max() <= 1e-10
    assert np.abs(grams[0] - grams[1]).max() <= 1e-9


@pytest.mark.parametrize("target", TARGETS)
def test_sampled_gram_keeps_the_pairwise_semantics_and_accounting(target):
    fm, shots = FEATURE_MAPS["zz"], 2000
    x = rows(fm, 5, 3)
    fast, slow = (noisy_pair({"c": lib.compute_uncompute(fm)}, MODEL, shots)[target] for _ in range(2))
    slow.pairwise_reason = lambda name: "forced"  # the pairwise path, for its accounting
    gram = sampled_gram(fast, "c", x, shots)
    fast.reseed(0)
    assert np.array_equal(sampled_gram(fast, "c", x, shots), gram)  # same seed, same draws
    reference = sampled_gram(slow, "c", x, shots)
    assert (fast.shots_spent, fast.circuits_run) == (2 * slow.shots_spent, 2 * slow.circuits_run)
    assert fast.ran == {("c", shots): 2 * 10} and slow.ran == {("c", shots): 10}
    exact = pairwise(fast, x, x)
    np.fill_diagonal(exact, 1.0)
    upper = np.triu_indices(len(x), k=1)
    sigma = np.sqrt(exact * (1 - exact) / shots)[upper]
    assert np.all(np.abs(gram - exact)[upper] <= 4 * sigma + 1.0 / shots)
    assert np.all(np.abs(gram - reference)[upper] <= 4 * np.sqrt(2) * sigma + 1.0 / shots)
    assert np.array_equal(gram, gram.T) and np.all(np.diag(gram) == 1.0)
    cross = sampled_gram(fast, "c", x[:2], shots, y=x[2:])
    spread = np.sqrt(exact * (1 - exact) / shots)[:2, 2:]
    assert cross.shape == (2, 3) and np.all(np.abs(cross - exact[:2, 2:]) <= 4 * spread + 1.0 / shots)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(
    "model, mitigation, reason",
    [
        (NoiseModel(p2=0.05, amplitude_damping=0.01), "none", "amplitude damping"),
        (MODEL, "readout", "mitigation"),
        (MODEL, "zne", "mitigation"),
    ],
)
def test_amplitude_damping_and_mitigation_take_the_pairwise_path(target, model, mitigation, reason):
    fm = FEATURE_MAPS["angle_z"]
    ex = noisy_pair({"c": lib.compute_uncompute(fm)}, model, 500)[target]
    ex.mitigation = mitigation
    assert reason in ex.pairwise_reason("c")

    def refuse(*_):
        raise AssertionError("the Heisenberg path ran")

    ex.overlap_zeros = refuse
    sampled_gram(ex, "c", rows(fm, 3, 4), 500)
    assert ex.ran == {("c", 500): 3}


def test_circuits_that_do_not_split_take_the_pairwise_path():
    backwards = Circuit("backwards", 1, 2, 0, [Gate("ry", (0,), Input(1)), Gate("ry", (0,), Input(0))])
    both = Circuit("both", 1, 2, 0, [Gate("ry", (0,), Input(0) * Input(1))])
    for circuit in (lib.compute_uncompute(lib.amplitude_map(2)), backwards, both):
        for ex in noisy_pair({"c": circuit}, MODEL):
            assert ex.split("c") is None and "not a part reading x" in ex.pairwise_reason("c")


def test_split_point_and_readout_effect():
    assert split_point([set(), {0}, {1}, set(), {2, 3}], 2) == 4
    assert split_point([{0}, {2}, {1}], 2) is None  # x after y
    assert split_point([{0, 2}], 2) is None  # one gate reads both
    assert split_point([{0}, set()], 2) is None  # nothing reads y
    assert np.allclose(np.diag(readout_effect(2, 0.1)), [0.81, 0.09, 0.09, 0.01])


@pytest.mark.parametrize("wires", [[0], [2], [0, 2], [2, 1]])
def test_the_closed_form_depolarizing_kernel_is_the_kraus_channel(wires):
    import pennylane as qml
    from pennylane.devices.qubit_mixed import apply_operation

    from qlang.runtime.targets.pennylane_depolarizing import Depolarizing

    a = np.random.default_rng(len(wires)).normal(size=(2, 8, 8, 2)) @ [1, 1j]
    rho = a @ a.conj().transpose(0, 2, 1)
    state = (rho / np.trace(rho, axis1=1, axis2=2)[:, None, None]).reshape((2,) + (2,) * 6)
    channel = Depolarizing(0.3, wires=wires)
    expected = np.asarray(
        apply_operation(qml.QubitChannel(depolarizing_kraus(0.3, len(wires)), wires=wires), state, True)
    )
    assert np.abs(np.asarray(apply_operation(channel, state, True)) - expected).max() <= 1e-12
    assert np.abs(np.asarray(apply_operation(channel, state[0], False)) - expected[0]).max() <= 1e-12
    assert np.allclose(sum(k.conj().T @ k for k in channel.kraus_matrices()), np.eye(2 ** len(wires)))
