"""benchmarks/plan_accuracy.py --runs N: each stage's estimate is compared with its median measurement over N fresh
runs, so one slow process cannot put a stage outside the target on its own."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from plan_accuracy import median_rows, worst_ratio


def row(stage: str, measured: float | None, estimated: float | None = 10.0, target: str = "qiskit") -> dict:
    ratio = None if measured is None or estimated is None else measured / estimated
    return {"pipeline": "p", "stage": stage, "target": target, "status": "ok", "estimated_j": estimated,
            "measured_j": measured, "measured_over_estimated": ratio, "within_target": None, "calibrated": True,
            "provenance": "modeled", "cpu_share": 0.9}  # fmt: skip


def test_a_stage_is_judged_by_its_median_run_not_its_slowest():
    runs = [[row("a", 12.0), row("a", 6.0, target="pennylane")],
            [row("a", 25.0), row("a", 7.0, target="pennylane")],
            [row("a", 14.0), row("a", 30.0, target="pennylane")]]  # fmt: skip
    merged = {r["target"]: r for r in median_rows(runs)}
    assert merged["qiskit"]["measured_j"] == 14.0
    assert merged["qiskit"]["measured_over_estimated"] == 1.4
    assert merged["qiskit"]["within_target"] is True
    assert merged["qiskit"]["spread"] == 25.0 / 12.0
    assert merged["pennylane"]["measured_j"] == 7.0 and merged["pennylane"]["within_target"] is True
    assert worst_ratio(list(merged.values())) == 10.0 / 7.0
    assert worst_ratio(runs[1]) == 2.5  # the second run alone misses


def test_a_median_outside_the_target_is_still_a_miss():
    merged = median_rows([[row("a", 25.0)], [row("a", 21.0)], [row("a", 3.0)]])
    assert merged[0]["measured_j"] == 21.0 and merged[0]["within_target"] is False


def test_stages_a_run_did_not_measure_take_the_median_of_those_that_did():
    merged = median_rows([[row("a", None)], [row("a", 8.0)], [row("a", 12.0)], [row("b", 5.0, estimated=None)]])
    by_stage = {r["stage"]: r for r in merged}
    assert by_stage["a"]["measured_j"] == 10.0 and by_stage["a"]["runs"] == 3
    assert by_stage["b"]["measured_over_estimated"] is None and by_stage["b"]["within_target"] is None
