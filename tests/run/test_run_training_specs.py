"""The training specs (train and finetune methods of issue 7) also run on the Qiskit target (smoke-sized)."""

import json
from pathlib import Path

import pytest

from qlang.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("spec", ["train_qng", "finetune_distill", "finetune_lowrank"])
def test_runs_on_qiskit(spec, tmp_path):
    args = ["run", str(ROOT / "specs" / f"{spec}.qlc"), "--smoke", "--target", "qiskit", "--out", str(tmp_path)]
    assert main([*args, "--format", "json"]) == 0
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["target"] == "qiskit"
    for stage in report["stages"]:
        assert stage["status"] == "ok", stage
        assert stage["method"]["metrics"] and all(b["metrics"] for b in stage["baselines"])
