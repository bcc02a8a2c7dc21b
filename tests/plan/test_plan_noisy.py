"""The plan on a noisy device: every circuit samples the pipeline's shots, and simulating it updates a
density matrix (4^q amplitudes a gate and its channel) instead of a statevector (2^q)."""

import json

import pytest

from qlang.cli import main
from qlang.plan.estimate import DENSITY_MATRIX_OPS

SPEC = """pipeline p {{
{settings}
  data nums = breast_cancer(limit: 60)
  stage encode zz from nums {{
    method zz_feature_map(qubits: {q}, reps: 1, folds: 2, shots: 256)
    baseline rbf_svm
  }}
  stage train loop from nums {{
    method parameter_shift(iterations: 3, qubits: 2, layers: 1)
    baseline adam
  }}
}}
"""
NOISY = "  noise depolarizing(p1: 0.002, p2: 0.02)\n  shots 256"
# amplitude damping keeps the kernel on the circuit-by-circuit path (no Heisenberg halves): the same circuits
PAIRWISE = "  noise depolarizing(p1: 0.002, p2: 0.02) + amplitude_damping(gamma: 0.001)\n  shots 256"


@pytest.fixture(autouse=True)
def _uncalibrated(tmp_path, monkeypatch):
    monkeypatch.setenv("QLANG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("QLANG_METER", "model")


def _plan(tmp_path, capsys, settings: str, q: int) -> dict:
    spec = tmp_path / f"p{q}{len(settings)}.qlc"
    spec.write_text(SPEC.format(settings=settings, q=q), encoding="utf-8")
    assert main(["plan", str(spec), "--no-qpu", "--format", "json"]) == 0
    return {s["name"]: s for s in json.loads(capsys.readouterr().out)["stages"]}


@pytest.mark.parametrize("q", [4, 6])
def test_noisy_simulation_grows_with_the_density_matrix(tmp_path, capsys, q):
    exact = _plan(tmp_path, capsys, "", q)
    noisy = _plan(tmp_path, capsys, PAIRWISE, q)
    ratio = noisy["zz"]["simulation_j"] / exact["zz"]["simulation_j"]
    # the same sampled circuits; only their amplitude updates grow, by 2^q × DENSITY_MATRIX_OPS (fixed
    # costs and FLOPs do not, so the whole stage grows by a little less)
    assert 2 ** (q - 1) < ratio <= 2**q * DENSITY_MATRIX_OPS
    assert noisy["zz"]["baseline_j"] == exact["zz"]["baseline_j"]  # classical baselines run as before


def test_every_quantum_stage_samples_the_pipeline_shots_on_a_noisy_device(tmp_path, capsys):
    exact = _plan(tmp_path, capsys, "", 2)
    noisy = _plan(tmp_path, capsys, NOISY, 2)
    assert exact["loop"]["shots"] is None  # exact expectation values
    assert noisy["loop"]["shots"] == 256  # parameter shift with shots too
    assert noisy["loop"]["simulation_j"] > exact["loop"]["simulation_j"]


def test_a_noisy_stage_prices_its_ideal_and_unmitigated_runs(tmp_path, capsys):
    """Beside the noisy run the stage runs its method on the exact simulator (the ideal row) and, mitigated,
    once more without the mitigation (the unmitigated row): the plan prices both into the method's joules."""
    exact = _plan(tmp_path, capsys, "", 2)
    noisy = _plan(tmp_path, capsys, NOISY, 2)
    zz = noisy["zz"]
    assert set(zz["beside_j"]) == {"ideal"}  # the spec's method (its own 256 shots) on the exact simulator
    assert zz["beside_j"]["ideal"] == pytest.approx(exact["zz"]["simulation_j"])
    assert noisy["loop"]["beside_j"]["ideal"] == pytest.approx(exact["loop"]["simulation_j"])
    assert exact["zz"]["beside_j"] is None
    spec = tmp_path / "m.qlc"
    spec.write_text(SPEC.format(settings=NOISY, q=2).replace("baseline rbf_svm", "baseline rbf_svm\n    mitigation readout"),
                    encoding="utf-8")  # fmt: skip
    assert main(["plan", str(spec), "--no-qpu", "--format", "json"]) == 0
    m = {s["name"]: s for s in json.loads(capsys.readouterr().out)["stages"]}["zz"]
    # unmitigated: the same noisy circuits without the correction, which the Heisenberg path computes
    assert set(m["beside_j"]) == {"ideal", "unmitigated"}
    assert 0 < m["beside_j"]["unmitigated"] <= m["simulation_j"] - m["beside_j"]["ideal"] - m["beside_j"]["unmitigated"]
    assert m["beside_j"]["unmitigated"] == pytest.approx(zz["simulation_j"] - zz["beside_j"]["ideal"])
