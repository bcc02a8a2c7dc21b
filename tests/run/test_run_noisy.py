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
  data tumours = breast_cancer(limit: 24)

  stage encode angle {
    method angle_encoding(qubits: 2, classifier: svm, folds: 2)
    baseline rbf_svm
    mitigation readout
  }
}
"""


def test_ibm_device_runs_through_sampler_v2_in_local_testing_mode(tmp_path, monkeypatch):
    """`device "ibm:<backend>"` submits SamplerV2 jobs in a Batch; with a fake backend's name it is the
    runtime's local testing mode, offline. The report counts the shots, the readout calibration that
    mitigation measured through the same sampler, and prices what ran by the QPU usage the jobs report
    (local testing mode reports none, so each job here reports 0.25 s, as a QPU's would)."""
    from qlang.runtime.targets import ibm

    monkeypatch.setattr(ibm, "job_usage", lambda job: 0.25)
    spec = tmp_path / "hw.qlc"
    spec.write_text(HARDWARE_SPEC, encoding="utf-8")
    assert main(["run", str(spec), "--out", str(tmp_path / "run"), "--format", "json"]) == 0
    report = json.loads((tmp_path / "run" / "report.json").read_text(encoding="utf-8"))
    assert report["device"] == "ibm:fake_manila" and report["status"] == "ok"
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
    assert "of QPU time measured" in (tmp_path / "run" / "report.md").read_text(encoding="utf-8")


def test_ibm_device_is_checked_before_anything_runs(tmp_path, capsys):
    spec = tmp_path / "hw.qlc"
    spec.write_text(HARDWARE_SPEC.replace("target qiskit", "target pennylane"), encoding="utf-8")
    assert main(["check", str(spec)]) == 1
    assert "runs on the qiskit target" in capsys.readouterr().err
    spec.write_text(HARDWARE_SPEC.replace("qubits: 2", "qubits: 6"), encoding="utf-8")
    assert main(["check", str(spec)]) == 1
    assert "the device `ibm:fake_manila` has 5" in capsys.readouterr().err
