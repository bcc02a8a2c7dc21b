"""The projected quantum kernel against an independent reference (one-qubit reduced density matrices by
partial trace of the statevector, the kernel written out from its definition), on both targets, with shots,
and as an encode and a monitor method."""

from __future__ import annotations

import numpy as np
import pytest

from qlang import catalog
from qlang.methods.projected_quantum_kernel.run import pauli_expectations, projected_distances
from qlang.runtime.data import Dataset, builtin_dataset
from qlang.runtime.methods import METHODS, ROLES, MethodContext

TARGETS = ["pennylane", "qiskit"]
CIRCUITS = {"feature_map": "feature_map", "x_basis": "x_basis", "y_basis": "y_basis"}
PAULI = {
    "x": np.array([[0, 1], [1, 0]], dtype=complex),
    "y": np.array([[0, -1j], [1j, 0]]),
    "z": np.array([[1, 0], [0, -1]], dtype=complex),
}


def params_of(method, **more):
    return {p.name: p.default for p in catalog.METHODS[method].params} | more


def reduced_density_matrices(psi: np.ndarray, n: int) -> np.ndarray:
    """rho_k for every row and wire by partial trace, wire 0 the most significant bit: (B, n, 2, 2)."""
    out = np.empty((len(psi), n, 2, 2), dtype=complex)
    for b, state in enumerate(psi):
        t = state.reshape((2,) * n)
        for k in range(n):
            m = np.moveaxis(t, k, 0).reshape(2, -1)
            out[b, k] = m @ m.conj().T
    return out


def reference_kernel(rho_a: np.ndarray, rho_b: np.ndarray, gamma: float) -> np.ndarray:
    """exp(-gamma sum_k ||rho_k(a) - rho_k(b)||_F^2), from the definition."""
    diff = rho_a[:, None] - rho_b[None, :]
    return np.exp(-gamma * (np.abs(diff) ** 2).sum(axis=(2, 3, 4)))


def angles(n_rows: int, n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, np.pi, (n_rows, n))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("encoding", ["zz", "angle"])
def test_pauli_expectations_and_kernel_match_the_partial_trace(real, target, encoding):
    n, params = 3, {"qubits": 3, "encoding": encoding, "reps": 2, "bandwidth": 0.7}
    executor = real(target, "projected_quantum_kernel", params)
    x = angles(7, n, seed=1)
    r = pauli_expectations(MethodContext(executor, CIRCUITS), x, None)
    rho = reduced_density_matrices(executor.states("feature_map", x, None), n)
    for k in range(n):  # R = [<Z_k> | <X_k> | <Y_k>] and <P_k> = tr(rho_k P)
        for col, pauli in ((k, "z"), (n + k, "x"), (2 * n + k, "y")):
            expected = np.einsum("bij,ji->b", rho[:, k], PAULI[pauli]).real
            assert np.abs(r[:, col] - expected).max() < 1e-10
    gamma = 0.8
    assert np.abs(np.exp(-gamma * projected_distances(r, r)) - reference_kernel(rho, rho, gamma)).max() < 1e-10
    assert np.abs(r).max() > 0.05  # the states are not all maximally mixed on every wire


def test_both_targets_give_the_same_projections_and_shots_estimate_them(real):
    params = {"qubits": 3, "encoding": "zz", "reps": 1, "bandwidth": 0.5}
    x = angles(6, 3, seed=2)
    exact = {t: pauli_expectations(MethodContext(real(t, "projected_quantum_kernel", params), CIRCUITS), x, None)
             for t in TARGETS}
    assert np.abs(exact["pennylane"] - exact["qiskit"]).max() < 1e-10
    for t in TARGETS:
        sampled = pauli_expectations(MethodContext(real(t, "projected_quantum_kernel", params, seed=3), CIRCUITS), x,
                                     20_000)
        # 20 000 shots: a standard error of at most 1/sqrt(20 000) = 0.007 per expectation
        assert np.abs(sampled - exact[t]).max() < 0.04
        assert np.abs(sampled - exact[t]).max() > 0  # sampled, not exact


