"""House habits: `ruff check`, `ruff format --check` and `mypy` pass on qlang/ (configured in pyproject.toml).

.ci/run runs the same three commands before the tests; these tests make a local `pytest tests/frontend`
say so before landing, with the command that fixes it. mypy keeps its cache in .mypy_cache/: the first
run takes a minute or two, later ones seconds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytest.importorskip("ruff", reason="ruff comes with the `test` extra")


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_lint_is_clean():
    out = _ruff("check", "--no-cache", "--output-format", "concise", "qlang")
    assert out.returncode == 0, f"`ruff check qlang` (fix what it says; `--fix` does some):\n{out.stdout}{out.stderr}"


def test_ruff_format_is_clean():
    out = _ruff("format", "--no-cache", "--check", "qlang")
    assert out.returncode == 0, f"run `ruff format qlang`:\n{out.stdout}{out.stderr}"


def test_mypy_is_clean():
    pytest.importorskip("mypy", reason="mypy comes with the `test` extra")
    out = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    errors = "\n".join(line for line in out.stdout.splitlines() if ": note:" not in line)
    assert out.returncode == 0, f"`mypy` (configured in pyproject.toml) finds:\n{errors}{out.stderr}"
