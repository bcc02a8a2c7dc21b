"""qlang/runtime/threads.py: a metered method runs with BLAS, OpenMP and torch on QLANG_THREADS threads (one
unless set), so idle worker threads cannot spin on the CPU time the energy model charges."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info

from qlang.runtime import threads


def _pool_sizes() -> set[int]:
    np.ones((2, 2)) @ np.ones((2, 2))  # BLAS loaded
    return {p["num_threads"] for p in threadpool_info() if p["user_api"] in ("blas", "openmp")}


@pytest.mark.parametrize("raw, expected", [(None, 1), ("", 1), ("3", 3), ("0", 1), ("two", 1), ("-2", 1)])
def test_thread_count_reads_the_environment(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv(threads.ENV, raising=False)
    else:
        monkeypatch.setenv(threads.ENV, raw)
    assert threads.thread_count() == expected


def test_inside_every_pool_has_one_thread_and_after_they_are_back(monkeypatch):
    monkeypatch.delenv(threads.ENV, raising=False)
    torch.set_num_threads(2)
    with threads.limited() as n:
        assert n == 1
        assert torch.get_num_threads() == 1
        assert _pool_sizes() == {1}
    assert torch.get_num_threads() == 2


def test_qlang_threads_raises_the_limit(monkeypatch):
    monkeypatch.setenv(threads.ENV, "2")
    with threads.limited() as n:
        assert n == 2 and torch.get_num_threads() == 2


def test_a_run_gives_each_method_one_thread(monkeypatch, tmp_path):
    """`qlc run` holds the limit around every method, whatever the method does about threads itself."""
    from qlang.cli import main
    from qlang.runtime import runner, tasks

    seen = []
    real = runner.METHODS["kmeans"]
    load = tasks.implementation

    def spy(ctx, data):
        seen.append((torch.get_num_threads(), _pool_sizes()))
        return real(ctx, data)

    monkeypatch.delenv(threads.ENV, raising=False)
    monkeypatch.setattr(tasks, "implementation", lambda name: spy if name == "kmeans" else load(name))
    torch.set_num_threads(2)
    spec = tmp_path / "one.qlc"
    spec.write_text(
        "pipeline one {\n  data d = wine\n  stage curate c {\n    method kmeans(clusters: 3)\n  }\n}\n",
        encoding="utf-8",
    )
    assert main(["run", str(spec), "--out", str(tmp_path / "run")]) == 0
    assert seen == [(1, {1})]
    assert torch.get_num_threads() == 2
