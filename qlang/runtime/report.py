"""The run report: report.json (schema in docs/report.md) and report.md (rendered by qlang.reporting)."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def run_record(method: dict, runs: list) -> dict:
    """One method's results over seeds: runs are (seed, MethodResult, seconds, joules)."""
    names = list(runs[0][1].metrics)
    return {
        "name": method["name"],
        "family": method["family"],
        "params": method["params"],
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
    baselines: list[dict] = field(default_factory=list)
    energy: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _started: float = 0.0

    @classmethod
    def start(cls, stage: dict) -> StageReport:
        return cls(stage["name"], stage["kind"], stage["input"], _started=time.perf_counter())

    def finish(self, status: str, message: str | None = None) -> None:
        self.status, self.message = status, message
        self.wall_time_s = time.perf_counter() - self._started

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "input": self.input,
            "status": self.status,
            "message": self.message,
            "wall_time_s": self.wall_time_s,
            "method": self.method,
            "baselines": self.baselines,
            "energy": energy_summary(self),
            "warnings": self.warnings,
            "verdict": verdict(self),
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
    _started: float = field(default_factory=time.perf_counter)

    def finish(self, status: str) -> None:
        self.status = status
        self.wall_time_s = time.perf_counter() - self._started

    def to_json(self) -> dict:
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
            "stages": [s.to_json() for s in self.stages],
        }

    def write(self, out_dir: Path) -> None:
        """Both files, each replaced whole (written aside, then renamed): a reader never sees half a report."""
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, text in (("report.json", json.dumps(self.to_json(), indent=2) + "\n"), ("report.md", markdown(self))):
            part = out_dir / f".{name}.part"
            part.write_text(text, encoding="utf-8")
            part.replace(out_dir / name)


def energy_summary(stage: StageReport) -> dict:
    """Estimated against measured energy, the QPU model, and quantum over classical (per seed, mean)."""
    e = dict(stage.energy)
    method_j = stage.method["energy_j"]["mean"] if stage.method else None
    baseline_j = sum(b["energy_j"]["mean"] for b in stage.baselines if "energy_j" in b) if stage.baselines else None
    e["method_j"] = method_j
    e["baselines_j"] = baseline_j or None
    e["quantum_over_classical"] = method_j / baseline_j if method_j and baseline_j else None
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


def verdict(stage: StageReport) -> str | None:
    """One plain sentence: does the quantum method beat its baselines on the primary metric?"""
    if stage.method is None or not stage.baselines:
        return None
    name = stage.method["name"]
    metric, higher = primary(name)
    if metric not in stage.method["metrics"]:
        return None
    q = stage.method["metrics"][metric]
    parts = []
    for b in stage.baselines:
        if metric not in b["metrics"]:
            continue
        c = b["metrics"][metric]
        diff = (q["mean"] - c["mean"]) * (1 if higher else -1)
        spread = max(q["std"], c["std"])
        if abs(diff) <= spread:
            parts.append(
                f"{name} and {b['name']} are within one standard deviation on {metric} "
                f"({q['mean']:.3f} vs {c['mean']:.3f})"
            )
        elif diff > 0:
            parts.append(f"{name} beats {b['name']} on {metric} ({q['mean']:.3f} vs {c['mean']:.3f})")
        else:
            parts.append(f"the classical {b['name']} wins on {metric} ({c['mean']:.3f} vs {q['mean']:.3f})")
    return "; ".join(parts) + ("." if parts else "") if parts else None


def markdown(report: Report) -> str:
    """report.md, rendered from the report's JSON by qlang.reporting (templates under reporting/templates)."""
    from qlang.reporting import markdown as render

    return render(report.to_json())
