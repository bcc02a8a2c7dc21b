"""The report model: comparisons per baseline, Holm across the spec, the summary table, honest energy words."""

import json

import pytest

from qlang.runtime.methods.context import MethodResult
from qlang.runtime.report import Report, StageReport, call_label, markdown, run_record


def _record(name, family, accuracy, joules, label=None, params=None):
    runs = [(seed, MethodResult({"accuracy": a}, None), 1.0, j, params)
            for seed, a, j in zip(range(7, 7 + len(accuracy)), accuracy, joules)]
    return run_record({"name": name, "family": family, "params": params or {}}, runs, label)


def _stage(name, method, baselines, qpu_j=None):
    s = StageReport(name, "finetune", "words", status="ok")
    s.method, s.baselines = method, baselines
    s.energy = {"measured_j": 10.0, "provider": "model", "provenance": "modeled", "qpu_model_j": qpu_j}
    return s


def _report(*stages):
    r = Report("p", "pennylane", "default.qubit", [7, 8, 9, 10, 11], {}, "0", status="ok")
    r.meter = {"provider": "model", "provenance": "modeled"}
    r.stages = list(stages)
    return r


LOGREG = [0.80, 0.82, 0.79, 0.81, 0.83]
HEAD = [a - d for a, d in zip(LOGREG, [0.030, 0.015, 0.025, 0.012, 0.028])]


def test_same_named_baselines_are_two_rows_named_by_their_calls():
    calls = [{"name": "knn", "params": {"k": 1, "limit": None}}, {"name": "knn", "params": {"k": 50, "limit": None}},
             {"name": "pca", "params": {"components": 8}}]
    assert [call_label(c, calls) for c in calls] == ["knn(k: 1)", "knn(k: 50)", "pca"]
    stage = _stage("enc", _record("hybrid_qnn_head", "quantum", HEAD, [5.0] * 5),
                   [_record("knn", "classical", LOGREG, [1.0] * 5, "knn(k: 1)"),
                    _record("knn", "classical", HEAD, [1.0] * 5, "knn(k: 50)")])
    data = _report(stage).to_json()
    assert [c["baseline"] for c in data["stages"][0]["comparisons"]] == ["knn(k: 1)", "knn(k: 50)"]
    assert [r["baseline"] for r in data["summary"]] == ["knn(k: 1)", "knn(k: 50)"]
    assert "`knn(k: 50)`" in markdown(_report(stage))


def test_a_run_lists_the_parameters_it_ran_with():
    ran_with = {"C": 1.0, "folds": 3, "qubits": 4, "examples_per_class": 16}
    record = _record("logistic_regression", "classical", LOGREG, [1.0] * 5, params=ran_with)
    assert record["params"] == ran_with


def test_the_head_that_loses_every_seed_reads_worse_with_energy_per_baseline():
    stage = _stage("head", _record("hybrid_qnn_head", "quantum", HEAD, [34.0, 35.0, 33.0, 36.0, 34.0]),
                   [_record("logistic_regression", "classical", LOGREG, [1.0, 1.1, 0.9, 1.0, 1.05]),
                    _record("svm", "classical", HEAD, [2.0] * 5)], qpu_j=5 * 1000.0)
    data = json.loads(json.dumps(_report(stage).to_json()))  # it is JSON
    first, second = data["stages"][0]["comparisons"]
    assert first["quality"]["word"] == "worse" and first["quality"]["ci"][1] < 0
    assert second["quality"]["word"] == "no significant difference"  # identical on every seed
    assert first["energy"]["word"] == "worse" and 30 < first["energy"]["estimate"] < 40
    energy = data["stages"][0]["energy"]
    assert set(energy["method_over_baseline"]) == {"logistic_regression", "svm"}
    assert energy["method_over_baseline"]["svm"] == 34.4 / 2.0
    row = data["summary"][0]
    assert row["verdict"] == "worse" and row["qpu_ratio"] == 1000.0 / 1.01
    text = markdown(_report(stage))
    assert "quantum/classical" not in text and "measured 10 J (modeled)" not in text
    assert "the stage here 10 J (modeled from CPU time" in text
    assert "hybrid_qnn_head against logistic_regression: worse (accuracy" in data["stages"][0]["verdict"]
    # the literature's expectation beside the measurement
    assert data["stages"][0]["roadmap"]["horizon"] == "near-term" and row["expected"]["impact"] == "high"
    assert "expected near-term (1–3 years), high impact" in text
    assert "measured here: against `logistic_regression` worse, −0.022" in text


