"""A run as tasks: one method at one sweep point on one seed, reading one artifact.

A `Task` says what to run and is identified by its content key: the stage's kind and name, the
method, its parameters at that point, the seed, the key of the artifact it reads (a data source's
content hash, or the key of the upstream task whose output it is), the qlang version and a hash of
qlang's own code. Two tasks with the same key compute the same result, so a finished task is kept
in a `TaskCache` and a resumed or edited run reruns only tasks whose key is new: editing one stage
changes its keys and, through `input_key`, the keys of every stage that reads it, and nothing else.

`run_task` runs one task in the current process, inside its own meter window; every executor (local,
process pool, Ray) calls it, so the same task gives the same metrics wherever it runs.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qlang import __version__


@dataclass(frozen=True)
class Task:
    key: str  # content key (see the module docstring)
    stage: str
    role: str  # "method" | "baseline"
    name: str  # the method's catalog name
    family: str
    point: int  # index of this point in the candidate's sweep grid (0 when nothing is swept)
    coords: dict[str, Any]  # the swept parameters at this point ({} when nothing is swept)
    params: dict[str, Any]  # every parameter the method sees (a baseline's include its method's)
    seed: int
    circuits: dict[str, str]  # role → circuit key registered on the executor ({} for classical methods)
    device: str
    input: str  # the data source or stage it reads
    input_key: str  # the content key of what it reads
    noise: Any = None  # a qlang.runtime.noise.NoiseModel on a noisy device, else None (exact)
    shots: int | None = None  # the pipeline's shots on a noisy device
    mitigation: str = "none"  # the stage's error mitigation on a noisy device ("readout", "zne", "readout+zne")
    zne: dict | None = None  # with "zne": {"scales", "extrapolation"} (qlang.ir.model.Zne)

    @property
    def label(self) -> str:
        from qlang.sweep import label

        point = label(self.coords)
        return f"{self.stage}: {self.name}{f' [{point}]' if point else ''} (seed {self.seed})"


@dataclass
class TaskResult:
    key: str
    metrics: dict[str, float]
    output: Any
    info: dict[str, Any]
    wall_s: float
    joules: float
    cpu_s: float
    provider: str
    provenance: str  # "measured", "modeled", or "attributed" (a machine-wide counter shared by CPU time)
    pid: int
    attempts: int = 1
    cached: bool = False
    ran_with: dict[str, Any] | None = None  # every parameter the method used (MethodContext.ran_with)
    measured: dict[str, Any] | None = None  # on a noisy device: what its executor measured (`ran`, calibration)
    finished_at: float = field(default_factory=time.time)


@functools.cache
def code_hash() -> str:
    """A hash of qlang's own source: a changed algorithm never reuses a cached result."""
    digest = hashlib.sha256(__version__.encode())
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def content_key(*parts: Any) -> str:
    """A stable hash of JSON-able parts."""
    text = json.dumps(parts, sort_keys=True, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def task_key(
    stage: dict, role: str, name: str, params: dict, seed: int, input_key: str, target: str, device: str
) -> str:
    return content_key(
        "task",
        stage["kind"],
        stage["name"],
        role,
        name,
        params,
        seed,
        input_key,
        target,
        device,
        __version__,
        code_hash(),
    )


def data_key(dataset: Any) -> str:
    """The content hash of a loaded dataset (its texts, features and labels)."""
    digest = hashlib.sha256(b"data")
    for part in (getattr(dataset, "texts", None), getattr(dataset, "features", None), getattr(dataset, "labels", None)):
        if part is None:
            digest.update(b"-")
        elif hasattr(part, "tobytes"):
            digest.update(str(part.dtype).encode() + str(part.shape).encode() + part.tobytes())
        else:
            digest.update(json.dumps(list(part), default=repr).encode("utf-8"))
    return digest.hexdigest()[:32]


class TaskCache:
    """Finished tasks on disk, one pickle per key, each written aside and renamed (a reader never sees
    half a file). `read=False` (`--no-cache`) still records, so a later `--resume` finds the work."""

    def __init__(self, root: Path, read: bool = True):
        self.root, self.read = Path(root), read

    def get(self, key: str) -> TaskResult | None:
        if not self.read:
            return None
        path = self.root / f"{key}.pkl"
        try:
            with path.open("rb") as f:
                result = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None
        result.cached = True
        return result

    def put(self, result: TaskResult) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        part = self.root / f".{result.key}.{os.getpid()}.part"
        try:
            with part.open("wb") as f:
                pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):  # an output that cannot be kept: rerun it
            part.unlink(missing_ok=True)
            return
        part.replace(self.root / f"{result.key}.pkl")


