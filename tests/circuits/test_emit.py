"""Emitted source: valid, deterministic, black-style, import-free; qasm3 export."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qlang.circuits import emit_pennylane, emit_qiskit
from qlang.circuits import library as lib
from qlang.circuits.ir import PI, Circuit, Gate, Input, Weight
from qlang.circuits.pysource import LINE_LENGTH
from qlang.circuits.qasm import to_qasm3

BUILDERS = {
    "angle": lambda n, k: lib.angle_map(n, "z", 0.3),
    "amplitude": lambda n, k: lib.amplitude_map(n),
    "zz": lambda n, k: lib.zz_map(n, k, 0.123456789),
    "hardware_efficient": lib.hardware_efficient,
    "strongly_entangling": lib.strongly_entangling,
    "reuploading": lib.reuploading,
    "qaoa": lambda n, k: lib.qaoa(n, k, [0.1] * n, {(0, n - 1): 0.2} if n > 1 else {}),
    "swap_test": lambda n, k: lib.swap_test(lib.zz_map(n, k)),
    "compute_uncompute": lambda n, k: lib.compute_uncompute(lib.amplitude_map(n)),
}
EMITTERS = [emit_qiskit, emit_pennylane]


@settings(max_examples=40, deadline=None)
@given(family=st.sampled_from(sorted(BUILDERS)), n=st.integers(1, 5), k=st.integers(1, 3))
def test_emitted_source_is_valid_deterministic_and_tidy(family, n, k):
    for emitter in EMITTERS:
        source = emitter.emit(BUILDERS[family](n, k), "stage_role")
        assert source == emitter.emit(BUILDERS[family](n, k), "stage_role")
        tree = ast.parse(source)
        assert [type(node) for node in tree.body] == [ast.FunctionDef]
        assert tree.body[0].name == "stage_role"
        assert not any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in ast.walk(tree))
        assert source.endswith("\n") and "\t" not in source
        for line in source.splitlines()[2:]:  # after the signature and the docstring
            assert len(line) <= LINE_LENGTH
            assert (len(line) - len(line.lstrip(" "))) % 4 == 0


def test_long_angles_are_split_like_black():
    angle = Input(0)
    for i in range(1, 9):
        angle = angle * (PI - Input(i)) + 0.123456789 * Weight(0)
    circuit = Circuit("long", 2, 9, 1, [Gate("rzz", (0, 1), angle)])
    for emitter in EMITTERS:
        source = emitter.emit(circuit, "f")
        ast.parse(source)
        assert max(len(line) for line in source.splitlines()[2:]) <= LINE_LENGTH


def test_emitted_qiskit_circuit_matches_ir():
    circuit = lib.reuploading(3, 2)
    qc, x, w = emit_qiskit.build(circuit)
    assert (qc.num_qubits, len(x), len(w)) == (3, 3, 12)
    assert dict(qc.count_ops()) == {"ry": 12, "rz": 6, "cx": 6}


def test_imports_name_what_the_bodies_use():
    assert "from numpy import pi" in emit_qiskit.IMPORTS
    assert "import pennylane as qml" in emit_pennylane.IMPORTS
    for emitter in EMITTERS:
        for line in emitter.IMPORTS:
            ast.parse(line)


@pytest.mark.parametrize(
    "circuit,mentions",
    [
        (lib.reuploading(2, 1), ["ry(", "rz(", "cx ", "input float[64] _x_0_", "_w_3_"]),
        (lib.qaoa(2, 1, [1.0, 1.0], {(0, 1): 1.0}), ["h q[0]", "rzz(", "rx("]),
        (lib.swap_test(lib.angle_map(1)), ["cswap q[0], q[1], q[2]"]),
        (lib.compute_uncompute(lib.amplitude_map(1)), ["amplitude_encoding(_x_0_, _x_1_) q[0]"]),
    ],
)
def test_qasm3_mentions_gates(circuit, mentions):
    text = to_qasm3(circuit)
    assert text.startswith("OPENQASM 3")
    for mention in mentions:
        assert mention in text


def test_every_ir_gate_has_a_translation_on_every_target():
    """The IR's gate set (qlang.circuits.ir.GATES) and each registered target's emitter table are the same
    set, and each gate emits and builds on every target."""
    from qlang.catalog.settings import TARGETS
    from qlang.circuits.emitter import emitter
    from qlang.circuits.ir import GATES

    for target in TARGETS:
        assert set(emitter(target).GATES) == set(GATES), target
    for name, (arity, has_angle) in GATES.items():
        circuit = Circuit(name, 3, 1, 0, [Gate(name, tuple(range(arity)), Input(0) if has_angle else None)])
        qc, _, _ = emit_qiskit.build(circuit)
        assert len(qc.data) == 1 and qc.data[0].operation.num_qubits == arity
        assert emit_pennylane.build(circuit) is not None


def test_an_unsupported_gate_is_a_clear_error(monkeypatch):
    from qlang.circuits.emitter import UnsupportedGate

    for emitter_module in EMITTERS:
        tables = {k: v for k, v in emitter_module.EMITTER.GATES.items() if k != "cswap"}
        monkeypatch.setattr(type(emitter_module.EMITTER), "GATES", tables)
        with pytest.raises(UnsupportedGate, match=r"no translation for the gate 'cswap'"):
            emitter_module.emit(lib.swap_test(lib.angle_map(1)), "f")
