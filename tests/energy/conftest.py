"""Every energy test runs with the CPU-time model, no user configuration and a private cache."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_energy_env(monkeypatch, tmp_path):
    monkeypatch.setenv("QLANG_METER", "model")
    monkeypatch.delenv("QLANG_CPU_WATTS_PER_THREAD", raising=False)
    monkeypatch.delenv("QLANG_RAM_WATTS", raising=False)
    monkeypatch.setenv("QLANG_ENERGY_CONFIG", str(tmp_path / "no-such-energy.toml"))
    monkeypatch.setenv("QLANG_CACHE", str(tmp_path / "cache"))
