"""The plots' data (reporting/figures.py) and report.html without a browser: Pareto fronts, intervals, and
the page without matplotlib."""

import json
from pathlib import Path

import pytest

from qlang import reporting
from qlang.reporting import figures, plots

DATA = Path(__file__).parent / "data"


def _report(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def _point(label, energy, mean):
    return {"label": label, "energy_j": energy, "mean": mean}


def test_pareto_front_keeps_only_points_nothing_beats_on_both_axes():
    points = [_point("a", 1, 0.5), _point("b", 2, 0.4), _point("c", 3, 0.9), _point("d", 3, 0.7), _point("e", 9, 0.9)]
    assert figures.pareto(points, higher_is_better=True) == ["a", "c"]
    assert figures.pareto(points, higher_is_better=False) == ["a", "b"]


def test_interval_is_the_student_t_interval():
    stat = {"mean": 1.0, "std": 0.5, "per_seed": [0.5, 1.0, 1.5, 1.0, 1.0]}
    low, high = figures.interval(stat)
    assert high - 1.0 == pytest.approx(2.776 * 0.5 / 5**0.5)  # t(0.975, 4) = 2.776
    assert low == pytest.approx(2 - high)
    assert figures.interval({"mean": 2.0, "std": 0.0, "per_seed": [2.0]}) == (2.0, 2.0)


def test_architect_figures_hold_report_json_numbers():
    report = _report("architect_hpo")
    stage = report["stages"][0]
    made = {f.key: f for f in figures.stage_figures(stage)}
    assert set(made) == {"quality_energy", "best_score"}
    series = made["best_score"].data["series"]
    assert [s["values"] for s in series if s["label"] == "quantum_hpo"] == [i["curve"] for i in stage["method"]["info"]]
    points = {p["label"]: p for p in made["quality_energy"].data["points"]}
    assert points["tpe"]["mean"] == stage["baselines"][1]["metrics"]["best_score"]["mean"]


def test_html_is_self_contained_and_falls_back_to_numbers_without_matplotlib(monkeypatch):
    report = _report("quickstart")
    monkeypatch.setattr(plots, "available", lambda: False)
    page = reporting.html(report)
    assert "script-src 'none'" in page and "http://" not in page and "https://" not in page
    assert "<img" not in page and 'pip install "qlang[plots]"' in page
    assert page.count('class="plot-data"') == len(figures.run_figures(report)) + sum(
        len(figures.stage_figures(s)) for s in report["stages"]
    )


def test_html_draws_every_figure_as_an_svg_data_uri():
    pytest.importorskip("matplotlib")
    page = reporting.html(_report("architect_hpo"))
    assert page.count('<img src="data:image/svg+xml;base64,') == page.count('class="plot-data"') == 4
    assert "<code>quantum_hpo</code>" in page and "&lt;" not in page.split("<main>")[0].split("</style>")[1]
