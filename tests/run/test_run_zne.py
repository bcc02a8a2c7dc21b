"""`mitigation zne` end to end, smoke-sized, on both targets: the report shows the method with ZNE beside
the same method without it (the unmitigated row) and the ideal, the folded circuits' circuits and shots in
the method's metrics, and their energy on the QPU model of what ran."""

import json

import pytest

from qlang.cli import main

SPEC = """pipeline zne {{
  target {target}
  noise depolarizing(p1: 0.002, p2: 0.02)
  shots 512
  seed 3
  data tumours = breast_cancer(limit: 24)
  stage encode zz from tumours {{
    method zz_feature_map(qubits: 2, reps: 1, folds: 2)
    baseline rbf_svm
    mitigation zne(scales: [1, 3])
  }}
}}
"""


@pytest.mark.parametrize("target", ["qiskit", "pennylane"])
def test_zne_stage_reports_both_qualities_and_its_price(tmp_path, monkeypatch, target):
    monkeypatch.setenv("QLANG_METER", "model")
    spec = tmp_path / "zne.qlc"
    spec.write_text(SPEC.format(target=target), encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(spec), "--smoke", "--out", str(out), "--format", "json"]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    (stage,) = report["stages"]
    method, plain = stage["method"]["metrics"], stage["unmitigated"]["metrics"]
    assert "auc" in method and "auc" in plain and "auc" in stage["ideal"]["metrics"]
    # scales 1 and 3: every circuit once more, folded; the unmitigated run measured the circuits once
    assert method["zne_shots"]["mean"] == plain["shots"]["mean"] and "zne_shots" not in plain
    assert method["zne_circuits"]["mean"] * 512 == method["zne_shots"]["mean"]
    assert method["shots"]["mean"] == 2 * plain["shots"]["mean"]
    ran = stage["energy"]["qpu_ran"]
    assert ran["zne_shots"] == method["zne_shots"]["mean"] and ran["zne_circuits"] == method["zne_circuits"]["mean"]
    unfolded_j = ran["joules"] - ran["zne_j"] - 25e3 * 2.0  # less one job's T_job at 25 kW
    assert ran["zne_j"] > unfolded_j > 0  # the same shots, on circuits three times as long
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| unmitigated |" in md and "zero-noise extrapolation's folded circuits" in md
