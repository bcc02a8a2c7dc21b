"""The QUBO layer: the model's Ising form, exact enumeration, simulated annealing and QAOA on both targets."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qlang.runtime.qubo import QUBO, QAOASolver, solve_annealing, solve_exact
from qlang.runtime.qubo.model import Solution, approximation_ratio, bit_table, bits_of


def _random_qubo(n, seed, cardinality=None):
    return QUBO.from_matrix(np.random.default_rng(seed).normal(size=(n, n)), offset=0.5, cardinality=cardinality)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_energies_and_ising_form_agree_with_the_definition(n, seed):
    qubo = _random_qubo(n, seed)
    bits = bit_table(n)
    brute = np.array([qubo.offset + sum(qubo.linear[i] * b[i] for i in range(n))
                      + sum(qubo.quadratic[i, j] * b[i] * b[j] for i in range(n) for j in range(i + 1, n))
                      for b in bits])
    np.testing.assert_allclose(qubo.energies(), brute, atol=1e-9)
    h, j, offset = qubo.ising()
    z = 1 - 2 * bits.astype(float)
    ising = offset + z @ h + np.einsum("bi,ij,bj->b", z, j, z)
    np.testing.assert_allclose(ising, brute, atol=1e-9)


def test_from_matrix_means_x_transpose_q_x():
    q = np.array([[1.0, 2.0], [-4.0, 3.0]])
    qubo = QUBO.from_matrix(q)
    for x in itertools.product([0, 1], repeat=2):
        assert qubo.value(np.array(x)) == pytest.approx(np.array(x) @ q @ np.array(x))


@pytest.mark.parametrize("cardinality", [None, 2])
def test_exact_and_annealing_find_the_brute_force_optimum(cardinality):
    qubo = _random_qubo(6, 1, cardinality)
    feasible = [x for x in itertools.product([0, 1], repeat=6) if cardinality is None or sum(x) == cardinality]
    best = min(qubo.value(np.array(x)) for x in feasible)
    assert solve_exact(qubo).value == pytest.approx(best)
    if cardinality is None:  # annealing sees no constraint: only the unconstrained problem is fair
        assert solve_annealing(qubo, reads=50, seed=0).value == pytest.approx(best)
    assert approximation_ratio(qubo, best) == pytest.approx(1.0)


def test_annealing_is_seeded():
    qubo = _random_qubo(8, 2)
    assert np.array_equal(solve_annealing(qubo, reads=5, seed=3).x, solve_annealing(qubo, reads=5, seed=3).x)


def _executor(real_target, n, p, mixer, k):
    from qlang.circuits import emit_pennylane, emit_qiskit
    from qlang.circuits.library import qaoa_ising
    from qlang.runtime.protocol import CircuitShape
    from qlang.runtime.targets.pennylane import PennyLaneExecutor
    from qlang.runtime.targets.qiskit import QiskitExecutor

    c = qaoa_ising(n, p, mixer, k)
    if real_target == "qiskit":
        return QiskitExecutor({"q": lambda: emit_qiskit.build(c)})
    return PennyLaneExecutor({"q": (emit_pennylane.build(c), CircuitShape(c.n_wires, c.n_inputs, c.n_weights))})


@pytest.mark.parametrize("target", ["qiskit", "pennylane"])
@pytest.mark.parametrize("mixer,k", [("x", None), ("xy", 2)])
def test_qaoa_finds_the_optimum_of_tiny_qubos_with_high_probability(target, mixer, k):
    ex = _executor(target, 4, 2, mixer, k)
    uniform = 1 / 16 if k is None else 1 / 6
    for seed in range(3):
        qubo = _random_qubo(4, seed, k)
        solution = QAOASolver(ex, "q", seed=seed, restarts=2, maxiter=40, candidates=16).solve(qubo)
        assert solution.value == pytest.approx(solve_exact(qubo).value)
        assert solution.info["p_optimum"] > 2 * uniform
        assert solution.info["feasibility"] == pytest.approx(1.0)  # the XY mixer keeps the weight
        assert 0.5 < solution.info["expected_ratio"] <= 1.0


def test_both_targets_give_equal_qaoa_energies_for_equal_parameters():
    qubo = _random_qubo(5, 4, 2)
    params = np.random.default_rng(0).uniform(0, np.pi, (6, 4))
    for mixer, k in (("x", None), ("xy", 2)):
        energies = [QAOASolver(_executor(t, 5, 2, mixer, k), "q").expected_values(qubo, params)
                    for t in ("qiskit", "pennylane")]
        np.testing.assert_allclose(energies[0], energies[1], atol=1e-9)


def test_qaoa_with_shots_is_seeded_and_reports_sampled_figures():
    qubo = _random_qubo(4, 5)
    ex = _executor("qiskit", 4, 1, "x", None)
    runs = []
    for _ in range(2):
        ex.reseed(0)
        runs.append(QAOASolver(ex, "q", shots=256, seed=1, restarts=1, maxiter=10).solve(qubo))
    timeless = [{k: v for k, v in r.info.items() if k != "seconds_per_evaluation"} for r in runs]
    assert timeless[0] == timeless[1] and np.array_equal(runs[0].x, runs[1].x)
    assert runs[0].info["probabilities_from"] == "256 shots"
    assert 0.0 <= runs[0].info["p_optimum"] <= 1.0


def test_a_qubo_of_the_wrong_size_is_refused():
    with pytest.raises(ValueError):
        QAOASolver(_executor("pennylane", 3, 1, "x", None), "q").solve(_random_qubo(4, 0))


def test_bitstrings_by_hand_and_one_at_a_time():
    assert bit_table(3)[6].tolist() == [1, 1, 0]  # 6 = 0b110, wire 0 the most significant bit
    assert bit_table(2).tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    for n in (1, 3, 5):
        table = bit_table(n)
        assert all(np.array_equal(bits_of(i, n), table[i]) for i in range(2**n))


def test_the_cardinality_constraint_by_hand():
    qubo = QUBO.from_matrix(np.zeros((3, 3)), cardinality=2)
    # bitstrings 0..7 have 0 1 1 2 1 2 2 3 ones: 3 (011), 5 (101) and 6 (110) are feasible
    assert np.flatnonzero(qubo.feasible()).tolist() == [3, 5, 6]
    assert qubo.is_feasible(np.array([1, 0, 1])) and not qubo.is_feasible(np.array([1, 1, 1]))
    assert QUBO.from_matrix(np.zeros((3, 3))).is_feasible(np.array([1, 1, 1]))


def test_approximation_ratio_by_hand():
    qubo = QUBO.from_matrix(np.diag([1.0, 2.0]))  # energies 0, 2, 1, 3 for 00, 01, 10, 11
    assert qubo.energies().tolist() == [0.0, 2.0, 1.0, 3.0]
    assert approximation_ratio(qubo, 0.0) == 1.0 and approximation_ratio(qubo, 3.0) == 0.0
    assert approximation_ratio(qubo, 1.0) == pytest.approx(2 / 3)


def test_a_solution_is_feasible_unless_its_solver_says_otherwise():
    assert Solution(np.zeros(2, np.uint8), 0.0, "exact").feasible
    assert not Solution(np.zeros(2, np.uint8), 0.0, "annealing", info={"feasible": False}).feasible


def test_malformed_qubos_are_refused():
    with pytest.raises(ValueError, match="square"):
        QUBO.from_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="square"):
        QUBO.from_matrix(np.zeros(3))
    with pytest.raises(ValueError, match="disagree"):
        QUBO(np.zeros(2), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="disagree"):
        QUBO(np.zeros((2, 2)), np.zeros((2, 2)))
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="finite"):
            QUBO(np.array([0.0, bad]), np.zeros((2, 2)))
        with pytest.raises(ValueError, match="finite"):
            QUBO(np.zeros(2), np.array([[0.0, bad], [0.0, 0.0]]))


def test_a_qubo_keeps_the_upper_triangle_and_has_no_offset_unless_given():
    import dataclasses

    qubo = QUBO(np.array([1.0, 0.0]), np.array([[5.0, 3.0], [7.0, 5.0]]))  # the diagonal and lower part go
    assert qubo.quadratic.tolist() == [[0.0, 3.0], [0.0, 0.0]]
    assert qubo.energies().tolist() == [0.0, 0.0, 1.0, 4.0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        qubo.offset = 1.0  # type: ignore[misc]


def test_only_qubos_up_to_max_enumerated_variables_are_enumerated(monkeypatch):
    from qlang.runtime.qubo import model

    monkeypatch.setattr(model, "MAX_ENUMERATED", 3)
    assert len(QUBO(np.zeros(3), np.zeros((3, 3))).energies()) == 8
    with pytest.raises(ValueError, match="too many"):
        QUBO(np.zeros(4), np.zeros((4, 4))).energies()


def test_approximation_ratio_of_a_flat_qubo_and_beyond_the_optimum():
    assert approximation_ratio(QUBO.from_matrix(np.zeros((2, 2)), offset=3.0), 3.0) == 1.0
    assert approximation_ratio(QUBO.from_matrix(np.diag([1.0, 2.0])), -1.0) == 1.0  # capped at 1


def test_solutions_compare_and_print_without_their_distributions():
    x = np.zeros(2, np.uint8)
    a = Solution(x, 0.0, "qaoa", probs=np.ones(4) / 4, samples=np.arange(3))
    b = Solution(x, 0.0, "qaoa", probs=np.eye(4)[0], samples=np.arange(5))
    assert a == b
    assert "probs" not in repr(a) and "samples" not in repr(a)
