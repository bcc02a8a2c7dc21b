"""Verdicts from statistics: a method against a baseline on paired samples, in four words.

Pure functions over numbers; nothing here knows about stages or reports.

- `compare(a, b, higher_is_better, alpha)`: a and b are paired samples of one metric (a[i] and b[i] come
  from the same seed: same data, same folds, same windows). The test is the two-sided paired t-test
  (`scipy.stats.ttest_rel`) on the differences a[i] - b[i]; `difference` is their mean, `ci` its
  (1 - alpha) t interval (a - b, in the metric's units), `p` the raw p-value.
- `compare_energy(a_j, b_j, alpha)`: the same test on log energies, so the estimate is a ratio a/b (the
  geometric mean of the per-seed ratios) with its interval; lower energy is better.
- `holm(comparisons)`: Holm's step-down adjustment over the comparisons of one family (a spec's quality
  comparisons are one family, its energy comparisons another); words are re-decided on the adjusted p.

The words: `better` / `worse` (a against b, in the metric's direction, adjusted p <= alpha),
`no significant difference`, and `inconclusive: raise `repeat`` when fewer than MIN_PAIRS pairs exist,
too few to test (one seed has no spread at all; two give a t-test with one degree of freedom).
Why a paired t-test on seeds, not folds: see docs/report.md ("How a verdict is reached").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

MIN_PAIRS = 3
ALPHA = 0.05

Word = Literal["better", "worse", "no significant difference", "inconclusive: raise `repeat`"]
BETTER: Word = "better"
WORSE: Word = "worse"
NO_DIFFERENCE: Word = "no significant difference"
INCONCLUSIVE: Word = "inconclusive: raise `repeat`"


@dataclass(frozen=True)
class Comparison:
    """a against b. `estimate` is mean(a - b) for "difference", a/b for "ratio" (given, untested, when there
    are too few pairs to test; None when there are none); `ci` bounds it;
    `p` is the raw two-sided p-value and `p_adjusted` the family's Holm-adjusted one (equal until `holm`)."""

    n: int
    estimate: float | None
    ci: tuple[float, float] | None
    p: float | None
    p_adjusted: float | None
    word: Word
    higher_is_better: bool = True
    alpha: float = ALPHA
    scale: Literal["difference", "ratio"] = "difference"
    test: str = "paired t-test (scipy.stats.ttest_rel), two-sided"

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must lie in (0, 1), got {self.alpha}")
        if (self.p is None) != (self.word == INCONCLUSIVE):
            raise ValueError("exactly the inconclusive comparisons have no p-value")

    @property
    def tested(self) -> bool:
        return self.p is not None

    def to_json(self) -> dict:
        return {
            "n": self.n,
            "scale": self.scale,
            "estimate": self.estimate,
            "ci": list(self.ci) if self.ci else None,
            "confidence": 1 - self.alpha,
            "p": self.p,
            "p_adjusted": self.p_adjusted,
            "alpha": self.alpha,
            "higher_is_better": self.higher_is_better,
            "word": self.word,
            "test": self.test,
        }


def _word(estimate: float, neutral: float, p: float, alpha: float, higher_is_better: bool) -> Word:
    if p > alpha or estimate == neutral:
        return NO_DIFFERENCE
    return BETTER if (estimate > neutral) == higher_is_better else WORSE


def _paired_t(xs: list[float], ys: list[float], alpha: float) -> tuple[float, tuple[float, float], float]:
    """Mean of xs - ys, its (1 - alpha) interval and the two-sided p-value: scipy.stats.ttest_rel's numbers
    (tests check they agree), computed from the t distribution directly because ttest_rel's input checks cost
    ~100x the arithmetic and the null-run tests call this thousands of times. A constant difference has no
    spread: it is exact (p 0, or 1 when it is zero)."""
    import numpy as np
    import scipy.stats

    d = np.subtract(xs, ys)
    mean = float(np.mean(d))
    if np.ptp(d) == 0:
        return mean, (mean, mean), 1.0 if mean == 0 else 0.0
    df = len(d) - 1
    se = float(np.std(d, ddof=1)) / math.sqrt(len(d))
    p = float(2 * scipy.stats.t.sf(abs(mean) / se, df))
    half = float(scipy.stats.t.ppf(1 - alpha / 2, df)) * se
    return mean, (mean - half, mean + half), p


def _pairs(a: Sequence[float], b: Sequence[float]) -> list[tuple[float, float]]:
    if len(a) != len(b):
        raise ValueError(f"paired samples need equal lengths, got {len(a)} and {len(b)}")
    pairs = [(float(x), float(y)) for x, y in zip(a, b, strict=True)]
    return [(x, y) for x, y in pairs if math.isfinite(x) and math.isfinite(y)]


def compare(a: Sequence[float], b: Sequence[float], higher_is_better: bool = True, alpha: float = ALPHA) -> Comparison:
    """a against b on paired samples of one metric (pairs with a non-finite value are dropped)."""
    pairs = _pairs(a, b)
    if len(pairs) < MIN_PAIRS:
        estimate = sum(x - y for x, y in pairs) / len(pairs) if pairs else None
        return Comparison(len(pairs), estimate, None, None, None, INCONCLUSIVE, higher_is_better, alpha)
    mean, ci, p = _paired_t([x for x, _ in pairs], [y for _, y in pairs], alpha)
    return Comparison(len(pairs), mean, ci, p, p, _word(mean, 0.0, p, alpha, higher_is_better), higher_is_better, alpha)


def compare_energy(a_j: Sequence[float], b_j: Sequence[float], alpha: float = ALPHA) -> Comparison:
    """a's energy against b's on paired seeds, as a ratio a/b: the paired t-test on log(a) - log(b).
    Lower is better; a non-positive energy (nothing metered) drops its pair."""
    pairs = [(x, y) for x, y in _pairs(a_j, b_j) if x > 0 and y > 0]
    if len(pairs) < MIN_PAIRS:
        estimate = math.exp(sum(math.log(x / y) for x, y in pairs) / len(pairs)) if pairs else None
        return Comparison(
            len(pairs),
            estimate,
            None,
            None,
            None,
            INCONCLUSIVE,
            False,
            alpha,
            "ratio",
            "paired t-test on log energy (scipy.stats.ttest_rel), two-sided",
        )
    mean, (low, high), p = _paired_t([math.log(x) for x, _ in pairs], [math.log(y) for _, y in pairs], alpha)
    ratio = math.exp(mean)
    return Comparison(
        len(pairs),
        ratio,
        (math.exp(low), math.exp(high)),
        p,
        p,
        _word(ratio, 1.0, p, alpha, False),
        False,
        alpha,
        "ratio",
        "paired t-test on log energy (scipy.stats.ttest_rel), two-sided",
    )


def holm(comparisons: Sequence[Comparison]) -> list[Comparison]:
    """The same comparisons, in the same order, with Holm-adjusted p-values and words re-decided on them.
    The family is the tested comparisons (inconclusive ones have no p-value and do not count)."""
    tested = sorted((c.p, i) for i, c in enumerate(comparisons) if c.p is not None)
    m = len(tested)
    out = list(comparisons)
    running = 0.0
    for rank, (p, i) in enumerate(tested):
        running = max(running, min(1.0, (m - rank) * p))
        c = comparisons[i]
        neutral = 1.0 if c.scale == "ratio" else 0.0
        out[i] = replace(
            c,
            p_adjusted=running,
            word=_word(
                c.estimate if c.estimate is not None else neutral, neutral, running, c.alpha, c.higher_is_better
            ),
        )
    return out
