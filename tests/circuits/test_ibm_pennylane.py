"""PennyLane on IBM hardware without the pennylane-qiskit plugin: the PennyLane bodies recorded as tapes and
translated to Qiskit prepare the same states as the Qiskit target's circuits, family by family; in
qiskit-ibm-runtime's local testing mode (a fake backend as the mode) both targets transpile the same templates
and sample the same distributions; a missing account is the same diagnostic on both."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("qiskit_ibm_runtime")

from qiskit.quantum_info import Statevector

from qlang.circuits import emit_pennylane, emit_qiskit
from qlang.circuits import library as lib
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.protocol import CircuitShape
from qlang.runtime.targets.ibm import IbmSamplerExecutor
from qlang.runtime.targets.pennylane import executor as pennylane_executor
from qlang.runtime.targets.pennylane_qiskit import GATES, PennyLaneCircuits
from qlang.runtime.targets.qiskit import QiskitCircuits
from qlang.runtime.targets.qiskit import executor as qiskit_executor
from tests.circuits.conftest import module_namespace
from tests.circuits.test_targets import FAMILIES, random_args


def sources(circuits: dict) -> dict:
    """Each target's circuit source for the IBM sampler, built from the emitted code."""
    pl = module_namespace(emit_pennylane, circuits)
    qk = module_namespace(emit_qiskit, circuits)
    bodies = {k: (pl[k], CircuitShape(c.n_wires, c.n_inputs, c.n_weights)) for k, c in circuits.items()}
    return {"qiskit": QiskitCircuits({k: qk[k] for k in circuits}), "pennylane": PennyLaneCircuits(bodies)}


def test_the_table_covers_every_gate_the_pennylane_emitter_emits():
    names = {"qml.Hadamard": "Hadamard", "qml.PauliX": "PauliX", "qml.PauliY": "PauliY", "qml.PauliZ": "PauliZ"}
    emitted = {names.get(callee, callee.removeprefix("qml.")) for callee in emit_pennylane.EMITTER.GATES.values()}
    emitted = {"Adjoint(S)" if name == "adjoint" else name for name in emitted}
    assert emitted <= set(GATES)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_translated_bodies_prepare_the_qiskit_targets_states(family):
    """Every row's translated circuit, and the template bound with the row's values, prepares the state the
    Qiskit target's circuit prepares (up to a global phase): gates, angles and bit order all carried over."""
    circuit = FAMILIES[family](3, 2)
    both = sources({"c": circuit})
    x, w = random_args(circuit, np.random.default_rng(len(family)), 3, shared_weights=family.startswith("qaoa"))
    x = np.zeros((3, 0)) if x is None else x
    w = np.zeros(0) if w is None else w
    expected = [Statevector(qc) for qc in both["qiskit"].bound("c", x, w)]
    pennylane = both["pennylane"]
    rows = pennylane.bound("c", x, w)
    assert len(rows) == 3 and all(Statevector(qc).equiv(e) for qc, e in zip(rows, expected, strict=True))
    template = pennylane.template("c")
    assert (template is None) == ("amplitude" in family)
    if template is not None:
        values = pennylane.values("c", x, w)
        assert set(values) == set(template.parameters)
        for r, e in enumerate(expected):
            bound = template.assign_parameters({p: v[r] for p, v in values.items()})
            assert Statevector(bound).equiv(e)


def _samplers(circuits: dict, shots: int, seed: int = 1) -> dict:
    return {t: IbmSamplerExecutor(s, "fake_manila", shots=shots, seed=seed) for t, s in sources(circuits).items()}


def _gates(qc) -> list[tuple[str, tuple[int, ...]]]:
    """A transpiled circuit's instructions: name and physical qubits, in order."""
    return [(i.operation.name, tuple(qc.find_bit(q).index for q in i.qubits)) for i in qc.data]


def test_both_targets_transpile_the_same_templates_and_sample_the_same_distribution():
    """Local testing mode (FakeManila's noise on Aer), same seed: the two targets' templates transpile to the same
    gates on the same physical qubits, and their frequencies agree within shot noise (4σ per outcome)."""
    circuits = {"zz": lib.zz_map(3, reps=1), "amp": lib.amplitude_map(2)}
    x = np.random.default_rng(5).uniform(0.1, np.pi, (4, 3))
    shots = 2000
    samplers = _samplers(circuits, shots)
    try:
        probs = {
            t: (s.probs("zz", x, None), s.probs("amp", x[:, :2].repeat(2, axis=1), None)) for t, s in samplers.items()
        }
    finally:
        for s in samplers.values():
            s.close()
    qiskit, pennylane = (samplers[t].template("zz") for t in ("qiskit", "pennylane"))
    assert _gates(pennylane) == _gates(qiskit) and pennylane.depth() == qiskit.depth()
    assert pennylane.layout.final_index_layout() == qiskit.layout.final_index_layout()
    assert samplers["pennylane"].template("amp") is None  # amplitude encodings: transpiled row by row
    for a, b in zip(probs["qiskit"], probs["pennylane"], strict=True):
        p = (a + b) / 2
        sigma = np.sqrt(2 * p * (1 - p) / shots) + 1 / shots
        assert np.all(np.abs(a - b) <= 4 * sigma)
    for s in samplers.values():
        assert s.ran == {("zz", shots): 4, ("amp", shots): 4} and len(s.jobs) == 2 and s.shots_spent == 8 * shots
    assert samplers["pennylane"].target == "pennylane" and samplers["qiskit"].target == "qiskit"


@pytest.mark.parametrize("token", [None, "not-a-real-token"])
def test_no_account_or_no_network_is_the_same_diagnostic_on_both_targets(token, tmp_path, monkeypatch):
    """No saved account, or a token with no network to check it against: a diagnostic with a hint from either
    target, promptly (the runtime's own connect retries, never a hang), and no request leaves the machine."""
    for var in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL", "QISKIT_IBM_URL"):
        monkeypatch.delenv(var, raising=False)
    if token:
        monkeypatch.setenv("QISKIT_IBM_TOKEN", token)
    monkeypatch.setenv("HOME", str(tmp_path))
    from qiskit_ibm_runtime.accounts import management

    monkeypatch.setattr(management, "_DEFAULT_ACCOUNT_CONFIG_JSON_FILE", str(tmp_path / "qiskit-ibm.json"))
    import socket

    def no_network(*args, **kwargs):
        raise OSError("tests never touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)  # whatever the runtime tries, it gets no network
    monkeypatch.setattr(socket, "getaddrinfo", no_network)  # nor a name lookup
    circuits = {"c": lib.angle_map(2)}
    pl = module_namespace(emit_pennylane, circuits)
    qk = module_namespace(emit_qiskit, circuits)
    makers = {
        "qiskit": lambda: qiskit_executor({"c": qk["c"]}, "ibm:ibm_fez", shots=100),
        "pennylane": lambda: pennylane_executor({"c": (pl["c"], CircuitShape(2, 2, 0))}, "ibm:ibm_fez", shots=100),
    }
    for make in makers.values():
        with pytest.raises(RuntimeDiagnostic, match="cannot reach IBM backend `ibm_fez`") as caught:
            make()
        assert "save_account" in caught.value.help and (token is None or token not in str(caught.value))
