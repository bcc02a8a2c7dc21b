"""Fixed costs the plan prices per call of a library routine, each measured by `qlc calibrate`."""

import pytest

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


def test_svm_tuning_candidates_are_priced_as_fitted_and_scored():
    from qlang.catalog.costs import svm_fits_per_fold

    params = {"qubits": 4, "folds": 3, "C": 1.0}
    work = COSTS["rbf_svm"](params, 24, 2)
    assert work.scored_fits == 3 * svm_fits_per_fold(3) == 3 * (3 * 3 * 3 + 1)  # widths x C x inner folds, + refit
    assert COSTS["rbf_svm"]({**params, "folds": 5}, 24, 2).scored_fits == 5 * 28
    kernel = COSTS["zz_feature_map"]({"qubits": 4, "reps": 2, "bandwidth": 1.0, "folds": 3, "shots": None,
                                      "classifier": "svm"}, 24, 2)  # fmt: skip
    assert kernel.scored_fits == 3 * 28
    prices = Prices(0.0, 0.0, fit_j=0.0, scored_fit_j=0.5)
    assert prices.joules(Work(scored_fits=4), "qiskit") == 2.0


def test_heads_pay_their_adam_steps_and_fold_scores():
    params = {"hidden": 12, "epochs": 3, "folds": 2, "qubits": 4, "lr": 0.01, "batch_size": 8, "refit": True}
    work = COSTS["mlp"](params, 24, 2)
    assert work.torch_steps == 2 * (3 * 2 + 1) + (3 * 3 + 1)  # folds of 12 rows: 2 batches; the refit: 3
    assert work.fits == 3 * 3 + 2 * 2  # reduction and fit per training, accuracy and F1 per fold
    assert COSTS["logistic_regression"]({**params, "compress": True}, 24, 2).fits == work.fits


def test_a_lowrank_decomposition_pays_one_head_per_rank_and_fold():
    work = COSTS["quantum_inspired_lowrank"]({"rank": 8, "samples": 64, "folds": 2}, 24, 2)
    assert work.fits == 3 * 2 * 4  # ranks 4, 8, 16; 2 folds; a scaled regression fitted and scored each
    assert COSTS["quantum_inspired_lowrank"]({"rank": 2, "samples": 64, "folds": 2}, 24, 2).fits == 4 * 2 * 4
    assert COSTS["truncated_svd"]({"rank": 8, "folds": 2}, 12, 2).fits == 2 * 2 * 4  # rank 16 exceeds 12 rows


def test_the_cost_models_count_the_gates_the_circuit_library_builds():
    """A call's price grows with its circuit's gates, so the cost models' counts are the library's own."""
    from qlang.catalog.costs import (
        REFERENCE_GATES,
        _gates_feature_map,
        _gates_reuploading,
        _ops_feature_map,
        qaoa_ising_gates,
    )
    from qlang.circuits.library import amplitude_map, qaoa_ising, reuploading, stage_circuits

    for q in (1, 2, 3, 4, 6):
        for layers in (1, 2, 3):
            assert _gates_reuploading(q, layers) == len(reuploading(q, layers).ops), (q, layers)
            zz = stage_circuits("zz_feature_map", {"qubits": q, "reps": layers, "bandwidth": 1.0})["feature_map"]
            assert _gates_feature_map(q, "zz", layers) == len(zz.ops), (q, layers)
            assert qaoa_ising_gates(q, layers, "x") == len(qaoa_ising(q, layers, "x").ops), (q, layers)
            for k in range(1, q):
                assert qaoa_ising_gates(q, layers, "xy", k) == len(qaoa_ising(q, layers, "xy", k).ops), (q, layers, k)
        assert _ops_feature_map(q, "amplitude", 2) == len(amplitude_map(q).ops)  # one state preparation
    assert REFERENCE_GATES == len(reuploading(4, 2).ops)  # the circuit `qlc calibrate` prices calls on


def test_qiskit_s_statevector_device_prices_a_row_by_its_gates_and_sets_nothing_up():
    """That device evolves each row's circuit gate by gate in Python, as built: no Aer template to transpile, no
    angle function; Aer's rows cost the same whatever their gates (one compiled template, bound per row)."""
    from qlang.catalog.costs import REFERENCE_GATES

    prices = Prices(0.0, 0.0, row_j={"qiskit": 1.0, "pennylane": 1.0, "qiskit:statevector": 2.0})
    rows = Work(circuit_rows=10, gates_per_call=4 * REFERENCE_GATES)
    assert prices.joules(rows, "qiskit", "statevector") == 10 * 2.0 * 4
    assert prices.joules(rows, "qiskit", "aer_simulator") == prices.joules(rows, "qiskit") == 10 * 1.0
    setup = Work(transpiles=3, angle_expressions=10, segments=2)
    aer = 3 * prices.transpile_j["qiskit"] + 10 * prices.angle_j["qiskit"] + 2 * prices.segment_j["qiskit"]
    assert prices.joules(setup, "qiskit") == pytest.approx(aer) and aer > 0
    assert prices.joules(setup, "qiskit", "statevector") == 0.0


def test_stored_prices_round_trip_and_a_broken_file_leaves_every_default(tmp_path, monkeypatch):
    """Every price of Prices is stored and read back; a file that cannot be read whole (a value that is not a
    number, a required price missing) is ignored whole, not applied up to where it broke."""
    import json

    from qlang.plan.prices import OVERHEADS, load_prices, save_overheads

    monkeypatch.setenv("QLANG_CACHE", str(tmp_path))
    measured = load_prices()
    for name in OVERHEADS:
        value = getattr(measured, name)
        setattr(measured, name, {k: v * 3 for k, v in value.items()} if isinstance(value, dict) else value * 3)
    measured.row_j["qiskit:other"] = 7.0  # a device measured on this machine only
    save_overheads(measured)
    loaded = load_prices()
    assert loaded.overheads_calibrated and all(getattr(loaded, n) == getattr(measured, n) for n in OVERHEADS)
    path = tmp_path / "overheads.json"
    stored = json.loads(path.read_text(encoding="utf-8"))
    defaults = Prices(0.0, 0.0)
    for broken in ({**stored, "tree_j": "fast"}, {k: v for k, v in stored.items() if k != "fit_j"}):
        path.write_text(json.dumps(broken), encoding="utf-8")
        again = load_prices()
        assert not again.overheads_calibrated
        assert all(getattr(again, n) == getattr(defaults, n) for n in OVERHEADS)
