"""Calibration round-trips through the cache; references are consistent data."""

from __future__ import annotations

import json
import math

import pytest

np = pytest.importorskip("numpy")

from qlang.energy import compute_costs as cal  # noqa: E402
from qlang.energy.meter import Meter  # noqa: E402
from qlang.energy.references import REFERENCES, compare  # noqa: E402


def test_calibration_round_trips_through_the_cache(tmp_path):
    meter = Meter(provider="model", cpu_watts_per_thread=10.0, ram_watts=1.0)
    c = cal.calibrate(meter, min_seconds=0.02, qubits=8, matmul_n=32)
    path = tmp_path / "cache" / "calibration.json"  # $QLANG_CACHE from conftest
    assert cal.calibration_path() == path and path.exists()
    assert c.calibrated and c.provider == "model" and c.provenance == "modeled"
    assert c.amplitude_ops > 0 and c.amplitude_ops % (1 << 8) == 0
    assert c.flops > 0 and c.flops % (2 * 32**3) == 0
    assert c.joules_per_amplitude_op == pytest.approx(c.statevector_j / c.amplitude_ops)
    assert c.joules_per_flop == pytest.approx(c.matmul_j / c.flops)
    # the model's joules are at least the RAM term over the kernel's wall time
    assert c.statevector_j >= c.statevector_s * 1.0
    assert c.machine["cpu_watts_per_thread"] == 10.0
    loaded = cal.load_calibration()
    assert loaded == c
    assert json.loads(path.read_text())["calibrated"] is True


def test_defaults_when_nothing_is_stored(tmp_path):
    d = cal.load_calibration()
    assert d is cal.DEFAULT_CALIBRATION
    assert d.calibrated is False
    assert d.joules_per_amplitude_op == cal.DEFAULT_JOULES_PER_AMPLITUDE_OP
    assert d.joules_per_flop == cal.DEFAULT_JOULES_PER_FLOP
    assert d.simulation_joules(1e6) == pytest.approx(1e6 * cal.DEFAULT_JOULES_PER_AMPLITUDE_OP)


def test_a_broken_cache_file_gives_the_defaults(tmp_path):
    path = cal.calibration_path()
    path.parent.mkdir(parents=True)
    for text in ("{not json", "[]", json.dumps({"schema": 99}),
                 json.dumps({**cal.DEFAULT_CALIBRATION.to_dict(), "joules_per_flop": -1})):
        path.write_text(text)
        assert cal.load_calibration() is cal.DEFAULT_CALIBRATION


def test_explicit_path_and_no_save(tmp_path):
    target = tmp_path / "elsewhere" / "cal.json"
    c = cal.calibrate(Meter(provider="model"), min_seconds=0.0, qubits=4, matmul_n=8, path=target)
    assert cal.load_calibration(target) == c
    cal.calibrate(Meter(provider="model"), min_seconds=0.0, qubits=4, matmul_n=8, save=False)
    assert not cal.calibration_path().exists()


def test_the_statevector_kernel_applies_unitaries():
    rng = np.random.default_rng(3)
    n = 4
    state = rng.standard_normal(1 << n) + 1j * rng.standard_normal(1 << n)
    u = cal._random_unitary(rng, 2)
    # qubit 1 of 4, little-endian: I ⊗ I ⊗ U ⊗ I
    full = np.kron(np.kron(np.eye(2), np.eye(2)), np.kron(u, np.eye(2)))
    assert np.allclose(cal._apply_1q(state, n, u, 1), full @ state)
    g = cal._random_unitary(rng, 4)
    # qubits (0, 1): the gate's index is 2·bit1 + bit0, which is I ⊗ I ⊗ G
    assert np.allclose(cal._apply_2q(state, n, g, 0, 1), np.kron(np.eye(4), g) @ state)
    ops, out = cal.statevector_kernel(6, 0.0)
    assert ops >= 64 and np.linalg.norm(out) == pytest.approx(1.0)


def test_references():
    assert set(REFERENCES) == {"reasoning_prompt", "llama_8b_token", "gpt3_training"}
    r = REFERENCES["reasoning_prompt"]
    assert (r.low, r.high, r.unit) == (29.0, 33.0, "Wh")
    assert r.joules_low == pytest.approx(29 * 3600) and r.joules == pytest.approx(31 * 3600)
    assert "2505.09598" in r.source
    assert REFERENCES["llama_8b_token"].joules == pytest.approx(0.12)
    assert REFERENCES["gpt3_training"].joules == pytest.approx(1287 * 3.6e9)
    rows = compare(31 * 3600)
    assert rows[0]["key"] == "reasoning_prompt" and rows[0]["ratio"] == pytest.approx(1.0)
    assert all(math.isfinite(row["ratio"]) for row in rows)
