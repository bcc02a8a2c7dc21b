"""`qlc plan`'s break-even figures (issue 12): per quantum stage and baseline, the hardware at which the QPU
model costs what the baseline does, and the data size N at which the two energy curves cross. Each number is
plugged back into the plan itself: the plan re-priced at the break-even power, or at N rows, must show the
two sides equal, or swapping order around N."""

import json

import pytest

from qlang.cli import main

pytest.importorskip("qiskit")

SPEC = """pipeline crossing {
  target pennylane
  repeat 2
  qpu superconducting
  data d = breast_cancer
  stage encode projected {
    method projected_quantum_kernel(qubits: 3, encoding: angle, folds: 3)
    baseline [rbf_svm, knn(k: 1), knn(k: 9)]
  }
}
"""


@pytest.fixture(autouse=True)
def _uncalibrated(tmp_path, monkeypatch):
    monkeypatch.setenv("QLANG_CACHE", str(tmp_path / "cache"))


def plan(capsys, spec, *what_if):
    args = ["plan", str(spec), "--format", "json"] + (["--what-if", ",".join(what_if)] if what_if else [])
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)["stages"][0]


def per_seed(stage, label):
    return stage["qpu_j"] / 2, stage["baselines_j"][label] / 2


def test_the_break_even_power_reprices_the_qpu_to_the_baseline(tmp_path, capsys):
    spec = tmp_path / "s.qlc"
    spec.write_text(SPEC, encoding="utf-8")
    stage = plan(capsys, spec, "qpu.t_rep=50us")
    assert stage["qpu_platform"]["t_rep_s"] == pytest.approx(5e-5)  # the what-if platform is the one solved
    for label in ("rbf_svm", "knn(k: 1)", "knn(k: 9)"):  # each baseline by its call
        b = stage["break_even"][label]
        again = plan(capsys, spec, "qpu.t_rep=50us", f"qpu.power={b['power_w']!r}W")
        qpu, classical = per_seed(again, label)
        assert qpu == pytest.approx(classical, rel=1e-6)


def test_the_crossing_n_is_where_the_plan_at_n_rows_swaps_sides(tmp_path, capsys, monkeypatch):
    from qlang.plan import estimate

    spec = tmp_path / "s.qlc"
    spec.write_text(SPEC, encoding="utf-8")
    cheap = ("qpu.power=20W", "qpu.t_rep=1us")  # one crossing, above the stage's rows
    stage = plan(capsys, spec, *cheap)
    g = stage["growth"]["rbf_svm"]
    assert g["quantum_slope"] == pytest.approx(1.0, abs=0.01)  # 3 circuits per row
    assert g["classical_slope"] == pytest.approx(2.0, abs=0.01)  # the SVM touches every pair of rows
    n = g["crossing_n"]
    assert n is not None and stage["rows"] < n < 10**7
    for rows, quantum_cheaper in ((int(n * 0.99), False), (int(n * 1.01) + 1, True)):
        monkeypatch.setattr(estimate, "data_rows", lambda source, spec_dir=None, rows=rows: (rows, 2))
        qpu, classical = per_seed(plan(capsys, spec, *cheap), "rbf_svm")
        assert (qpu <= classical) is quantum_cheaper, (rows, qpu, classical)
    text_args = ["plan", str(spec), "--what-if", ",".join(cheap)]
    monkeypatch.undo()
    assert main(text_args) == 0
    out = capsys.readouterr().out
    assert "vs rbf_svm: QPU" in out and f"cross at N = {n:,}" in out


def test_the_finetune_reference_row_is_priced_like_a_baseline(capsys):
    from pathlib import Path

    spec = Path(__file__).resolve().parents[2] / "specs" / "quickstart.qlc"
    assert main(["plan", str(spec), "--format", "json", "--no-qpu"]) == 0
    head = json.loads(capsys.readouterr().out)["stages"][1]
    assert head["baselines"][-1] == "logistic_regression (full embedding)"
    reference = head["baselines_j"]["logistic_regression (full embedding)"]
    assert reference > head["baselines_j"]["logistic_regression"]  # 384 features, not 4
    assert head["baseline_j"] == pytest.approx(sum(head["baselines_j"].values()))


def test_the_report_crossing_scales_the_plan_to_what_the_baseline_used():
    """Power-law curves (log-log interpolation is exact on them): quantum 5 N, the plan's classical 2e-3 N^2,
    the baseline used 3x the plan's model at the run's 100 rows: they cross where 5 N = 3 * 2e-3 N^2."""
    from qlang.plan.estimate import CURVE_SIZES
    from qlang.runtime.report import StageReport, growth_of

    stage = StageReport("s", "encode", "d")
    stage.energy = {
        "rows": 100,
        "estimated_baselines_j": {"rbf_svm": 2e-3 * 100**2},
        "curves": {
            "n": list(CURVE_SIZES),
            "quantum_j": [5.0 * n for n in CURVE_SIZES],
            "classical_j": {"rbf_svm": [2e-3 * n**2 for n in CURVE_SIZES]},
        },
    }
    g = growth_of(stage, {"name": "rbf_svm", "label": "rbf_svm", "energy_j": {"mean": 3 * 2e-3 * 100**2}})
    assert g["classical_scale"] == pytest.approx(3.0)
    assert g["crossing_n"] == 834  # 5 N <= 6e-3 N^2 from N = 833.3 on
    assert (g["quantum_slope"], g["classical_slope"]) == pytest.approx((1.0, 2.0))
    assert growth_of(stage, {"name": "knn", "energy_j": {"mean": 1.0}}) is None  # not modeled: no curve


def test_every_crossing_is_where_the_plan_swaps_sides(tmp_path, capsys, monkeypatch):
    """The baseline's fixed costs outweigh a very cheap QPU at small N, then its N^2 wins: three crossings, each
    checked by the plan re-priced just before and after it."""
    from qlang.plan import estimate

    spec = tmp_path / "s.qlc"
    spec.write_text(SPEC, encoding="utf-8")
    cheap = ("qpu.power=1W", "qpu.t_rep=1us")
    swaps = plan(capsys, spec, *cheap)["growth"]["rbf_svm"]["crossings"]
    assert len(swaps) == 3 and [s["quantum_cheaper"] for s in swaps] == [True, False, True]
    for s in swaps[1:]:
        n = s["n"]
        for rows, quantum_cheaper in ((n - 1, not s["quantum_cheaper"]), (n, s["quantum_cheaper"])):
            monkeypatch.setattr(estimate, "data_rows", lambda source, spec_dir=None, rows=rows: (rows, 2))
            qpu, classical = per_seed(plan(capsys, spec, *cheap), "rbf_svm")
            assert (qpu <= classical) is quantum_cheaper, (rows, qpu, classical)
    monkeypatch.undo()
    assert main(["plan", str(spec), "--what-if", ",".join(cheap)]) == 0
    out = capsys.readouterr().out
    assert f"classical cheaper from N = {swaps[1]['n']:,}, QPU cheaper from N = {swaps[2]['n']:,}" in out
