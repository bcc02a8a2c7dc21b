"""probs with shots: close to the exact probabilities, independent per row, reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from qlang.circuits import library as lib

TARGETS = [
    ("qiskit", "aer_simulator"),
    ("qiskit", "statevector"),
    ("pennylane", "default.qubit"),
    ("pennylane", "lightning.qubit"),
]
CIRCUITS = {
    "model": lib.reuploading(2, 2),
    "overlap": lib.compute_uncompute(lib.amplitude_map(2)),
}


def _args(name, rows=4, seed=0):
    rng = np.random.default_rng(seed)
    circuit = CIRCUITS[name]
    x = rng.uniform(-np.pi, np.pi, (rows, circuit.n_inputs))
    w = rng.uniform(-np.pi, np.pi, circuit.n_weights) if circuit.n_weights else None
    return x, w


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", sorted(CIRCUITS))
def test_sampled_probs_are_close_to_exact(executor, target, name):
    ex = executor(*target, CIRCUITS, seed=3)
    x, w = _args(name)
    shots = 20_000
    exact = ex.probs(name, x, w)
    sampled = ex.probs(name, x, w, shots=shots)
    assert sampled.shape == exact.shape
    np.testing.assert_allclose(sampled.sum(axis=1), 1.0)
    counts = sampled * shots  # frequencies of `shots` samples
    np.testing.assert_allclose(counts, np.round(counts), atol=1e-6)
    sigma = np.sqrt(exact * (1 - exact) / shots)
    assert np.all(np.abs(sampled - exact) <= 5 * sigma + 1e-3)


@pytest.mark.parametrize("target", TARGETS)
def test_sampling_is_reproducible_and_rows_independent(executor, target):
    x, w = _args("model")
    x[1] = x[0]  # two equal rows must still get their own samples
    ex = executor(*target, CIRCUITS, seed=11)
    first = ex.probs("model", x, w, shots=200)
    second = ex.probs("model", x, w, shots=200)
    assert not np.array_equal(first, second)  # the sampler moves on between calls
    ex.reseed(11)
    np.testing.assert_array_equal(ex.probs("model", x, w, shots=200), first)
    ex.states("model", x, w)  # analytic calls do not disturb the sampler
    np.testing.assert_array_equal(ex.probs("model", x, w, shots=200), second)
    fresh = executor(*target, CIRCUITS, seed=11)
    np.testing.assert_array_equal(fresh.probs("model", x, w, shots=200), first)
    assert not np.array_equal(first[0], first[1])
    other = executor(*target, CIRCUITS, seed=12)
    assert not np.array_equal(other.probs("model", x, w, shots=200), first)
