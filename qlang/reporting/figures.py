"""The plots' data, from report.json alone: what each figure draws and the caption that says how to read it.

A `Figure`'s `data` is JSON-safe and complete: plots.py draws exactly these numbers, and report.html embeds
them beside the picture (a reader can copy them; the tests compare them with report.json). Energies are in
joules; a quality point is the mean over seeds with its 95% Student-t interval (no interval with one seed).
Figures with nothing to show are left out, so a stage that did not run has none.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from qlang.reporting.model import Figure, runs_of
from qlang.sweep import label

# Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom (any statistics table, e.g. NIST/SEMATECH
# e-Handbook 1.4.2.7); beyond 30 the normal 1.96 is within 2%.
T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
       2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)  # fmt: skip


def interval(stat: dict) -> tuple[float, float]:
    """The 95% t-interval of a `{mean, std, per_seed}` over seeds (the mean itself with one seed)."""
    n = len(stat["per_seed"])
    if n < 2:
        return stat["mean"], stat["mean"]
    half = (T95[n - 2] if n - 1 <= len(T95) else 1.96) * stat["std"] / math.sqrt(n)
    return stat["mean"] - half, stat["mean"] + half


def label_of(run: dict) -> str:
    return run.get("label") or run["name"]


def pareto(points: list[dict], higher_is_better: bool) -> list[str]:
    """Labels of the points no other point beats on both energy (lower) and quality, cheapest first."""
    sign = 1 if higher_is_better else -1
    front, best = [], -math.inf
    for p in sorted(points, key=lambda p: (p["energy_j"], -sign * p["mean"])):
        if sign * p["mean"] > best:
            front.append(p["label"])
            best = sign * p["mean"]
    return front


def quality_energy(stage: dict) -> Figure | None:
    from qlang import catalog

    swept = [r for r in stage.get("points") or () if r.get("point")]  # every sweep point (issue 13)
    runs = [r for r in runs_of(stage) if not r.get("point")] + swept
    runs = [r for r in runs if r.get("metrics") and "energy_j" in r]
    if stage["method"] is None or not runs:
        return None
    entry = catalog.METHODS.get(stage["method"]["name"])
    if entry is None:
        return None
    metric, higher = entry.primary_metric, entry.higher_is_better
    points = []
    for r in runs:
        if metric not in r["metrics"] or r["energy_j"]["mean"] <= 0:
            continue
        low, high = interval(r["metrics"][metric])
        role = "method" if r is stage["method"] or r.get("role") == "method" else "baseline"
        where = f" [{label(r['point'])}]" if r.get("point") else ""
        points.append({"label": label_of(r) + where, "role": role, "family": r["family"], "energy_j": r["energy_j"]["mean"],
                       "mean": r["metrics"][metric]["mean"], "ci_low": low, "ci_high": high,
                       "seeds": len(r["metrics"][metric]["per_seed"])})  # fmt: skip
    if not points:
        return None
    better = "higher" if higher else "lower"
    caption = (
        f"Each point is one method on this stage: across, its energy per seed (log scale, "
        f"{stage['energy'].get('provenance', 'modeled')}); up, its mean {metric} over seeds ({better} is better) "
        "with a bar for the 95% t-interval. Filled circles are quantum methods, open squares classical, diamonds "
        "quantum-inspired. The dashed line joins the Pareto front: the points no other point beats on both "
        "energy and quality. A quantum method off the front is beaten by something cheaper and at least as good."
    )
    data = {"metric": metric, "higher_is_better": higher, "points": points, "pareto": pareto(points, higher)}
    return Figure("quality_energy", f"{stage['name']}: {metric} against energy", caption, data)


def _series(stage: dict, key: str) -> list[dict]:
    """One series per run and seed whose info has a list under `key`."""
    return [{"label": label_of(r), "seed": seed, "values": info[key]}
            for r in runs_of(stage) for seed, info in zip(r.get("seeds", ()), r.get("info") or ())
            if isinstance(info, dict) and info.get(key)]  # fmt: skip


def loss_curves(stage: dict) -> Figure | None:
    series = _series(stage, "loss_curve")
    if not series:
        return None
    across = "iteration" if stage["kind"] == "train" else "epoch (mean over folds)"
    caption = (
        f"Training loss by {across}, one line per method and seed (one colour per method). Lines that fall "
        "faster reach a low loss in fewer steps; where they end is the loss the stage reports. A baseline "
        "without epochs (a closed-form fit) has no line."
    )
    return Figure("loss_curves", f"{stage['name']}: training loss", caption, {"series": series})


def best_score(stage: dict) -> Figure | None:
    series = _series(stage, "curve")
    if not series:
        return None
    caption = (
        "The best score found so far against the number of evaluations, one line per searcher and seed. A "
        "searcher that is better per evaluation rises sooner; all of them had the same evaluation budget."
    )
    return Figure("best_score", f"{stage['name']}: best score by evaluation", caption, {"series": series})


def gram_maps(stage: dict) -> Figure | None:
    maps = []
    for r in runs_of(stage):
        infos = r.get("info") or ()
        if infos and isinstance(infos[0], dict) and infos[0].get("gram_preview"):
            maps.append({"label": label_of(r), "seed": r["seeds"][0], **infos[0]["gram_preview"]})
    if not maps:
        return None
    caption = (
        "The kernel between data rows (1 = the same quantum state, 0 = orthogonal) on the first seed, for up to "
        "32 rows sorted by class (ticks mark where a class starts). Bright blocks on the diagonal mean rows of "
        "one class look alike to the kernel, which is what a classifier or a clustering can use; a uniformly "
        "dark map means the kernel has concentrated (every pair near orthogonal) and carries little information."
    )
    return Figure("gram", f"{stage['name']}: kernel (Gram) matrices", caption, {"maps": maps})


def monitor_p_values(stage: dict) -> Figure | None:
    series = []
    for r in runs_of(stage):
        for seed, info in zip(r.get("seeds", ()), r.get("info") or ()):
            if isinstance(info, dict) and info.get("p_values"):
                series.append({"label": label_of(r), "seed": seed, "alpha": info["alpha"], **info["p_values"]})
    if not series:
        return None
    caption = (
        "The p-value of each test window (log scale), one method per colour: circles are windows drawn from the "
        "reference distribution (no drift), crosses windows with injected drift. The dashed line is alpha: "
        "circles below it are false alarms (type-I error), crosses below it are detections (power). A good "
        "detector keeps circles above the line and crosses below it."
    )
    return Figure("p_values", f"{stage['name']}: p-values per window", caption, {"series": series})


STAGE_FIGURES: tuple[Callable[[dict], Figure | None], ...] = (
    quality_energy,
    loss_curves,
    best_score,
    gram_maps,
    monitor_p_values,
)


def stage_figures(stage: dict) -> tuple[Figure, ...]:
    return tuple(f for f in (make(stage) for make in STAGE_FIGURES) if f is not None)


def _baselines_j(energy: dict) -> float | None:
    value = energy.get("baselines_j")
    return sum(value.values()) if isinstance(value, dict) else value  # a total, or one value per baseline


def energy_by_stage(report: dict) -> Figure | None:
    stages = [s for s in report["stages"] if (s.get("energy") or {}).get("measured_j") is not None]
    if not stages:
        return None

    def column(pick) -> list[float | None]:
        return [pick(s["energy"]) for s in stages]

    series = [
        {"label": "quantum method, simulated here", "values": column(lambda e: e.get("method_j"))},
        {"label": "classical baselines, here", "values": column(_baselines_j)},
    ]
    platforms = dict.fromkeys(p for s in stages for p in (s["energy"].get("qpu_by_platform_j") or {}))
    for name in platforms:
        series.append({"label": f"QPU model: {name.replace('_', ' ')}",
                       "values": column(lambda e, n=name: (e.get("qpu_by_platform_j") or {}).get(n))})  # fmt: skip
    caption = (
        "Energy of one seed of each stage on one log axis: the quantum method simulated on this machine, its "
        "classical baselines together on this machine, and the same quantum circuits priced by the QPU energy "
        "model for each platform (modeled: system power x time, docs/energy.md). Bars that differ by a factor of "
        "ten are one grid line apart; a missing bar means no value (no baseline, or no circuits to price)."
    )
    data = {"stages": [s["name"] for s in stages], "series": series}
    return Figure("energy_by_stage", "Energy per stage", caption, data)


def plan_vs_measured(report: dict) -> Figure | None:
    points = []
    for s in report["stages"]:
        e = s.get("energy") or {}
        planned = (e.get("estimated_j") or 0) + (e.get("estimated_baseline_j") or 0)
        if e.get("measured_j") and planned > 0:
            points.append({"stage": s["name"], "estimated_j": planned, "measured_j": e["measured_j"]})
    if not points:
        return None
    calibrated = all((s.get("energy") or {}).get("calibrated") for s in report["stages"])
    caption = (
        "Each stage's energy as `qlc plan` estimated it before the run (across) and as metered during the run "
        "(up), both log scale. On the solid diagonal the plan was exact; the dotted lines are a factor of ten "
        "either way. Above the diagonal the run cost more than planned."
        + ("" if calibrated else " This plan was uncalibrated: `qlc calibrate` prices this machine's work.")
    )
    return Figure("plan_vs_measured", "Planned against measured energy", caption, {"points": points})


def run_figures(report: dict) -> tuple[Figure, ...]:
    return tuple(f for f in (energy_by_stage(report), plan_vs_measured(report)) if f is not None)
