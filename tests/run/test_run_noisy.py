"""A noisy device end to end: specs/encode_noisy.qlc (fake_fez) runs smoke-sized, samples with the pipeline's
shots, and reports the noisy quality beside the same method's ideal (exact) quality; its mitigated stage also
beside the unmitigated one, with the calibration's circuits and shots, and the QPU energy of what ran."""

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
    mitigated_stage_reports_its_price(report, tmp_path)


def mitigated_stage_reports_its_price(report: dict, tmp_path: Path) -> None:
    angle, zz = report["stages"]
    method, plain = angle["method"]["metrics"], angle["unmitigated"]["metrics"]
    assert method["calibration_shots"]["mean"] == 2 * 4096 and method["calibration_circuits"]["mean"] == 2
    assert method["shots"]["mean"] == plain["shots"]["mean"] + 2 * 4096  # the same circuits, plus calibration
    assert "calibration_shots" not in plain and zz["unmitigated"] is None
    ran = angle["energy"]["qpu_ran"]
    assert ran["backend"] == "fake_fez" and ran["calibration_shots"] == 2 * 4096
    assert ran["shots"] == method["shots"]["mean"]  # one seed: every shot measured is priced
    assert max(t["depth"] for t in ran["transpiled"].values()) > 0
    # the QPU model on what ran: 25 kW × (T_job + shots × (d + 250 µs)) for one job
    assert 25e3 * ran["shots"] * 250e-6 < ran["joules"] < 25e3 * (2.0 + ran["shots"] * 300e-6)
    assert 0 < ran["calibration_j"] < ran["joules"] and zz["energy"]["qpu_ran"]["calibration_shots"] == 0
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| unmitigated |" in md and "readout calibration 2 circuits, 8,192 shots" in md


HARDWARE_SPEC = """pipeline hw {
  target qiskit
  device "ibm:fake_manila"
  shots 512
  data tumours = breast_cancer(limit: 12)

  stage encode angle {
    method angle_encoding(qubits: 2, classifier: svm, folds: 2)
    baseline rbf_svm
    mitigation readout
  }
}
"""


def test_ibm_device_runs_on_both_targets_in_local_testing_mode(tmp_path, monkeypatch):
    """`device "ibm:<backend>"` submits sampler jobs in a Batch, from either target (PennyLane's circuits
    translated to Qiskit); with a fake backend's name it is the runtime's local testing mode, offline. Each
    report counts the shots, the readout calibration that mitigation measured through the same sampler, and
    prices what ran by the QPU usage the jobs report (local testing mode reports none, so each job here
    reports 0.25 s, as a QPU's would). The two targets submit the same jobs: the same counts, the same usage."""
    from qlang.runtime.targets import ibm

    monkeypatch.setattr(ibm, "job_usage", lambda job: 0.25)
    reports = {}
    for target in ("qiskit", "pennylane"):
        spec = tmp_path / f"hw_{target}.qlc"
        spec.write_text(HARDWARE_SPEC.replace("target qiskit", f"target {target}"), encoding="utf-8")
        out = tmp_path / target
        assert main(["run", str(spec), "--out", str(out), "--format", "json"]) == 0
        report = reports[target] = json.loads((out / "report.json").read_text(encoding="utf-8"))
        assert report["device"] == "ibm:fake_manila" and report["status"] == "ok" and report["target"] == target
        (stage,) = report["stages"]
        metrics, plain = stage["method"]["metrics"], stage["unmitigated"]["metrics"]
        assert metrics["shots"]["mean"] > 0 and metrics["shots"]["mean"] % 512 == 0
        assert stage["ideal"] is not None and stage["method"]["params"]["shots"] == 512
        # mitigation: the same circuits plus two calibration circuits of 512 shots, measured on the sampler
        assert metrics["calibration_shots"]["mean"] == 2 * 512 and metrics["calibration_circuits"]["mean"] == 2
        assert metrics["shots"]["mean"] == plain["shots"]["mean"] + 2 * 512 and "calibration_shots" not in plain
        # the QPU energy of what ran: measured usage × the platform's power, the model's figure beside it
        usage = metrics["qpu_usage_s"]["mean"]
        ran = stage["energy"]["qpu_ran"]
        assert usage > 0 and usage % 0.25 == 0 and ran["usage_s"] == usage
        assert ran["joules"] == 25e3 * usage and ran["modeled_j"] > 0 and ran["calibration_shots"] == 2 * 512
        assert "QPU time measured" in ran["provenance"]
        assert "of QPU time measured" in (out / "report.md").read_text(encoding="utf-8")
    # the same transpiled circuits, values and simulator seeds: the same counts, so the same metrics to the bit
    qiskit, pennylane = (reports[t]["stages"][0] for t in ("qiskit", "pennylane"))
    for role in ("method", "unmitigated"):
        assert pennylane[role]["metrics"] == qiskit[role]["metrics"], role
    assert pennylane["energy"]["qpu_ran"] == qiskit["energy"]["qpu_ran"]


def test_ibm_device_is_checked_and_planned_alike_on_both_targets(tmp_path, capsys):
    """Both targets check an `ibm:` device and plan it at the same QPU energy (the backend's fake model times
    the same circuits); too many qubits for the backend is an error on both."""
    spec = tmp_path / "hw.qlc"
    plans = {}
    for target in ("qiskit", "pennylane"):
        spec.write_text(HARDWARE_SPEC.replace("target qiskit", f"target {target}"), encoding="utf-8")
        assert main(["check", str(spec)]) == 0
        capsys.readouterr()
        assert main(["plan", str(spec), "--format", "json"]) == 0
        plans[target] = json.loads(capsys.readouterr().out)["stages"][0]
        assert plans[target]["qpu_j"] > 0 and plans[target]["qpu_calibration_shots"] == 2 * 512
        spec.write_text(HARDWARE_SPEC.replace("qubits: 2", "qubits: 6").replace("qiskit", target), encoding="utf-8")
        assert main(["check", str(spec)]) == 1
        assert "the device `ibm:fake_manila` has 5" in capsys.readouterr().err
    assert plans["pennylane"]["qpu_j"] == plans["qiskit"]["qpu_j"] and plans["pennylane"]["qpu_j"] is not None
