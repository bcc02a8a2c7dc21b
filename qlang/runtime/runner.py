"""The stage runner: data → stages in order, method and baselines on every seed, a report after each stage."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qlang.catalog.calls import REFERENCE_LABEL, REFERENCES
from qlang.catalog.devices import with_shots
from qlang.runtime.budget import BudgetExceeded, Guard
from qlang.runtime.errors import MEMORY_SHORT, RuntimeDiagnostic
from qlang.runtime.methods import METHODS, ROLES
from qlang.runtime.report import Report, StageReport, call_label, pareto_front, primary, run_record
from qlang.runtime.tasks import Env, Task, TaskCache, TaskResult, data_key, default_cache_root, task_key
from qlang.smoke import SMOKE_CAPS, SMOKE_ROWS, smoke_sized  # noqa: F401  (re-exported)
from qlang.sweep import at_device, coordinates, device_points
from qlang.sweep import points as sweep_points

STREAM_SECONDS = 1.0


@dataclass
class RunOptions:
    spec_dir: Path
    smoke: bool = False
    progress: Callable[[str], None] = lambda message: None
    on_stage_done: Callable[[Report], None] = lambda report: None
    # as each task starts: stage, method, role, seed, done and total (tasks), joules so far, budget_j
    on_task: Callable[[dict], None] = lambda event: None
    executor: str | None = None  # overrides the spec's `executor`: local | process | ray
    workers: int | None = None  # overrides the spec's `workers`
    address: str | None = None  # overrides the spec's `address` (Ray)
    module_path: str | None = None  # the generated module, which worker processes load by path
    cache: bool = True  # read finished tasks from the cache (`--no-cache`: run everything again)
    cache_dir: Path | None = None  # default $QLANG_CACHE/tasks
    on_executor: Callable[[Any], None] = lambda executor: None  # sees the executor once it exists (tests)
    plan: dict | None = None  # the pipeline's plan as JSON (qlang.plan.estimate.Plan.to_json), sized as it runs


def seeds_of(pipeline: dict) -> list[int]:
    return [pipeline["seed"] + i for i in range(pipeline["repeat"])]


def load_sources(pipeline: dict, options: RunOptions) -> dict[str, Any]:
    from qlang.runtime.data import builtin_dataset, load_table

    out = {}
    for d in pipeline["data"]:
        name, params = d["source"]["name"], d["source"]["params"]
        options.progress(f"data {d['name']}: loading {name}")
        if name == "file":
            fmt = None if params["format"] == "auto" else params["format"]
            ds = load_table(
                params["path"],
                text=params["text"],
                label=params["label"],
                features=params["features"],
                fmt=fmt,
                base_dir=options.spec_dir,
            )
            ds = ds.sample(params["limit"], pipeline["seed"])
        elif name == "vader_lexicon":
            ds = builtin_dataset(name, min_abs=params["min_abs"], limit=params["limit"], seed=pipeline["seed"])
        else:
            ds = builtin_dataset(name).sample(params["limit"], pipeline["seed"])
        out[d["name"]] = ds
    return out


# methods that embed texts of their own making (dedup's injected copies), so need the model itself at run time
EMBEDS_NEW_TEXT = frozenset({"quantum_dedup", "cosine_dedup"})


def warm_encoder(sources: dict[str, Any], encoder, options: RunOptions, pipeline: dict) -> None:
    """Embed text data once before any stage, so no method's time includes loading the encoder: with the
    embeddings cached from an earlier run, the model itself is loaded here when a stage will embed new text
    (curate_dedup --smoke: its first task was charged the model's load, 5 CPU s for 0.5 J of work)."""
    from qlang.runtime.encoder import features_of

    for name, ds in sources.items():
        if ds.texts is not None and encoder is not None:
            options.progress(f"data {name}: embedding {len(ds)} texts with MiniLM")
            features_of(ds, encoder)
    methods = {m["name"] for s in pipeline["stages"] for m in [s["method"], *s["baselines"]]}
    if encoder is not None and methods & EMBEDS_NEW_TEXT:
        encoder.model  # noqa: B018  (loads it)


def _unavailable(b: dict, label: str) -> dict:
    return {
        "name": b["name"],
        "label": label,
        "family": b["family"],
        "params": b["params"],
        "status": "unavailable",
        "metrics": {},
    }


def _executor(pipeline: dict, options: RunOptions, env: Env, batch_size: int, texts: bool):
    """The executor the options name, else the spec's `executor` setting, else local."""
    from qlang.runtime.executors import WorkerSpec, make_executor

    name = options.executor or pipeline.get("executor") or "local"
    workers = options.workers or pipeline.get("workers")
    address = options.address or pipeline.get("address")
    if name != "local" and options.module_path is None:
        raise RuntimeDiagnostic(
            "Q706",
            f"the {name} executor needs the generated module's path",
            help="run the pipeline with `qlc run` or as `python generated/<spec>.py`",
        )
    spec = WorkerSpec(str(options.module_path), batch_size, texts)
    return make_executor(name, env, spec, workers, address)


def run_pipeline(pipeline: dict, make_executor, report: Report, options: RunOptions) -> Report:
    """Runs every stage on every seed, metered, with budgets enforced; raises KeyboardInterrupt after
    marking the report."""
    return _Run(smoke_sized(pipeline) if options.smoke else pipeline, make_executor, report, options).run()


class _Run:
    """One run of one pipeline: its meter, budget guard, encoder and every stage's output per seed."""

    def __init__(self, pipeline: dict, make_executor, report: Report, options: RunOptions):
        from qlang.energy.meter import Meter
        from qlang.runtime.encoder import MiniLMEncoder
        from qlang.runtime.environment import environment

        self.pipeline, self.make_executor, self.report, self.options = pipeline, make_executor, report, options
        self.seeds = seeds_of(pipeline)
        self.outputs: dict[int, dict[str, Any]] = {}  # seed → data source or stage name → artifact
        self.keys: dict[int, dict[str, str]] = {}  # seed → data source or stage name → content key of its artifact
        self.failed: set[str] = set()
        self.meter, self.guard = Meter(), Guard()
        declared = [m["model"]["params"] for m in pipeline["models"] if m["model"]["name"] == "minilm"]
        texts = any(d["modality"] != "numeric" for d in pipeline["data"])
        batch = declared[0]["batch_size"] if declared else 64
        self.encoder = MiniLMEncoder(batch_size=batch) if texts else None
        self.executor = _executor(pipeline, options, Env(make_executor, self.encoder, meter=self.meter), batch, texts)
        options.on_executor(self.executor)
        provenance = self.meter.provenance
        if self.executor.name != "local" and provenance == "measured":
            provenance = "attributed"  # a machine-wide counter shared among parallel tasks by CPU time
        report.meter = {"provider": self.meter.provider, "provenance": provenance}
        report.environment = environment(self.meter)
        report.execution = {
            "executor": self.executor.name,
            "workers": self.executor.workers,
            "address": getattr(self.executor, "address", None),
            "cache": options.cache,
        }
        self.cache = TaskCache(options.cache_dir or default_cache_root(), read=options.cache)
        self.remote_j = 0.0  # energy of tasks that ran outside this process
        self.streamed = 0.0

    def run(self) -> Report:
        try:
            self._run()
        finally:
            self.executor.close()
        return self.report

    def _run(self) -> None:
        report, options = self.report, self.options
        estimates = stage_estimates(options.plan)
        sources = load_sources(self.pipeline, options)
        warm_encoder(sources, self.encoder, options, self.pipeline)
        self.outputs = {seed: dict(sources) for seed in self.seeds}
        source_keys = {name: data_key(ds) for name, ds in sources.items()}
        self.keys = {seed: dict(source_keys) for seed in self.seeds}
        self.tasks_total = len(self.seeds) * sum(self._candidates(s) for s in self.pipeline["stages"])
        self.tasks_done = 0
        with self.guard.polling(), self.meter.window("pipeline") as pipeline_window:
            self.pipeline_window = pipeline_window
            with self.meter.window("setup"):
                warm_imports(self.pipeline)
            self.executor.start()  # after the imports, which forked workers then share
            try:
                with self.guard.limit("the pipeline", pipeline_window, self.pipeline["budget_j"]):
                    for stage in self.pipeline["stages"]:
                        self.stage(stage, estimates.get(stage["name"], {}))
            except BudgetExceeded as e:
                report.stages[-1].finish("over_budget", f"{e}; the run stopped here")
                report.finish("over_budget")
            finally:
                report.energy_j = pipeline_window.reading().joules + self.remote_j
        report.windows = meter_windows(self.meter)
        if report.status != "over_budget":
            report.finish("ok" if all(s.status in ("ok", "fallback") for s in report.stages) else "incomplete")
        options.on_stage_done(report)

    def _candidates(self, stage: dict) -> int:
        """How many candidate points a stage runs per seed (the method's, each baseline's, the reference, and
        on a noisy device the ideal run's), each that runs circuits at every device point: the progress
        display's total."""
        if stage["method"]["name"] not in METHODS:
            return 0
        method = stage["method"]
        sweep = method.get("sweep") or {}
        devices = len(device_points(self.pipeline))
        method_points = len(sweep_points(method["params"], sweep))
        n = method_points * devices
        for b in stage["baselines"]:
            if b["name"] in METHODS:
                borrowed = {k: v for k, v in sweep.items() if k not in b["params"]}
                n += (len(sweep_points(method["params"], borrowed)) * len(sweep_points(b["params"], b.get("sweep")))
                      * (devices if ROLES.get(b["name"]) else 1))  # fmt: skip
        n += 1 if method["name"] in REFERENCES else 0
        n += method_points if self._noisy() and ROLES.get(method["name"]) else 0
        noisy_points = sum(ir_noisy(at_device(self.pipeline, p)) for p in device_points(self.pipeline))
        if self._noisy() and ROLES.get(method["name"]) and (stage.get("mitigation") or "none") != "none":
            n += method_points * noisy_points
        return n

    def _noisy(self) -> bool:
        """Some device point is noisy: the method also runs once on the exact simulator (the ideal run)."""
        return any(ir_noisy(at_device(self.pipeline, p)) for p in device_points(self.pipeline))

    def stage(self, stage: dict, estimate: dict) -> None:
        stage_report = StageReport.start(stage)
        curves = estimate.get("curves")  # the plan's energy curves join the report once the stage is done
        stage_report.energy = dict(
            {k: v for k, v in estimate.items() if k not in ("curves", "peak_bytes")},
            budget_j=stage["budget_j"],
            on_over_budget=stage["on_over_budget"],
        )
        self.report.stages.append(stage_report)
        if stage["method"]["name"] not in METHODS:
            self._not_run(
                stage_report,
                "unavailable",
                f"`{stage['method']['name']}` is checked but does not run "
                "in this version of qlang; `qlc methods` says what runs",
            )
            return
        if stage["input"] in self.failed:
            self._not_run(stage_report, "skipped", f"its input `{stage['input']}` did not finish")
            return
        short = memory_shortfall(estimate.get("peak_bytes"))
        if short is not None:
            self._not_run(stage_report, "failed", str(short))
            return
        self.streamed = time.monotonic()  # the report is rewritten when the stage ends: a shorter one streams nothing
        with self.meter.window(f"stage:{stage['name']}") as stage_window:
            try:
                self._method_then_baselines(stage, stage_report, stage_window)
            except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM (runtime.main.Terminated)
                stage_report.finish("interrupted", str(e) or "interrupted by the user")
                self.report.finish("interrupted")
                self.options.on_stage_done(self.report)
                raise
            except BudgetExceeded as e:
                if e.what == "the pipeline":
                    raise
                stage_report.finish("over_budget", f"{e}: stopped (on_over_budget abort)")
                self.failed.add(stage["name"])
            except RuntimeDiagnostic as e:
                stage_report.finish("failed", str(e))
                self.failed.add(stage["name"])
        remote = stage_report.energy.get("tasks_j", 0.0) if self.executor.name != "local" else 0.0
        reading = stage_window.reading()
        stage_report.energy.update(
            measured_j=reading.joules + remote,
            wall_s=reading.wall_s,
            cpu_s=reading.cpu_s,  # the CPU-time model's input (this process's): says whether threads spun or sat idle
            provider=self.meter.provider,
            provenance=self.report.meter["provenance"],
            curves=curves,
        )
        self.options.on_stage_done(self.report)

    def _not_run(self, stage_report: StageReport, status: str, message: str) -> None:
        stage_report.finish(status, message)
        self.failed.add(stage_report.name)
        self.options.on_stage_done(self.report)

    def _method_then_baselines(self, stage: dict, stage_report: StageReport, stage_window) -> None:
        """abort limits the whole stage; fallback limits the method, and on overrun the baselines take over.
        A stage's budget covers the sum of its tasks, wherever they ran."""
        policy, budget = stage["on_over_budget"], stage["budget_j"]
        method = stage["method"]
        baselines = [b for b in stage["baselines"] if b["name"] in METHODS]
        stage_tasks = StageTasks(stage, self)
        fell_back = False
        with self.guard.limit(f"stage `{stage['name']}`", stage_window, budget if policy == "abort" else None):
            method_window = self.meter.window(f"method:{method['name']}")
            ideal = stage_tasks.ideal_jobs() if self._noisy() and ROLES.get(method["name"]) else []
            if ideal and (stage.get("mitigation") or "none") != "none":
                ideal += stage_tasks.unmitigated_jobs()
            phases = [stage_tasks.method_jobs() + ideal, stage_tasks.baseline_jobs(baselines)]
            if policy != "fallback":  # nothing waits on the method: every task may run at once
                phases = [phases[0] + phases[1], []]
            try:
                with (
                    self.guard.limit(f"`{method['name']}`", method_window, budget if policy == "fallback" else None),
                    method_window,
                ):
                    self._run_jobs(
                        stage_tasks,
                        phases[0],
                        stage_report,
                        (
                            f"`{method['name']}`" if policy == "fallback" else f"stage `{stage['name']}`",
                            budget if policy in ("fallback", "abort") else None,
                        ),
                    )
            except BudgetExceeded as e:
                if policy != "fallback" or not baselines:
                    raise
                fell_back = True
                first = call_label(baselines[0], stage["baselines"])
                stage_report.warnings.append(f"{e}: fell back to the baseline `{first}`")
                stage_tasks.drop_method()
            self._run_jobs(stage_tasks, phases[1], stage_report, (f"stage `{stage['name']}`", None))
        downstream = stage_tasks.downstream(fell_back)
        for seed in self.seeds:
            result = stage_tasks.results[(downstream, seed)]
            self.outputs[seed][stage["name"]] = result.output
            self.keys[seed][stage["name"]] = result.key
        stage_tasks.fill(stage_report)
        spent = stage_tasks.joules()
        stage_report.energy["tasks_j"] = spent
        if policy == "warn" and budget is not None and spent > budget:
            stage_report.warnings.append(
                f"stage `{stage['name']}` used {spent:.4g} J of its {budget:.4g} J budget "
                "(on_over_budget warn: it ran to the end)"
            )
        stage_report.finish("fallback" if fell_back else "ok")

    def _run_jobs(self, stage_tasks: StageTasks, jobs: list, stage_report: StageReport, limit) -> None:
        """Runs `jobs` (cached ones are read, not run), recording each result as it arrives; the report
        is rewritten as results stream in. `limit` is (what, budget_j) on the sum of these tasks' energy."""
        what, budget = limit
        todo = []
        for job in jobs:
            cached = self.cache.get(job[0].key)
            if cached is not None:
                stage_tasks.record(job[0], cached)
                self.tasks_done += 1
            else:
                todo.append(job)
        spent = sum(stage_tasks.results[(c, s)].joules for c, s in stage_tasks.results)

        def started(task: Task) -> None:
            self.options.progress(task.label)
            self.options.on_task({"stage": task.stage, "method": stage_tasks.label(task), "role": task.role,
                                  "seed": task.seed, "done": self.tasks_done, "total": self.tasks_total,
                                  "joules": self.pipeline_window.reading().joules + self.remote_j,
                                  "budget_j": self.pipeline["budget_j"]})  # fmt: skip

        by_key = {t.key: t for t, _ in todo}
        for result in self.executor.run(todo, started, self.options.progress):
            task = by_key[result.key]
            self.tasks_done += 1
            self.cache.put(result)
            stage_tasks.record(task, result)
            if self.executor.name != "local":
                self.remote_j += result.joules
            spent += result.joules
            if budget is not None and spent > budget:
                raise BudgetExceeded(what, spent, budget)
            pipeline_budget = self.pipeline["budget_j"]
            if pipeline_budget is not None and self.remote_j and self.remote_j > pipeline_budget:
                raise BudgetExceeded("the pipeline", self.remote_j, pipeline_budget)
            stage_tasks.fill(stage_report)
            self._stream()

    def _stream(self) -> None:
        """The report rewritten as tasks finish, at most once a second and not in a stage's first second (a
        rewrite costs the report's size, and the stage's end rewrites it anyway)."""
        now = time.monotonic()
        if now - self.streamed >= STREAM_SECONDS:
            self.streamed = now
            self.options.on_stage_done(self.report)


class StageTasks:
    """One stage's tasks: its candidates (the method and each baseline, each at every sweep point) on
    every seed, and their results as they arrive."""

    def __init__(self, stage: dict, run: _Run):
        from qlang.catalog.devices import HARDWARE
        from qlang.runtime.noise import from_pipeline

        self.stage, self.run = stage, run
        # the pipeline at each device point (one unless it sweeps `device` or `shots`), with the noise there
        self.points = [at_device(run.pipeline, p) for p in device_points(run.pipeline)]
        self.coords = [p["coords"] for p in device_points(run.pipeline)]
        self.noises = [None if p["device"].startswith(HARDWARE) else from_pipeline(p) for p in self.points]
        # (role, method at the point, point, coords, label): a baseline's label tells same-named calls apart
        self.candidates: list[tuple[str, dict, int, dict, str]] = []
        self.results: dict[tuple[int, int], TaskResult] = {}  # (candidate index, seed) → result
        self.tasks: dict[str, tuple[int, Task]] = {}  # key → (candidate index, task)
        self.choice: dict | None = None  # what `choose` picked, and why

    def _devices(self, role: str, m: dict) -> list[int]:
        """The device points `m` runs at: every one for a candidate that runs circuits (the method, a baseline
        training its circuits), the noisy ones for the unmitigated rerun; a classical candidate and the ideal
        run once (the exact simulator is the same for every point)."""
        if role == "unmitigated":
            return [i for i, p in enumerate(self.points) if ir_noisy(p)]
        if role == "ideal" or not ROLES.get(m["name"]):
            return [0]
        return list(range(len(self.points)))

    def _jobs(self, role: str, m: dict, outer: list[tuple[dict, dict]], label: str) -> list:
        """Tasks of `m` at each device point it runs at (a sweep of `device`/`shots`), each of its own points,
        for each (shared parameters, their coordinates) of `outer`. The `ideal` role runs on the target's exact
        simulator without shots (the quality the noise costs)."""
        from qlang.catalog.settings import DEVICES

        ideal = role == "ideal"
        on_device = not ideal and bool(ROLES.get(m["name"]))
        jobs = []
        grid = [
            (d, shared, {**(self.coords[d] if on_device else {}), **outer_coords,
                         **coordinates(params, m.get("sweep"))}, params)
            for d in self._devices(role, m)
            for shared, outer_coords in outer
            for params in sweep_points(m["params"], m.get("sweep"))
        ]  # fmt: skip
        for i, (d, shared, coords, params) in enumerate(grid):
            pipeline = self.points[d]
            noisy = not ideal and ir_noisy(pipeline)
            device = DEVICES[pipeline["target"]][0] if ideal else pipeline["device"]
            noise = None if ideal else self.noises[d]
            shots = None if ideal else pipeline.get("shots")
            mitigation = self.stage.get("mitigation") or "none" if role == "method" and noisy else "none"
            index = len(self.candidates)
            self.candidates.append((role, {**m, "params": params}, i, coords, label))
            circuits = self._circuits(m, coords)
            for seed in self.run.seeds:
                input_key = self.run.keys[seed][self.stage["input"]]
                full = with_shots({**shared, **params}, shots)
                zne = {"zne": self.stage["zne"]} if "zne" in mitigation else {}  # stays out of older keys
                # what the device samples (a method's own `shots` or not) and its noise, for a candidate on the device
                sampled = {"device_shots": shots} if noisy and on_device else {}
                noise_key = {"noise": pipeline["noise"]} if noisy and on_device and pipeline.get("noise") else {}
                key = task_key(self.stage, role, m["name"], {**full, "mitigation": mitigation, **zne, **sampled,
                               **noise_key}, seed, input_key, pipeline["target"], device)  # fmt: skip
                task = Task(
                    key,
                    self.stage["name"],
                    role,
                    m["name"],
                    m["family"],
                    i,
                    coords,
                    full,
                    seed,
                    circuits,
                    device,
                    self.stage["input"],
                    input_key,
                    noise,
                    shots if noisy else None,
                    mitigation,
                    zne.get("zne"),
                )
                self.tasks[key] = (index, task)
                jobs.append((task, self.run.outputs[seed][self.stage["input"]]))
        return jobs

    def _circuits(self, m: dict, coords: dict) -> dict[str, str]:
        """Circuit keys for `m` at a point; a baseline with circuit roles (adam, sgd) trains its method's
        circuits at the method's point with the same swept values."""
        roles = ROLES.get(m["name"], ())
        method = self.stage["method"]
        sweep = method.get("sweep") or {}
        point = None
        if sweep:
            grid = [coordinates(p, sweep) for p in sweep_points(method["params"], sweep)]
            point = next((i for i, c in enumerate(grid) if all(coords.get(k, v) == v for k, v in c.items())), 0)
        suffix = "" if point is None else f"@{point}"
        return {r: f"{self.run.pipeline['name']}.{self.stage['name']}.{r}{suffix}" for r in roles}

    def method_jobs(self) -> list:
        return self._jobs("method", self.stage["method"], [({}, {})], "method")

    def ideal_jobs(self) -> list:
        return self._jobs("ideal", self.stage["method"], [({}, {})], "ideal")

    def unmitigated_jobs(self) -> list:
        """With mitigation, the same method on the same noisy device and seeds without it: what the
        mitigation changed. Not passed on."""
        return self._jobs("unmitigated", self.stage["method"], [({}, {})], "unmitigated")

    def label(self, task: Task) -> str:
        """What the progress display calls a task's candidate: the method's name, or the baseline's label."""
        role, m, _point, _coords, label = self.candidates[self.tasks[task.key][0]]
        return label if role == "baseline" else m["name"]

    def baseline_jobs(self, baselines: list[dict]) -> list:
        """A baseline also sees its method's parameters (the same input representation and tuning budget;
        its own win). So it runs at every point of the method's sweep over parameters it does not have
        itself (an RBF SVM beside a kernel at 2, 4 and 8 qubits sees 2, 4 and 8 components), crossed
        with its own sweep."""
        method = self.stage["method"]
        sweep = method.get("sweep") or {}
        jobs = []
        for b in baselines:
            borrowed = {k: v for k, v in sweep.items() if k not in b["params"]}
            outer = [(params, coordinates(params, borrowed)) for params in sweep_points(method["params"], borrowed)]
            jobs += self._jobs("baseline", b, outer, call_label(b, self.stage["baselines"]))
        reference = REFERENCES.get(method["name"])
        if reference is not None:  # not parameter-matched: one row beside the baselines, at the method's first point
            jobs += self._jobs("baseline", reference, [(method["params"], {})], REFERENCE_LABEL)
        return jobs

    def measured(self) -> list:
        """What the method's noisy executors measured at its first point, one per seed (energy/qpu_ran.py
        reads `ran`, `calibrated_widths` and `shots` off each)."""
        from types import SimpleNamespace

        first = next((i for i, c in enumerate(self.candidates) if c[0] == "method"), None)
        runs = [self.results.get((first, seed)) for seed in self.run.seeds] if first is not None else []
        return [SimpleNamespace(**r.measured) for r in runs if r is not None and r.measured is not None]

    def record(self, task: Task, result: TaskResult) -> None:
        index = self.tasks[task.key][0]
        self.results[(index, task.seed)] = result

    def drop_method(self) -> None:
        self.results = {(c, s): r for (c, s), r in self.results.items() if self.candidates[c][0] != "method"}

    def joules(self) -> float:
        return sum(r.joules for r in self.results.values())

    def downstream(self, fell_back: bool) -> int:
        """The candidate whose output later stages read: the method at its first point, or on fallback the
        first baseline at its first point; with `choose`, the candidate the rule picks (see runtime/choice.py)."""
        role = "baseline" if fell_back else "method"
        default = next(i for i, c in enumerate(self.candidates) if c[0] == role)
        rule = self.stage.get("choose")
        if rule is None or fell_back:
            return default
        from qlang.runtime.choice import Candidate, cheapest, explain
        from qlang.sweep import label as point_label

        metric, higher = primary(self.stage["method"]["name"])
        if metric is None:
            return default
        indices, candidates = [], []
        for index, (role, _m, _point, coords, label) in enumerate(self.candidates):
            runs = {seed: self.results.get((index, seed)) for seed in self.run.seeds}
            if role == "ideal" or any(r is None or metric not in r.metrics for r in runs.values()):
                continue
            name = label if role == "baseline" else self.stage["method"]["name"]
            where = point_label(coords)
            indices.append(index)
            candidates.append(Candidate(f"{name} [{where}]" if where else name,
                                        {s: r.metrics[metric] for s, r in runs.items() if r is not None},
                                        {s: r.joules for s, r in runs.items() if r is not None}))  # fmt: skip
        if not candidates:
            return default
        result = cheapest(candidates, float(rule["params"].get("within", 0.0)), higher)
        self.choice = {"rule": rule["name"], **rule["params"], "metric": metric,
                       "chosen": candidates[result["chosen"]].label, "best": candidates[result["best"]].label,
                       "why": explain(rule, result, metric or "quality"), "candidates": result["candidates"]}  # fmt: skip
        return indices[result["chosen"]]

    def fill(self, stage_report: StageReport) -> None:
        """The stage's report from the results so far: one record per candidate point (`points`), the
        method's and each baseline's first point as `method` and `baselines`, and the Pareto front."""
        records = []
        for index, (role, m, point, coords, label) in enumerate(self.candidates):
            runs = [(seed, self.results[(index, seed)]) for seed in self.run.seeds if (index, seed) in self.results]
            if not runs:
                continue
            record = run_record(
                m,
                [(seed, r, r.wall_s, r.joules, r.ran_with) for seed, r in runs],
                label if role == "baseline" else None,
            )
            record.update(role=role, point=coords, tasks=[task_meta(r) for _, r in runs])
            records.append((index, record))
        by_index = dict(records)
        firsts = {(c[0], c[4]): by_index.get(i) for i, c in enumerate(self.candidates) if c[2] == 0}
        stage_report.method = firsts.get(("method", "method"))
        for beside in ("ideal", "unmitigated"):
            run = firsts.get((beside, beside))
            if run is not None:
                run["label"] = f"{self.stage['method']['name']} ({beside})"
            setattr(stage_report, beside, run)
        measured = self.measured()
        if measured:
            stage_report.energy["qpu_ran"] = qpu_of_what_ran(self.points[0], self.stage, measured)  # its first point
        labels = [call_label(b, self.stage["baselines"]) for b in self.stage["baselines"]]
        stage_report.baselines = [
            firsts.get(("baseline", label)) or _unavailable(b, label)
            for b, label in zip(self.stage["baselines"], labels)
            if firsts.get(("baseline", label)) or b["name"] not in METHODS
        ]
        reference = firsts.get(("baseline", REFERENCE_LABEL))
        if reference is not None:
            stage_report.baselines.append({**reference, "reference": True})
        stage_report.points = [r for i, r in records if self.candidates[i][0] not in ("ideal", "unmitigated")]
        stage_report.choice = self.choice
        stage_report.pareto = pareto_front(stage_report.points, self.stage["method"]["name"])


def task_meta(result: TaskResult) -> dict:
    """Where and how one seed of a point ran: for the report's `tasks` lists."""
    return {
        "key": result.key,
        "attempts": result.attempts,
        "cached": result.cached,
        "pid": result.pid,
        "provenance": result.provenance,
        "cpu_s": result.cpu_s,
    }


def ir_noisy(pipeline: dict) -> bool:
    """A noisy device: a parametric model, a device model, or IBM hardware (qlang.ir.model.Pipeline.noisy)."""
    from qlang.catalog.devices import HARDWARE

    return (
        bool(pipeline.get("noise"))
        or pipeline.get("device_qubits") is not None
        or pipeline["device"].startswith(HARDWARE)
    )


def qpu_of_what_ran(pipeline: dict, stage: dict, executors: list) -> dict:
    """The QPU model's energy for what the method's noisy executors measured (one job per seed): each
    circuit transpiled onto the device model, the shots really spent, calibration included. Empty
    where Qiskit is not installed; a note where the circuits cannot be transpiled."""
    try:
        from qlang.energy.qpu_ran import ran_energy
    except ImportError:
        return {}
    try:
        return ran_energy(pipeline, stage, executors)
    except Exception as e:  # noqa: BLE001 (a circuit the device model cannot take: say so, do not guess)
        return {"note": f"no QPU estimate of what ran: {e}"}


def meter_windows(meter) -> list[dict]:
    """Every window of the run's meter, depth first, as `{path, joules, wall_s, cpu_s, provenance}`; a path
    joins the names from the outermost window (`pipeline/stage:clusters/method:kmeans/method:kmeans:7`)."""
    out = []

    def visit(window, prefix: str) -> None:
        path = f"{prefix}/{window.name}" if prefix else window.name
        r = window.reading()
        out.append({"path": path, "joules": r.joules, "wall_s": r.wall_s, "cpu_s": r.cpu_s,
                    "provenance": r.provenance})  # fmt: skip
        for child in list(window.children):
            visit(child, path)

    for w in meter.windows:
        visit(w, "")
    return out


def warm_imports(pipeline: dict) -> None:
    """Imports what the stages' tasks import on first use (each method's module; torch for the thread limit,
    and what torch's first optimiser step sets up), in the pipeline's own `setup` window, so each
    stage is charged its own work rather than the process's first imports. Measured on quickstart --smoke: the
    first stage was charged 3-4 CPU seconds of torch's import, 30x its 24 rows' work (issue 16). A method that
    cannot be loaded is left to fail its stage."""
    import sys

    from qlang.runtime import threads
    from qlang.runtime.tasks import implementation

    names = {m["name"] for s in pipeline["stages"] for m in [s["method"], *s["baselines"]] if m["name"] in METHODS}
    modules = set()
    with threads.limited():  # imports torch and threadpoolctl
        for name in sorted(names):
            try:
                modules.add(getattr(implementation(name), "__module__", ""))
            except RuntimeDiagnostic:
                continue
        if any("torch" in vars(sys.modules.get(m, sys)) for m in modules):  # a method module that trains with torch
            _first_optimiser_step()


def _first_optimiser_step() -> None:
    """One Adam step of a tiny model: torch's first imports its compiler (1-3 CPU s) and sets up its kernels
    (another 8 ms of CPU beyond a later step's 1.5 ms)."""
    import torch

    model = torch.nn.Linear(2, 1).double()
    optimiser = torch.optim.Adam(model.parameters())
    model(torch.zeros(1, 2, dtype=torch.float64)).sum().backward()
    optimiser.step()


def memory_shortfall(peak: float | None) -> RuntimeDiagnostic | None:
    """Why a stage estimated to peak at `peak` bytes (qlang.catalog.memory) cannot start now, or None. What
    this process already holds counts: the stage needs only its peak beyond this process's peak so far."""
    import resource

    from qlang.catalog.memory import available_bytes, format_bytes

    if not peak:
        return None
    held = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    have, need = available_bytes(), peak - held
    if need <= have:
        return None
    return RuntimeDiagnostic(
        MEMORY_SHORT,
        f"the stage needs about {format_bytes(peak)} of memory at its peak, {format_bytes(need)} more than this "
        f"process holds, and this machine has {format_bytes(have)} available: not started",
        help="take fewer rows (`limit:` on the data source) or use fewer qubits; `qlc plan` shows each stage's "
        "estimate",
    )


def stage_estimates(plan: dict | None) -> dict[str, dict]:
    """Per stage name, the plan's estimates as the report carries them, from the plan's JSON (`qlc plan --format
    json`, or the plan.json `qlc run` writes beside the report); {} without a plan. The runtime only reads a
    plan: `qlc run` makes it, so a run needs no planner."""
    if not plan:
        return {}
    return {
        s["name"]: {
            "estimated_j": s["simulation_j"],
            "estimated_baseline_j": s["baseline_j"],
            "qpu_model_j": s["qpu_j"],
            "qpu_note": s["qpu_note"],
            "qpu_workload": s["qpu_workload"],
            "qpu_platform": s["qpu_platform"],
            "qpu_by_platform_j": s["qpu_by_platform_j"],
            "rows": s["rows"],
            "estimated_baselines_j": {label: j / plan["seeds"] for label, j in (s["baselines_j"] or {}).items()},
            "curves": s["curves"],
            "calibrated": plan["calibrated"],
            "peak_bytes": s["peak_bytes"],
        }
        for s in plan["stages"]
    }
