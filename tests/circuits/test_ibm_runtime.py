"""The IBM hardware path offline: SamplerV2 in batch mode on qiskit-ibm-runtime's local testing mode (a
fake backend as the mode) samples what the exact simulator predicts, wire 0 first; a missing account is a
diagnostic with a hint, and nothing touches the network."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("qiskit_ibm_runtime")

from qlang.circuits import emit_qiskit
from qlang.circuits import library as lib
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.targets.ibm import IbmSamplerExecutor, _probabilities, backend
from qlang.runtime.targets.qiskit import QiskitCircuits
from qlang.runtime.targets.qiskit import executor as qiskit_executor
from tests.circuits.conftest import module_namespace


def test_local_testing_mode_samples_the_circuit_wire_0_first():
    circuits = {"c": lib.angle_map(3)}
    ns = module_namespace(emit_qiskit, circuits)
    builders = {k: ns[k] for k in circuits}
    x = np.array([[np.pi, 0.0, 0.0], [0.0, 0.0, np.pi], [np.pi / 2, np.pi, 0.0]])  # asymmetric: bit order shows
    hardware = IbmSamplerExecutor(QiskitCircuits(builders), "fake_manila", shots=2000, seed=1)
    try:
        sampled = hardware.probs("c", x, None)
    finally:
        hardware.close()
    exact = qiskit_executor(builders, "statevector").probs("c", x, None)
    assert sampled.shape == exact.shape and np.allclose(sampled.sum(axis=1), 1.0)
    # FakeManila's calibrated errors (readout up to ~10% a qubit) move at most a third of the mass; a wrong
    # bit order would move nearly all of it (row 0: wire 0 in |1⟩ is index 4, not 1)
    assert np.all(0.5 * np.abs(sampled - exact).sum(axis=1) < 0.35)
    assert list(sampled[:2].argmax(axis=1)) == [4, 1]
    assert hardware.shots_spent == 3 * 2000 and hardware.circuits_run == 3 and len(hardware.jobs) == 1
    assert hardware.ran == {("c", 2000): 3} and hardware.usage_s == 0  # local testing mode reports no QPU time
    with pytest.raises(RuntimeDiagnostic, match="no statevector"):
        hardware.states("c", x, None)


def test_counts_become_wire_0_first_frequencies():
    # qubit 0 is the rightmost bit of a count's key: "001" is wire 0 in |1⟩, index 0b100 wire 0 first
    assert np.array_equal(_probabilities({"001": 3, "100": 1}, 3, 4), np.eye(8)[4] * 0.75 + np.eye(8)[1] * 0.25)


def test_a_missing_account_is_a_diagnostic_not_a_traceback(tmp_path, monkeypatch):
    for var in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL", "QISKIT_IBM_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no saved account: qiskit-ibm-runtime reads ~/.qiskit
    from qiskit_ibm_runtime.accounts import management

    monkeypatch.setattr(management, "_DEFAULT_ACCOUNT_CONFIG_JSON_FILE", str(tmp_path / "qiskit-ibm.json"))
    import socket

    def no_network(*args, **kwargs):
        raise OSError("tests never touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)  # whatever the runtime tries, it gets no network
    with pytest.raises(RuntimeDiagnostic, match="cannot reach IBM backend `ibm_fez`") as caught:
        backend("ibm:ibm_fez")
    assert "save_account" in caught.value.help


def _hardware(circuits: dict, shots: int, seed: int = 1):
    ns = module_namespace(emit_qiskit, circuits)
    builders = {k: ns[k] for k in circuits}
    return IbmSamplerExecutor(QiskitCircuits(builders), "fake_manila", shots=shots, seed=seed), builders


def test_each_circuit_is_transpiled_once_and_its_rows_are_parameter_values(monkeypatch):
    hardware, builders = _hardware({"c": lib.angle_map(3)}, shots=500)
    runs = []
    original = hardware._manager.run
    monkeypatch.setattr(hardware._manager, "run", lambda circuits: runs.append(circuits) or original(circuits))
    x = np.random.default_rng(0).uniform(0, np.pi, (7, 3))
    try:
        first, second = hardware.probs("c", x, None), hardware.probs("c", x[:2], None)
    finally:
        hardware.close()
    assert len(runs) == 1  # one template for both calls and every row
    exact = qiskit_executor(builders, "statevector").probs("c", x, None)
    assert first.shape == (7, 8) and np.all(0.5 * np.abs(first - exact).sum(axis=1) < 0.35)
    assert second.shape == (2, 8) and hardware.ran == {("c", 500): 9}


def test_readout_mitigation_on_the_sampler_moves_the_frequencies_toward_the_exact_ones():
    """FakeManila reads each qubit wrong up to ~10% of the time; the tensored calibration, measured through
    the same sampler, undoes most of it: the total variation to the exact distribution falls."""
    x = np.array([[np.pi, 0.0, 0.0], [0.0, np.pi, np.pi], [np.pi, np.pi, np.pi], [0.0, 0.0, 0.0]])
    distances = {}
    for mitigation in ("none", "readout"):
        hardware, builders = _hardware({"c": lib.angle_map(3)}, shots=8000, seed=3)
        hardware.mitigation = mitigation
        try:
            sampled = hardware.probs("c", x, None)
        finally:
            hardware.close()
        exact = qiskit_executor(builders, "statevector").probs("c", x, None)
        distances[mitigation] = 0.5 * np.abs(sampled - exact).sum(axis=1).mean()
        if mitigation == "readout":
            assert hardware.calibrated_widths == (3,) and hardware.calibration_shots == 2 * 8000
            assert hardware.shots_spent == 4 * 8000 + 2 * 8000 and len(hardware.jobs) == 2
    assert distances["readout"] < 0.5 * distances["none"], distances


def test_zero_noise_extrapolation_is_refused_on_hardware():
    hardware, _ = _hardware({"c": lib.angle_map(2)}, shots=100)
    hardware.mitigation = "readout+zne"
    with pytest.raises(RuntimeDiagnostic, match="zero-noise extrapolation does not run on IBM hardware"):
        hardware.probs("c", np.zeros((1, 2)), None)


def test_measured_qpu_usage_replaces_the_modeled_qpu_time():
    from types import SimpleNamespace

    from qlang.energy.qpu_ran import ran_energy

    from qlang.checks import check_text

    spec = """pipeline hw {
  target qiskit
  device "ibm:fake_manila"
  data rows = breast_cancer(limit: 24)
  stage encode angle {
    method angle_encoding(qubits: 2)
  }
}
"""
    pipeline = check_text(spec).checked.pipelines[0].model_dump()
    stage = pipeline["stages"][0]
    ran = {("angle.overlap", 512): 10}
    modeled = ran_energy(pipeline, stage, [SimpleNamespace(ran=ran, calibrated_widths=(), shots=512, usage_s=0.0)])
    measured = ran_energy(pipeline, stage, [SimpleNamespace(ran=ran, calibrated_widths=(), shots=512, usage_s=3.5)])
    assert "usage_s" not in modeled and modeled["provenance"].startswith("modeled")
    assert measured["usage_s"] == 3.5 and measured["joules"] == 3.5 * 25e3
    assert measured["modeled_j"] == modeled["joules"] and "measured" in measured["provenance"]