def test_holm_spans_every_stage_of_the_spec():
    a = _stage("a", _record("hybrid_qnn_head", "quantum", [0.50, 0.52, 0.49, 0.51, 0.50], [1] * 5),
               [_record("b", "classical", [0.48, 0.51, 0.47, 0.49, 0.49], [1] * 5)])
    alone = a.to_json()["comparisons"][0]["quality"]
    together = _report(a, _stage("b", _record("hybrid_qnn_head", "quantum", HEAD, [1] * 5),
                                 [_record("b", "classical", LOGREG, [1] * 5)])).to_json()
    adjusted = together["stages"][0]["comparisons"][0]["quality"]
    assert adjusted["p"] == alone["p"] and adjusted["p_adjusted"] > alone["p_adjusted"]


def test_one_seed_is_inconclusive_and_the_report_opens_with_the_summary():
    stage = _stage("enc", _record("hybrid_qnn_head", "quantum", [0.99614], [3.0]),
                   [_record("rbf_svm", "classical", [0.996], [1.0])])
    text = markdown(_report(stage))
    lines = text.splitlines()
    assert lines[0] == "# p" and lines[2].startswith("| stage | method vs baseline |")
    assert "beats" not in text
    assert "inconclusive: raise `repeat`" in lines[4] and "+0.00014" in lines[4]


def test_the_verdict_sentence_without_a_test_says_how_many_seeds_it_had():
    one = _stage("enc", _record("hybrid_qnn_head", "quantum", [0.99614], [3.0]),
                 [_record("rbf_svm", "classical", [0.996], [1.0])])
    assert _report(one).to_json()["stages"][0]["verdict"] == (
        "hybrid_qnn_head against rbf_svm: inconclusive: raise `repeat` (accuracy hybrid_qnn_head − rbf_svm = "
        "+0.00014 on 1 paired seed; a test needs 3).")
    two = _stage("enc", _record("hybrid_qnn_head", "quantum", [0.9, 0.8], [3.0, 3.0]),
                 [_record("rbf_svm", "classical", [0.8, 0.8], [1.0, 1.0])])
    assert _report(two).to_json()["stages"][0]["verdict"] == (
        "hybrid_qnn_head against rbf_svm: inconclusive: raise `repeat` (accuracy hybrid_qnn_head − rbf_svm = "
        "+0.05 on 2 paired seeds; a test needs 3).")


def test_pairs_are_matched_by_seed_not_by_position():
    # the method ran seeds 7..11, the baseline 9..13 (say a fallback lost the first two): seeds 9, 10, 11 pair
    method = run_record({"name": "hybrid_qnn_head", "family": "quantum", "params": {}},
                        [(s, MethodResult({"accuracy": a}, None), 1.0, 2.0, None)
                         for s, a in zip(range(7, 12), [0.1, 0.2, 0.90, 0.86, 0.82])], None)
    baseline = run_record({"name": "svm", "family": "classical", "params": {}},
                          [(s, MethodResult({"accuracy": a}, None), 1.0, 1.0, None)
                           for s, a in zip(range(9, 14), [0.80, 0.75, 0.70, 0.0, 0.0])], None)
    (c,) = _stage("s", method, [baseline]).to_json()["comparisons"]
    assert c["quality"]["n"] == 3
    assert c["quality"]["estimate"] == pytest.approx(((0.90 - 0.80) + (0.86 - 0.75) + (0.82 - 0.70)) / 3)
    assert c["quality"]["word"] == "better" and c["quality"]["ci"][0] > 0
    assert c["energy"]["n"] == 3 and c["energy"]["estimate"] == pytest.approx(2.0)


def test_a_baseline_without_the_primary_metric_is_not_compared():
    stage = _stage("s", _record("hybrid_qnn_head", "quantum", HEAD, [1.0] * 5),
                   [_record("svm", "classical", LOGREG, [1.0] * 5)])
    stage.baselines[0]["metrics"] = {"f1": stage.baselines[0]["metrics"]["accuracy"]}
    assert stage.to_json()["comparisons"] == []
    assert _report(stage).to_json()["stages"][0]["verdict"] is None
