"""How many threads a metered method may use: `QLANG_THREADS`, one unless set.

Why one: the energy model charges CPU seconds, and worker threads of OpenMP (torch, scikit-learn's
k-means) and BLAS that wait for work spin on a CPU before they sleep. On a machine whose cores are
taken by other processes, a waiting thread's spinning outlasts the work it waits for, so the CPU time
of a fixed piece of work grew with the load around it: three identical runs of one stage were charged
7.7, 14.6 and 42.0 J (issue 16). On one thread nothing waits, the CPU time is the work's own, and the
prices `qlc calibrate` measures (under the same limit) are the prices of how the run computes.
`QLANG_THREADS=N` gives each method N threads where the machine is free and speed matters more."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "QLANG_THREADS"


def thread_count() -> int:
    """`QLANG_THREADS` as a positive integer; 1 when unset or not one."""
    raw = os.environ.get(ENV, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


@contextmanager
def limited(n: int | None = None) -> Iterator[int]:
    """BLAS, OpenMP and torch's intra-op pool held to `n` threads (default `thread_count()`) inside."""
    import torch
    from threadpoolctl import threadpool_limits

    n = thread_count() if n is None else n
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        with threadpool_limits(limits=n):  # looks up the pools loaded now: libraries load as methods import them
            yield n
    finally:
        torch.set_num_threads(previous)
