"""`qlc run` and the generated modules, end to end on the exact simulators (smoke-sized)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qlang.cli import main

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.qlc"))


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


# runs a generated module as a script with the planner unimportable: the runtime must not need it
WITHOUT_PLANNER = ("import runpy, sys; sys.modules['qlang.plan'] = None; module = sys.argv[1]; sys.argv = sys.argv[1:]; "
                   "runpy.run_path(module, run_name='__main__')")  # fmt: skip


@pytest.mark.parametrize("target", ["pennylane", "qiskit"])
def test_generated_quickstart_module_runs_as_a_script(target, tmp_path, capsys):
    module = ROOT / "generated" / f"quickstart.{target}.py"
    plan = tmp_path / "plan.json"  # the estimates come in with the run (`qlc run` writes one beside the report)
    assert main(["plan", str(ROOT / "specs" / "quickstart.qlc"), "--target", target, "--no-qpu", "--format",
                 "json"]) == 0  # fmt: skip
    plan.write_text(capsys.readouterr().out, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", WITHOUT_PLANNER, str(module), "--smoke", "--quiet", "--out",
                           str(tmp_path / "run"), "--plan", str(plan)], capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = _report(tmp_path / "run")
    assert report["status"] == "ok" and report["target"] == target
    for stage in report["stages"]:
        assert stage["status"] == "ok"
        assert stage["energy"]["estimated_j"] > 0 and stage["energy"]["calibrated"] is not None
        assert stage["method"]["family"] == "quantum"
        assert stage["baselines"][0]["family"] == "classical"
        assert stage["method"]["metrics"] and stage["baselines"][0]["metrics"]
    assert (tmp_path / "run" / "report.md").read_text(encoding="utf-8").startswith("# quickstart")


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_example_spec_runs_or_reports_unavailable(spec, smoke_runs):
    # every catalog method runs in this version: every stage of every example spec finishes, exit status 0
    out, status = smoke_runs(spec)  # shared with tests/report (report.html in a browser)
    assert status == 0
    report = _report(out)
    assert report["stages"] and report["status"] == "ok"
    for stage in report["stages"]:
        assert stage["status"] == "ok", stage
        assert stage["method"]["metrics"]
    # report.md opens with the summary table, one row per stage and baseline compared
    lines = (out / "report.md").read_text(encoding="utf-8").splitlines()
    assert lines[2].startswith("| stage | method vs baseline |"), lines[:4]
    assert len(report["summary"]) >= len(report["stages"])
    compared = sum(len(s.get("comparisons", [])) for s in report["stages"])
    for stage in report["stages"]:  # a classifier head is also set beside the full-embedding reference
        if stage["status"] == "ok" and stage["method"]["name"] in ("hybrid_qnn_head", "quantum_distillation"):
            (ref,) = [b for b in stage["baselines"] if b.get("reference")]
            assert ref["params"]["compress"] is False and ref["params"]["qubits"] is None
            assert ref["params"]["folds"] == stage["method"]["params"]["folds"]
    assert sum(r["method"] is not None for r in report["summary"]) == compared


def test_two_baselines_of_one_name_are_two_rows_with_every_parameter(tmp_path):
    spec = tmp_path / "knn.qlc"
    spec.write_text("""pipeline knn {
  target pennylane
  seed 1
  data tumours = breast_cancer(limit: 40)
  stage encode angle {
    method angle_encoding(qubits: 2, folds: 2)
    baseline [knn(k: 1), knn(k: 9)]
  }
}
""", encoding="utf-8")
    assert main(["run", str(spec), "--out", str(tmp_path / "out"), "--format", "json"]) == 0
    stage = _report(tmp_path / "out")["stages"][0]
    assert [b["label"] for b in stage["baselines"]] == ["knn(k: 1)", "knn(k: 9)"]
    assert [b["params"]["k"] for b in stage["baselines"]] == [1, 9]
    assert all(b["params"]["folds"] == 2 for b in stage["baselines"])  # inherited from the method
    assert stage["baselines"][0]["metrics"]["auc"] != stage["baselines"][1]["metrics"]["auc"]
    assert [c["baseline"] for c in stage["comparisons"]] == ["knn(k: 1)", "knn(k: 9)"]


def test_both_targets_and_reruns_agree(tmp_path):
    spec = str(ROOT / "specs" / "quickstart.qlc")
    runs = {}
    for name, target in (("a", "pennylane"), ("b", "pennylane"), ("c", "qiskit")):
        assert main(["run", spec, "--smoke", "--target", target, "--out", str(tmp_path / name)]) == 0
        runs[name] = _report(tmp_path / name)

    def metrics(r):
        return [(s["method"]["metrics"], [b["metrics"] for b in s["baselines"]]) for s in r["stages"]]

    def values(r):
        return [[m["mean"] for m in ms.values()] + [b["mean"] for bs in bl for b in bs.values()]
                for ms, bl in metrics(r)]

    assert values(runs["a"]) == values(runs["b"])  # same spec, same seed: same numbers
    for qa, qc in zip(values(runs["a"]), values(runs["c"])):
        assert qa == pytest.approx(qc, abs=1e-6)  # the two exact simulators agree


def test_bad_data_file_is_a_diagnostic_not_a_traceback(tmp_path):
    (tmp_path / "rows.jsonl").write_text('{"text": "good", "label": "pos"}\n{"text": oops}\n', encoding="utf-8")
    spec = tmp_path / "bad.qlc"
    spec.write_text('pipeline p {\n  data d = file("rows.jsonl", text: "text")\n  stage curate c {\n'
                    '    method kmeans(clusters: 2)\n  }\n}\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "qlang.cli", "run", str(spec), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "rows.jsonl:2" in proc.stderr and "Q70" in proc.stderr
    missing = tmp_path / "missing.qlc"
    missing.write_text(spec.read_text().replace("rows.jsonl", "nope.csv"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "qlang.cli", "run", str(missing), "--out", str(tmp_path / "m")],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "nope.csv" in proc.stderr


def test_ctrl_c_leaves_an_interrupted_report(tmp_path):
    spec = tmp_path / "slow.qlc"
    spec.write_text(
        "pipeline slow {\n  data d = breast_cancer(limit: 120)\n"
        "  stage curate fast from d {\n    method kmeans(clusters: 2)\n  }\n"
        "  stage finetune long from d {\n    method hybrid_qnn_head(qubits: 4, layers: 2, epochs: 100000, folds: 2)\n"
        "    baseline logistic_regression\n  }\n}\n", encoding="utf-8")
    out = tmp_path / "out"
    err = ""
    # a shell that runs jobs in the background (as CI does) leaves SIGINT ignored: give Ctrl-C back
    proc = subprocess.Popen([sys.executable, "-m", "qlang.cli", "run", str(spec), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        while not (out / "report.json").exists() or _report(out)["stages"][0]["status"] != "ok":
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    report = _report(out)
    assert report["status"] == "interrupted"
    assert report["stages"][0]["status"] == "ok" and report["stages"][0]["method"]["metrics"]
    assert report["stages"][1]["status"] == "interrupted"


@pytest.mark.parametrize("spec,other_target", [("curate_dedup", "qiskit"), ("encode_breast_cancer", "pennylane"),
                                               ("monitor_drift", "qiskit")])
def test_kernel_specs_run_on_their_other_target_too(spec, other_target, tmp_path):
    """The spec's own target runs in test_every_example_spec_runs_or_reports_unavailable."""
    assert main(["run", str(ROOT / "specs" / f"{spec}.qlc"), "--smoke", "--target", other_target,
                 "--out", str(tmp_path), "--format", "json"]) == 0
    report = _report(tmp_path)
    assert report["target"] == other_target and report["status"] == "ok"
    for stage in report["stages"]:
        assert stage["status"] == "ok" and stage["method"]["metrics"]
        assert all(b["metrics"] for b in stage["baselines"])
