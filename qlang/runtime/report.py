"""The run report: report.json (schema in docs/report.md) and report.md (rendered by qlang.reporting)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qlang.catalog.calls import call_label  # noqa: F401  (re-exported: the runner's name for it)
from qlang.runtime.verdict import ALPHA, MIN_PAIRS, Comparison, compare, compare_energy, holm
from qlang.sweep import at_point

SCHEMA = "qlang-report/1"


def primary(method: str) -> tuple[str | None, bool]:
    """The metric that decides "which wins" (the catalog's), and whether higher is better."""
    from qlang import catalog

    entry = catalog.METHODS.get(method)
    return (entry.primary_metric, entry.higher_is_better) if entry is not None else (None, True)


def _stats(values: list[float]) -> dict[str, Any]:
    n = len(values)
    mean = sum(values) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    return {"mean": mean, "std": std, "per_seed": values}


def _plain(value: Any) -> Any:
    """JSON-safe info values (numpy scalars and arrays become numbers and lists)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def run_record(method: dict, runs: list, label: str | None = None) -> dict:
    """One method's results over seeds: runs are (seed, MethodResult, seconds, joules, settings), settings
    being every parameter it ran with (inherited and runtime ones included), or None to keep `params`."""
    names = list(runs[0][1].metrics)
    ran_with = runs[0][4] if len(runs[0]) > 4 and runs[0][4] is not None else method["params"]
    return {
        "name": method["name"],
        "label": label or method["name"],
        "family": method["family"],
        "params": _plain(ran_with),
        "seeds": [run[0] for run in runs],
        "metrics": {m: _stats([float(run[1].metrics[m]) for run in runs]) for m in names},
        "wall_time_s": _stats([run[2] for run in runs]),
        "energy_j": _stats([run[3] for run in runs]),
        "info": [_plain(run[1].info) for run in runs],
    }


@dataclass
class StageReport:
    name: str
    kind: str
    input: str
    status: str = "running"
    message: str | None = None
    wall_time_s: float = 0.0
    method: dict | None = None
    ideal: dict | None = None  # on a noisy device: the same method on the exact simulator
    unmitigated: dict | None = None  # with mitigation: the same method on the same device without it
    baselines: list[dict] = field(default_factory=list)
    energy: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)  # one record per candidate and sweep point
    pareto: list[int] = field(default_factory=list)  # indices into points: the quality-vs-energy front
    choice: dict | None = None  # what `choose` sent downstream, and why
    _started: float = 0.0

    @classmethod
    def start(cls, stage: dict) -> StageReport:
        return cls(stage["name"], stage["kind"], stage["input"], _started=time.perf_counter())

    def finish(self, status: str, message: str | None = None) -> None:
        self.status, self.message = status, message
        self.wall_time_s = time.perf_counter() - self._started

    def to_json(self, comparisons: list[dict] | None = None) -> dict:
        """`comparisons`: this stage's rows of `Report.comparisons()` (Holm-adjusted across the spec)."""
        comparisons = stage_comparisons(self) if comparisons is None else comparisons
        return {
            "name": self.name,
            "kind": self.kind,
            "input": self.input,
            "status": self.status,
            "message": self.message,
            "wall_time_s": self.wall_time_s,
            "method": self.method,
            "ideal": self.ideal,
            "unmitigated": self.unmitigated,
            "baselines": self.baselines,
            "energy": energy_summary(self),
            "warnings": self.warnings,
            "comparisons": comparisons,
            "verdict": verdict_sentence(self, comparisons),
            "roadmap": roadmap_of(self.kind),
            "points": self.points,
            "pareto": self.pareto,
            "choice": self.choice,
        }


@dataclass
class Report:
    pipeline: str
    target: str
    device: str
    seeds: list[int]
    spec: dict
    qlang_version: str
    status: str = "running"
    stages: list[StageReport] = field(default_factory=list)
    wall_time_s: float = 0.0
    grid_g_per_kwh: float = 0.0
    meter: dict = field(default_factory=dict)
    energy_j: float = 0.0
    windows: list = field(default_factory=list)  # every meter window, flattened: path, joules, wall_s, cpu_s
    environment: dict = field(default_factory=dict)  # runtime/environment.py: versions, CPU, GPU, meter, calibration
    execution: dict = field(default_factory=dict)  # executor, workers, address, cache
    _started: float = field(default_factory=time.perf_counter)

    def finish(self, status: str) -> None:
        self.status = status
        self.wall_time_s = time.perf_counter() - self._started

    def to_json(self) -> dict:
        rows = self.comparisons()
        return {
            "schema": SCHEMA,
            "qlang_version": self.qlang_version,
            "pipeline": self.pipeline,
            "spec": self.spec,
            "target": self.target,
            "device": self.device,
            "seeds": self.seeds,
            "status": self.status,
            "wall_time_s": self.wall_time_s,
            "energy": {
                "measured_j": self.energy_j,
                **self.meter,
                "grid_g_per_kwh": self.grid_g_per_kwh,
                "carbon_g": self.energy_j / 3.6e6 * self.grid_g_per_kwh,
                "summary": summary_line(self),
            },
            "alpha": ALPHA,
            "summary": summary_rows(self, rows),
            "meter_windows": self.windows,
            "environment": self.environment,
            "execution": self.execution,
            "stages": [s.to_json(rows[s.name]) for s in self.stages],
        }

    def comparisons(self) -> dict[str, list[dict]]:
        """Every stage's comparisons, Holm-adjusted over the spec: the quality comparisons are one family,
        the energy comparisons another."""
        raw = {s.name: _raw_comparisons(s) for s in self.stages}
        flat = [c for rows in raw.values() for c in rows]
        quality = iter(holm([c["quality"] for c in flat]))
        energy = iter(holm([c["energy"] for c in flat]))
        return {name: [_comparison_json(c, next(quality), next(energy)) for c in rows] for name, rows in raw.items()}

    def write(self, out_dir: Path, html: bool = False) -> None:
        """report.json and report.md, and report.html when `html` (its plots take seconds: the runner asks for
        it once, at the end), each replaced whole (written aside under a unique name, then renamed): a reader
        never sees half a report. Raises rundir.OutputError (and leaves no temporary file) when it cannot."""
        from qlang import reporting
        from qlang.runtime.rundir import write_atomic, writing

        with writing(out_dir):
            out_dir.mkdir(parents=True, exist_ok=True)
        data = self.to_json()
        for fmt in ("json", "md", "html") if html else ("json", "md"):
            write_atomic(out_dir / reporting.FILES[fmt], reporting.render(data, fmt))


def pareto_front(points: list[dict], method: str) -> list[int]:
    """Indices of the points no other point beats on both the method's primary metric (mean over seeds,
    in its direction) and energy (mean joules per seed); points without that metric take no part."""
    metric, higher = primary(method)
    scored = [
        (i, p["metrics"][metric]["mean"] * (1 if higher else -1), p["energy_j"]["mean"])
        for i, p in enumerate(points)
        if metric in p.get("metrics", {}) and "energy_j" in p
    ]
    return [i for i, q, e in scored if not any((q2 >= q and e2 <= e) and (q2 > q or e2 < e) for _, q2, e2 in scored)]


def energy_summary(stage: StageReport) -> dict:
    """Estimated against metered energy, the QPU model, and the method's energy over each baseline's (means
    per seed, one ratio per baseline)."""
    e = dict(stage.energy)
    method_j = stage.method["energy_j"]["mean"] if stage.method else None
    e["method_j"] = method_j
    e["baselines_j"] = {b["label"]: b["energy_j"]["mean"] for b in stage.baselines if "energy_j" in b} or None
    e["method_over_baseline"] = {
        label: method_j / j for label, j in (e["baselines_j"] or {}).items() if method_j and j
    } or None
    if e.get("estimated_j") and e.get("measured_j"):
        e["measured_over_estimated"] = e["measured_j"] / (e["estimated_j"] + (e.get("estimated_baseline_j") or 0))
    return e


def summary_line(report: Report) -> str:
    from qlang.energy.references import LLAMA_8B_TOKEN
    from qlang.energy.references import REASONING_PROMPT as prompt

    wh = report.energy_j / 3600
    tokens = report.energy_j / LLAMA_8B_TOKEN.joules
    return (
        f"{report.energy_j:.4g} J ({wh:.3g} Wh, {report.meter.get('provenance', 'modeled')}) for the whole run, "
        f"{wh / prompt.high:.2g}–{wh / prompt.low:.2g} of one long reasoning-model prompt "
        f"(≈ {prompt.low:g}–{prompt.high:g} Wh, Jegham et al. 2025), or about {tokens:,.0f} tokens of "
        "Llama-3.1-8B on an H100 (0.12 J/token, ML.ENERGY)"
    )


def _paired(a: dict, b: dict, key) -> tuple[list[float], list[float]]:
    """a's and b's per-seed values on the seeds both ran (a fallback drops the method's seeds)."""
    va, vb = dict(zip(a["seeds"], key(a))), dict(zip(b["seeds"], key(b)))
    seeds = [s for s in a["seeds"] if s in vb]
    return [va[s] for s in seeds], [vb[s] for s in seeds]


def _raw_comparisons(stage: StageReport) -> list[dict]:
    """The method against each baseline that ran, on the method's primary metric and on energy (untested
    against the family: `Report.comparisons` adjusts). In a sweep, every further point of the method too,
    against each baseline at the same point (a classical baseline that ran once stands beside every point);
    the QPU break-even and growth are the stage's, so only the first point carries them."""
    if stage.method is None:
        return []
    metric, higher = primary(stage.method["name"])
    pairs = [(stage.method, b, b, True) for b in stage.baselines]
    for point in [p for p in stage.points if p.get("role") == "method"][1:]:
        for b in stage.baselines:
            at = _baseline_at(stage, b, point.get("point") or {})
            if at is not None:
                pairs.append((point, at, b, False))
    out = []
    for method, runs, b, first in pairs:
        if metric not in method["metrics"] or metric not in runs.get("metrics", {}):
            continue
        a_q, b_q = _paired(method, runs, lambda r: r["metrics"][metric]["per_seed"])
        a_j, b_j = _paired(method, runs, lambda r: r["energy_j"]["per_seed"])
        out.append(
            {
                "baseline": b.get("label", b["name"]),
                "point": method.get("point") or {},
                "metric": metric,
                "reference": b.get("reference", False),
                "break_even": break_even_of(stage, b) if first else None,
                "growth": growth_of(stage, b) if first else None,
                "quality": compare(a_q, b_q, higher, ALPHA),
                "energy": compare_energy(a_j, b_j, ALPHA),
            }
        )
    return out


def _baseline_at(stage: StageReport, baseline: dict, point: dict) -> dict | None:
    """The baseline's record at a method point: its own point agrees with the method's on every coordinate
    it has (a classical baseline that ran once has none)."""
    label = baseline.get("label", baseline["name"])
    for p in stage.points:
        same = p.get("role") == "baseline" and p.get("label", p["name"]) == label
        if same and all(point.get(k, v) == v for k, v in (p.get("point") or {}).items()):
            return p
    return None


def break_even_of(stage: StageReport, baseline: dict) -> dict | None:
    """Per QPU platform preset: the hardware at which one seed of the method on the QPU model costs what the
    baseline used here per seed (qlang.energy.breakeven); None without a QPU estimate or metered energy."""
    from qlang.energy.breakeven import break_even
    from qlang.energy.qpu import PRESETS

    workload = stage.energy.get("qpu_workload")
    classical_j = baseline.get("energy_j", {}).get("mean")
    if not workload or not classical_j or classical_j <= 0:
        return None
    circuits = [tuple(c) for c in workload]
    return {name: break_even(circuits, preset, classical_j).to_json() for name, preset in PRESETS.items()}


def growth_of(stage: StageReport, baseline: dict) -> dict | None:
    """Both sides' energy per seed against the data size N and where they cross (qlang.energy.breakeven.growth),
    on the spec's QPU platform: the quantum side from the plan's cost model, the classical side from the plan's
    model of the baseline scaled by what it used here over what the plan modeled at this run's size. The
    plan's curves are tabulated at qlang.plan.estimate.CURVE_SIZES and interpolated log-log in between; None
    without a QPU estimate or metered energy."""
    import numpy as np

    from qlang.energy.breakeven import growth

    curves, label = stage.energy.get("curves"), baseline.get("label", baseline["name"])
    modeled = (stage.energy.get("estimated_baselines_j") or {}).get(label)
    measured = baseline.get("energy_j", {}).get("mean")
    if not curves or label not in curves["classical_j"] or not modeled or not measured or measured <= 0:
        return None
    log_n = np.log(curves["n"])
    q, c = np.log(curves["quantum_j"]), np.log(curves["classical_j"][label])
    scale = measured / modeled

    def quantum(n: int) -> float:
        return float(np.exp(np.interp(np.log(n), log_n, q)))

    def classical(n: int) -> float:
        return scale * float(np.exp(np.interp(np.log(n), log_n, c)))

    return {**growth(quantum, classical, int(stage.energy["rows"])).to_json(), "classical_scale": scale}


def _comparison_json(raw: dict, quality: Comparison, energy: Comparison) -> dict:
    return {
        "break_even": raw.get("break_even"),
        "growth": raw.get("growth"),
        "baseline": raw["baseline"],
        "point": raw.get("point") or {},
        "metric": raw["metric"],
        "reference": raw["reference"],
        "quality": quality.to_json(),
        "energy": energy.to_json(),
    }


def stage_comparisons(stage: StageReport) -> list[dict]:
    """One stage's comparisons, Holm-adjusted within the stage alone (a report adjusts across the spec)."""
    raw = _raw_comparisons(stage)
    return [
        _comparison_json(c, q, e)
        for c, q, e in zip(raw, holm([c["quality"] for c in raw]), holm([c["energy"] for c in raw]), strict=True)
    ]


def _signed(x: float) -> str:
    return f"{x:+.3g}".replace("-", "−")


def quality_words(c: dict, method: str) -> str:
    """`better by +0.022 (95% CI +0.010 to +0.034, Holm p = 0.004, 5 seeds)`, or why there is no test."""
    q = c["quality"]
    if q["p"] is None:
        gap = (
            "" if q["estimate"] is None else f"{c['metric']} {method} − {c['baseline']} = {_signed(q['estimate'])} on "
        )
        return f"{q['word']} ({gap}{q['n']} paired seed{'s' if q['n'] != 1 else ''}; a test needs {MIN_PAIRS})"
    low, high = q["ci"]
    return (
        f"{q['word']} ({c['metric']} {method} − {c['baseline']} = {_signed(q['estimate'])}, "
        f"{q['confidence']:.0%} CI {_signed(low)} to {_signed(high)}, Holm p = {q['p_adjusted']:.2g}, "
        f"{q['n']} seeds)"
    )


def verdict_sentence(stage: StageReport, comparisons: list[dict]) -> str | None:
    """One sentence per baseline: the method against it on the primary metric, with the test behind it."""
    if stage.method is None or not comparisons:
        return None
    parts = []
    for c in comparisons:
        name = at_point(stage.method["name"], c.get("point"))
        parts.append(
            f"{name} against {c['baseline']}{' (reference)' if c['reference'] else ''}: {quality_words(c, name)}"
        )
    return "; ".join(parts) + "."


def _spec_platform(by_platform: dict | None, platform: dict | None) -> dict | None:
    """The break-even on the spec's own QPU platform (its preset's name)."""
    if not by_platform or not platform:
        return None
    return by_platform.get(platform["name"])


def roadmap_of(kind: str) -> dict | None:
    """The literature's horizon and impact for the stage kind (qlang.catalog.roadmap), or None."""
    from qlang.catalog.roadmap import ROADMAP

    return ROADMAP[kind].to_json() if kind in ROADMAP else None


def summary_rows(report: Report, comparisons: dict[str, list[dict]]) -> list[dict]:
    """The table a report opens with: per stage and baseline, the quality difference with its interval, the
    energy ratio here (metered) and on the QPU model (modeled), and the verdict."""
    rows: list[dict[str, Any]] = []
    for s in report.stages:
        if s.method is None:
            rows.append({"stage": s.name, "kind": s.kind, "method": None, "baseline": None, "status": s.status})
            continue
        qpu_j, seeds = s.energy.get("qpu_model_j"), max(len(s.method["seeds"]), 1)
        for c in comparisons.get(s.name, []):
            first = (c.get("point") or {}) == (s.method.get("point") or {})
            b = next(r for r in s.baselines if r.get("label", r["name"]) == c["baseline"])
            baseline_j = b["energy_j"]["mean"] if "energy_j" in b else None
            rows.append(
                {
                    "stage": s.name,
                    "kind": s.kind,
                    "method": s.method["name"],
                    "point": c.get("point") or {},
                    "baseline": c["baseline"],
                    "reference": c["reference"],
                    "status": s.status,
                    "metric": c["metric"],
                    "difference": c["quality"]["estimate"],
                    "ci": c["quality"]["ci"],
                    "p_adjusted": c["quality"]["p_adjusted"],
                    "verdict": c["quality"]["word"],
                    "energy_ratio": c["energy"]["estimate"],
                    "energy_ratio_ci": c["energy"]["ci"],
                    "energy_verdict": c["energy"]["word"],
                    # the stage's QPU figure is the whole sweep's: beside its first point only
                    "qpu_ratio": qpu_j / seeds / baseline_j if qpu_j and baseline_j and first else None,
                    "expected": roadmap_of(s.kind),
                    "break_even": _spec_platform(c.get("break_even"), s.energy.get("qpu_platform")),
                    "growth": c.get("growth"),
                }
            )
    return rows


def markdown(report: Report) -> str:
    """report.md, rendered from the report's JSON by qlang.reporting (templates under reporting/templates)."""
    from qlang.reporting import markdown as render

    return render(report.to_json())
