"""Verdicts from paired tests: the cases that read wrongly before, known effects, and null runs at α."""

import numpy as np
import pytest
import scipy.stats

from qlang.runtime.verdict import (ALPHA, BETTER, INCONCLUSIVE, NO_DIFFERENCE, WORSE, Comparison, compare,
                                   compare_energy, holm)


def test_a_tiny_gap_on_one_seed_is_inconclusive_not_a_win():
    # the encode report: angle 0.99614 against rbf 0.996 on one seed (fold spread 0.006) read "beats"
    c = compare([0.99614], [0.996])
    assert c.word == INCONCLUSIVE and c.p is None
    assert c.estimate == pytest.approx(0.00014)


def test_a_tiny_gap_against_a_wide_spread_is_no_significant_difference():
    rng = np.random.default_rng(1)
    baseline = 0.996 + rng.normal(0, 0.006, 5)
    method = baseline + 0.00014 + rng.normal(0, 0.006, 5)
    c = compare(method, baseline)
    assert c.word == NO_DIFFERENCE
    assert c.ci[0] < 0 < c.ci[1]


def test_a_head_that_loses_on_every_seed_is_worse():
    # few-shot: the hybrid head lost to logistic regression on every one of 5 seeds, paired mean -0.022;
    # the old report called it "within one standard deviation" (per-seed spread ~0.03 across seeds)
    baseline = np.array([0.781, 0.823, 0.760, 0.805, 0.842])
    method = baseline - np.array([0.030, 0.015, 0.025, 0.012, 0.028])
    assert np.mean(method - baseline) == pytest.approx(-0.022)
    assert np.abs(method - baseline).max() < np.std(baseline, ddof=1)  # each gap is inside one std
    c = compare(method, baseline)
    assert c.word == WORSE
    assert c.ci[1] < 0
    # and it stays worse after Holm over its three comparisons in the spec
    family = holm([c, compare(method, baseline + 0.001), compare(method, baseline + 0.002)])
    assert family[0].word == WORSE and family[0].p_adjusted >= c.p


def test_lower_is_better_flips_the_words():
    loss_q, loss_c = [0.30, 0.31, 0.29, 0.30], [0.50, 0.52, 0.49, 0.51]
    assert compare(loss_q, loss_c, higher_is_better=False).word == BETTER
    assert compare(loss_c, loss_q, higher_is_better=False).word == WORSE


def test_a_constant_difference_is_exact():
    assert compare([3, 3, 3], [1, 1, 1]).word == BETTER
    same = compare([1, 2, 3], [1, 2, 3])
    assert same.word == NO_DIFFERENCE and same.p == 1.0


def test_pairs_must_line_up_and_non_finite_pairs_drop():
    with pytest.raises(ValueError):
        compare([1, 2, 3], [1, 2])
    c = compare([1.0, float("nan"), 2.0, 3.0], [0.0, 1.0, 1.0, 2.0])
    assert c.n == 3


def test_the_ci_and_p_are_scipys_paired_t_test():
    a, b = [0.81, 0.84, 0.79, 0.86, 0.83], [0.80, 0.80, 0.78, 0.81, 0.80]
    c = compare(a, b)
    ref = scipy.stats.ttest_rel(a, b)
    assert c.p == pytest.approx(ref.pvalue)
    assert c.ci == pytest.approx(tuple(ref.confidence_interval(0.95)))


def test_energy_is_compared_as_a_ratio():
    quantum = [34.0, 36.0, 33.0, 35.0]
    classical = [1.0, 1.05, 0.98, 1.02]
    c = compare_energy(quantum, classical)
    assert c.scale == "ratio" and c.word == WORSE  # more energy is worse
    assert c.ci[0] < c.estimate < c.ci[1]
    assert 30 < c.estimate < 40
    assert compare_energy(classical, quantum).word == BETTER
    assert compare_energy([1.0], [2.0]).word == INCONCLUSIVE


def test_holm_matches_the_step_down_definition():
    ps = [0.01, 0.04, 0.03, 0.005]
    cs = [Comparison(5, 0.1, (0.0, 0.2), p, p, BETTER) for p in ps]
    adjusted = [c.p_adjusted for c in holm(cs)]
    # sorted 0.005, 0.01, 0.03, 0.04 -> 4*0.005, 3*0.01, 2*0.03, 1*0.04 made monotone: 0.02, 0.03, 0.06, 0.06
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert [c.word for c in holm(cs)] == [BETTER, NO_DIFFERENCE, NO_DIFFERENCE, BETTER]
    inconclusive = Comparison(1, None, None, None, None, INCONCLUSIVE)
    assert holm([inconclusive, *cs])[0] is inconclusive


