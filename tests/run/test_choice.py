"""`choose cheapest(within: w)`: the cheapest candidate not significantly worse than the best by more than w."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qlang.runtime.choice import Candidate, cheapest

SEEDS = range(5)


def _candidate(label: str, quality: list[float], joules: float) -> Candidate:
    return Candidate(label, dict(zip(SEEDS, quality)), {s: joules for s in SEEDS})


def test_a_cheaper_candidate_within_the_tolerance_is_chosen():
    rng = np.random.default_rng(0)
    best = 0.95 + rng.normal(0, 0.004, 5)
    close = best - 0.005 + rng.normal(0, 0.002, 5)  # 0.005 worse on every seed, at a tenth of the energy
    result = cheapest([_candidate("quantum", list(best), 100.0), _candidate("rbf_svm", list(close), 10.0)], 0.01, True)
    assert result["best"] == 0 and result["chosen"] == 1
    assert result["candidates"][1]["eligible"] and result["candidates"][1]["p"] > 0.05


def test_a_cheaper_candidate_worse_by_more_than_the_tolerance_is_not():
    rng = np.random.default_rng(1)
    best = 0.95 + rng.normal(0, 0.004, 5)
    far = best - 0.05 + rng.normal(0, 0.002, 5)
    result = cheapest([_candidate("quantum", list(best), 100.0), _candidate("knn", list(far), 1.0)], 0.01, True)
    assert result["chosen"] == 0
    assert not result["candidates"][1]["eligible"] and result["candidates"][1]["p"] < 0.05


def test_lower_is_better_metrics_choose_in_their_direction():
    loss = [0.30, 0.31, 0.29, 0.30, 0.30]
    result = cheapest([_candidate("a", loss, 5.0), _candidate("b", [x + 0.2 for x in loss], 1.0)], 0.05, False)
    assert result["best"] == 0 and result["chosen"] == 0  # b is 0.2 worse (higher loss): not eligible
    result = cheapest([_candidate("a", loss, 5.0), _candidate("b", [x + 0.01 for x in loss], 1.0)], 0.05, False)
    assert result["chosen"] == 1


def test_one_seed_compares_the_gap_untested():
    one = [Candidate("a", {0: 0.90}, {0: 9.0}), Candidate("b", {0: 0.885}, {0: 1.0})]
    assert cheapest(one, 0.02, True)["chosen"] == 1
    assert cheapest(one, 0.01, True)["chosen"] == 0
    assert cheapest(one, 0.02, True)["candidates"][1]["p"] is None


def test_candidates_at_the_tolerance_are_rarely_excluded():
    """Null runs: every cheaper candidate is worse by exactly `within` on average, so excluding it is a false
    rejection; over many runs that happens at a rate near α (one-sided test), not more."""
    rng = np.random.default_rng(7)
    rejected = 0
    runs = 2000
    for _ in range(runs):
        best = 0.9 + rng.normal(0, 0.01, 5)
        other = best - 0.02 + rng.normal(0, 0.01, 5)
        result = cheapest([_candidate("a", list(best), 10.0), _candidate("b", list(other), 1.0)], 0.02, True)
        if result["best"] == 0:
            rejected += not result["candidates"][1]["eligible"]
    assert rejected / runs <= 0.05 + 3 * (0.05 * 0.95 / runs) ** 0.5


@pytest.mark.parametrize("within", [1.0, 0.0])
def test_a_stage_sends_the_chosen_candidate_downstream(tmp_path, within):
    from qlang.cli import main

    spec = tmp_path / "choose.qlc"
    spec.write_text(
        "pipeline choose {\n  seed 3\n  repeat 2\n  data d = breast_cancer(limit: 60)\n"
        "  stage encode k {\n    method angle_encoding(qubits: 2, folds: 2)\n    baseline [rbf_svm, knn]\n"
        f"    choose cheapest(within: {within})\n  }}\n"
        "  stage curate c from k {\n    method kmeans(clusters: 2)\n  }\n}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["run", str(spec), "--out", str(out), "--no-cache"]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    choice = report["stages"][0]["choice"]
    rows = choice["candidates"]
    assert {r["label"] for r in rows} == {"angle_encoding", "rbf_svm", "knn"}
    chosen = next(r for r in rows if r["label"] == choice["chosen"])
    if within == 1.0:  # every candidate is within 1.0 AUC of the best: the cheapest wins
        assert chosen["energy_j"] == min(r["energy_j"] for r in rows)
    else:
        assert all(r["energy_j"] >= chosen["energy_j"] for r in rows if r["eligible"])
    assert choice["why"].startswith(f"chose `{choice['chosen']}`")
    assert report["stages"][1]["status"] == "ok"  # the next stage read the chosen candidate's output
    assert f"**Choice:** chose `{choice['chosen']}`" in (out / "report.md").read_text(encoding="utf-8")
