"""`qlc report`, `qlc runs` and `qlc diff` on run folders made from saved reports: golden outputs."""

import json
import os
import statistics
from pathlib import Path

import pytest

from qlang.cli import main

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("QLANG_UPDATE_GOLDEN") == "1"
STAMP = 1_796_000_000  # 2026-11-30 00:53 UTC: report.json's time stamp in the listing


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def _run(folder: Path, report: dict, offset: int = 0) -> Path:
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(json.dumps(report), encoding="utf-8")
    os.utime(folder / "report.json", (STAMP + offset, STAMP + offset))
    return folder


def _report(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def _changed(report: dict) -> dict:
    """architect_hpo with more evaluations for the method, a better method, a worse baseline, another spec text."""
    b = json.loads(json.dumps(report))
    b["spec"]["sha256"] = "f" * 64
    stage = b["stages"][0]
    stage["method"]["params"]["evaluations"] = 12
    score = stage["method"]["metrics"]["best_score"]
    score["per_seed"] = [v + d for v, d in zip(score["per_seed"], (0.04, 0.06, 0.05, 0.03, 0.07))]
    score["mean"], score["std"] = statistics.mean(score["per_seed"]), statistics.stdev(score["per_seed"])
    tpe = stage["baselines"][1]["metrics"]["best_score"]
    tpe["per_seed"] = [v - d for v, d in zip(tpe["per_seed"], (0.01, 0.0, 0.02, 0.0, 0.01))]
    tpe["mean"], tpe["std"] = statistics.mean(tpe["per_seed"]), statistics.stdev(tpe["per_seed"])
    return b


def test_runs_lists_every_run_folder(tmp_path, capsys):
    _run(tmp_path / "quickstart" / "1", _report("quickstart"))
    _run(tmp_path / "architect_hpo" / "1", _report("architect_hpo"), offset=60)
    bad = tmp_path / "broken" / "1"
    bad.mkdir(parents=True)
    (bad / "report.json").write_text("{", encoding="utf-8")
    assert main(["runs", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    _golden("runs.txt", out)
    assert "broken/1/report.json cannot be read" in err


def test_diff_names_what_changed_and_how_sure(tmp_path, capsys):
    a = _run(tmp_path / "a", _report("architect_hpo"))
    b = _run(tmp_path / "b", _changed(_report("architect_hpo")))
    os.chdir(tmp_path)
    assert main(["diff", "a", "b"]) == 0
    _golden("diff.txt", capsys.readouterr().out)
    assert main(["diff", str(a), str(a)]) == 0
    assert "no change in parameters or metrics" in capsys.readouterr().out


def test_report_renders_again_from_report_json(tmp_path, capsys):
    run = _run(tmp_path / "run", _report("quickstart"))
    assert main(["report", str(run), "--format", "md"]) == 0
    assert (run / "report.md").read_text(encoding="utf-8") == (DATA / "quickstart.md").read_text(encoding="utf-8")
    assert main(["report", str(run)]) == 0
    assert (run / "report.html").read_text(encoding="utf-8").startswith("<!doctype html>")


@pytest.mark.parametrize("command", ["report", "diff"])
def test_a_folder_without_a_report_is_a_usage_error(command, tmp_path, capsys):
    args = [command, str(tmp_path)] + ([str(tmp_path)] if command == "diff" else [])
    assert main(args) == 2
    assert "no report.json" in capsys.readouterr().err
