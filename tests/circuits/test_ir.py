from __future__ import annotations

import pytest

from qlang.circuits.ir import PI, AmplitudeEncoding, BinOp, Circuit, Const, Gate, Input, Weight


def test_angles_render_the_same_text_for_both_targets():
    assert Input(3).render() == "x[3]"
    assert Weight(0).render() == "w[0]"
    assert PI.render() == "pi"
    assert Const(0.1).render() == "0.1"
    assert (2.0 * (PI - Input(0))).render() == "(2.0 * (pi - x[0]))"
    assert (Input(1) + Weight(2) * 3).render() == "(x[1] + (w[2] * 3.0))"
    assert (-(2.0 * Input(0))).render() == "(-2.0 * x[0])"
    assert (-(-(Input(0)))) == Input(0)
    with pytest.raises(ValueError):
        BinOp("/", Input(0), Input(1))
    with pytest.raises(TypeError):
        Input(0) + "x"


def test_gate_checks_arity_and_angle():
    assert Gate("rzz", [0, 1], 0.5).angle == Const(0.5)
    with pytest.raises(ValueError):
        Gate("cnot", (0, 0))
    with pytest.raises(ValueError):
        Gate("rx", (0,))
    with pytest.raises(ValueError):
        Gate("h", (0,), Input(0))
    with pytest.raises(ValueError):
        Gate("toffoli", (0, 1, 2))


def test_circuit_checks_wires_inputs_and_weights():
    with pytest.raises(ValueError, match="wire"):
        Circuit("c", 1, 0, 0, [Gate("h", (1,))])
    with pytest.raises(ValueError, match="x\\[2\\]"):
        Circuit("c", 1, 2, 0, [Gate("rx", (0,), Input(2))])
    with pytest.raises(ValueError, match="w\\[0\\]"):
        Circuit("c", 1, 0, 0, [Gate("rx", (0,), Weight(0))])
    with pytest.raises(ValueError, match="reads past"):
        Circuit("c", 2, 3, 0, [AmplitudeEncoding((0, 1), 0)])


def test_inverse_reverses_and_negates():
    c = Circuit(
        "c",
        2,
        4,
        1,
        [
            AmplitudeEncoding((0,), 2),
            Gate("s", (0,)),
            Gate("rx", (1,), Input(0) * Weight(0)),
            Gate("cnot", (0, 1)),
        ],
    )
    inv = c.inverse()
    assert inv.name == "c_dg"
    assert inv.ops == (
        Gate("cnot", (0, 1)),
        Gate("rx", (1,), -(Input(0) * Weight(0))),
        Gate("sdg", (0,)),
        AmplitudeEncoding((0,), 2),
    )
    assert inv.inverse().ops == c.ops


def test_compose_and_describe():
    a = Circuit("a", 1, 1, 0, [Gate("ry", (0,), Input(0))])
    b = Circuit("b", 2, 0, 1, [Gate("cz", (0, 1)), Gate("rz", (1,), Weight(0))])
    ab = a.compose(b)
    assert (ab.name, ab.n_wires, ab.n_inputs, ab.n_weights) == ("a_b", 2, 1, 1)
    assert ab.ops == a.ops + b.ops
    assert ab.describe() == "a_b: 2 wires, 1 inputs, 1 weights, 3 ops (cz 1, ry 1, rz 1)"
