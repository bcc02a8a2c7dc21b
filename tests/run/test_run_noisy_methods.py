"""Every quantum method runs on a noisy device (issue 11): each samples the pipeline's shots through the
density-matrix simulator of its target and reports its noisy quality beside its ideal (exact) one. Each
method runs on one target here (the cross-target agreement of the noisy simulators themselves is
tests/runtime/test_runtime_noise.py's); a method that reads statevectors is refused by the check instead.
A new quantum method fails `test_every_quantum_method_is_covered` until it gets a stage below."""

import json

import pytest

from qlang import catalog
from qlang.checks import check_text
from qlang.cli import main

HEADER = """pipeline noisy_{target} {{
  target {target}
  noise depolarizing(p1: 0.002, p2: 0.02, readout: 1%)
  shots 128
  seed 3

  data nums = breast_cancer(limit: 40)
  data wine = wine(limit: 30)
  data digits = digits(limit: 60)
"""
# method → (target, stage)
STAGES = {
    "quantum_kmeans": ("qiskit", "curate kmeans from wine {\n    method quantum_kmeans(clusters: 2, qubits: 2)"),
    "quantum_dedup": ("pennylane", "curate dedup from wine {\n    method quantum_dedup(encoding: amplitude, qubits: 2)"),
    "amplitude_encoding": ("qiskit", "encode amplitude from nums {\n    method amplitude_encoding(qubits: 2, folds: 2)"),
    "angle_encoding": ("pennylane", "encode angle from nums {\n    method angle_encoding(qubits: 2, folds: 2)"),
    "zz_feature_map": ("qiskit", "encode zz from nums {\n    method zz_feature_map(qubits: 2, reps: 1, folds: 2)"),
    "projected_quantum_kernel": (
        "pennylane",
        "encode projected from nums {\n    method projected_quantum_kernel(qubits: 2, reps: 1, folds: 2)",
    ),
    "quantum_hpo": ("pennylane", "architect search from wine {\n    method quantum_hpo(evaluations: 3, space: small, qaoa_layers: 1)"),
    "hybrid_layer": ("pennylane", "architect layer from nums {\n    method hybrid_layer(qubits: 2, layers: 1, epochs: 2, folds: 2)"),
    "parameter_shift": ("qiskit", "train shift from nums {\n    method parameter_shift(iterations: 3, qubits: 2, layers: 1)"),
    "hybrid_qnn_head": ("pennylane", "finetune head from nums {\n    method hybrid_qnn_head(qubits: 2, layers: 1, epochs: 2, folds: 2)"),
    "quantum_distillation": (
        "qiskit",
        "finetune distill from nums {\n    method quantum_distillation(qubits: 2, layers: 1, epochs: 2, folds: 2)",
    ),
    "qaoa_pruning": (
        "qiskit",
        "finetune classifier from digits {\n    method mlp(hidden: 4, epochs: 5, folds: 2)\n  }\n"
        "  stage deploy prune from classifier {\n    method qaoa_pruning(keep: 50 %, units: 4, qaoa_layers: 1)",
    ),
    "quantum_kernel_mmd": ("pennylane", "monitor drift from nums {\n    method quantum_kernel_mmd(window: 8, permutations: 20, qubits: 2)"),
    "projected_kernel_mmd": (
        "pennylane",
        "monitor pdrift from nums {\n    method projected_kernel_mmd(window: 8, permutations: 20, qubits: 2)",
    ),
    "quantum_ocsvm": ("pennylane", "monitor anomalies from nums {\n    method quantum_ocsvm(nu: 0.1, qubits: 2)"),
}
QUANTUM = {name for name, e in catalog.METHODS.items() if e.is_quantum and e.origin == "qlang"}
STATEVECTOR_ONLY = {name for name in QUANTUM if catalog.METHODS[name].statevector_only}


def spec_for(target: str) -> str:
    stages = [stage for t, stage in STAGES.values() if t == target]
    return HEADER.format(target=target) + "".join(f"\n  stage {s}\n    baseline none\n  }}\n" for s in stages) + "}\n"


def test_every_quantum_method_is_covered():
    assert set(STAGES) == QUANTUM - STATEVECTOR_ONLY
    assert STATEVECTOR_ONLY == {"qng"}


@pytest.mark.parametrize("method", sorted(STATEVECTOR_ONLY))
def test_a_method_that_reads_statevectors_is_refused_on_a_noisy_device(method):
    stage = f"train t from nums {{\n    method {method}(qubits: 2, layers: 1)\n    baseline none\n  }}\n"
    result = check_text(HEADER.format(target="qiskit") + "  stage " + stage + "}\n", "noisy.qlc")
    assert [(d.code, "statevectors" in d.message) for d in result.diagnostics if d.severity == "error"] == [("Q403", True)]


@pytest.mark.parametrize("target", ["pennylane", "qiskit"])
def test_every_method_runs_on_a_noisy_device(tmp_path, target):
    spec = tmp_path / f"noisy_{target}.qlc"
    spec.write_text(spec_for(target), encoding="utf-8")
    assert main(["check", str(spec)]) == 0
    assert main(["run", str(spec), "--smoke", "--out", str(tmp_path / "out"), "--format", "json"]) == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["status"] == "ok" and report["device"] == catalog.devices.MIXED[target]
    ran = {s["method"]["name"]: s for s in report["stages"]}
    assert set(ran) - {"mlp"} == {m for m, (t, _) in STAGES.items() if t == target}
    for name, stage in ran.items():
        if name == "mlp":
            continue
        assert stage["status"] == "ok", (name, stage["message"])
        assert stage["method"]["metrics"]["shots"]["mean"] > 0, name  # sampled, not exact
        assert stage["ideal"] is not None and "shots" not in stage["ideal"]["metrics"], name  # beside its ideal run
