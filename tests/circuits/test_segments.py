"""The Qiskit executor's segment path (qlang/runtime/targets/segments.py) gives the same states as
simulating every row, and is taken only where it saves most of the experiments."""

import numpy as np
import pytest

from qlang.circuits.ir import Circuit, Gate, Input, Weight
from qlang.circuits.library import encoded_reuploading, hardware_efficient, reuploading, zz_map
from qlang.runtime.methods.parameter_shift import expvals_and_jacobian

CIRCUITS = {
    "reuploading": reuploading(3, 2),
    "encoded": encoded_reuploading(3, 1, 2),
    "ansatz": hardware_efficient(3, 2),  # weights only
    "zz": zz_map(3, 2, bandwidth=0.5),  # inputs only, angles that are expressions of two inputs
    # a constant first segment, then a gate reading an input and a weight together: cannot be cut
    "mixed": Circuit("mixed", 2, 2, 1, [Gate("h", (0,)), Gate("cnot", (0, 1)), Gate("ry", (0,), Input(0)),
                                        Gate("rz", (1,), Input(1) + Weight(0))]),
}


@pytest.fixture(scope="module")
def pair(executor):
    return executor("qiskit", "aer_simulator", CIRCUITS), executor("pennylane", "default.qubit", CIRCUITS)


def _repeated(rng, distinct: int, copies: int, width: int) -> np.ndarray:
    return np.repeat(rng.uniform(-2, 2, (distinct, width)), copies, axis=0)[rng.permutation(distinct * copies)]


@pytest.mark.parametrize("name", ["reuploading", "encoded", "zz", "ansatz"])
def test_segments_equal_the_reference_and_are_used(pair, name):
    qiskit, pennylane = pair
    shape = qiskit.shape(name)
    rng = np.random.default_rng(1)
    x = _repeated(rng, 6, 10, shape.n_inputs) if shape.n_inputs else None
    w = _repeated(rng, 5, 12, shape.n_weights) if shape.n_weights else None
    assert np.allclose(qiskit.states(name, x, w), pennylane.states(name, x, w), atol=1e-12)
    assert np.allclose(qiskit.probs(name, x, w), pennylane.probs(name, x, w), atol=1e-12)
    assert qiskit._get(name).segments, "the circuit should have been cut into segments"


def test_parameter_shift_batch_uses_segments_and_agrees(pair):
    qiskit, pennylane = pair
    rng = np.random.default_rng(2)
    x, w = rng.uniform(-1.5, 1.5, (16, 3)), rng.uniform(-np.pi, np.pi, 12)
    values_q, jacobian_q = expvals_and_jacobian(qiskit, "reuploading", x, w)
    values_p, jacobian_p = expvals_and_jacobian(pennylane, "reuploading", x, w)
    assert np.allclose(values_q, values_p, atol=1e-12) and np.allclose(jacobian_q, jacobian_p, atol=1e-12)


def test_rows_that_are_all_distinct_or_uncuttable_take_the_plain_path(pair):
    qiskit, pennylane = pair
    rng = np.random.default_rng(3)
    x = rng.uniform(-2, 2, (8, 2))
    w = rng.uniform(-2, 2, (8, 1))
    assert np.allclose(qiskit.states("mixed", x, w), pennylane.states("mixed", x, w), atol=1e-12)
    assert qiskit._get("mixed").segments == []
    distinct = rng.uniform(-2, 2, (8, 3))
    assert qiskit._by_segments(qiskit._get("zz"), distinct, np.zeros(0)) is None  # nothing to share
