"""A numpy statevector executor implementing the Executor protocol for three small circuits:

  feature_map  angle encoding, RY(x_i) on wire i                             inputs q
  overlap      feature_map(x) then its inverse at x'                         inputs 2q
  model        per layer: RY(x_i), RY(w), RZ(w) on each wire, CNOT ring      inputs q, weights 2*q*layers
"""

from __future__ import annotations

import numpy as np
import pytest

from qlang.runtime.protocol import CircuitShape


def _ry(theta):
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2).astype(complex)


def _rz(theta):
    phase = np.exp(-0.5j * theta)
    zero = np.zeros_like(phase)
    return np.stack([np.stack([phase, zero], -1), np.stack([zero, phase.conj()], -1)], -2)


class StatevectorDouble:
    target = "double"
    device = "numpy"

    def __init__(self, qubits: int = 2, layers: int = 2, seed: int = 0):
        self.q, self.layers = qubits, layers
        self.rng = np.random.default_rng(seed)
        self.calls: list[tuple[str, str, int]] = []  # (method, circuit, rows)

    def shape(self, name):
        return {
            "feature_map": CircuitShape(self.q, self.q, 0),
            "overlap": CircuitShape(self.q, 2 * self.q, 0),
            "model": CircuitShape(self.q, self.q, 2 * self.q * self.layers),
        }[name]

    def _gate(self, state, wire, mats):
        moved = np.moveaxis(state, 1 + wire, -1)
        return np.moveaxis(np.einsum("bij,b...j->b...i", mats, moved), -1, 1 + wire)

    def _cnot(self, state, control, target):
        state = state.copy()
        index = [slice(None)] * state.ndim
        index[1 + control] = 1
        axis = target if target < control else target - 1
        state[tuple(index)] = np.flip(state[tuple(index)], axis=1 + axis)
        return state

    def _run(self, name, x, w):
        x = np.asarray(x, dtype=float)
        batch = len(x)
        if w is not None:
            w = np.broadcast_to(np.asarray(w, dtype=float), (batch, self.shape(name).n_weights))
        state = np.zeros((batch,) + (2,) * self.q, dtype=complex)
        state[(slice(None),) + (0,) * self.q] = 1.0
        if name in ("feature_map", "overlap"):
            for i in range(self.q):
                state = self._gate(state, i, _ry(x[:, i]))
            if name == "overlap":
                for i in range(self.q):
                    state = self._gate(state, i, _ry(-x[:, self.q + i]))
        else:
            w = w.reshape(batch, self.layers, self.q, 2)
            for layer in range(self.layers):
                for i in range(self.q):
                    state = self._gate(state, i, _ry(x[:, i]))
                    state = self._gate(state, i, _ry(w[:, layer, i, 0]))
                    state = self._gate(state, i, _rz(w[:, layer, i, 1]))
                if self.q > 1:
                    for i in range(self.q):
                        state = self._cnot(state, i, (i + 1) % self.q)
        return state.reshape(batch, -1)

    def states(self, name, x, w):
        self.calls.append(("states", name, len(x)))
        return self._run(name, x, w)

    def probs(self, name, x, w, shots=None):
        self.calls.append(("probs", name, len(x)))
        p = np.abs(self._run(name, x, w)) ** 2
        if shots is None:
            return p
        p = p / p.sum(axis=1, keepdims=True)
        return self.rng.multinomial(shots, p) / shots

    def expvals(self, name, x, w):
        self.calls.append(("expvals", name, len(x)))
        p = (np.abs(self._run(name, x, w)) ** 2).reshape((len(x),) + (2,) * self.q)
        return np.stack(
            [p.sum(axis=tuple(a for a in range(1, self.q + 1) if a != 1 + i))[:, 0] * 2 - 1 for i in range(self.q)],
            axis=1,
        )

    def reseed(self, seed):
        self.rng = np.random.default_rng(seed)


@pytest.fixture
def double():
    return StatevectorDouble


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("QLANG_CACHE", str(tmp_path / "cache"))


def pytest_configure(config):
    config.addinivalue_line("markers", "minilm: loads the bundled MiniLM sentence encoder (a few seconds)")


SDKS = {"qiskit": "qiskit", "pennylane": "pennylane"}  # target -> the optional SDK it needs


def require_sdk(target: str) -> None:
    """Skip when the target's optional SDK is not installed, and only then: an ImportError anywhere else
    (qlang's own modules included) fails the test."""
    import importlib.util

    if importlib.util.find_spec(SDKS[target]) is None:
        pytest.skip(f"the optional SDK `{SDKS[target]}` is not installed (pip install \"qlang[{target}]\")")


def real_executor(target: str, method: str, params: dict, seed: int = 0):
    """The target's executor over `stage_circuits(method, params)`, each circuit named by its role."""
    require_sdk(target)
    from qlang.circuits import emit_pennylane, emit_qiskit
    from qlang.circuits.library import stage_circuits

    circuits = stage_circuits(method, params)
    if target == "qiskit":
        from qlang.runtime.targets.qiskit import QiskitExecutor

        builders = {role: (lambda c=c, role=role: emit_qiskit.build(c, f"build_{role}")) for role, c in circuits.items()}
        return QiskitExecutor(builders, seed=seed)
    from qlang.runtime.targets.pennylane import PennyLaneExecutor

    bodies = {
        role: (emit_pennylane.build(c, f"body_{role}"), CircuitShape(c.n_wires, c.n_inputs, c.n_weights))
        for role, c in circuits.items()
    }
    return PennyLaneExecutor(bodies, seed=seed)


@pytest.fixture
def real():
    return real_executor
