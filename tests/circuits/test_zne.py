"""Zero-noise extrapolation: a folded circuit is the original unitary with (2k+1)× the gates on both
targets; under a depolarizing model the extrapolated <Z_i> is much closer to the ideal than the noisy one,
the same on both targets to 1e-9 (exact density matrices, no shots); the extrapolation's algebra; a
sampling executor counts the folded circuits' shots apart and measures scale 1 with the unmitigated
samples."""

from __future__ import annotations

import numpy as np
import pennylane as qml
import pytest
from qiskit.quantum_info import Operator

from qlang.circuits import emit_pennylane, emit_qiskit
from qlang.circuits import library as lib
from qlang.runtime.noise import NoiseModel
from qlang.runtime.targets.batching import z_expvals
from qlang.runtime.targets.pennylane_noisy import folded
from qlang.runtime.zne import check_scales, clip_probabilities, extrapolate, extrapolation_weights, fold
from tests.circuits.conftest import module_namespace
from tests.circuits.test_noise import noisy_pair
from tests.circuits.test_targets import random_args

SCALES = (1, 3, 5)
DEPOLARIZING = NoiseModel(p1=0.005, p2=0.03)


def _bound_qiskit(circuit, rng):
    qc, _x, _w = module_namespace(emit_qiskit, {"c": circuit})["c"]()
    return qc.assign_parameters(dict(zip(qc.parameters, rng.uniform(-np.pi, np.pi, len(qc.parameters)))))


@pytest.mark.parametrize("scale", [3, 5])
def test_qiskit_fold_is_the_same_unitary_with_scale_times_the_gates(scale):
    qc = _bound_qiskit(lib.hardware_efficient(3, 2), np.random.default_rng(0))
    out = fold(qc, scale)
    assert len(out.data) == scale * len(qc.data)
    assert Operator(out).equiv(Operator(qc))
    assert not Operator(qc.compose(qc)).equiv(Operator(qc))  # the check can tell two unitaries apart
    barred = fold(qc, scale, barriers=True)
    assert sum(i.operation.name == "barrier" for i in barred.data) == scale - 1


@pytest.mark.parametrize("scale", [3, 5])
def test_pennylane_fold_is_the_same_unitary_with_scale_times_the_gates(scale):
    circuit = lib.zz_map(3, 2, 0.8)
    body = module_namespace(emit_pennylane, {"c": circuit})["c"]
    x, _ = random_args(circuit, np.random.default_rng(1), 1)
    tape = qml.tape.make_qscript(body)(x[0], np.zeros(0))
    [out], _ = folded(tape, scale=scale)
    assert len(out.operations) == scale * len(tape.operations)
    wires = list(range(circuit.n_wires))
    assert np.allclose(qml.matrix(out, wire_order=wires), qml.matrix(tape, wire_order=wires), atol=1e-10)


def _expvals(executor, x, w, scale):
    rho = executor.densities("c", x, w, scale)
    return z_expvals(np.real(np.diagonal(rho, axis1=1, axis2=2)), executor.shape("c").n_wires)


def test_extrapolated_expectation_values_are_closer_to_the_ideal_on_both_targets():
    circuit = lib.hardware_efficient(3, 2)
    x, w = random_args(circuit, np.random.default_rng(3), 4)
    ideal = _expvals(noisy_pair({"c": circuit}, NoiseModel())[0], x, w, 1)
    estimates = []
    for executor in noisy_pair({"c": circuit}, DEPOLARIZING):
        at = np.array([_expvals(executor, x, w, s) for s in SCALES])
        raw, zne = np.abs(at[0] - ideal).max(), np.abs(extrapolate(at, SCALES) - ideal).max()
        assert raw > 0.1 and zne < 0.1 * raw, (raw, zne)  # 0.123 → 0.006
        assert np.abs(extrapolate(at, SCALES, "linear") - ideal).max() < 0.5 * raw  # 0.048
        assert np.all(np.abs(at[2] - ideal) > np.abs(at[0] - ideal) - 1e-12)  # folding adds noise
        estimates.append(at)
    assert np.abs(estimates[0] - estimates[1]).max() <= 1e-9


