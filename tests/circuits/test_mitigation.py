"""Readout mitigation: on a readout-only noise model, mitigated probabilities are closer to the ideal ones
than unmitigated, on both targets; the calibration's shots are counted; the algebra inverts what
readout_probs does; the projection returns probability vectors."""

from __future__ import annotations

import numpy as np
import pytest

from qlang.circuits import library as lib
from qlang.runtime.mitigation import confusion_matrices, mitigate, nearest_probabilities
from qlang.runtime.noise import NoiseModel, readout_probs
from tests.circuits.test_noise import noisy_pair
from tests.circuits.test_targets import random_args

READOUT_ONLY = NoiseModel(readout=0.08)


def _total_variation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return 0.5 * np.abs(a - b).sum(axis=1)


@pytest.mark.parametrize("target", [0, 1], ids=["qiskit", "pennylane"])
def test_mitigated_probabilities_are_closer_to_the_ideal(target):
    circuit = lib.compute_uncompute(lib.zz_map(3, 2))
    shots = 8000
    plain = noisy_pair({"c": circuit}, READOUT_ONLY, shots, seeds=(4, 4))[target]
    mitigated = noisy_pair({"c": circuit}, READOUT_ONLY, shots, seeds=(4, 4))[target]
    mitigated.mitigation = "readout"
    x, _ = random_args(circuit, np.random.default_rng(9), 6)
    ideal = np.real(np.diagonal(plain.densities("c", x, None), axis1=1, axis2=2))  # readout-only: no gate noise
    raw, fixed = plain.probs("c", x, None), mitigated.probs("c", x, None)
    before, after = _total_variation(raw, ideal), _total_variation(fixed, ideal)
    assert np.all(after < before), (before, after)
    assert after.mean() < 0.3 * before.mean()
    assert np.allclose(fixed.sum(axis=1), 1.0) and fixed.min() >= 0.0
    # the calibration: two circuits of `shots` each, once per width, counted with the stage's shots
    assert mitigated.calibration_circuits == 2 and mitigated.calibration_shots == 2 * shots
    assert mitigated.shots_spent == plain.shots_spent + 2 * shots
    mitigated.probs("c", x, None)
    assert mitigated.calibration_shots == 2 * shots
    assert mitigated.ran == {("c", shots): 12}


def test_both_targets_measure_the_same_calibration():
    qk, pl = noisy_pair({"c": lib.angle_map(3)}, NoiseModel(p1=0.03, readout=0.05), 2000)
    assert np.abs(qk.calibration_densities(3) - pl.calibration_densities(3)).max() <= 1e-9
    assert np.allclose(qk.confusion(3), pl.confusion(3))  # one seed, one sample


def test_mitigation_inverts_known_readout_errors():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(8), size=5)
    noisy = readout_probs(probs, 3, 0.1)
    matrices = confusion_matrices(readout_probs(np.eye(8)[[0]], 3, 0.1)[0], readout_probs(np.eye(8)[[7]], 3, 0.1)[0], 3)
    assert np.allclose(matrices, [[[0.9, 0.1], [0.1, 0.9]]] * 3)
    assert np.allclose(mitigate(noisy, matrices), probs, atol=1e-12)


def test_nearest_probabilities_is_the_euclidean_projection():
    quasi = np.array([[0.6, 0.5, -0.1, 0.0], [0.25, 0.25, 0.25, 0.25], [1.2, -0.05, -0.05, -0.1]])
    out = nearest_probabilities(quasi)
    assert np.allclose(out.sum(axis=1), 1.0) and out.min() >= 0.0
    assert np.allclose(out[0], [0.55, 0.45, 0.0, 0.0])
    assert np.allclose(out[1], quasi[1])
    assert np.allclose(out[2], [1.0, 0.0, 0.0, 0.0])
