"""benchmarks/fuzz.py in small: a few thousand mutated and generated specs through check, fmt and compile."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import fuzz


def test_no_case_crashes_the_front_end():
    out = fuzz.fuzz(2_000, seed=1, slow_s=float("inf"))  # time is the benchmark's concern, on a quiet machine
    assert out["crashes"] == 0, out["crash_examples"]
    assert out["cases"] == 2_000


def test_the_fuzzer_finds_a_crash_when_there_is_one(monkeypatch):
    from qlang.syntax import printer

    def broken(v):
        raise RecursionError("planted")

    monkeypatch.setattr(printer, "value_text", broken)
    out = fuzz.fuzz(50, seed=1, slow_s=float("inf"))
    assert out["crashes"] > 0 and "planted" in out["crash_examples"][0]["error"]
