import numpy as np
import pytest

from qlang.runtime.methods import MethodContext, kernel
from qlang.runtime.methods.kernel import FidelityKernel, exact_gram, nearest_psd, sampled_gram

TARGETS = ["qiskit", "pennylane"]
ROLES = {"feature_map": "feature_map", "overlap": "overlap"}


def reference_gram(x, y, reps=2):
    """|<psi(x)|psi(y)>|^2 from qiskit.quantum_info statevectors of qiskit's own ZZ feature map."""
    qiskit = pytest.importorskip("qiskit")
    from qiskit.circuit.library import zz_feature_map
    from qiskit.quantum_info import Statevector

    fm = zz_feature_map(x.shape[1], reps=reps)
    assert isinstance(fm, qiskit.QuantumCircuit)

    def sv(rows):
        return np.array([Statevector(fm.assign_parameters(row)).data for row in rows])

    return np.abs(sv(x).conj() @ sv(y).T) ** 2


@pytest.mark.parametrize("target", TARGETS)
def test_exact_gram_and_cross_gram_equal_the_reference(real, target):
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, np.pi, (7, 3)), rng.uniform(0, np.pi, (5, 3))
    executor = real(target, "quantum_kmeans", {"qubits": 3, "encoding": "zz", "reps": 2, "bandwidth": 1.0})
    assert np.abs(exact_gram(executor, "feature_map", x) - reference_gram(x, x)).max() < 1e-10
    assert np.abs(exact_gram(executor, "feature_map", x, y) - reference_gram(x, y)).max() < 1e-10


@pytest.mark.parametrize("target", TARGETS)
def test_tiles_bound_each_states_call_and_give_the_same_matrix(real, target, monkeypatch):
    rng = np.random.default_rng(2)
    x, y = rng.uniform(0, np.pi, (11, 3)), rng.uniform(0, np.pi, (6, 3))
    executor = real(target, "quantum_kmeans", {"qubits": 3, "encoding": "zz", "reps": 1, "bandwidth": 1.0})
    whole, cross = exact_gram(executor, "feature_map", x), exact_gram(executor, "feature_map", x, y)
    monkeypatch.setattr(kernel, "TILE_AMPLITUDES", 4 * 8)  # 4 rows of 3 qubits per call
    monkeypatch.setattr(kernel, "KEEP_AMPLITUDES", 8)  # nothing kept: every tile pair recomputed
    calls = []
    states = executor.states
    executor.states = lambda name, rows, w: calls.append(len(rows)) or states(name, rows, w)
    assert np.abs(exact_gram(executor, "feature_map", x) - whole).max() < 1e-12
    assert np.abs(exact_gram(executor, "feature_map", x, y) - cross).max() < 1e-12
    assert max(calls) == 4


def test_one_states_call_per_tile(double, monkeypatch):
    executor = double(qubits=2)
    monkeypatch.setattr(kernel, "TILE_AMPLITUDES", 10 * 4)
    exact_gram(executor, "feature_map", np.random.default_rng(0).uniform(0, 3, (25, 2)))
    assert executor.calls == [("states", "feature_map", 10), ("states", "feature_map", 10), ("states", "feature_map", 5)]


def test_sampled_gram_approaches_the_exact_one_and_is_projected_to_psd(double):
    x = np.random.default_rng(3).uniform(0, np.pi, (12, 2))
    exact = exact_gram(double(qubits=2), "feature_map", x)
    sampled = sampled_gram(double(qubits=2, seed=4), "overlap", x, 4000)
    assert np.abs(sampled - exact).max() < 0.05 and np.all(np.diag(sampled) == 1.0)
    cross = sampled_gram(double(qubits=2), "overlap", x[:5], 4000, y=x[5:])
    assert cross.shape == (5, 7) and np.abs(cross - exact[:5, 5:]).max() < 0.05
    kernel_ = FidelityKernel(MethodContext(double(qubits=2), ROLES, seed=1), shots=50)
    assert np.linalg.eigvalsh(kernel_(x)).min() > -1e-10


def test_nearest_psd_clips_negative_eigenvalues_and_keeps_psd_matrices():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(6, 3))
    psd = a @ a.T
    assert np.allclose(nearest_psd(psd), psd)
    noisy = psd + np.diag([-50.0, 0, 0, 0, 0, 0])
    fixed = nearest_psd(noisy)
    assert np.linalg.eigvalsh(fixed).min() > -1e-9 and np.allclose(fixed, fixed.T)
    assert np.linalg.norm(fixed - noisy) <= np.linalg.norm(psd - noisy) + 1e-9


@pytest.mark.parametrize("target", TARGETS)
def test_bandwidth_scales_the_inputs_like_the_angle_maps_scale(real, target):
    x = np.random.default_rng(5).uniform(0, np.pi, (6, 3))
    plain = real(target, "quantum_kmeans", {"qubits": 3, "encoding": "angle", "bandwidth": 1.0})
    scaled = real(target, "quantum_kmeans", {"qubits": 3, "encoding": "angle", "bandwidth": 0.3})
    by_input = FidelityKernel(MethodContext(plain, ROLES), None, scale=0.3)(x)
    assert np.abs(by_input - exact_gram(scaled, "feature_map", x)).max() < 1e-10


@pytest.mark.parametrize("target", TARGETS)
def test_exact_gram_equals_qiskit_machine_learnings_statevector_kernel(real, target):
    from qiskit.circuit.library import zz_feature_map
    from qiskit_machine_learning import kernels  # the `test` extra: this reference must run, never skip

    x = np.random.default_rng(6).uniform(0, np.pi, (9, 3))
    reference = kernels.FidelityStatevectorKernel(feature_map=zz_feature_map(3, reps=2)).evaluate(x)
    executor = real(target, "quantum_kmeans", {"qubits": 3, "encoding": "zz", "reps": 2, "bandwidth": 1.0})
    assert np.abs(exact_gram(executor, "feature_map", x) - reference).max() < 1e-10
