"""The process pool's workers start from the driver (forked, on Linux) and are warmed before any task:
each has the driver's imports without importing them again, and its Env already built."""

from __future__ import annotations

import sys

import pytest

from qlang.runtime import executors
from qlang.runtime.executors import ProcessExecutor, WorkerSpec

SPEC = """pipeline tiny {
  data rows = breast_cancer(limit: 30)

  stage curate groups {
    method kmeans(clusters: 2)
  }
}
"""


def _module(tmp_path):
    from qlang.build import compile_text

    spec = tmp_path / "tiny.qlc"
    spec.write_text(SPEC, encoding="utf-8")
    compiled = compile_text(SPEC, spec, None, tmp_path)
    assert compiled.source is not None, compiled.result.diagnostics
    module = tmp_path / "tiny.pennylane.py"
    module.write_text(compiled.source, encoding="utf-8")
    return module


def _probe(marker: str, module_path: str) -> tuple[bool, bool]:
    """(whether the driver's `marker` module is here without an import, whether this worker's Env is built)."""
    return marker in sys.modules, module_path in executors._ENVS


@pytest.mark.skipif(sys.platform != "linux", reason="workers fork only on Linux; elsewhere they are spawned")
def test_workers_fork_with_the_drivers_imports_and_are_warmed_before_their_first_task(tmp_path, monkeypatch):
    (tmp_path / "driver_only_marker.py").write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import driver_only_marker  # noqa: F401  (imported by the driver only)

    module = _module(tmp_path)
    assert executors.start_method() == "fork"
    pool = ProcessExecutor(WorkerSpec(str(module)), workers=2)
    pool.start()
    try:
        answers = [pool.pool().submit(_probe, "driver_only_marker", str(module)).result() for _ in range(4)]
    finally:
        pool.close()
        sys.modules.pop("driver_only_marker", None)
    assert answers == [(True, True)] * 4


def test_a_module_that_cannot_load_fails_its_task_not_the_warm_up(tmp_path):
    from qlang.runtime.executors import warm

    assert warm(WorkerSpec(str(tmp_path / "missing.py"))) > 0  # the warm-up swallows it …
    with pytest.raises(Exception):
        executors.worker_env(WorkerSpec(str(tmp_path / "missing.py")))  # … and the task reports it
