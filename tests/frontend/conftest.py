"""Shared set-up for the front-end tests: the repository root as the working directory, a fixed memory size
(so that Q401 and Q405 do not depend on the machine), an empty cache (so that budget estimates use the
documented defaults, not this machine's calibration) and no colour settings from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MEMORY_BYTES = str(2**30)  # 1 GiB: an exact simulator holds at most 25 qubits
AVAILABLE_BYTES = str(2**50)  # Q405 (a stage's peak memory) only where a test sets a smaller size


@pytest.fixture(autouse=True, scope="module")
def _frontend_env(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QLANG_CACHE", str(tmp_path_factory.mktemp("cache")))  # uncalibrated: the documented defaults
        mp.setenv("QLANG_MEMORY_BYTES", MEMORY_BYTES)
        mp.setenv("QLANG_AVAILABLE_BYTES", AVAILABLE_BYTES)
        mp.delenv("NO_COLOR", raising=False)
        mp.delenv("FORCE_COLOR", raising=False)
        mp.chdir(ROOT)
        yield


@pytest.fixture
def qlc(capsys):
    """Run `qlc ARGS...` in this process; returns (exit code, stdout, stderr)."""
    from qlang.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
