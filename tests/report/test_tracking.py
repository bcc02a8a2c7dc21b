"""`qlc run --log csv --log mlflow`: the run's numbers in CSV files and in a local MLflow file store."""

import csv
import json
from pathlib import Path

import pytest

from qlang.cli import main

SPEC = "pipeline track {\n  seed 5\n  repeat 2\n  data wines = wine(limit: 40)\n  stage curate clusters {\n" \
       "    method kmeans(clusters: 3)\n  }\n}\n"  # fmt: skip


@pytest.fixture
def logged_run(tmp_path, monkeypatch):
    pytest.importorskip("mlflow")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", (tmp_path / "store").as_uri())
    (tmp_path / "track.qlc").write_text(SPEC, encoding="utf-8")
    assert main(["run", "track.qlc", "--out", "run", "--log", "csv", "--log", "mlflow", "-q"]) == 0
    return tmp_path


def test_csv_holds_every_seed_and_every_meter_window(logged_run):
    report = json.loads((logged_run / "run" / "report.json").read_text(encoding="utf-8"))
    with open(logged_run / "run" / "metrics.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ari = [float(r["value"]) for r in rows if r["metric"] == "ari"]
    assert ari == report["stages"][0]["method"]["metrics"]["ari"]["per_seed"] and len(ari) == 2
    with open(logged_run / "run" / "windows.csv", newline="", encoding="utf-8") as f:
        windows = [r["path"] for r in csv.DictReader(f)]
    assert windows == [w["path"] for w in report["meter_windows"]]
    assert "pipeline/stage:clusters/method:kmeans/method:kmeans:6" in windows


def test_mlflow_run_has_params_metrics_per_seed_windows_and_artifacts(logged_run):
    from mlflow.tracking import MlflowClient

    client = MlflowClient((logged_run / "store").as_uri())
    [experiment] = [e for e in client.search_experiments() if e.name == "track"]
    [run] = client.search_runs([experiment.experiment_id])
    report = json.loads((logged_run / "run" / "report.json").read_text(encoding="utf-8"))
    method = report["stages"][0]["method"]
    assert run.data.params["clusters.kmeans.clusters"] == "3"
    history = client.get_metric_history(run.info.run_id, "clusters.kmeans.ari")
    assert [(m.step, m.value) for m in history] == list(zip([5, 6], method["metrics"]["ari"]["per_seed"]))
    assert run.data.metrics["window.pipeline/stage_clusters.joules"] == pytest.approx(
        next(w["joules"] for w in report["meter_windows"] if w["path"] == "pipeline/stage:clusters")
    )
    assert run.data.tags["status"] == "ok" and run.data.tags["spec.sha256"] == report["spec"]["sha256"]
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"report.json", "report.md", "report.html", "metrics.csv", "windows.csv"} <= artifacts
    assert any(Path(a).name.startswith("pipeline.") for a in artifacts)
