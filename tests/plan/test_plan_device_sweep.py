"""The plan of a pipeline-level sweep of `device` and `shots`: each point priced on its own device, as the
same pipeline on that one device would be; a baseline that trains the method's circuits at every device
point, a classical one once."""

import json

import pytest

from qlang.cli import main

SPEC = """pipeline p {{
  {settings}
  data nums = breast_cancer(limit: 40)
  stage encode zz from nums {{
    method zz_feature_map(qubits: 2, reps: 1, folds: 2)
    baseline rbf_svm
  }}
  stage train loop from nums {{
    method parameter_shift(iterations: 2, qubits: 2, layers: 1)
    baseline adam
  }}
}}
"""


@pytest.fixture(autouse=True)
def _uncalibrated(tmp_path, monkeypatch):
    monkeypatch.setenv("QLANG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("QLANG_METER", "model")


def _plan(tmp_path, capsys, settings: str, *flags: str) -> dict:
    spec = tmp_path / f"p{abs(hash(settings))}.qlc"
    spec.write_text(SPEC.format(settings=settings), encoding="utf-8")
    assert main(["plan", str(spec), "--format", "json", *flags]) == 0
    return {s["name"]: s for s in json.loads(capsys.readouterr().out)["stages"]}


def test_each_device_point_is_priced_as_that_device_alone(tmp_path, capsys):
    swept = _plan(tmp_path, capsys, "device sweep(fake_fez, fake_athens)\n  shots 512")["zz"]
    fez = _plan(tmp_path, capsys, "device fake_fez\n  shots 512")["zz"]
    athens = _plan(tmp_path, capsys, "device fake_athens\n  shots 512")["zz"]
    by_point = {p["device"]: p for p in swept["by_point"]}
    assert [p["point"] for p in swept["by_point"]] == [{"device": "fake_fez"}, {"device": "fake_athens"}]
    for one, alone in ((by_point["fake_fez"], fez), (by_point["fake_athens"], athens)):
        assert one["qpu_j"] == pytest.approx(alone["qpu_j"])
        # the exact (ideal) run beside a noisy one is the same for every device point: counted once, apart
        assert one["simulation_j"] == pytest.approx(alone["simulation_j"] - alone["beside_j"]["ideal"])
    assert swept["beside_j"] == pytest.approx(fez["beside_j"])
    assert athens["beside_j"] == pytest.approx(fez["beside_j"])
    ideal = fez["beside_j"]["ideal"]
    assert swept["simulation_j"] == pytest.approx(fez["simulation_j"] + athens["simulation_j"] - ideal)
    # the two chips transpile the same circuits to different durations (Heron's CZ against Falcon's CX)
    assert by_point["fake_fez"]["qpu_j"] != pytest.approx(by_point["fake_athens"]["qpu_j"], rel=1e-3)
    assert swept["qpu_j"] == pytest.approx(fez["qpu_j"] + athens["qpu_j"])
    assert swept["baseline_j"] == pytest.approx(fez["baseline_j"])  # the classical baseline runs once


def test_an_exact_point_and_a_noisy_one_cost_what_each_simulator_does(tmp_path, capsys):
    plan = _plan(tmp_path, capsys, 'device sweep("default.qubit", fake_fez)\n  shots sweep(256, 1024)', "--no-qpu")
    points = {(p["device"], p["shots"]): p["simulation_j"] for p in plan["loop"]["by_point"]}
    assert list(points) == [("default.qubit", 256), ("default.qubit", 1024), ("fake_fez", 256), ("fake_fez", 1024)]
    alone = {
        (device, shots): _plan(tmp_path, capsys, f"device {device}\n  shots {shots}", "--no-qpu")["loop"]
        for device, shots in (
            ('"default.qubit"', 256),
            ('"default.qubit"', 1024),
            ("fake_fez", 256),
            ("fake_fez", 1024),
        )
    }
    for ((device, shots), j), one in zip(points.items(), alone.values()):
        # each point as that device alone, less the exact (ideal) run a noisy device adds, counted once apart
        assert j == pytest.approx(one["simulation_j"] - (one["beside_j"] or {}).get("ideal", 0.0)), (device, shots)
    assert points[("fake_fez", 256)] != pytest.approx(points[("default.qubit", 256)])  # density matrices
    # adam trains the stage's circuits: it runs at each of the four points, with their shots, unlike rbf_svm
    assert plan["loop"]["baseline_j"] == pytest.approx(sum(one["baseline_j"] for one in alone.values()))
    assert plan["zz"]["baseline_j"] == pytest.approx(_plan(tmp_path, capsys, "", "--no-qpu")["zz"]["baseline_j"])