def _null_family(rng, n, m, noise):
    """m comparisons of a method with m baselines that are all exactly as good (paired over n seeds)."""
    shared = rng.normal(0.8, 0.05, n)  # the seed's split moves both sides together
    method = shared + noise(rng, n)
    return [compare(method, shared + noise(rng, n)) for _ in range(m)]


NOISES = {
    "normal": lambda rng, n: rng.normal(0, 0.02, n),
    # accuracies on 40 test rows: discrete and bounded
    "binomial": lambda rng, n: rng.binomial(40, 0.8, n) / 40 - 0.8,
}


@pytest.mark.parametrize("noise", sorted(NOISES))
@pytest.mark.parametrize("n", [3, 8])
def test_null_runs_hold_alpha_family_wise(noise, n):
    rng = np.random.default_rng(2026)
    runs, m = 1000, 3
    false = 0
    raw_false = 0
    for _ in range(runs):
        family = _null_family(rng, n, m, NOISES[noise])
        raw_false += any(c.word in (BETTER, WORSE) for c in family)
        false += any(c.word in (BETTER, WORSE) for c in holm(family))
    rate = false / runs
    # no evidence that the family-wise false better/worse rate exceeds alpha (one-sided binomial test)
    assert scipy.stats.binomtest(false, runs, ALPHA, alternative="greater").pvalue > 0.01, rate
    assert rate <= ALPHA + 0.01
    assert raw_false / runs > 1.8 * ALPHA  # without Holm three tests at alpha go wrong far more often


@pytest.mark.parametrize("effect,n", [(0.03, 5), (0.015, 12), (-0.02, 8)])
def test_known_effects_are_detected(effect, n):
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(200):
        shared = rng.normal(0.8, 0.05, n)
        c = compare(shared + effect + rng.normal(0, 0.01, n), shared + rng.normal(0, 0.01, n))
        hits += c.word == (BETTER if effect > 0 else WORSE)
        assert c.word != (WORSE if effect > 0 else BETTER)  # never the wrong direction at these sizes
    assert hits / 200 > 0.75


def test_below_min_pairs_the_estimate_is_the_mean_paired_difference():
    c = compare([0.9, 0.8], [0.7, 0.7])
    assert c.word == INCONCLUSIVE and not c.tested
    assert c.estimate == pytest.approx(((0.9 - 0.7) + (0.8 - 0.7)) / 2)
    e = compare_energy([4.0, 9.0], [1.0, 1.0])
    assert e.word == INCONCLUSIVE and not e.tested
    assert e.estimate == pytest.approx(6.0)  # the geometric mean ratio: exp((log 4 + log 9) / 2)
    assert compare([1, 2, 3], [0, 0, 0]).tested


def test_a_known_positive_paired_difference_reads_better_with_its_sign():
    base = [0.70, 0.75, 0.72, 0.71]
    c = compare([b + d for b, d in zip(base, [0.10, 0.11, 0.09, 0.10])], base)
    assert c.word == BETTER and c.estimate == pytest.approx(0.10) and 0 < c.ci[0] < 0.10 < c.ci[1]


def test_a_modest_energy_ratio_is_judged_against_one():
    # 1.5x the baseline's energy on every seed: worse, although the ratio is below 2
    classical = [1.0, 1.1, 0.9, 1.0]
    c = compare_energy([1.5 * x * f for x, f in zip(classical, [1.0, 1.01, 0.99, 1.0])], classical)
    assert c.word == WORSE and c.estimate == pytest.approx(1.5, rel=0.01)
    assert compare_energy(classical, [1.5 * x for x in classical]).word == BETTER


def test_pairs_with_no_metered_energy_are_dropped():
    c = compare_energy([2.0, 0.0, 2.2, 1.9, 2.1], [1.0, 1.0, 0.0, 1.0, 1.0])
    assert c.n == 3 and c.estimate == pytest.approx((2.0 * 1.9 * 2.1) ** (1 / 3))
