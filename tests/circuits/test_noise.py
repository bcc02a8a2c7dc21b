"""Noisy devices: under one parametric NoiseModel both targets give the same density matrices (to 1e-9)
and sample the same distribution (within 4σ); the channels do what their names say; a fake backend's
calibration becomes a plausible model."""

from __future__ import annotations

import numpy as np
import pytest

from qlang.circuits import emit_pennylane, emit_qiskit
from qlang.circuits import library as lib
from qlang.runtime.noise import NoiseModel, depolarizing_kraus, from_backend, readout_probs
from qlang.runtime.protocol import CircuitShape
from qlang.runtime.targets.pennylane import executor as pennylane_executor
from qlang.runtime.targets.qiskit import executor as qiskit_executor
from tests.circuits.conftest import module_namespace
from tests.circuits.test_targets import FAMILIES, random_args

TOL = 1e-9
MODEL = NoiseModel(p1=0.02, p2=0.06, amplitude_damping=0.03, phase_damping=0.04, readout=0.03)


def noisy_pair(circuits: dict, model: NoiseModel = MODEL, shots: int = 4000, seeds=(0, 0)):
    ns = module_namespace(emit_qiskit, circuits)
    qk = qiskit_executor({k: ns[k] for k in circuits}, "aer_simulator", seeds[0], model, shots)
    ns = module_namespace(emit_pennylane, circuits)
    bodies = {k: (ns[k], CircuitShape(c.n_wires, c.n_inputs, c.n_weights)) for k, c in circuits.items()}
    pl = pennylane_executor(bodies, "default.mixed", seeds[1], model, shots)
    return qk, pl


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_density_matrices_agree_between_targets(family):
    circuit = FAMILIES[family](3, 1)
    qk, pl = noisy_pair({"c": circuit})
    x, w = random_args(circuit, np.random.default_rng(len(family)), 4)
    a, b = qk.densities("c", x, w), pl.densities("c", x, w)
    assert a.shape == (4, 2**circuit.n_wires, 2**circuit.n_wires)
    assert np.allclose(np.trace(a, axis1=1, axis2=2), 1.0, atol=TOL)
    assert np.abs(a - b).max() <= TOL
    assert np.abs(qk.exact_probs("c", x, w) - pl.exact_probs("c", x, w)).max() <= TOL


def test_sampled_probabilities_agree_within_shot_noise():
    circuit = lib.compute_uncompute(lib.zz_map(3, 2))
    shots = 4000
    qk, pl = noisy_pair({"c": circuit}, shots=shots, seeds=(1, 2))
    x, _ = random_args(circuit, np.random.default_rng(5), 6)
    p = qk.exact_probs("c", x, None)
    fa, fb = qk.probs("c", x, None), pl.probs("c", x, None)
    sigma = np.sqrt(2 * p * (1 - p) / shots) + 1e-12
    assert np.all(np.abs(fa - fb) <= 4 * sigma + 1.0 / shots)
    assert not np.array_equal(fa, fb)  # two seeds, two samples
    assert qk.shots_spent == pl.shots_spent == 6 * shots


def test_noise_is_applied_and_not_statevectors():
    circuit = lib.angle_map(2)
    x = np.array([[0.0, 0.0]])
    full, _ = noisy_pair({"c": circuit}, NoiseModel(p1=1.0))
    assert np.allclose(full.densities("c", x, None)[0], np.eye(4) / 4, atol=TOL)  # fully depolarized
    decay, _ = noisy_pair({"c": lib.angle_map(1)}, NoiseModel(amplitude_damping=1.0))
    assert np.allclose(decay.densities("c", np.array([[np.pi]]), None)[0], np.diag([1.0, 0.0]), atol=TOL)
    flips, _ = noisy_pair({"c": circuit}, NoiseModel(readout=0.5))
    assert np.allclose(flips.exact_probs("c", x, None), 0.25, atol=TOL)
    with pytest.raises(Exception, match="no statevector"):
        full.states("c", x, None)


def test_depolarizing_kraus_and_readout_are_channels():
    for k in (1, 2, 3):
        ops = depolarizing_kraus(0.3, k)
        assert np.allclose(sum(o.conj().T @ o for o in ops), np.eye(2**k))
    probs = np.array([[1.0, 0.0, 0.0, 0.0]])
    assert np.allclose(readout_probs(probs, 2, 0.1), [[0.81, 0.09, 0.09, 0.01]])


def test_a_fake_backend_calibration_is_a_plausible_model():
    pytest.importorskip("qiskit_ibm_runtime")
    m = from_backend("fake_fez")
    assert 1e-4 < m.p1 < 1e-2 and 1e-3 < m.p2 < 0.1 and 1e-3 < m.readout < 0.1
    assert "fake_fez" in m.source


def test_a_fake_backend_is_built_alone(monkeypatch):
    """Only the named device's class is instantiated: the provider builds all ~70 of them (5 s of CPU, which
    fell on a run's first noisy stage)."""
    pytest.importorskip("qiskit_ibm_runtime")
    from qiskit_ibm_runtime import fake_provider

    from qlang.runtime import devices

    def everything():
        raise AssertionError("built every fake backend")

    monkeypatch.setattr(fake_provider, "FakeProviderForBackendV2", everything)
    devices.fake_backend.cache_clear()
    try:
        backend = devices.fake_backend("fake_kyiv")
        assert backend.name == "fake_kyiv" and backend.num_qubits == 127
    finally:
        devices.fake_backend.cache_clear()


def test_the_noise_model_reads_the_device_the_qpu_model_already_loaded():
    pytest.importorskip("qiskit_ibm_runtime")
    from qlang.energy.qpu import device_model
    from qlang.runtime import devices

    devices.fake_backend.cache_clear()
    try:
        assert devices.fake_backend("fake_fez") is device_model("fake_fez")
    finally:
        devices.fake_backend.cache_clear()
