"""A noisy device end to end: specs/encode_noisy.qlc (fake_fez) runs smoke-sized, samples with the pipeline's
shots, and reports the noisy quality beside the same method's ideal (exact) quality."""

import json
from pathlib import Path

from qlang.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_encode_noisy_reports_noisy_beside_ideal(tmp_path):
    spec = ROOT / "specs" / "encode_noisy.qlc"
    assert main(["run", str(spec), "--smoke", "--out", str(tmp_path), "--format", "json"]) == 0
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["device"] == "fake_fez" and report["status"] == "ok"
    for stage in report["stages"]:
        method, ideal = stage["method"], stage["ideal"]
        assert method["params"]["shots"] == 4096 and method["metrics"]["shots"]["mean"] > 0
        assert ideal["params"]["shots"] is None and "shots" not in ideal["metrics"]
        assert set(ideal["metrics"]) >= {"auc"}
    assert "ideal (exact)" in (tmp_path / "report.md").read_text(encoding="utf-8")