def test_the_registry_gives_it_three_circuits_and_a_cost():
    from qlang.catalog.costs import COSTS

    assert ROLES["projected_quantum_kernel"] == ROLES["projected_kernel_mmd"] == tuple(CIRCUITS)
    work = COSTS["projected_quantum_kernel"](params_of("projected_quantum_kernel"), 100, 2)
    assert work.qpu_circuits == {"feature_map": 100, "x_basis": 100, "y_basis": 100}  # 3n, not n^2 / 2


@pytest.mark.parametrize("target", TARGETS)
def test_encode_reports_auc_and_accuracy_and_both_targets_agree(real, target):
    params = params_of("projected_quantum_kernel", qubits=4, encoding="zz", reps=1, folds=3, limit=90)
    data = builtin_dataset("breast_cancer")
    result = METHODS["projected_quantum_kernel"](
        MethodContext(real(target, "projected_quantum_kernel", params), CIRCUITS, params, seed=1), data
    )
    # majority class 0.63; the fidelity kernel of the same map scores AUC 0.90
    assert result.metrics["auc"] > 0.9 and result.metrics["accuracy"] > 0.75, result.metrics
    other = "qiskit" if target == "pennylane" else "pennylane"
    again = METHODS["projected_quantum_kernel"](
        MethodContext(real(other, "projected_quantum_kernel", params), CIRCUITS, params, seed=1), data
    )
    assert again.metrics == pytest.approx(result.metrics, abs=1e-9)
    # rbf_svm's budget (issue 12): gamma x (0.25, 1, 4) jointly with C x (0.1, 1, 10), chosen per fold
    tuning = result.info["tuning"]
    assert tuning["candidates"] == 9 and len(tuning["folds"]) == 3
    for mine, theirs in zip(tuning["folds"], again.info["tuning"]["folds"], strict=True):  # the same choice
        assert (mine["gamma_factor"], mine["C"]) == (theirs["gamma_factor"], theirs["C"])
        assert mine["gamma"] == pytest.approx(theirs["gamma"], rel=1e-9)
    assert {f["gamma_factor"] for f in tuning["folds"]} <= {0.25, 1.0, 4.0}


def gaussian(n=300, d=2, seed=0) -> Dataset:
    x = np.random.default_rng(seed).normal(size=(n, d))
    return Dataset(None, x, np.zeros(n, dtype=int), ["all"], "gaussian", "test")


def test_projected_kernel_mmd_holds_its_level_and_detects_a_clear_shift(real):
    params = params_of("projected_kernel_mmd", window=30, qubits=2, encoding="angle", trials=20, shift=1.5,
                       permutations=99)
    result = METHODS["projected_kernel_mmd"](
        MethodContext(real("pennylane", "projected_kernel_mmd", params), CIRCUITS, params, seed=3), gaussian()
    )
    assert result.metrics["type1_error"] <= 0.2
    assert result.metrics["power"] >= 0.9


class Counting:
    """An executor that records (rows) of every call it passes on."""

    def __init__(self, inner):
        self.inner, self.rows = inner, []

    def __getattr__(self, name):
        attr = getattr(self.inner, name)
        if name not in ("expvals", "probs", "states"):
            return attr

        def counted(circuit, x, *rest):
            self.rows.append(len(x))
            return attr(circuit, x, *rest)

        return counted


def test_projected_kernel_mmd_runs_the_circuits_its_cost_model_plans(real):
    from qlang.catalog.costs import COSTS, SETUP_CALLS

    params = params_of("projected_kernel_mmd", window=6, qubits=2, encoding="angle", trials=3, permutations=19)
    executor = Counting(real("pennylane", "projected_kernel_mmd", params))
    data = gaussian(n=40)
    METHODS["projected_kernel_mmd"](MethodContext(executor, CIRCUITS, params, seed=0), data)
    work = COSTS["projected_kernel_mmd"](params, len(data), 2)
    assert work.circuit_rows == sum(executor.rows)
    assert work.executor_calls == len(executor.rows) + SETUP_CALLS
