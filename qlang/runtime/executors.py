"""Where tasks run: `local` (one after another in this process, the default), `process` (a local pool of
worker processes) or `ray` (a Ray cluster: a local one, or `address` "auto" / "HOST:PORT").

Every executor takes (task, input artifact) pairs and yields `TaskResult`s as tasks finish, in any
order; each task runs through `tasks.run_task`, so the metrics do not depend on where it ran. A worker
process that dies mid-task (killed, out of memory) is retried, up to MAX_ATTEMPTS runs of a task, and
each result records its attempts; a task that raises (a user error) is not retried. Workers load the
generated module by path (`module_path`) for its circuits and executor factory, and limit their math
libraries to one thread each, so N workers use N cores. `start` warms a pool before the first stage: each
worker builds its `Env` (the generated module, the text encoder) ahead of its first task.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from qlang.catalog.settings import EXECUTORS
from qlang.runtime.errors import BAD_PARAMETER, RuntimeDiagnostic
from qlang.runtime.tasks import Env, Task, TaskResult, run_task

MAX_ATTEMPTS = 3

Job = tuple[Task, Any]  # a task and the artifact it reads


def _ignore(*args: Any) -> None:
    pass


@dataclass
class WorkerSpec:
    """What a worker process needs to build its `Env`: all picklable."""

    module_path: str
    batch_size: int = 64
    texts: bool = False


class WorkerLost(Exception):
    """A task's worker died before the task finished."""


class LocalExecutor:
    """Today's behaviour: each task in this process, in order, inside the run's meter and budget guard."""

    name = "local"
    workers = 1

    def __init__(self, env: Env):
        self.env = env

    def start(self) -> None:
        pass

    def run(self, jobs: Iterable[Job], started=_ignore, progress=_ignore) -> Iterator[TaskResult]:
        for task, data in jobs:
            started(task)
            yield run_task(task, data, self.env, progress)

    def close(self) -> None:
        pass


# --- worker side (process pool and Ray) ----------------------------------------------------------------

_ENVS: dict[str, Env] = {}


def worker_env(spec: WorkerSpec) -> Env:
    """This worker's Env, built once per process: the generated module loaded by path, one thread per
    math library, an encoder that reads the embeddings the driver cached on disk."""
    env = _ENVS.get(spec.module_path)
    if env is None:
        import runpy

        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
        try:
            import torch

            torch.set_num_threads(1)
        except ImportError:
            pass
        ns = runpy.run_path(spec.module_path, run_name="qlang_worker")
        encoder = None
        if spec.texts:
            from qlang.runtime.encoder import MiniLMEncoder

            encoder = MiniLMEncoder(batch_size=spec.batch_size)
        env = _ENVS[spec.module_path] = Env(ns["make_executor"], encoder, shared_machine=True)
    return env


def run_in_worker(spec: WorkerSpec, task: Task, data: Any, attempts: int) -> TaskResult:
    return run_task(task, data, worker_env(spec), attempts=attempts)


def warm(spec: WorkerSpec) -> int:
    """Build this worker's Env ahead of its first task; a failure here is left for that task to report."""
    with contextlib.suppress(Exception):  # the first task builds it again and reports why it cannot
        worker_env(spec)
    return os.getpid()


def start_method() -> str:
    """`fork` where the platform forks safely (Linux): a worker starts with the driver's imports (the SDK,
    scikit-learn, the generated module's dependencies) in a few ms, where a spawned one imports them again
    (about 4 s of CPU each, benchmarks/scale.py). The driver runs no threads of its own while it forks, and
    each worker limits its math libraries to one thread before its first task. Elsewhere (macOS, Windows),
    `spawn`."""
    import multiprocessing
    import sys

    return "fork" if sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods() else "spawn"


@dataclass
class _Retrying:
    """Bookkeeping shared by the pool and Ray: which tasks are unfinished and how often each has run."""

    jobs: dict[str, Job]
    attempts: dict[str, int] = field(default_factory=dict)

    def next_attempt(self, key: str) -> int:
        self.attempts[key] = self.attempts.get(key, 0) + 1
        return self.attempts[key]

    def lost(self, key: str, why: str) -> None:
        """A worker died under `key`: raise once its attempts are spent."""
        if self.attempts.get(key, 0) >= MAX_ATTEMPTS:
            task = self.jobs[key][0]
            raise RuntimeDiagnostic(
                BAD_PARAMETER,
                f"{task.label} lost its worker {MAX_ATTEMPTS} times ({why})",
                help="a worker killed again and again is often out of memory: fewer workers, or smaller sweep points",
            )


