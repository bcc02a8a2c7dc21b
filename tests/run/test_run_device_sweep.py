"""A pipeline-level sweep of `device` and `shots` end to end: specs/encode_devices.qlc smoke-sized on both
targets gives one row per device × shots point, each sampled with its own shots on its own device; the
classical baseline and the method's exact (ideal) run are not repeated per point; a process pool gives the
same metrics."""

import json
from pathlib import Path

import pytest

from qlang.cli import main

ROOT = Path(__file__).resolve().parents[2]
SPEC = str(ROOT / "specs" / "encode_devices.qlc")
GRID = [{"device": d, "shots": s} for d in ("fake_fez", "fake_torino") for s in (256, 1024)]


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The spec run smoke-sized by the local executor on each target, once for the module (runs take seconds)."""
    runs: dict[str, dict] = {}

    def run(target: str) -> dict:
        if target not in runs:
            runs[target] = _run(tmp_path_factory.mktemp(target), "r", "--target", target, "--no-cache")
        return runs[target]

    return run


def _run(tmp_path: Path, out: str, *flags: str) -> dict:
    with pytest.MonkeyPatch.context() as m:
        m.setenv("QLANG_CACHE", str(tmp_path / "cache"))
        assert main(["run", SPEC, "--smoke", "--out", str(tmp_path / out), "--format", "json", *flags]) == 0
    return json.loads((tmp_path / out / "report.json").read_text(encoding="utf-8"))


def _metrics(report: dict) -> list:
    return [(p["role"], p["name"], p["point"], {m: v["per_seed"] for m, v in p["metrics"].items()})
            for s in report["stages"] for p in s["points"]]  # fmt: skip


@pytest.mark.parametrize("target", ["pennylane", "qiskit"])
def test_every_device_and_shots_point_runs_on_its_device(local, target):
    report = local(target)
    (stage,) = report["stages"]
    assert report["status"] == "ok" and report["device"] == "fake_fez, fake_torino"
    methods = [p for p in stage["points"] if p["role"] == "method"]
    assert [p["point"] for p in methods] == GRID
    spent = {(p["point"]["device"], p["point"]["shots"]): p["metrics"]["shots"]["per_seed"] for p in methods}
    for device in ("fake_fez", "fake_torino"):  # the same circuits, sampled 256 or 1,024 times each
        assert all(x > 0 and x % 256 == 0 for x in spent[(device, 256)])
        assert [4 * x for x in spent[(device, 256)]] == spent[(device, 1024)]
    # each device samples under its own calibration (fake_torino's readout error is 3x fake_fez's)
    kernel = {(p["point"]["device"], p["point"]["shots"]): [i["kernel_offdiagonal_mean"] for i in p["info"]]
              for p in methods}  # fmt: skip
    assert kernel[("fake_fez", 1024)] != kernel[("fake_torino", 1024)]
    keys = [t["key"] for p in stage["points"] for t in p["tasks"]]
    assert len(set(keys)) == len(keys)  # every point has its own content key
    # the classical baseline does not depend on the device: it ran once per seed
    assert [(p["name"], p["point"]) for p in stage["points"] if p["role"] == "baseline"] == [("rbf_svm", {})]
    # the exact reference is the same for every device point: one run per seed, not one per point
    ideal = [w for w in report["meter_windows"] if w["path"].rsplit("/", 1)[-1].startswith("ideal:")]
    assert len(ideal) == len(report["seeds"]) == len(stage["ideal"]["tasks"])
    # each point is compared with the baseline, and named by its point
    assert [c["point"] for c in stage["comparisons"]] == GRID
    assert "zz_feature_map [device=fake_torino, shots=1024] against rbf_svm" in stage["verdict"]
    assert stage["pareto"]


def test_a_process_pool_gives_the_same_metrics(tmp_path, local):
    pooled = _run(tmp_path, "pool", "--target", "qiskit", "--executor", "process", "--workers", "2", "--no-cache")
    assert pooled["execution"]["executor"] == "process"
    a, b = _metrics(local("qiskit")), _metrics(pooled)
    assert [m[:3] for m in a] == [m[:3] for m in b]
    for x, y in zip(a, b):
        assert x[3].keys() == y[3].keys()
        assert all(x[3][k] == pytest.approx(y[3][k], rel=1e-9, abs=1e-12) for k in x[3])