def default_cache_root() -> Path:
    """`$QLANG_CACHE/tasks`, else ~/.cache/qlang/tasks."""
    root = os.environ.get("QLANG_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "qlang") / "tasks"


@dataclass
class Env:
    """What a task needs from the process it runs in: the generated module's executor factory and an
    encoder for text (embeddings come from the on-disk cache the driver warmed)."""

    make_executor: Any
    encoder: Any = None
    shared_machine: bool = False  # tasks run side by side: a machine-wide counter is attributed by CPU time
    meter: Any = (
        None  # the run's meter where tasks run in the driver (its windows go into the report), else one per process
    )


def run_task(task: Task, data: Any, env: Env, progress=lambda message: None, attempts: int = 1) -> TaskResult:
    """Run one task here, metered in its own window, with the math libraries held to the thread limit (see
    threads.py); `progress` receives the method's own messages."""
    from qlang.catalog.devices import HARDWARE
    from qlang.energy.attribution import attribute, machine_cpu_seconds
    from qlang.runtime import threads
    from qlang.runtime.methods.context import MethodContext

    executor = None
    if task.circuits and task.device.startswith(HARDWARE):  # the IBM sampler on the QPU (or its local testing mode)
        executor = env.make_executor(task.device, task.seed, shots=task.shots)
        executor.mitigation = task.mitigation
    elif task.circuits:  # exact, or on a noisy device the density-matrix executor
        noisy = {} if task.noise is None else {"noise": task.noise, "shots": task.shots}
        executor = env.make_executor(task.device, task.seed, **noisy)
        if task.noise is not None:
            executor.mitigation = task.mitigation
            if task.zne:
                executor.zne_scales = tuple(task.zne["scales"])
                executor.zne_extrapolation = task.zne["extrapolation"]
    ctx = MethodContext(
        executor=executor,
        circuits=dict(task.circuits),
        params=dict(task.params),
        seed=task.seed,
        progress=progress,
        encoder=env.encoder,
    )
    run = implementation(task.name)
    meter = env.meter or _meter()
    busy_before = machine_cpu_seconds()
    with threads.limited(), meter.window(f"{task.role}:{task.name}:{task.seed}") as window:
        result = run(ctx, data)
    reading = window.reading()
    busy_after = machine_cpu_seconds()
    metrics = {k: float(v) for k, v in result.metrics.items()}
    shots_spent = getattr(executor, "shots_spent", 0)
    if shots_spent:  # a noisy device: what it measured
        metrics["shots"] = float(shots_spent)
    measured = None
    if getattr(executor, "jobs", None):  # hardware: what its jobs reported as QPU usage (measured)
        metrics["qpu_usage_s"] = float(getattr(executor, "usage_s", 0.0))
    calibration_shots = getattr(executor, "calibration_shots", 0) if executor is not None else 0
    if calibration_shots:  # of those, the readout calibration's
        metrics["calibration_shots"] = float(calibration_shots)
        metrics["calibration_circuits"] = float(getattr(executor, "calibration_circuits", 0))
    zne_shots = getattr(executor, "zne_shots", 0) if executor is not None else 0
    if zne_shots:  # of those, the folded circuits' (ZNE's scales above 1)
        metrics["zne_shots"] = float(zne_shots)
        metrics["zne_circuits"] = float(getattr(executor, "zne_circuits", 0))
    if executor is not None and getattr(executor, "ran", None) is not None:  # for energy/qpu_ran.py
        measured = {"ran": dict(executor.ran), "calibrated_widths": tuple(getattr(executor, "calibrated_widths", ())),
                    "shots": executor.shots, "folded": dict(getattr(executor, "folded", {})),
                    "usage_s": getattr(executor, "usage_s", None)}  # fmt: skip
    joules, provenance = reading.joules, reading.provenance
    if env.shared_machine and reading.provenance == "measured" and busy_before is not None and busy_after is not None:
        joules, provenance = attribute(reading.joules, reading.cpu_s, busy_after - busy_before)
    return TaskResult(
        task.key,
        metrics,
        result.output,
        result.info,
        reading.wall_s,
        joules,
        reading.cpu_s,
        reading.provider,
        provenance,
        os.getpid(),
        attempts,
        ran_with=ctx.ran_with,
        measured=measured,
    )


def implementation(name: str):
    """The method's implementation, as its catalog entry names it; one that cannot be loaded (a plug-in's
    missing module, say) is a RuntimeDiagnostic that fails its stage, not a traceback."""
    from qlang.runtime.budget import BudgetExceeded
    from qlang.runtime.errors import UNKNOWN_NAME, RuntimeDiagnostic
    from qlang.runtime.methods import METHODS

    try:
        return METHODS[name]
    except (BudgetExceeded, KeyboardInterrupt):  # the guard's interrupt can land while a module imports
        raise
    except Exception as e:  # importing a plug-in runs its code: any failure is a diagnostic
        from qlang import catalog

        entry = catalog.METHODS[name]
        raise RuntimeDiagnostic(
            UNKNOWN_NAME,
            f"the implementation of `{name}` ({entry.run}) could not be loaded: {type(e).__name__}: {e}",
            help=f"it comes from {entry.origin}; reinstall or fix it",
        ) from e


@functools.cache
def _meter():
    """One meter per process (the model meter counts this process's CPU time)."""
    from qlang.energy.meter import Meter

    return Meter()