def test_amplitude_encodings_fold_alike_on_both_targets():
    circuit = lib.compute_uncompute(lib.amplitude_map(2))
    x, w = random_args(circuit, np.random.default_rng(4), 3)
    qk, pl = noisy_pair({"c": circuit}, DEPOLARIZING)
    assert np.abs(qk.densities("c", x, w, 3) - pl.densities("c", x, w, 3)).max() <= 1e-9


def test_richardson_and_linear_weights():
    assert np.allclose(extrapolation_weights(SCALES), [15 / 8, -10 / 8, 3 / 8])
    lam = np.array(SCALES, dtype=float)
    assert np.isclose(extrapolate(0.3 - 0.1 * lam + 0.02 * lam**2, SCALES), 0.3)  # exact on a quadratic
    assert np.isclose(extrapolate(0.7 - 0.05 * lam, SCALES, "linear"), 0.7)
    assert np.isclose(extrapolation_weights((1, 3), "richardson").sum(), 1.0)
    for bad in [(1,), (1, 2), (3, 3), (0, 1)]:
        with pytest.raises(ValueError):
            check_scales(bad)


def test_clipped_probabilities_are_probabilities():
    quasi = np.array([[1.2, -0.1, -0.1, 0.0], [0.5, 0.5, 0.0, 0.0], [-0.5, 0.5, 0.5, 0.5]])
    out = clip_probabilities(quasi)
    assert np.allclose(out.sum(axis=1), 1.0) and out.min() >= 0.0
    assert np.allclose(out[0], [1, 0, 0, 0]) and np.allclose(out[1], quasi[1])


@pytest.mark.parametrize("target", [0, 1], ids=["qiskit", "pennylane"])
def test_a_sampling_executor_with_zne_counts_the_folded_circuits(target):
    circuit = lib.angle_map(2)
    shots = 500
    plain, mitigated = (noisy_pair({"c": circuit}, NoiseModel(p1=0.05, readout=0.02), shots)[target] for _ in "ab")
    mitigated.mitigation = "readout+zne"
    x, _ = random_args(circuit, np.random.default_rng(6), 3)
    raw, zne = plain.probs("c", x, None), mitigated.probs("c", x, None)
    assert np.allclose(zne.sum(axis=1), 1.0) and zne.min() >= 0.0 and not np.allclose(raw, zne)
    assert mitigated.ran == plain.ran == {("c", shots): 3}
    assert mitigated.folded == {("c", shots, 3): 3, ("c", shots, 5): 3}
    assert mitigated.zne_shots == 6 * shots and mitigated.zne_circuits == 6
    assert mitigated.shots_spent == plain.shots_spent + 6 * shots + 2 * shots  # folds, calibration
    # scale 1 drew from the stage's generator exactly what the unmitigated run drew: the same samples
    assert mitigated._rng.bit_generator.state == plain._rng.bit_generator.state
    assert np.abs(mitigated.expvals("c", x, None)).max() <= 1.0


@pytest.mark.parametrize("target", [0, 1], ids=["qiskit", "pennylane"])
def test_sampled_zne_expectation_values_are_closer_to_the_ideal(target):
    circuit = lib.hardware_efficient(3, 2)
    x, w = random_args(circuit, np.random.default_rng(3), 4)
    ideal = _expvals(noisy_pair({"c": circuit}, NoiseModel())[0], x, w, 1)
    plain, mitigated = (noisy_pair({"c": circuit}, DEPOLARIZING, 100_000)[target] for _ in "ab")
    mitigated.mitigation = "zne"
    raw = np.abs(plain.expvals("c", x, w) - ideal).max()
    zne = np.abs(mitigated.expvals("c", x, w) - ideal).max()
    assert zne < 0.25 * raw, (raw, zne)  # shot noise × √5.2 ≈ 0.007 against a bias of 0.12
