"""The stage runner: data → stages in order, method and baselines on every seed, a report after each stage."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qlang.runtime.budget import BudgetExceeded, Guard
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.methods import METHODS, ROLES
from qlang.runtime.methods.context import MethodContext, MethodResult
from qlang.runtime.report import Report, StageReport, run_record

# --smoke: tiny data and few iterations, to prove a pipeline runs end to end
SMOKE_ROWS = 24
SMOKE_CAPS = {"epochs": 2, "folds": 2, "n_init": 2, "max_iter": 20}


@dataclass
class RunOptions:
    spec_dir: Path
    smoke: bool = False
    progress: Callable[[str], None] = lambda message: None
    on_stage_done: Callable[[Report], None] = lambda report: None


@dataclass
class _State:
    outputs: dict[int, dict[str, Any]] = field(default_factory=dict)  # seed → name → artifact
    failed: set[str] = field(default_factory=set)


def seeds_of(pipeline: dict) -> list[int]:
    return [pipeline["seed"] + i for i in range(pipeline["repeat"])]


def load_sources(pipeline: dict, options: RunOptions) -> dict[str, Any]:
    from qlang.runtime.data import builtin_dataset, load_table

    out = {}
    for d in pipeline["data"]:
        params = dict(d["source"]["params"])
        if options.smoke:
            params["limit"] = min(params.get("limit") or SMOKE_ROWS, SMOKE_ROWS)
        name = d["source"]["name"]
        options.progress(f"data {d['name']}: loading {name}")
        if name == "file":
            fmt = None if params["format"] == "auto" else params["format"]
            ds = load_table(params["path"], text=params["text"], label=params["label"], features=params["features"],
                            fmt=fmt, base_dir=options.spec_dir)
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


def _params(method: dict, shared: dict, smoke: bool) -> dict:
    """A method's parameters; a baseline also sees its method's (same input representation and budget)."""
    params = {**shared, **method["params"]}
    if smoke:
        for key, cap in SMOKE_CAPS.items():
            if params.get(key) is not None:
                params[key] = min(params[key], cap)
    return params


def _run_one(method: dict, params: dict, stage_key: str, executor, data, seed: int, options: RunOptions,
             encoder, window) -> tuple[MethodResult, float, float]:
    """Run one method on one seed inside a meter window: (result, seconds, joules)."""
    name = method["name"]
    circuits = {role: f"{stage_key}.{role}" for role in ROLES.get(name, ())}
    ctx = MethodContext(executor=executor if circuits else None, circuits=circuits, params=params, seed=seed,
                        progress=options.progress, encoder=encoder)
    with window:
        result = METHODS[name](ctx, data)
    reading = window.reading()
    return result, reading.wall_s, reading.joules


def _unavailable(b: dict) -> dict:
    return {"name": b["name"], "family": b["family"], "params": b["params"], "status": "unavailable", "metrics": {}}


def run_pipeline(pipeline: dict, make_executor, report: Report, options: RunOptions) -> Report:
    """Runs every stage on every seed, metered, with budgets enforced; raises KeyboardInterrupt after
    marking the report."""
    from qlang.energy.meter import Meter
    from qlang.runtime.encoder import MiniLMEncoder

    seeds = seeds_of(pipeline)
    state = _State()
    meter = Meter()
    guard = Guard()
    report.meter = {"provider": meter.provider, "provenance": meter.provenance}
    estimates = estimate_energy(pipeline, options)
    declared = [m["model"]["params"] for m in pipeline["models"] if m["model"]["name"] == "minilm"]
    batch_size = declared[0]["batch_size"] if declared else 64
    texts = any(d["modality"] != "numeric" for d in pipeline["data"])
    encoder = MiniLMEncoder(batch_size=batch_size) if texts else None
    sources = load_sources(pipeline, options)
    warm_encoder(sources, encoder, options)
    for seed in seeds:
        state.outputs[seed] = dict(sources)
    with guard.polling(), meter.window("pipeline") as pipeline_window:
        with guard.limit("the pipeline", pipeline_window, pipeline["budget_j"]):
            try:
                for stage in pipeline["stages"]:
                    _run_stage(pipeline, stage, seeds, state, meter, guard, report, options, encoder,
                               make_executor, estimates.get(stage["name"], {}))
            except BudgetExceeded as e:
                report.stages[-1].finish("over_budget", f"{e}; the run stopped here")
                options.on_stage_done(report)
                report.finish("over_budget")
                report.energy_j = pipeline_window.reading().joules
                return report
    report.energy_j = pipeline_window.reading().joules
    report.finish("ok" if all(s.status in ("ok", "fallback") for s in report.stages) else "incomplete")
    return report


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
    if options.smoke:  # estimate what will run: the same caps as the run
        pipeline = {**pipeline,
                    "data": [{**d, "source": {**d["source"], "params": {**d["source"]["params"], "limit": min(
                        d["source"]["params"].get("limit") or SMOKE_ROWS, SMOKE_ROWS)}}} for d in pipeline["data"]],
                    "stages": [{**s, "method": {**s["method"], "params": _params(s["method"], {}, True)},
                                "baselines": [{**b, "params": _params(b, {}, True)} for b in s["baselines"]]}
                               for s in pipeline["stages"]]}
    plan = estimate(ir.Pipeline.model_validate(pipeline), load_prices(), options.spec_dir, durations)
    return {s.name: {"estimated_j": s.simulation_j, "estimated_baseline_j": s.baseline_j, "qpu_model_j": s.qpu_j,
                     "qpu_note": s.qpu_note, "calibrated": plan.calibrated} for s in plan.stages}


def _run_stage(pipeline, stage, seeds, state, meter, guard, report, options, encoder, make_executor,
               estimate) -> None:
    stage_report = StageReport.start(stage)
    stage_report.energy = dict(estimate, budget_j=stage["budget_j"], on_over_budget=stage["on_over_budget"])
    report.stages.append(stage_report)
    if stage["method"]["name"] not in METHODS:
        stage_report.finish("unavailable", f"`{stage['method']['name']}` is checked but does not run in this "
                            "version of qlang; `qlc methods` says what runs")
        state.failed.add(stage["name"])
        options.on_stage_done(report)
        return
    if stage["input"] in state.failed:
        stage_report.finish("skipped", f"its input `{stage['input']}` did not finish")
        state.failed.add(stage["name"])
        options.on_stage_done(report)
        return
    key = f"{pipeline['name']}.{stage['name']}"
    runs: dict[str, list] = {}
    baselines = [b for b in stage["baselines"] if b["name"] in METHODS]
    policy, budget = stage["on_over_budget"], stage["budget_j"]
    fell_back = False
    with meter.window(f"stage:{stage['name']}") as stage_window:
        try:
            # abort: the whole stage is limited; fallback: the method is, and the baselines take over
            with guard.limit(f"stage `{stage['name']}`", stage_window, budget if policy == "abort" else None):
                method_window = meter.window(f"method:{stage['method']['name']}")
                try:
                    with guard.limit(f"`{stage['method']['name']}`", method_window,
                                     budget if policy == "fallback" else None), method_window:
                        for seed in seeds:
                            _method_and_baselines(pipeline, stage, seed, [], key, runs, state, meter, options,
                                                  encoder, make_executor, only_method=True)
                except BudgetExceeded as e:
                    if policy != "fallback" or not baselines:
                        raise
                    fell_back = True
                    stage_report.warnings.append(f"{e}: fell back to the baseline `{baselines[0]['name']}`")
                    runs.pop(stage["method"]["name"], None)
                for seed in seeds:
                    _method_and_baselines(pipeline, stage, seed, baselines, key, runs, state, meter, options,
                                          encoder, make_executor, only_method=False, output_from_baseline=fell_back)
            if stage["method"]["name"] in runs:
                stage_report.method = run_record(stage["method"], runs[stage["method"]["name"]])
            stage_report.baselines = [run_record(b, runs[b["name"]]) if b in baselines else _unavailable(b)
                                      for b in stage["baselines"]]
            spent = stage_window.reading().joules
            if policy == "warn" and budget is not None and spent > budget:
                stage_report.warnings.append(f"stage `{stage['name']}` used {spent:.4g} J of its {budget:.4g} J "
                                             "budget (on_over_budget warn: it ran to the end)")
            stage_report.finish("fallback" if fell_back else "ok")
        except KeyboardInterrupt:
            stage_report.finish("interrupted", "interrupted by the user")
            report.finish("interrupted")
            options.on_stage_done(report)
            raise
        except BudgetExceeded as e:
            if e.what == "the pipeline":
                raise
            stage_report.finish("over_budget", f"{e}: stopped (on_over_budget abort)")
            state.failed.add(stage["name"])
        except RuntimeDiagnostic as e:
            stage_report.finish("failed", str(e))
            state.failed.add(stage["name"])
    stage_report.energy["measured_j"] = stage_window.reading().joules
    stage_report.energy["provider"], stage_report.energy["provenance"] = meter.provider, meter.provenance
    options.on_stage_done(report)


def _method_and_baselines(pipeline, stage, seed, baselines, key, runs, state, meter, options, encoder,
                          make_executor, only_method: bool, output_from_baseline: bool = False) -> None:
    """On one seed: the stage's method (only_method) or its baselines."""
    data = state.outputs[seed][stage["input"]]
    todo = [("method", stage["method"])] if only_method else [("baseline", b) for b in baselines]
    executor = make_executor(pipeline["device"], seed) if only_method and ROLES.get(stage["method"]["name"]) else None
    for role, m in todo:
        options.progress(f"{stage['name']}: {m['name']} (seed {seed})")
        shared = {} if role == "method" else stage["method"]["params"]
        result, seconds, joules = _run_one(m, _params(m, shared, options.smoke), key, executor, data, seed,
                                           options, encoder, meter.window(f"{role}:{m['name']}:{seed}"))
        runs.setdefault(m["name"], []).append((seed, result, seconds, joules))
        if role == "method" or (output_from_baseline and m is baselines[0]):
            state.outputs[seed][stage["name"]] = result.output
