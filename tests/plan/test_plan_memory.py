"""The peak-memory estimate (qlang.catalog.memory), the check that compares it with this machine's
available memory (Q405), and the run's own refusal before a stage that cannot fit."""

from __future__ import annotations

import json

from qlang.catalog.memory import AMPLITUDE, FLOAT, RUNTIME_BYTES, SIMULATOR_COPIES, method_bytes, stage_peaks
from qlang.checks import check_text

KMEANS = {"clusters": 2, "qubits": 2, "encoding": "angle", "reps": 2, "shots": None, "n_init": 10, "max_iter": 300}


def _q405(spec: str, path) -> list:
    return [d for d in check_text(spec, str(path)).diagnostics if d.code == "Q405"]


def test_a_million_rows_of_kernel_k_means_need_terabytes():
    n = 1_200_000
    peak = method_bytes("quantum_kmeans", KMEANS, n, 2, 2)
    assert 2 * FLOAT * n * n <= peak < 4 * FLOAT * n * n  # the complex n×n product and its modulus


def test_a_sampled_kernel_holds_every_pairs_inputs():
    exact = method_bytes("quantum_kmeans", {**KMEANS, "encoding": "amplitude", "qubits": 8}, 1000, 2, 8)
    sampled = method_bytes("quantum_kmeans", {**KMEANS, "encoding": "amplitude", "qubits": 8, "shots": 100}, 1000, 2, 8)
    assert sampled > 1000 * 999 / 2 * 2 * 2**8 * FLOAT > exact


def test_statevectors_grow_with_qubits_and_are_chunked():
    small, wide = method_bytes("quantum_kmeans", KMEANS, 100, 2, 10), method_bytes("quantum_kmeans", KMEANS, 100, 2, 26)
    assert wide - small >= SIMULATOR_COPIES * AMPLITUDE * (2**26 - 2**22)
    many = method_bytes("hybrid_qnn_head", {"qubits": 20, "folds": 2, "layers": 1}, 10_000, 2, 20)
    assert many < 2 * SIMULATOR_COPIES * AMPLITUDE * 2**22  # 10,000 rows run in chunks, not all at once


def test_few_shot_training_counts_only_its_examples(tmp_path):
    head = {"qubits": 4, "layers": 2, "folds": 5, "epochs": 1, "batch_size": 32, "hidden": 4096}
    full = method_bytes("mlp", head, 100_000, 2, None)
    few = method_bytes("mlp", {**head, "examples_per_class": 8}, 100_000, 2, None)
    assert few * 1000 < full


def _file_spec(tmp_path, rows: int, method: str = "quantum_kmeans(clusters: 2, qubits: 2)") -> str:
    with (tmp_path / "big.csv").open("w", encoding="utf-8") as f:
        f.write("a,b,label\n")
        f.writelines(f"{i % 97},{i % 13},{i % 2}\n" for i in range(rows))
    return (
        'pipeline mem {\n  data d = file("big.csv", features: ["a", "b"])\n  stage curate c from d {\n'
        f"    method {method}\n    baseline kmeans\n  }}\n}}\n"
    )


def test_check_refuses_the_issues_million_row_file(tmp_path, monkeypatch):
    monkeypatch.setenv("QLANG_AVAILABLE_BYTES", str(64 * 2**30))  # a machine larger than this one
    [diag] = _q405(_file_spec(tmp_path, 1_200_000), tmp_path / "mem.qlc")
    assert diag.severity == "error" and "TiB of memory at its peak; this machine has 64.0 GiB available" in diag.message
    assert diag.label.endswith("on 1,200,000 rows, 2 qubits") and "`limit:`" in diag.help
    assert check_text(_file_spec(tmp_path, 1_200_000), str(tmp_path / "mem.qlc")).spec is None


def test_near_the_limit_is_a_warning_and_well_inside_is_silent(tmp_path, monkeypatch):
    spec = _file_spec(tmp_path, 8000)
    result = check_text(spec, str(tmp_path / "mem.qlc"))
    [peak] = stage_peaks(result.spec.pipelines[0], tmp_path) if result.spec else [None]
    assert peak is not None and peak.bytes > RUNTIME_BYTES + 8000 * 8000 * 2 * FLOAT
    monkeypatch.setenv("QLANG_AVAILABLE_BYTES", str(int(peak.bytes / 0.9)))
    [diag] = _q405(spec, tmp_path / "mem.qlc")
    assert diag.severity == "warning"
    monkeypatch.setenv("QLANG_AVAILABLE_BYTES", str(int(peak.bytes * 2)))
    assert not _q405(spec, tmp_path / "mem.qlc")


def test_the_run_refuses_a_stage_that_no_longer_fits(tmp_path, monkeypatch, capsys):
    """The check passed (memory was free then); before the stage starts there is not enough: the stage fails
    with Q405, nothing runs, no traceback. (The estimate is made a terabyte so that it exceeds what the test
    process already holds, which the run counts as its own.)"""
    from qlang.catalog import memory
    from qlang.checks import resources
    from qlang.cli import main

    spec = tmp_path / "small.qlc"
    spec.write_text(
        "pipeline small {\n  data d = breast_cancer(limit: 40)\n  stage curate c from d {\n"
        "    method quantum_kmeans(clusters: 2, qubits: 2)\n    baseline kmeans\n  }\n}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(resources, "memory_fits", lambda *args: None)
    monkeypatch.setattr(memory, "RUNTIME_BYTES", 2**40)
    monkeypatch.setenv("QLANG_AVAILABLE_BYTES", str(2**30))
    code = main(["run", str(spec), "--out", str(tmp_path / "out"), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    [stage] = json.loads(captured.out)["stages"]
    assert stage["status"] == "failed" and "error[Q405]" in stage["message"] and "not started" in stage["message"]
