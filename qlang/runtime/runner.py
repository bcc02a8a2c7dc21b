"""The stage runner: data → stages in order, method and baselines on every seed, a report after each stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qlang.catalog.calls import REFERENCE_LABEL, REFERENCES
from qlang.catalog.devices import with_shots
from qlang.runtime import threads
from qlang.runtime.budget import BudgetExceeded, Guard
from qlang.runtime.errors import UNKNOWN_NAME, RuntimeDiagnostic
from qlang.runtime.methods import METHODS, ROLES
from qlang.runtime.methods.context import MethodContext, MethodResult
from qlang.runtime.report import Report, StageReport, call_label, run_record

# --smoke: tiny data and few iterations, to prove a pipeline runs end to end
SMOKE_ROWS = 24
SMOKE_CAPS = {
    "epochs": 2,
    "folds": 2,
    "n_init": 2,
    "max_iter": 20,
    "window": 8,
    "permutations": 20,
    "iterations": 3,
    "examples_per_class": 4,
    "evaluations": 3,
}


@dataclass
class RunOptions:
    spec_dir: Path
    smoke: bool = False
    progress: Callable[[str], None] = lambda message: None
    on_stage_done: Callable[[Report], None] = lambda report: None
    # before each method on each seed: stage, method, role, seed, done and total (runs), joules so far, budget_j
    on_task: Callable[[dict], None] = lambda event: None


def seeds_of(pipeline: dict) -> list[int]:
    return [pipeline["seed"] + i for i in range(pipeline["repeat"])]


def smoke_sized(pipeline: dict) -> dict:
    """The pipeline with tiny data and few iterations (`--smoke`): what runs and what is estimated."""

    def capped(params: dict) -> dict:
        return {k: min(v, SMOKE_CAPS[k]) if k in SMOKE_CAPS and v is not None else v for k, v in params.items()}

    def small(source: dict) -> dict:
        return {
            **source,
            "params": {**source["params"], "limit": min(source["params"].get("limit") or SMOKE_ROWS, SMOKE_ROWS)},
        }

    return {
        **pipeline,
        "data": [{**d, "source": small(d["source"])} for d in pipeline["data"]],
        "stages": [
            {
                **s,
                "method": {**s["method"], "params": capped(s["method"]["params"])},
                "baselines": [{**b, "params": capped(b["params"])} for b in s["baselines"]],
            }
            for s in pipeline["stages"]
        ],
    }


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


def warm_encoder(sources: dict[str, Any], encoder, options: RunOptions) -> None:
    """Embed text data once before any stage, so no method's time includes loading the encoder."""
    from qlang.runtime.encoder import features_of

    for name, ds in sources.items():
        if ds.texts is not None and encoder is not None:
            options.progress(f"data {name}: embedding {len(ds)} texts with MiniLM")
            features_of(ds, encoder)


