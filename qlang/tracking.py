"""Recording a finished run in an experiment tracker (`qlc run --log mlflow|csv`), from its run folder.

Both read report.json (and the files beside it) after the run, so a tracker never slows a run down or
changes it, and `qlc`'s own files stay the record. What is logged:

- csv: `metrics.csv` (stage, role, name, family, seed, metric, value: every metric of every run on every
  seed, energy_j and wall_time_s included) and `windows.csv` (every meter window: path, joules, seconds,
  CPU seconds, provenance), written into the run folder.
- mlflow (the `mlflow` extra): one MLflow run in the experiment named after the pipeline, with parameters
  (the set-up and every method's parameters, `stage.name.param`), metrics per stage and seed
  (`stage.name.metric`, the seed's index as the step; the mean without a step under `...mean`), meter
  windows (`window/<path>.joules`), tags (status, target, provenance, spec hash) and the artifacts:
  report.json/.md/.html, the generated module, the two CSV files. The tracking URI is
  $MLFLOW_TRACKING_URI, else a local file store ./mlruns; nothing is sent anywhere else.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FORMATS = ("csv", "mlflow")


def _runs(report: dict) -> Iterator[tuple[dict, str, dict]]:
    for s in report["stages"]:
        if s.get("method"):
            yield s, "method", s["method"]
        for b in s.get("baselines") or ():
            yield s, "baseline", b


def metric_rows(report: dict) -> list[dict[str, Any]]:
    rows = []
    for stage, role, run in _runs(report):
        stats = {**(run.get("metrics") or {}), **{k: run[k] for k in ("energy_j", "wall_time_s") if k in run}}
        for metric, stat in stats.items():
            for seed, value in zip(run.get("seeds") or (), stat["per_seed"]):
                rows.append({"stage": stage["name"], "role": role, "name": run.get("label", run["name"]),
                             "family": run["family"], "seed": seed, "metric": metric, "value": value})  # fmt: skip
    return rows


def window_rows(report: dict) -> list[dict[str, Any]]:
    return [dict(w) for w in report.get("meter_windows") or ()]


def _write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def log_csv(report: dict, folder: Path) -> list[Path]:
    return [
        _write_csv(folder / "metrics.csv", metric_rows(report),
                   ["stage", "role", "name", "family", "seed", "metric", "value"]),
        _write_csv(folder / "windows.csv", window_rows(report),
                   ["path", "joules", "wall_s", "cpu_s", "provenance"]),
    ]  # fmt: skip


def _key(*parts: Any) -> str:
    """An MLflow name: letters, digits, `_ - . / space` only (MLflow refuses the rest)."""
    return re.sub(r"[^\w\-./ ]", "_", ".".join(str(p) for p in parts))[:250]


def log_mlflow(report: dict, folder: Path) -> str:
    """Log the run folder's report into MLflow; returns the MLflow run id."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    try:
        import mlflow
    except ImportError as e:
        raise ImportError('--log mlflow needs MLflow: pip install "qlang[mlflow]"') from e
    uri = os.environ.get("MLFLOW_TRACKING_URI") or Path("mlruns").resolve().as_uri()
    if uri.startswith("file:"):
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 asks for the opt-in; no server here
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(report["pipeline"])
    csv_files = log_csv(report, folder)
    spec = report.get("spec") or {}
    with mlflow.start_run(run_name=f"{report['pipeline']} {folder.name}") as run:
        mlflow.set_tags({"status": report["status"], "target": report["target"], "device": report["device"],
                         "provenance": (report.get("energy") or {}).get("provenance", "modeled"),
                         "spec.file": spec.get("file"), "spec.sha256": spec.get("sha256"),
                         "qlang_version": report.get("qlang_version"), "run_folder": str(folder)})  # fmt: skip
        params = {"seeds": report["seeds"], "target": report["target"], "device": report["device"]}
        for stage, _role, r in _runs(report):
            for k, v in (r.get("params") or {}).items():
                params[_key(stage["name"], r.get("label", r["name"]), k)] = v
        mlflow.log_params({k: str(v)[:6000] for k, v in params.items()})
        metrics: dict[str, float] = {"energy_j": (report.get("energy") or {}).get("measured_j") or 0.0}
        for row in metric_rows(report):
            key = _key(row["stage"], row["name"], row["metric"])
            mlflow.log_metric(key, float(row["value"]), step=int(row["seed"]))
        for stage, _role, r in _runs(report):
            for metric, stat in (r.get("metrics") or {}).items():
                metrics[_key(stage["name"], r.get("label", r["name"]), metric, "mean")] = float(stat["mean"])
        for w in window_rows(report):
            metrics[_key("window", w["path"], "joules")] = float(w["joules"])
        mlflow.log_metrics(metrics)
        for name in ("report.json", "report.md", "report.html", *(p.name for p in folder.glob("pipeline.*.py"))):
            if (folder / name).exists():
                mlflow.log_artifact(str(folder / name))
        for path in csv_files:
            mlflow.log_artifact(str(path))
        return run.info.run_id


def log_run(kind: str, report: dict, folder: Path) -> str:
    """Record the run in `kind` (csv or mlflow); a line saying where."""
    if kind == "csv":
        return "wrote " + ", ".join(str(p) for p in log_csv(report, folder))
    run_id = log_mlflow(report, folder)
    return f"logged to MLflow run {run_id} ({os.environ.get('MLFLOW_TRACKING_URI') or 'file store ./mlruns'})"
