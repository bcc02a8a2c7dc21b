from __future__ import annotations

from dataclasses import replace

import pytest

from qlang.circuits import library as lib
from qlang.circuits.ir import AmplitudeEncoding, Gate


@pytest.mark.parametrize(
    "circuit,sizes",
    [
        (lib.angle_map(3), (3, 3, 0)),
        (lib.amplitude_map(3), (3, 8, 0)),
        (lib.zz_map(4, reps=1), (4, 4, 0)),
        (lib.hardware_efficient(3, 2), (3, 0, 12)),
        (lib.strongly_entangling(3, 2), (3, 0, 18)),
        (lib.reuploading(4, 3), (4, 4, 24)),
        (lib.qaoa(3, 2, [1, 0, 1], {(0, 1): 1}), (3, 0, 4)),
        (lib.swap_test(lib.angle_map(2)), (5, 4, 0)),
        (lib.compute_uncompute(lib.zz_map(2)), (2, 4, 0)),
    ],
)
def test_family_sizes(circuit, sizes):
    assert (circuit.n_wires, circuit.n_inputs, circuit.n_weights) == sizes


def test_zz_map_gate_sequence():
    ops = lib.zz_map(2, reps=1, bandwidth=0.5).ops
    assert [op.name for op in ops] == ["h", "h", "rz", "rz", "cnot", "rz", "cnot"]
    assert ops[2].angle.render() == "(1.0 * x[0])"
    assert ops[5].wires == (1,)
    assert ops[5].angle.render() == "(0.5 * ((pi - x[0]) * (pi - x[1])))"


def test_strongly_entangling_ranges():
    ops = lib.strongly_entangling(3, 2).ops
    cnots = [op.wires for op in ops if op.name == "cnot"]
    assert cnots == [(0, 1), (1, 2), (2, 0), (0, 2), (1, 0), (2, 1)]


def test_qaoa_skips_zero_terms_and_orders_weights():
    c = lib.qaoa(2, 1, {0: 0.0, 1: 0.5}, {(0, 1): -1.0})
    assert [(op.name, op.wires, op.angle and op.angle.render()) for op in c.ops] == [
        ("h", (0,), None),
        ("h", (1,), None),
        ("rz", (1,), "(1.0 * w[0])"),
        ("rzz", (0, 1), "(-2.0 * w[0])"),
        ("rx", (0,), "(2.0 * w[1])"),
        ("rx", (1,), "(2.0 * w[1])"),
    ]
    with pytest.raises(ValueError):
        lib.qaoa(2, 1, [1, 1], {}, mixer="xy")  # the XY mixer needs the Dicke state's weight k
    with pytest.raises(ValueError):
        lib.qaoa(2, 1, [1, 1], {}, mixer="y")


def test_bad_sizes_and_rotations():
    with pytest.raises(ValueError):
        lib.angle_map(0)
    with pytest.raises(ValueError):
        lib.reuploading(2, 1, rotation="w")
    with pytest.raises(ValueError):
        lib.hardware_efficient(2, True)


def test_swap_test_and_compute_uncompute_layout():
    fm = lib.amplitude_map(2)
    swap = lib.swap_test(fm)
    assert swap.ops[:2] == (AmplitudeEncoding((1, 2), 0), AmplitudeEncoding((3, 4), 4))
    cswaps = [op.wires for op in swap.ops if isinstance(op, Gate) and op.name == "cswap"]
    assert cswaps == [(0, 1, 3), (0, 2, 4)]
    cu = lib.compute_uncompute(fm)
    assert cu.ops == (AmplitudeEncoding((0, 1), 0), AmplitudeEncoding((0, 1), 4))


@pytest.mark.parametrize("encoding,inputs", [("angle", 3), ("amplitude", 8), ("zz", 3)])
def test_quantum_kmeans_stage(encoding, inputs):
    params = {"qubits": 3, "encoding": encoding, "reps": 1, "bandwidth": 0.5, "shots": None}
    circuits = lib.stage_circuits("quantum_kmeans", params)
    assert sorted(circuits) == ["feature_map", "overlap"]
    fm, overlap = circuits["feature_map"], circuits["overlap"]
    assert (fm.name, overlap.name) == ("feature_map", "overlap")
    assert (fm.n_wires, fm.n_inputs, overlap.n_inputs) == (3, inputs, 2 * inputs)
    assert overlap.ops[: len(fm.ops)] == fm.ops


def test_hybrid_qnn_head_stage():
    circuits = lib.stage_circuits("hybrid_qnn_head", {"qubits": 4, "layers": 2})
    assert list(circuits) == ["model"]
    assert circuits["model"] == replace(lib.reuploading(4, 2), name="model")


def test_unknown_stage_inputs():
    with pytest.raises(ValueError):
        lib.stage_circuits("svm", {})
    with pytest.raises(ValueError):
        lib.stage_circuits("quantum_kmeans", {"qubits": 2, "encoding": "basis"})
