"""Fixed costs the plan prices per call of a library routine, each measured by `qlc calibrate`."""

from qlang.catalog.costs import COSTS, Work
from qlang.plan.prices import Prices


def test_a_ks_test_per_feature_and_window_is_priced_as_a_two_sample_test_not_a_fit():
    params = {"window": 8, "alpha": 0.05, "qubits": 4, "trials": 20}
    work = COSTS["ks_test"](params, 24, 2)
    assert work.stat_tests == 2 * 20 * 4  # null and drifted windows x features
    assert COSTS["ks_test"]({**params, "qubits": 6}, 24, 2).stat_tests == 2 * 20 * 6
    assert COSTS["ks_test"]({**params, "trials": 5}, 24, 2).stat_tests == 2 * 5 * 4
    prices = Prices(0.0, 0.0, fit_j=0.0, stat_test_j=0.25)
    assert prices.joules(Work(stat_tests=8), "pennylane") == 2.0
    assert prices.joules(work, "pennylane") == work.stat_tests * 0.25


def test_an_isolation_forest_pays_per_tree():
    work = COSTS["isolation_forest"]({"n_estimators": 200, "contamination": 0.1}, 24, 2)
    assert work.trees == 200
    assert COSTS["isolation_forest"]({"n_estimators": 50, "contamination": 0.1}, 24, 2).trees == 50
    prices = Prices(0.0, 0.0, fit_j=0.0, tree_j=0.5)
    assert prices.joules(work, "qiskit") == 100.0


def test_each_fmqa_solve_pays_its_factorisation_machine_steps():
    from qlang.catalog.costs import FM_STEPS

    params = {"evaluations": 12, "space": "default", "objective": "logistic_regression", "qaoa_layers": 1,
              "shots": None}  # fmt: skip
    solves = 12 - max(2, 12 // 4)
    for method in ("fmqa_exact", "fmqa_annealing", "quantum_hpo"):
        assert COSTS[method](params, 24, 2).torch_steps == solves * FM_STEPS
        assert COSTS[method]({**params, "evaluations": 20}, 24, 2).torch_steps == (20 - 5) * FM_STEPS
    assert COSTS["random_search"](params, 24, 2).torch_steps == 0  # no surrogate model
    prices = Prices(0.0, 0.0, fit_j=0.0, torch_step_j=0.01)
    assert prices.joules(Work(torch_steps=300), "pennylane") == 3.0
