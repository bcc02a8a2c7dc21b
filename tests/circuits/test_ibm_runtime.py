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
from qlang.runtime.targets.qiskit import executor as qiskit_executor
from tests.circuits.conftest import module_namespace


def test_local_testing_mode_samples_the_circuit_wire_0_first():
    circuits = {"c": lib.angle_map(3)}
    ns = module_namespace(emit_qiskit, circuits)
    builders = {k: ns[k] for k in circuits}
    x = np.array([[np.pi, 0.0, 0.0], [0.0, 0.0, np.pi], [np.pi / 2, np.pi, 0.0]])  # asymmetric: bit order shows
    hardware = IbmSamplerExecutor(builders, "fake_manila", shots=2000, seed=1)
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
