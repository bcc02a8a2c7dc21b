"""`qlc plan`, check-time budget estimates, and the budget policies at run time, end to end."""

import json
import os
from pathlib import Path

import pytest

from qlang.cli import main

ROOT = Path(__file__).resolve().parents[2]

STAGE_KEYS = {
    "peak_bytes",
    "by_point",
    "name",
    "kind",
    "method",
    "family",
    "baselines",
    "rows",
    "qubits",
    "circuits",
    "shots",
    "simulation_j",
    "baseline_j",
    "qpu_j",
    "qpu_circuits",
    "qpu_shots",
    "qpu_note",
    "qpu_workload",
    "qpu_by_platform_j",
    "qpu_calibration_shots",
    "qpu_zne_circuits",
    "qpu_zne_shots",
    "qpu_zne_j",
    "qpu_platform",
    "budget_j",
    "on_over_budget",
    "verdict",
    "note",
    "baselines_j",
    "break_even",
    "growth",
    "curves",
    "beside_j",
}


@pytest.fixture(autouse=True)
def _uncalibrated(tmp_path, monkeypatch):
    monkeypatch.setenv("QLANG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("QLANG_METER", "model")


def test_plan_json_schema(capsys):
    assert main(["plan", str(ROOT / "specs" / "quickstart.qlc"), "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["schema"] == "qlang-plan/1" and plan["calibrated"] is False
    assert set(plan["totals"]) == {"simulation_j", "qpu_j", "carbon_g", "verdict"}
    for stage in plan["stages"]:
        assert set(stage) == STAGE_KEYS
        assert stage["simulation_j"] > 0 and stage["baseline_j"] > 0
        assert stage["qpu_j"] > stage["simulation_j"]  # 25 kW for every shot: the QPU model is not cheap
        assert stage["qpu_shots"] == 1024  # exact simulation is charged the default shot count
    head = plan["stages"][1]
    # 4 qubits × 2 layers = 16 weights: every training row costs 2·16 + 1 parameter-shift circuits
    assert head["circuits"] > 33 * 160 * 15
    assert plan["totals"]["carbon_g"] == pytest.approx(plan["totals"]["simulation_j"] / 3.6e6 * 380)


def test_plan_text_and_unestimated_stages(capsys, tmp_path, monkeypatch):
    import dataclasses

    from qlang import catalog
    from qlang.catalog.costs import COSTS

    # every catalog method runs in this version: make one an entry that is checked before it runs
    monkeypatch.setitem(catalog.METHODS, "svm", dataclasses.replace(catalog.METHODS["svm"], run="", cost=""))
    assert "svm" not in COSTS
    spec = tmp_path / "pending.qlc"
    spec.write_text(
        "pipeline p {\n  data d = wine()\n  stage finetune c from d {\n    method svm\n  }\n}\n", encoding="utf-8"
    )
    assert main(["plan", str(spec), "--no-qpu"]) == 0
    out = capsys.readouterr().out
    assert "not estimated" in out and "does not run in this version" in out


def test_plan_prices_readout_calibration_on_the_device(capsys, tmp_path):
    """`mitigation readout` adds two calibration circuits per width and seed, each with the stage's shots,
    timed on the spec's device model; without it the plan charges none."""
    text = (ROOT / "specs" / "encode_noisy.qlc").read_text(encoding="utf-8")
    plans = {}
    for name, body in (("with", text), ("without", text.replace("    mitigation readout\n", ""))):
        spec = tmp_path / f"{name}.qlc"
        spec.write_text(body, encoding="utf-8")
        assert main(["plan", str(spec), "--format", "json"]) == 0
        plans[name] = json.loads(capsys.readouterr().out)["stages"][0]
    mitigated, plain = plans["with"], plans["without"]
    assert mitigated["qpu_calibration_shots"] == 2 * 4096 and plain["qpu_calibration_shots"] is None
    assert mitigated["qpu_circuits"] == plain["qpu_circuits"] + 2
    extra = mitigated["qpu_j"] - plain["qpu_j"]
    # 8,192 shots × (t_rep 250 µs + a few µs of circuit) at 25 kW
    assert 8192 * 250e-6 * 25e3 < extra < 8192 * 300e-6 * 25e3


ZNE_SPEC = """pipeline zne {
  device fake_fez
  shots 1024
  seed 3
  data tumours = breast_cancer(limit: 24)
  stage encode zz from tumours {
    method zz_feature_map(qubits: 2, reps: 1, folds: 2)
    baseline rbf_svm
    mitigation zne
  }
}
"""


def test_plan_prices_zero_noise_extrapolation(capsys, tmp_path):
    """`mitigation zne` (scales 1, 3, 5) runs every circuit at scales 3 and 5 too: twice as many extra
    circuits and shots on the QPU model, each longer than the circuit it folds; three times the simulation."""
    plans = {}
    for name, body in (("with", ZNE_SPEC), ("without", ZNE_SPEC.replace("    mitigation zne\n", ""))):
        spec = tmp_path / f"{name}.qlc"
        spec.write_text(body, encoding="utf-8")
        assert main(["plan", str(spec), "--format", "json"]) == 0
        plans[name] = json.loads(capsys.readouterr().out)["stages"][0]
    zne, plain = plans["with"], plans["without"]
    assert plain["qpu_zne_circuits"] is None and zne["circuits"] == 3 * plain["circuits"]
    assert zne["qpu_zne_circuits"] == 2 * plain["qpu_circuits"] and zne["qpu_circuits"] == 3 * plain["qpu_circuits"]
    assert zne["qpu_zne_shots"] == 2 * 1024 * plain["qpu_circuits"]
    assert zne["qpu_j"] == pytest.approx(plain["qpu_j"] + zne["qpu_zne_j"])
    job = 2.0 * 25e3  # T_job at 25 kW, once per seed
    per_circuit, per_folded = (plain["qpu_j"] - job) / plain["qpu_circuits"], zne["qpu_zne_j"] / zne["qpu_zne_circuits"]
    assert per_folded > per_circuit  # scales 3 and 5: longer circuits, the same shots
    durations = {round(d, 12) for d, _, _ in zne["qpu_workload"]}
    assert len(durations) == 3  # the circuit, folded to 3 and to 5: three durations
    assert main(["plan", str(tmp_path / "with.qlc")]) == 0
    assert "zero-noise extrapolation 1,656 folded circuits" in capsys.readouterr().out


HEISENBERG_SPEC = """pipeline noisy {
  noise NOISE
  data d = breast_cancer(limit: 200)
  stage encode zz from d {
    method zz_feature_map(qubits: 4)
    baseline rbf_svmMITIGATION
  }
}
"""


def test_plan_prices_the_heisenberg_path_where_the_simulators_take_it(capsys, tmp_path):
    """A sampled overlap kernel on a noisy simulator costs a compute and an uncompute half per row where the
    Heisenberg path applies (qlang.runtime.heisenberg), one circuit per pair where it does not: amplitude
    damping, or mitigation. The circuits a QPU would run are the same either way."""
    depolarizing = "depolarizing(p1: 0.001, p2: 0.01, readout: 1%)"
    variants = {
        "heisenberg": (depolarizing, ""),
        "damping": (depolarizing + " + amplitude_damping(gamma: 0.001)", ""),
        "mitigated": (depolarizing, "\n    mitigation readout"),
    }
    plans = {}
    for name, (noise, mitigation) in variants.items():
        spec = tmp_path / f"{name}.qlc"
        spec.write_text(HEISENBERG_SPEC.replace("NOISE", noise).replace("MITIGATION", mitigation), encoding="utf-8")
        assert main(["plan", str(spec), "--format", "json"]) == 0
        plans[name] = json.loads(capsys.readouterr().out)["stages"][0]
    fast, damped, mitigated = plans["heisenberg"], plans["damping"], plans["mitigated"]
    assert fast["qpu_circuits"] == damped["qpu_circuits"] == mitigated["qpu_circuits"] - 2  # + readout calibration
    # 200 rows, 3 bandwidths: 600 half-pairs of circuits against 3 x 19,900 full circuits, each 2^4 x 4 dearer
    assert fast["simulation_j"] < damped["simulation_j"] / 20 and fast["simulation_j"] < mitigated["simulation_j"] / 20
    assert damped["simulation_j"] == pytest.approx(mitigated["simulation_j"], rel=0.05)


def test_plan_without_qiskit_durations_leaves_qpu_empty(capsys):
    assert main(["plan", str(ROOT / "specs" / "quickstart.qlc"), "--no-qpu", "--format", "json"]) == 0
    assert all(s["qpu_j"] is None for s in json.loads(capsys.readouterr().out)["stages"])


SPEC = """pipeline tiny {{
  data d = breast_cancer(limit: {rows})
  stage curate clusters from d {{
    method quantum_kmeans(clusters: 2, qubits: 4, shots: 4096)
    baseline kmeans
    budget {budget}
    on_over_budget {policy}
  }}
  stage finetune head from clusters {{
    method logistic_regression(folds: 2)
  }}
}}
"""


def _run(tmp_path, capsys, policy, budget, rows):
    spec = tmp_path / f"{policy}.qlc"
    spec.write_text(SPEC.format(policy=policy, budget=budget, rows=rows), encoding="utf-8")
    code = main(["run", str(spec), "--out", str(tmp_path / policy), "--format", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else None, captured.err


def test_check_rejects_a_budget_the_estimate_exceeds(tmp_path, capsys):
    code, report, err = _run(tmp_path, capsys, "abort", "1 J", 569)
    assert code == 1 and report is None and "Q502" in err


def _cheap_prices(tmp_path):
    """Prices so low that the check lets the stage through: the run must then stop it."""
    cache = tmp_path / "cache"
    cache.mkdir(exist_ok=True)
    (cache / "overheads.json").write_text(
        json.dumps(
            {
                "row_j": {"pennylane": 1e-12, "qiskit": 1e-12},
                "call_j": {"pennylane": 1e-12, "qiskit": 1e-12},
                "fit_j": 1e-12,
                "kmeans_init_j": 1e-12,
            }
        ),
        encoding="utf-8",
    )
    (cache / "calibration.json").write_text(
        json.dumps(
            {
                "joules_per_amplitude_op": 1e-15,
                "joules_per_flop": 1e-15,
                "provider": "model",
                "provenance": "modeled",
                "schema": 1,
            }
        ),
        encoding="utf-8",
    )


def test_abort_stops_the_stage_and_skips_what_reads_it(tmp_path, capsys):
    _cheap_prices(tmp_path)
    code, report, _ = _run(tmp_path, capsys, "abort", "2 J", 569)
    head, after = report["stages"]
    assert head["status"] == "over_budget" and "abort" in head["message"], head
    assert 2 < head["energy"]["measured_j"] < 200  # stopped soon after the overrun, not at the end
    assert after["status"] == "skipped"
    assert report["status"] == "incomplete" and code == 1


def test_warn_records_and_finishes(tmp_path, capsys):
    code, report, _ = _run(tmp_path, capsys, "warn", "0.001 J", 30)
    head = report["stages"][0]
    assert head["status"] == "ok" and head["method"]["metrics"]
    assert head["energy"]["measured_j"] > 1e-3 and "warn" in head["warnings"][0]
    assert report["stages"][1]["status"] == "ok" and code == 0


def test_fallback_runs_the_baseline_instead(tmp_path, capsys):
    _cheap_prices(tmp_path)
    code, report, _ = _run(tmp_path, capsys, "fallback", "2 J", 569)
    head, after = report["stages"]
    assert head["status"] == "fallback" and head["method"] is None
    assert "fell back to the baseline `kmeans`" in head["warnings"][0]
    assert head["baselines"][0]["metrics"]["ari"]["mean"] > 0.3
    assert after["status"] == "ok"  # the downstream stage read the baseline's output
    assert code == 0


def test_report_energy_fields(tmp_path, capsys):
    code, report, _ = _run(tmp_path, capsys, "warn", "1 kJ", 30)
    assert code == 0
    e = report["energy"]
    assert e["provider"] == "model" and e["provenance"] == "modeled" and e["measured_j"] > 0
    assert e["carbon_g"] == pytest.approx(e["measured_j"] / 3.6e6 * e["grid_g_per_kwh"])
    assert "long reasoning-model prompt" in e["summary"]
    stage = report["stages"][0]["energy"]
    assert stage["estimated_j"] > 0 and stage["measured_j"] > 0 and stage["method_over_baseline"]["kmeans"] > 0
    assert report["stages"][0]["method"]["energy_j"]["mean"] > 0
    # the stage window holds its method and baseline windows
    parts = report["stages"][0]["method"]["energy_j"]["mean"] + report["stages"][0]["baselines"][0]["energy_j"]["mean"]
    assert parts <= stage["measured_j"] + 1e-9


def test_calibrate_prices_this_machine_and_the_plan_uses_it(capsys):
    from qlang.plan.prices import load_prices

    assert not load_prices().overheads_calibrated
    assert main(["calibrate", "--quick"]) == 0
    out = capsys.readouterr().out
    assert (
        "J per circuit row" in out and "k-means restart" in out and "two-sample test" in out and "ensemble tree" in out
    )
    assert "small torch optimiser step" in out
    prices = load_prices()
    assert prices.calibrated and prices.overheads_calibrated
    assert all(v > 0 for v in [*prices.row_j.values(), prices.joules_per_amplitude_op, prices.joules_per_flop])
    assert "J per transpile" in out and "J per angle expression" in out  # Qiskit's circuit set-up, measured
    assert "J per segment cut" in out and 0 < prices.segment_j["qiskit"] and prices.segment_j["pennylane"] == 0
    assert prices.transpile_j["qiskit"] > 0 and prices.angle_j["qiskit"] > 0 and prices.transpile_j["pennylane"] == 0
    # each exact PennyLane device's differentiable pass (training), and lightning's row-by-row executor calls
    assert "differentiable pass" in out
    assert set(prices.gradient_gate_row_j) == set(prices.gradient_call_j) == {"pennylane:default.qubit",
                                                                            "pennylane:lightning.qubit"}  # fmt: skip
    stored = json.loads((Path(os.environ["QLANG_CACHE"]) / "overheads.json").read_text(encoding="utf-8"))
    assert stored["gradient_gate_row_j"]["pennylane:lightning.qubit"] > 0  # a tape per row: a cost no noise hides
    assert all(v >= 0 for v in stored["gradient_call_j"].values()) and "pennylane:lightning.qubit" in stored["row_j"]
    # Qiskit's statevector device evolves a row in Python, gate by gate: dearer than a row bound into an Aer job
    assert "qiskit:statevector: " in out and stored["row_j"]["qiskit:statevector"] > stored["row_j"]["qiskit"]
    assert main(["plan", str(ROOT / "specs" / "quickstart.qlc"), "--no-qpu", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["calibrated"] is True


def test_every_price_is_the_median_of_the_processes_calibrations():
    from qlang.plan.overheads import median_prices
    from qlang.plan.prices import Prices

    runs = [
        Prices(1.0, 10.0, fit_j=f, row_j={"qiskit": r, "pennylane": 1.0})
        for f, r in ((3.0, 0.1), (1.0, 0.5), (2.0, 0.3))
    ]
    runs[0].gradient_call_j = {**runs[0].gradient_call_j, "pennylane:other.qubit": 7.0}  # measured in one process only
    median = median_prices(runs)
    assert median.fit_j == 2.0 and median.row_j["qiskit"] == 0.3 and median.joules_per_flop == 10.0
    assert median.gradient_call_j["pennylane:other.qubit"] == 7.0


def test_calibrate_in_fresh_processes_stores_the_medians(capsys):
    from qlang.energy.compute_costs import load_calibration
    from qlang.plan.prices import load_prices

    assert main(["calibrate", "--quick", "--processes", "2", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["processes"] == 2
    prices, cal = load_prices(), load_calibration()
    assert prices.overheads_calibrated and cal.calibrated
    assert prices.fit_j == pytest.approx(out["prices"]["fit_j"]) and prices.fit_j > 0
    assert cal.joules_per_flop == pytest.approx(out["joules_per_flop"])
    qiskit = out["prices"]["shift_row_j"]["qiskit"]  # a parameter-shift pass measured, far below a plain row
    assert prices.shift_row_j["qiskit"] == pytest.approx(qiskit) and 0 < qiskit < prices.row_j["qiskit"]
    assert main(["calibrate", "--processes", "0"]) == 2


def test_an_amplitude_encoding_stage_has_a_qpu_estimate(capsys):
    # its placeholder gate, opaque to the transpiler, left the stage without one
    pytest.importorskip("qiskit")
    spec = str(ROOT / "specs" / "encode_breast_cancer.qlc")
    assert main(["plan", spec, "--format", "json"]) == 0
    stages = {s["name"]: s for s in json.loads(capsys.readouterr().out)["stages"]}
    assert stages["amplitude"]["qpu_j"] > 0 and "synthesize" not in (stages["amplitude"]["qpu_note"] or "")
    # a Gram per tuned bandwidth: the angle kernel runs three times the amplitude kernel's circuits
    assert stages["angle"]["qpu_circuits"] == pytest.approx(3 * stages["amplitude"]["qpu_circuits"])


def test_the_planned_amplitude_overlap_circuit_measures_the_fidelity():
    """What the QPU model transpiles in place of the placeholders: the all-zeros probability of the overlap
    circuit is |<psi(y)|psi(x)>|^2, as the executor computes it."""
    pytest.importorskip("qiskit")
    import numpy as np
    from qiskit.quantum_info import Statevector

    from qlang.circuits.emit_qiskit import build
    from qlang.circuits.library import stage_circuits
    from qlang.energy.qpu_circuits import concrete_amplitudes

    qc, x, _ = build(stage_circuits("amplitude_encoding", {"qubits": 2})["overlap"])
    a, b = np.array([0.1, 0.5, 0.2, 0.9]), np.array([0.7, 0.1, 0.4, 0.3])
    bound = concrete_amplitudes(qc.assign_parameters(dict(zip(x, [*a, *b]))))
    assert "amplitude_encoding" not in bound.count_ops()
    fidelity = (a @ b) ** 2 / (a @ a) / (b @ b)
    assert Statevector(bound).probabilities()[0] == pytest.approx(fidelity, abs=1e-9)


def test_smoke_checks_the_budget_against_the_smoke_sized_estimate(tmp_path):
    """`qlc run --smoke` runs 24 rows: its budget check prices those, not the full data (which would refuse a
    run that fits), and a budget even the smoke-sized run exceeds is still refused."""
    from qlang.checks import check_text
    from qlang.plan.estimate import estimate
    from qlang.plan.prices import load_prices
    from qlang.smoke import smoke_sized

    def stage_j(text: str, smoke: bool) -> float:
        pipeline = check_text(text).checked.pipelines[0]
        if smoke:
            pipeline = type(pipeline).model_validate(smoke_sized(pipeline.model_dump(mode="json")))
        s = estimate(pipeline, load_prices()).stages[0]
        return s.simulation_j + s.baseline_j

    unlimited = SPEC.format(policy="abort", budget="1 MJ", rows=569)
    full, smoke = stage_j(unlimited, False), stage_j(unlimited, True)
    assert smoke < full / 10
    between = SPEC.format(policy="abort", budget=f"{(full * smoke) ** 0.5:.6g} J", rows=569)
    assert "Q502" in [d.code for d in check_text(between).diagnostics]
    assert "Q502" not in [d.code for d in check_text(between, smoke=True).diagnostics]
    below = SPEC.format(policy="abort", budget=f"{smoke / 2:.6g} J", rows=569)
    assert "Q502" in [d.code for d in check_text(below, smoke=True).diagnostics]
