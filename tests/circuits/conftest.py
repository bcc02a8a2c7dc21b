"""Executors for both targets built the way generated modules build them: exec of the emitted
source of every circuit, then the executors' constructors."""

from __future__ import annotations

import pytest

from qlang.circuits import emit_pennylane, emit_qiskit
from qlang.circuits.ir import Circuit
from qlang.runtime.protocol import CircuitShape

# (target, device) pairs every agreement test runs on; the first is the reference.
TARGETS = [
    ("qiskit", "aer_simulator"),
    ("qiskit", "statevector"),
    ("pennylane", "default.qubit"),
    ("pennylane", "lightning.qubit"),
]


def module_namespace(emitter, circuits: dict[str, Circuit]) -> dict:
    source = "\n".join(emitter.IMPORTS) + "\n\n\n"
    source += "\n\n".join(emitter.emit(c, name) for name, c in circuits.items())
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace


def make_executor(target: str, device: str, circuits: dict[str, Circuit], seed: int = 0):
    from qlang.runtime.targets.pennylane import PennyLaneExecutor
    from qlang.runtime.targets.qiskit import QiskitExecutor

    if target == "qiskit":
        ns = module_namespace(emit_qiskit, circuits)
        return QiskitExecutor({name: ns[name] for name in circuits}, device=device, seed=seed)
    ns = module_namespace(emit_pennylane, circuits)
    bodies = {
        name: (ns[name], CircuitShape(c.n_wires, c.n_inputs, c.n_weights))
        for name, c in circuits.items()
    }
    return PennyLaneExecutor(bodies, device=device, seed=seed)


def make_all(circuits: dict[str, Circuit], seed: int = 0, targets=TARGETS) -> list:
    return [make_executor(t, d, circuits, seed) for t, d in targets]


@pytest.fixture(scope="session")
def executors():
    """`executors(circuits, seed=0, targets=TARGETS)` -> one executor per (target, device)."""
    return make_all


@pytest.fixture(scope="session")
def executor():
    """`executor(target, device, circuits, seed=0)` -> one executor."""
    return make_executor
