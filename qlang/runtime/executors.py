"""Where tasks run: `local` (one after another in this process, the default), `process` (a local pool of
worker processes) or `ray` (a Ray cluster: a local one, or `address` "auto" / "HOST:PORT").

Every executor takes (task, input artifact) pairs and yields `TaskResult`s as tasks finish, in any
order; each task runs through `tasks.run_task`, so the metrics do not depend on where it ran. A worker
process that dies mid-task (killed, out of memory) is retried, up to MAX_ATTEMPTS runs of a task, and
each result records its attempts; a task that raises (a user error) is not retried. Workers load the
generated module by path (`module_path`) for its circuits and executor factory, and limit their math
libraries to one thread each, so N workers use N cores. `start` warms a pool before the first stage: each
worker builds its `Env` (the generated module, the text encoder) ahead of its first task. On Ray the workers
are actors: on a cluster this executor did not start they outlive the run, so the next run finds its
workers warm (see `RayExecutor`).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from qlang.catalog.settings import EXECUTORS
from qlang.runtime.errors import BAD_PARAMETER, RuntimeDiagnostic
from qlang.runtime.tasks import Env, Task, TaskResult, code_hash, run_task

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

        one_thread()
        ns = runpy.run_path(spec.module_path, run_name="qlang_worker")
        encoder = None
        if spec.texts:
            from qlang.runtime.encoder import MiniLMEncoder

            encoder = MiniLMEncoder(batch_size=spec.batch_size)
        env = _ENVS[spec.module_path] = Env(ns["make_executor"], encoder, shared_machine=True)
    return env


def one_thread() -> None:
    """One thread per math library in this worker: those loaded now (threadpoolctl, torch if imported) and
    those loaded later (their OpenMP and BLAS read the environment as they load). torch is not imported for
    this: it costs seconds that a worker whose tasks never train would pay for nothing."""
    import sys

    from threadpoolctl import threadpool_limits

    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    threadpool_limits(1)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


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


IDLE_S = 600.0  # a detached Ray worker with no task for this long leaves the cluster, freeing its CPU


class RayWorker:
    """One Ray actor: a worker process that builds its `Env` once and runs tasks one at a time. A detached
    one (on a cluster that outlives the run) exits after IDLE_S without a task."""

    def __init__(self, idle_s: float | None = None):
        self.idle_s, self.last, self.busy = idle_s, time.monotonic(), False
        if idle_s is not None:
            import threading

            threading.Thread(target=self._leave_when_idle, daemon=True).start()

    def warm(self, spec: WorkerSpec) -> int:
        return warm(spec)

    def run(self, spec: WorkerSpec, task: Task, data: Any, attempts: int) -> TaskResult:
        self.busy = True
        try:
            return run_in_worker(spec, task, data, attempts)
        finally:
            self.busy, self.last = False, time.monotonic()

    def _leave_when_idle(self) -> None:
        assert self.idle_s is not None
        while True:
            time.sleep(min(self.idle_s, 30.0))
            if not self.busy and time.monotonic() - self.last > self.idle_s:
                os._exit(0)


class RayExecutor:
    """Tasks on `workers` Ray actors (`RayWorker`, one CPU each), each task sent to the next free actor.

    With no address and no Ray already running in this process, a local cluster of `workers` CPUs on 127.0.0.1
    that this executor starts and shuts down. Otherwise (an `address`, or Ray initialised by the caller) the
    cluster outlives the run, and so do its actors: they are detached and named for this qlang's code
    (`qlang-<code hash>-<i>` in namespace "qlang"), so the next run against the same cluster finds them with
    the SDK imported, and a changed qlang never reuses an actor running older code; each leaves after IDLE_S
    without a task. An actor that dies mid-task (killed, out of memory) is replaced and its task retried."""

    name = "ray"

    def __init__(self, spec: WorkerSpec, workers: int | None = None, address: str | None = None):
        self.spec, self.address = spec, address
        self.workers = workers or os.cpu_count() or 1
        self.owned = False  # this executor connected to Ray (and disconnects when it closes)
        self.local = False  # ... to a local cluster of its own, which dies with the run
        self._actors: list = []  # one per slot; None where an actor was killed and is not yet replaced
        self._warming: dict[int, Any] = {}  # slot -> its actor's warm-up (which returns its process id)

    def start(self) -> None:
        self.actors()

    def actors(self) -> list:
        if not self._actors:
            try:
                import ray
            except ImportError:
                raise RuntimeDiagnostic(
                    BAD_PARAMETER,
                    "the ray executor needs Ray, which is not installed",
                    help='install it with pip install "qlang[ray]"',
                ) from None
            if not ray.is_initialized():
                common: dict[str, Any] = {
                    "include_dashboard": False,
                    "log_to_driver": False,
                    "configure_logging": False,
                }
                if self.address:
                    ray.init(address=self.address, **common)
                else:
                    ray.init(num_cpus=self.workers, _node_ip_address="127.0.0.1", **common)
                    self.local = True
                self.owned = True
            self._actors = [None] * self.workers
        for slot, actor in enumerate(self._actors):
            if actor is None:
                self._actors[slot] = self._actor(slot)
        return self._actors

    def _actor(self, slot: int):
        """The actor for `slot`: on a cluster that outlives the run, the named detached one if it is alive."""
        import ray

        cls: Any = ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(RayWorker)
        if self.local:
            actor = cls.remote()
        else:
            actor = cls.options(
                name=f"qlang-{code_hash()}-{slot}", namespace="qlang", lifetime="detached", get_if_exists=True
            ).remote(IDLE_S)
        self._warming[slot] = actor.warm.remote(self.spec)
        return actor

    def pids(self) -> list[int]:
        """The worker processes that have warmed up (for tests that kill one)."""
        import ray

        ready, _ = ray.wait(list(self._warming.values()), num_returns=len(self._warming), timeout=0)
        return [ray.get(ref) for ref in ready]

    def run(self, jobs: Iterable[Job], started=_ignore, progress=_ignore) -> Iterator[TaskResult]:
        import collections

        import ray
        from ray.exceptions import ActorDiedError, ActorUnavailableError, NodeDiedError, WorkerCrashedError

        actors = self.actors()
        book = _Retrying({task.key: (task, data) for task, data in jobs})
        queue = collections.deque(book.jobs)
        free = list(range(len(actors)))[::-1]
        stored: dict[int, Any] = {}  # one object-store copy per distinct input artifact
        refs: dict[Any, tuple[str, int]] = {}

        def submit(key: str, slot: int) -> None:
            task, data = book.jobs[key]
            started(task)
            if id(data) not in stored:
                stored[id(data)] = ray.put(data)
            refs[actors[slot].run.remote(self.spec, task, stored[id(data)], book.next_attempt(key))] = (key, slot)

        try:
            while queue or refs:
                while queue and free:
                    submit(queue.popleft(), free.pop())
                ready, _ = ray.wait(list(refs), num_returns=1)
                for ref in ready:
                    key, slot = refs.pop(ref)
                    try:
                        result = ray.get(ref)
                    except (ActorDiedError, ActorUnavailableError, WorkerCrashedError, NodeDiedError) as e:
                        book.lost(key, type(e).__name__)
                        actors[slot] = self._actor(slot)
                        queue.appendleft(key)
                        free.append(slot)
                        continue
                    except ray.exceptions.RayTaskError as e:
                        cause = e.as_instanceof_cause()
                        raise (cause if isinstance(cause, RuntimeDiagnostic) else e) from None
                    free.append(slot)
                    yield result
        finally:
            for _, slot in refs.values():  # the consumer stopped early: an actor cannot drop a running task
                ray.kill(actors[slot])
                actors[slot] = None  # replaced when the next run needs it

    def close(self) -> None:
        if self.owned:
            import ray

            ray.shutdown()
            self.owned = self.local = False
        self._actors = []
        self._warming.clear()


def make_executor(name: str, env: Env, spec: WorkerSpec, workers: int | None = None, address: str | None = None):
    """The executor called `name` (one of EXECUTORS)."""
    if name == "local":
        return LocalExecutor(env)
    if name == "process":
        return ProcessExecutor(spec, workers)
    if name == "ray":
        return RayExecutor(spec, workers, address)
    raise RuntimeDiagnostic(BAD_PARAMETER, f"unknown executor `{name}`", help=f"executors: {', '.join(EXECUTORS)}")
