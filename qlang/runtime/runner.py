"""The stage runner: data → stages in order, method and baselines on every seed, a report after each stage."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qlang.runtime.errors import UNKNOWN_NAME, RuntimeDiagnostic
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
             encoder) -> tuple[MethodResult, float]:
    name = method["name"]
    if name not in METHODS:
        raise RuntimeDiagnostic(UNKNOWN_NAME, f"`{name}` does not run in this version of qlang",
                                help="`qlc methods` lists what runs")
    circuits = {role: f"{stage_key}.{role}" for role in ROLES.get(name, ())}
    ctx = MethodContext(executor=executor if circuits else None, circuits=circuits, params=params, seed=seed,
                        progress=options.progress, encoder=encoder)
    start = time.perf_counter()
    result = METHODS[name](ctx, data)
    return result, time.perf_counter() - start


def run_pipeline(pipeline: dict, make_executor, report: Report, options: RunOptions) -> Report:
    """Runs every stage on every seed; raises KeyboardInterrupt after marking the report."""
    from qlang.runtime.encoder import MiniLMEncoder

    seeds = seeds_of(pipeline)
    state = _State()
    declared = [m["model"]["params"] for m in pipeline["models"] if m["model"]["name"] == "minilm"]
    batch_size = declared[0]["batch_size"] if declared else 64
    texts = any(d["modality"] != "numeric" for d in pipeline["data"])
    encoder = MiniLMEncoder(batch_size=batch_size) if texts else None
    sources = load_sources(pipeline, options)
    warm_encoder(sources, encoder, options)
    for seed in seeds:
        state.outputs[seed] = dict(sources)
    for stage in pipeline["stages"]:
        stage_report = StageReport.start(stage)
        report.stages.append(stage_report)
        if stage["method"]["name"] not in METHODS:
            stage_report.finish("unavailable", f"`{stage['method']['name']}` is checked but does not run in this "
                                "version of qlang; `qlc methods` says what runs")
            state.failed.add(stage["name"])
            options.on_stage_done(report)
            continue
        if stage["input"] in state.failed:
            stage_report.finish("skipped", f"its input `{stage['input']}` did not finish")
            state.failed.add(stage["name"])
            options.on_stage_done(report)
            continue
        key = f"{pipeline['name']}.{stage['name']}"
        runs: dict[str, list] = {}
        baselines = [b for b in stage["baselines"] if b["name"] in METHODS]
        try:
            for seed in seeds:
                executor = make_executor(pipeline["device"], seed) if ROLES.get(stage["method"]["name"]) else None
                data = state.outputs[seed][stage["input"]]
                for role, m in [("method", stage["method"]), *(("baseline", b) for b in baselines)]:
                    options.progress(f"{stage['name']}: {m['name']} (seed {seed})")
                    shared = {} if role == "method" else stage["method"]["params"]
                    result, seconds = _run_one(m, _params(m, shared, options.smoke), key, executor, data, seed,
                                               options, encoder)
                    runs.setdefault(m["name"], []).append((seed, result, seconds))
                    if role == "method":
                        state.outputs[seed][stage["name"]] = result.output
            stage_report.method = run_record(stage["method"], runs[stage["method"]["name"]])
            stage_report.baselines = [run_record(b, runs[b["name"]]) if b in baselines else
                                      {"name": b["name"], "family": b["family"], "params": b["params"],
                                       "status": "unavailable", "metrics": {}}
                                      for b in stage["baselines"]]
            stage_report.finish("ok")
        except KeyboardInterrupt:
            stage_report.finish("interrupted", "interrupted by the user")
            report.finish("interrupted")
            options.on_stage_done(report)
            raise
        except RuntimeDiagnostic as e:
            stage_report.finish("failed", str(e))
            state.failed.add(stage["name"])
        options.on_stage_done(report)
    report.finish("ok" if all(s.status == "ok" for s in report.stages) else "incomplete")
    return report
