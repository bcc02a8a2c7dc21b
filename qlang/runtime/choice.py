"""`choose cheapest(within: w)`: which of a stage's candidates later stages read.

Once a stage has run its method and baselines at every sweep point, each candidate has, per seed, a
quality (the method's primary metric) and an energy. The best candidate is the one with the best mean
quality. A candidate is *eligible* unless it is significantly worse than the best by more than `w`: a
one-sided paired t-test over the seeds both ran, H0: mean(best − candidate) ≤ w, rejected at α. The
cheapest eligible candidate (least mean energy per seed; ties go to the better quality) is chosen. With a
single seed nothing can be tested, and a candidate is eligible when its gap is at most `w` (the report
says it was untested). A query optimiser picks a plan by cost the same way, among plans that answer the
question.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from qlang.runtime.verdict import ALPHA


@dataclass(frozen=True)
class Candidate:
    label: str  # the method's name or the baseline's call, with the sweep point
    quality: dict[int, float]  # seed → the primary metric
    energy: dict[int, float]  # seed → joules


def cheapest(candidates: list[Candidate], within: float, higher_is_better: bool, alpha: float = ALPHA) -> dict:
    """The choice and its reasons: `chosen` (an index into `candidates`), `best` (likewise) and, per
    candidate, its mean quality and energy, its gap to the best, the test's p-value and whether it was
    eligible."""
    sign = 1.0 if higher_is_better else -1.0
    means = [_mean(c.quality.values()) for c in candidates]
    best = max(range(len(candidates)), key=lambda i: sign * means[i])
    rows: list[dict[str, Any]] = []
    for i, c in enumerate(candidates):
        seeds = sorted(set(c.quality) & set(candidates[best].quality))
        gaps = [sign * (candidates[best].quality[s] - c.quality[s]) for s in seeds]  # > 0: worse than the best
        p = None if i == best else _p_worse_by_more(gaps, within)
        eligible = i == best or (p >= alpha if p is not None else _mean(gaps) <= within)
        rows.append({"label": c.label, "quality": means[i], "energy_j": _mean(c.energy.values()),
                     "worse_by": _mean(gaps), "p": p, "eligible": eligible, "seeds": len(seeds)})  # fmt: skip
    chosen = min((i for i, r in enumerate(rows) if r["eligible"]),
                 key=lambda i: (rows[i]["energy_j"], -sign * rows[i]["quality"]))  # fmt: skip
    return {"chosen": chosen, "best": best, "candidates": rows}


def _p_worse_by_more(gaps: list[float], within: float) -> float | None:
    """One-sided paired t-test of H0: mean gap ≤ within; None when there are too few seeds to test."""
    if len(gaps) < 2:
        return None
    excess = [g - within for g in gaps]
    mean = _mean(excess)
    var = sum((x - mean) ** 2 for x in excess) / (len(excess) - 1)
    if var == 0.0:  # the same gap on every seed: certain either way
        return 0.0 if mean > 0 else 1.0
    from scipy import stats

    return float(stats.ttest_1samp(excess, 0.0, alternative="greater").pvalue)


def _mean(values) -> float:
    values = list(values)
    return math.fsum(values) / len(values) if values else float("nan")


def explain(rule: dict, result: dict, metric: str) -> str:
    """One sentence for the report: what was chosen and why."""
    rows = result["candidates"]
    chosen, best = rows[result["chosen"]], rows[result["best"]]
    within = rule["params"].get("within", 0.0)
    if result["chosen"] == result["best"]:
        return (f"chose `{chosen['label']}`: the best {metric} ({chosen['quality']:.4g}), and no cheaper candidate "
                f"is within {within:g} of it")  # fmt: skip
    tested = "untested: one seed" if chosen["p"] is None else f"p = {chosen['p']:.3g}"
    return (f"chose `{chosen['label']}`: {chosen['energy_j']:.4g} J per seed against {best['energy_j']:.4g} J for "
            f"the best, `{best['label']}`, giving up {chosen['worse_by']:.4g} {metric} "
            f"(not significantly more than {within:g}; {tested})")  # fmt: skip
