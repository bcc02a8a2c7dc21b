"""Executors' argument handling: shared weights, missing inputs, chunking, errors."""

from __future__ import annotations

import numpy as np
import pytest

from qlang.circuits import library as lib
from qlang.runtime.targets import batching

TARGETS = [("qiskit", "aer_simulator"), ("pennylane", "default.qubit")]
CIRCUITS = {
    "model": lib.reuploading(2, 1),
    "ansatz": lib.hardware_efficient(2, 1),
    "amp": lib.compute_uncompute(lib.amplitude_map(1)),
}


@pytest.mark.parametrize("target", TARGETS)
def test_shared_weights_equal_repeated_rows(executor, target):
    ex = executor(*target, CIRCUITS)
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(5, 2)), rng.normal(size=4)
    np.testing.assert_allclose(ex.states("model", x, w), ex.states("model", x, np.tile(w, (5, 1))))


@pytest.mark.parametrize("target", TARGETS)
def test_batch_size_without_inputs(executor, target):
    ex = executor(*target, CIRCUITS)
    w = np.random.default_rng(1).normal(size=(3, 4))
    assert ex.states("ansatz", None, w).shape == (3, 4)
    assert ex.expvals("ansatz", None, w[0]).shape == (1, 2)
    assert ex.probs("ansatz", None, w[0], shots=10).shape == (1, 4)


@pytest.mark.parametrize("target", TARGETS)
def test_chunked_runs_match_whole_runs(executor, target, monkeypatch):
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(7, 2)), rng.normal(size=(7, 4))
    pairs = rng.normal(size=(7, 4))
    whole = executor(*target, CIRCUITS, seed=5)
    expected = [whole.states("model", x, w), whole.probs("amp", pairs, None)]
    monkeypatch.setattr(batching, "MAX_CHUNK_AMPLITUDES", 8)  # two rows of 2 qubits per chunk
    chunked = executor(*target, CIRCUITS, seed=5)
    np.testing.assert_allclose(chunked.states("model", x, w), expected[0], atol=1e-12)
    np.testing.assert_allclose(chunked.probs("amp", pairs, None), expected[1], atol=1e-12)
    assert chunked.probs("model", x, w, shots=50).shape == (7, 4)


@pytest.mark.parametrize("target", TARGETS)
def test_bad_arguments(executor, target):
    ex = executor(*target, CIRCUITS)
    assert ex.target == target[0] and ex.device == target[1]
    assert ex.shape("model") == batching.CircuitShape(2, 2, 4)
    with pytest.raises(KeyError):
        ex.states("nope", None, None)
    with pytest.raises(ValueError):
        ex.states("model", None, np.zeros(4))
    with pytest.raises(ValueError):
        ex.states("model", np.zeros((2, 3)), np.zeros(4))
    with pytest.raises(ValueError):
        ex.states("model", np.zeros((2, 2)), np.zeros((3, 4)))
    with pytest.raises(ValueError):
        ex.states("amp", np.zeros((1, 4)), None)  # nothing to amplitude-encode
    with pytest.raises(ValueError):
        ex.probs("model", np.zeros((1, 2)), np.zeros(4), shots=0)


def test_reversed_bits_and_z_expvals():
    assert list(batching.reversed_bits(3)) == [0, 4, 2, 6, 1, 5, 3, 7]
    probs = np.zeros((1, 4))
    probs[0, 2] = 1.0  # |10>: wire 0 is 1
    np.testing.assert_allclose(batching.z_expvals(probs, 2), [[-1.0, 1.0]])
