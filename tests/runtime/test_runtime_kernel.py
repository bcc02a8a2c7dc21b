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


def test_the_exact_gram_entry_by_hand(double):
    # RY(x_i) on each wire: <psi(x)|psi(y)> = prod_i cos((x_i - y_i) / 2), so K = prod_i cos^2((x_i - y_i) / 2)
    x = np.array([[0.0, 0.0], [np.pi / 2, 0.0], [np.pi / 3, np.pi]])
    gram = exact_gram(double(qubits=2), "feature_map", x)
    assert gram[0, 1] == pytest.approx(np.cos(np.pi / 4) ** 2)  # 1/2
    assert gram[0, 2] == pytest.approx(np.cos(np.pi / 6) ** 2 * np.cos(np.pi / 2) ** 2, abs=1e-15)  # 0
    assert gram[1, 2] == pytest.approx(np.cos(np.pi / 12) ** 2 * np.cos(np.pi / 2) ** 2, abs=1e-15)
    assert np.allclose(np.diag(gram), 1.0)


def test_offdiagonal_mean_by_hand():
    gram = np.array([[1.0, 0.2, 0.4], [0.2, 1.0, 0.6], [0.4, 0.6, 1.0]])
    assert kernel.offdiagonal_mean(gram) == pytest.approx((0.2 + 0.4 + 0.6) * 2 / 6)
    assert kernel.offdiagonal_mean(np.array([[1.0]])) == 0.0  # one row: no pairs, no division by zero


def test_a_state_larger_than_a_tile_is_still_computed_one_row_at_a_time(double, monkeypatch):
    monkeypatch.setattr(kernel, "TILE_AMPLITUDES", 4)  # fewer amplitudes than one 3-qubit state holds
    assert kernel.tile_rows(3) == 1
    executor = double(qubits=3)
    x = np.random.default_rng(0).uniform(0, 3, (3, 3))
    gram = exact_gram(executor, "feature_map", x)
    assert [c[2] for c in executor.calls] == [1, 1, 1]
    assert np.allclose(gram, exact_gram(double(qubits=3), "feature_map", x))


def test_states_run_with_blas_on_one_thread(double):
    from threadpoolctl import threadpool_info

    executor = double(qubits=2)
    seen = []
    run = executor.states
    executor.states = lambda name, rows, w: seen.append(
        [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]) or run(name, rows, w)
    kernel.states(executor, "feature_map", np.zeros((2, 2)))
    assert seen and seen[0] and all(n == 1 for n in seen[0])


def test_an_exact_kernels_states_give_its_gram(double):
    x = np.random.default_rng(8).uniform(0, np.pi, (5, 2))
    exact = FidelityKernel(MethodContext(double(qubits=2), ROLES), None, scale=0.5)
    psi = exact.states(x)
    assert psi.shape == (5, 4)
    assert np.abs(kernel.gram_of_states(psi, psi) - exact(x)).max() < 1e-12
    with pytest.raises(AssertionError):  # a sampled kernel has no statevectors
        FidelityKernel(MethodContext(double(qubits=2), ROLES, seed=1), shots=10).states(x)


def test_sampled_gram_in_small_calls_is_the_exact_gram_when_probabilities_are_exact(double, monkeypatch):
    # shots None: the double returns exact probabilities, so the all-zeros frequency is K itself
    monkeypatch.setattr(kernel, "PAIRS_PER_CALL", 4)
    x = np.random.default_rng(9).uniform(0, np.pi, (6, 2))
    exact = exact_gram(double(qubits=2), "feature_map", x)
    executor = double(qubits=2)
    assert np.abs(sampled_gram(executor, "overlap", x, None) - exact).max() < 1e-12
    assert [c[2] for c in executor.calls] == [4, 4, 4, 3]  # 15 pairs above the diagonal
    cross = sampled_gram(double(qubits=2), "overlap", x[:2], None, y=x[2:])
    assert cross.shape == (2, 4) and np.abs(cross - exact[:2, 2:]).max() < 1e-12


def test_a_kernel_by_default_encodes_the_inputs_as_given_and_with_scale_rescales_a_copy(double):
    x = np.random.default_rng(10).uniform(0, np.pi, (4, 2))
    plain = FidelityKernel(MethodContext(double(qubits=2), ROLES), None)
    assert plain.label == "exact"
    assert np.abs(plain(x) - exact_gram(double(qubits=2), "feature_map", x)).max() < 1e-12
    half = plain.with_scale(0.5)
    assert half.scale == 0.5 and plain.scale == 1.0
    assert np.abs(half(x) - exact_gram(double(qubits=2), "feature_map", 0.5 * x)).max() < 1e-12
    assert np.abs(half(x, x[:2]) - exact_gram(double(qubits=2), "feature_map", 0.5 * x, 0.5 * x[:2])).max() < 1e-12


def test_a_sampled_kernel_is_seeded_by_its_context_not_by_the_executor(double):
    x = np.random.default_rng(11).uniform(0, np.pi, (5, 2))
    a = FidelityKernel(MethodContext(double(qubits=2, seed=5), ROLES, seed=1), shots=20)
    b = FidelityKernel(MethodContext(double(qubits=2, seed=9), ROLES, seed=1), shots=20)
    assert a.label == "20 shots"
    assert np.array_equal(a(x), b(x))


def test_inputs_of_the_wrong_width_are_a_circuit_mismatch(double):
    from qlang.runtime.errors import CIRCUIT_MISMATCH, RuntimeDiagnostic

    with pytest.raises(RuntimeDiagnostic) as err:
        FidelityKernel(MethodContext(double(qubits=2), ROLES), None)(np.zeros((3, 3)))
    assert err.value.code == CIRCUIT_MISMATCH


def test_gram_preview_sorts_by_label_and_spaces_the_rows_evenly(monkeypatch):
    gram = np.arange(16, dtype=float).reshape(4, 4) / 7
    preview = kernel.gram_preview(gram, np.array([1, 0, 1, 0]))
    assert preview["rows"] == [1, 3, 0, 2] and preview["labels"] == [0, 0, 1, 1]
    assert preview["values"][0] == [round(5 / 7, 4), 1.0, round(4 / 7, 4), round(6 / 7, 4)]  # row 1: (4 + j) / 7
    assert kernel.gram_preview(gram, None)["rows"] == [0, 1, 2, 3] and kernel.gram_preview(gram, None)["labels"] is None
    monkeypatch.setattr(kernel, "PREVIEW_ROWS", 2)
    assert kernel.gram_preview(gram, np.array([1, 0, 1, 0]))["rows"] == [1, 2]  # the first and last by label
