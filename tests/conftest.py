"""Fixtures shared across test folders.

One `qlc run SPEC --smoke` per example spec for the whole test session, shared by every test that reads a
smoke run (tests/run, tests/report) and by both xdist workers: the first to ask runs it under a file lock in
pytest's shared base folder, the others read its folder."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "specs").glob("*.qlc"))


def smoke_run(base: Path, spec: Path) -> tuple[Path, int]:
    """The run folder of `spec`'s smoke run and `qlc run`'s exit status, running it the first time."""
    from qlang.cli import main

    out = base / "smoke-runs" / spec.stem
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f"{spec.stem}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        status_file = out.parent / f"{spec.stem}.status"
        if not status_file.exists():
            with contextlib.redirect_stdout(io.StringIO()):
                status = main(["run", str(spec), "--smoke", "--out", str(out)])
            status_file.write_text(str(status))
        return out, int(status_file.read_text())


@pytest.fixture(scope="session")
def smoke_runs(tmp_path_factory):
    """`smoke_runs(spec_path) -> (run folder, exit status)`: each example spec's smoke run, once a session."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # each worker's base is popen-gwN inside the session's folder
        base = base.parent
    return lambda spec: smoke_run(base, spec)


@pytest.fixture(autouse=True)
def _own_task_cache(tmp_path_factory, monkeypatch):
    """Each test reads and writes a task cache of its own: a finished task cached by another test (the same
    spec, data and seed) would otherwise be read instead of run, and what a test sees would hang on order."""
    monkeypatch.setenv("QLANG_CACHE", str(tmp_path_factory.mktemp("qlang-cache")))