def _unavailable(b: dict, label: str) -> dict:
    return {
        "name": b["name"],
        "label": label,
        "family": b["family"],
        "params": b["params"],
        "status": "unavailable",
        "metrics": {},
    }


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
        self.failed: set[str] = set()
        self.meter, self.guard = Meter(), Guard()
        report.meter = {"provider": self.meter.provider, "provenance": self.meter.provenance}
        report.environment = environment(self.meter)
        declared = [m["model"]["params"] for m in pipeline["models"] if m["model"]["name"] == "minilm"]
        texts = any(d["modality"] != "numeric" for d in pipeline["data"])
        self.encoder = MiniLMEncoder(batch_size=declared[0]["batch_size"] if declared else 64) if texts else None

    def run(self) -> Report:
        report, options = self.report, self.options
        estimates = estimate_energy(self.pipeline, options)
        sources = load_sources(self.pipeline, options)
        warm_encoder(sources, self.encoder, options)
        self.outputs = {seed: dict(sources) for seed in self.seeds}
        runnable = [[s["method"], *s["baselines"]] for s in self.pipeline["stages"]]
        self.tasks_total = len(self.seeds) * sum(1 for calls in runnable for m in calls if m["name"] in METHODS)
        self.tasks_done = 0
        with self.guard.polling(), self.meter.window("pipeline") as pipeline_window:
            self.pipeline_window = pipeline_window
            try:
                with self.guard.limit("the pipeline", pipeline_window, self.pipeline["budget_j"]):
                    for stage in self.pipeline["stages"]:
                        self.stage(stage, estimates.get(stage["name"], {}))
            except BudgetExceeded as e:
                report.stages[-1].finish("over_budget", f"{e}; the run stopped here")
                report.finish("over_budget")
            finally:
                report.energy_j = pipeline_window.reading().joules
        report.windows = meter_windows(self.meter)
        if report.status != "over_budget":
            report.finish("ok" if all(s.status in ("ok", "fallback") for s in report.stages) else "incomplete")
        options.on_stage_done(report)
        return report

    def stage(self, stage: dict, estimate: dict) -> None:
        stage_report = StageReport.start(stage)
        curves = estimate.get("curves")  # the plan's energy curves join the report once the stage is done
        stage_report.energy = dict(
            {k: v for k, v in estimate.items() if k != "curves"},
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
        reading = stage_window.reading()
        stage_report.energy.update(
            measured_j=reading.joules,
            wall_s=reading.wall_s,
            cpu_s=reading.cpu_s,  # the CPU-time model's input: says whether threads spun or sat idle
            provider=self.meter.provider,
            provenance=self.meter.provenance,
            curves=curves,
        )
        self.options.on_stage_done(self.report)

    def _not_run(self, stage_report: StageReport, status: str, message: str) -> None:
        stage_report.finish(status, message)
        self.failed.add(stage_report.name)
        self.options.on_stage_done(self.report)

    def _method_then_baselines(self, stage: dict, stage_report: StageReport, stage_window) -> None:
        """abort limits the whole stage; fallback limits the method, and on overrun the baselines take over."""
        policy, budget = stage["on_over_budget"], stage["budget_j"]
        method = stage["method"]
        labels = [call_label(b, stage["baselines"]) for b in stage["baselines"]]
        baselines = [(b, label) for b, label in zip(stage["baselines"], labels) if b["name"] in METHODS]
        reference = REFERENCES.get(method["name"])
        runs: dict[str, list] = {}  # "method" or a baseline's label → its runs
        executors: list = []  # the method's, one per seed: what it measured
        fell_back = False
        with self.guard.limit(f"stage `{stage['name']}`", stage_window, budget if policy == "abort" else None):
            method_window = self.meter.window(f"method:{method['name']}")
            try:
                with (
                    self.guard.limit(f"`{method['name']}`", method_window, budget if policy == "fallback" else None),
                    method_window,
                ):
                    mitigation = stage.get("mitigation", "none")
                    for seed in self.seeds:
                        executor = self._executor(seed, mitigation) if ROLES.get(method["name"]) else None
                        result = self._run_one(stage, "method", method, {}, seed, executor, runs, "method")
                        self.outputs[seed][stage["name"]] = result.output
                        if executor is not None:
                            executors.append(executor)
                    if ir_noisy(self.pipeline):
                        self._ideal(stage, method, runs)
                        if mitigation != "none" and ROLES.get(method["name"]):
                            self._unmitigated(stage, method, runs)
            except BudgetExceeded as e:
                if policy != "fallback" or not baselines:
                    raise
                fell_back = True
                stage_report.warnings.append(f"{e}: fell back to the baseline `{baselines[0][1]}`")
                runs.pop("method", None)
            for seed in self.seeds:
                for i, (b, label) in enumerate(baselines):
                    # a baseline with circuit roles (adam, sgd) trains its method's circuits on its own executor
                    executor = self._executor(seed) if ROLES.get(b["name"]) else None
                    result = self._run_one(stage, "baseline", b, method["params"], seed, executor, runs, label)
                    if fell_back and i == 0:
                        self.outputs[seed][stage["name"]] = result.output
                if reference is not None:
                    self._run_one(stage, "baseline", reference, method["params"], seed, None, runs, REFERENCE_LABEL)
        if "method" in runs:
            stage_report.method = run_record(method, runs["method"])
        if "ideal" in runs:
            stage_report.ideal = run_record(method, runs["ideal"], f"{method['name']} (ideal)")
        if "unmitigated" in runs:
            stage_report.unmitigated = run_record(method, runs["unmitigated"], f"{method['name']} (unmitigated)")
        if executors and getattr(executors[0], "ran", None) is not None and "method" in runs:
            stage_report.energy["qpu_ran"] = qpu_of_what_ran(self.pipeline, stage, executors)
        stage_report.baselines = [
            run_record(b, runs[label], label) if label in runs else _unavailable(b, label)
            for b, label in zip(stage["baselines"], labels)
        ]
        if reference is not None and REFERENCE_LABEL in runs:
            stage_report.baselines.append(
                {**run_record(reference, runs[REFERENCE_LABEL], REFERENCE_LABEL), "reference": True}
            )
        spent = stage_window.reading().joules
        if policy == "warn" and budget is not None and spent > budget:
            stage_report.warnings.append(
                f"stage `{stage['name']}` used {spent:.4g} J of its {budget:.4g} J budget "
                "(on_over_budget warn: it ran to the end)"
            )
        stage_report.finish("fallback" if fell_back else "ok")

    def _executor(self, seed: int, mitigation: str = "none"):
        """The target's executor for one seed: exact, or on a noisy device the density-matrix one (with the
        stage's mitigation)."""
        from qlang.catalog.devices import HARDWARE
        from qlang.runtime.noise import from_pipeline

        if self.pipeline["device"].startswith(HARDWARE):  # SamplerV2 on the QPU (or its local testing mode)
            return self.make_executor(self.pipeline["device"], seed, shots=self.pipeline["shots"])
        noise = from_pipeline(self.pipeline)
        if noise is None:
            return self.make_executor(self.pipeline["device"], seed)
        executor = self.make_executor(self.pipeline["device"], seed, noise=noise, shots=self.pipeline["shots"])
        executor.mitigation = mitigation
        return executor

    def _unmitigated(self, stage: dict, method: dict, runs: dict[str, list]) -> None:
        """With mitigation, the same method on the same noisy device and seeds without it (the samples draw
        from the same stream: the calibration has its own): what the mitigation changed. Not passed on."""
        for seed in self.seeds:
            self._run_one(stage, "unmitigated", method, {}, seed, self._executor(seed), runs, "unmitigated")

    def _ideal(self, stage: dict, method: dict, runs: dict[str, list]) -> None:
        """On a noisy device, the same quantum method on the target's exact simulator, every seed: the
        quality the noise costs. Its output is not passed on."""
        if not ROLES.get(method["name"]):
            return
        from qlang.catalog.settings import DEVICES

        for seed in self.seeds:
            executor = self.make_executor(DEVICES[self.pipeline["target"]][0], seed)
            self._run_one(stage, "ideal", method, {}, seed, executor, runs, "ideal")

    def _run_one(
        self, stage: dict, role: str, m: dict, shared: dict, seed: int, executor, runs: dict[str, list], key: str
    ) -> MethodResult:
        """One method on one seed in its own meter window. A baseline also sees its method's parameters
        (the same input representation and tuning budget); its own parameters win."""
        label = key if role == "baseline" else m["name"]
        self.options.progress(f"{stage['name']}: {label} (seed {seed})")
        self.options.on_task({"stage": stage["name"], "method": label, "role": role, "seed": seed,
                              "done": self.tasks_done, "total": self.tasks_total,
                              "joules": self.pipeline_window.reading().joules,
                              "budget_j": self.pipeline["budget_j"]})  # fmt: skip
        self.tasks_done += 1
        circuits = {r: f"{self.pipeline['name']}.{stage['name']}.{r}" for r in ROLES.get(m["name"], ())}
        ctx = MethodContext(
            executor=executor if circuits else None,
            circuits=circuits,
            params=with_shots({**shared, **m["params"]}, None if key == "ideal" else self.pipeline.get("shots")),
            seed=seed,
            progress=self.options.progress,
            encoder=self.encoder,
        )
        run = implementation(m["name"])
        with threads.limited(), self.meter.window(f"{role}:{m['name']}:{seed}") as window:  # see threads.py
            result = run(ctx, self.outputs[seed][stage["input"]])
        if getattr(executor, "shots_spent", 0):  # a noisy device: what it measured
            result.metrics["shots"] = float(executor.shots_spent)
        if getattr(executor, "jobs", None):  # hardware: what its jobs reported as QPU usage (measured)
            result.metrics["qpu_usage_s"] = float(executor.usage_s)
        if getattr(executor, "calibration_shots", 0):  # of those, the readout calibration's
            result.metrics["calibration_shots"] = float(executor.calibration_shots)
            result.metrics["calibration_circuits"] = float(executor.calibration_circuits)
        reading = window.reading()
        runs.setdefault(key, []).append((seed, result, reading.wall_s, reading.joules, ctx.ran_with))
        return result


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


def implementation(name: str):
    """The method's implementation, as its catalog entry names it; one that cannot be loaded (a plug-in's
    missing module, say) is a RuntimeDiagnostic that fails its stage, not a traceback."""
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


def estimate_energy(pipeline: dict, options: RunOptions) -> dict[str, dict]:
    """The plan's per-stage estimates (and the QPU model where Qiskit is installed) for the report."""
    from qlang.ir import model as ir
    from qlang.plan.estimate import estimate, qiskit_durations
    from qlang.plan.prices import load_prices

    try:
        import qiskit  # noqa: F401

        durations = qiskit_durations()
    except ImportError:
        durations = None
    plan = estimate(ir.Pipeline.model_validate(pipeline), load_prices(), options.spec_dir, durations)
    return {
        s.name: {
            "estimated_j": s.simulation_j,
            "estimated_baseline_j": s.baseline_j,
            "qpu_model_j": s.qpu_j,
            "qpu_note": s.qpu_note,
            "qpu_workload": s.qpu_workload,
            "qpu_platform": s.qpu_platform,
            "qpu_by_platform_j": s.qpu_by_platform_j,
            "rows": s.rows,
            "estimated_baselines_j": {label: j / plan.seeds for label, j in (s.baselines_j or {}).items()},
            "curves": s.curves,
            "calibrated": plan.calibrated,
        }
        for s in plan.stages
    }