class ProcessExecutor:
    """A local pool of `workers` processes (see `start_method`), started and warmed by `start`."""

    name = "process"

    def __init__(self, spec: WorkerSpec, workers: int | None = None):
        self.spec = spec
        self.workers = workers or os.cpu_count() or 1
        self._pool = None

    def start(self) -> None:
        self.pool()

    def pool(self):
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(start_method()))
            for _ in range(self.workers):  # one warm-up each: a busy worker makes the pool start the next
                self._pool.submit(warm, self.spec)
        return self._pool

    def pids(self) -> list[int]:
        """The worker processes now alive (for tests that kill one)."""
        return [p.pid for p in (self._pool._processes or {}).values()] if self._pool is not None else []

    def run(self, jobs: Iterable[Job], started=_ignore, progress=_ignore) -> Iterator[TaskResult]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        book = _Retrying({task.key: (task, data) for task, data in jobs})
        pending = dict(book.jobs)
        while pending:
            futures = {}
            for key, (task, data) in pending.items():
                started(task)
                futures[self.pool().submit(run_in_worker, self.spec, task, data, book.next_attempt(key))] = key
            broken = False
            try:
                while futures and not broken:
                    done, _ = wait(futures, return_when=FIRST_COMPLETED)
                    for fut in done:
                        key = futures.pop(fut)
                        try:
                            result = fut.result()
                        except BrokenProcessPool:
                            broken = True
                            continue
                        pending.pop(key)
                        yield result
            finally:
                if not broken and futures:  # the consumer stopped early (a budget, an error): drop the rest
                    for fut in futures:
                        fut.cancel()
            if broken:  # a worker died: every unfinished task runs again on a fresh pool
                self.pool().shutdown(wait=False, cancel_futures=True)
                self._pool = None
                for key in pending:
                    book.lost(key, "the process pool broke")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class RayExecutor:
    """Tasks as Ray remote functions (one CPU each). With no address, a local cluster of `workers` CPUs
    on 127.0.0.1 that this executor starts and shuts down; with one, the cluster there (left running)."""

    name = "ray"

    def __init__(self, spec: WorkerSpec, workers: int | None = None, address: str | None = None):
        self.spec, self.address = spec, address
        self.workers = workers or os.cpu_count() or 1
        self.owned = False
        self._remote = None
        self._warming: list = []

    def start(self) -> None:
        self.remote()

    def remote(self):
        if self._remote is None:
            try:
                import ray
            except ImportError:
                raise RuntimeDiagnostic(
                    BAD_PARAMETER,
                    "the ray executor needs Ray, which is not installed",
                    help='install it with pip install "qlang[ray]"',
                ) from None
            if not ray.is_initialized():
                common = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
                if self.address:
                    ray.init(address=self.address, **common)
                else:
                    ray.init(num_cpus=self.workers, _node_ip_address="127.0.0.1", **common)
                self.owned = True
            self._remote = ray.remote(num_cpus=1, max_retries=0)(run_in_worker)
            # Ray reuses a worker process for later tasks, so a warm-up per CPU leaves each one's Env built
            warming = ray.remote(num_cpus=1, max_retries=0)(warm)
            self._warming = [warming.remote(self.spec) for _ in range(self.workers)]
        return self._remote

    def run(self, jobs: Iterable[Job], started=_ignore, progress=_ignore) -> Iterator[TaskResult]:
        import ray
        from ray.exceptions import ActorDiedError, NodeDiedError, WorkerCrashedError

        remote = self.remote()
        book = _Retrying({task.key: (task, data) for task, data in jobs})
        stored: dict[int, Any] = {}  # one object-store copy per distinct input artifact

        def submit(key: str):
            task, data = book.jobs[key]
            started(task)
            if id(data) not in stored:
                stored[id(data)] = ray.put(data)
            return remote.remote(self.spec, task, stored[id(data)], book.next_attempt(key))

        refs = {submit(key): key for key in book.jobs}
        try:
            while refs:
                ready, _ = ray.wait(list(refs), num_returns=1)
                for ref in ready:
                    key = refs.pop(ref)
                    try:
                        result = ray.get(ref)
                    except (WorkerCrashedError, NodeDiedError, ActorDiedError) as e:
                        book.lost(key, type(e).__name__)
                        refs[submit(key)] = key
                        continue
                    except ray.exceptions.RayTaskError as e:
                        cause = e.as_instanceof_cause()
                        raise (cause if isinstance(cause, RuntimeDiagnostic) else e) from None
                    yield result
        finally:
            for ref in refs:
                ray.cancel(ref, force=True)

    def close(self) -> None:
        if self.owned:
            import ray

            ray.shutdown()
            self.owned = False
        self._remote = None


def make_executor(name: str, env: Env, spec: WorkerSpec, workers: int | None = None, address: str | None = None):
    """The executor called `name` (one of EXECUTORS)."""
    if name == "local":
        return LocalExecutor(env)
    if name == "process":
        return ProcessExecutor(spec, workers)
    if name == "ray":
        return RayExecutor(spec, workers, address)
    raise RuntimeDiagnostic(BAD_PARAMETER, f"unknown executor `{name}`", help=f"executors: {', '.join(EXECUTORS)}")
