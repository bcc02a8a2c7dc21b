"""What a generated module holds, computed here so the templates stay free of logic."""

from __future__ import annotations

import hashlib
import pprint
import re
from dataclasses import dataclass

from qlang import __version__, catalog
from qlang.circuits.emitter import emitter
from qlang.circuits.library import stage_circuits
from qlang.ir import model as ir
from qlang.sweep import points


@dataclass(frozen=True)
class CircuitCode:
    key: str  # "<pipeline>.<stage>.<role>", the name the runtime asks the executor for
    function: str  # the Python function name
    source: str  # the function's source, built with the target's own API; "" when an earlier one serves
    n_wires: int
    n_inputs: int
    n_weights: int


@dataclass(frozen=True)
class Module:
    title: str
    spec_name: str
    spec_label: str  # the file name with only characters that are safe inside a docstring
    spec_sha256: str
    version: str
    target: str
    imports: tuple[str, ...]
    pipelines_literal: str
    circuits: tuple[CircuitCode, ...]
    summary: tuple[str, ...]
    spec_dir: str  # the spec's folder, relative to the generated module's folder


def identifier(pipeline: str, stage: str, *rest: str) -> str:
    """The Python function name of one circuit of a stage, injective in (pipeline, stage), so two stages
    never share a function (pipeline `a_b` with stage `c` and pipeline `a` with stage `b_c` once both
    became `a_b_c_feature_map`, and the second silently replaced the first). `rest` is qlang's own: the
    role and the sweep point (`p<i>`): never empty, without `__`, never starting with `_`. Three forms,
    readable when the names allow:

    - `quickstart_clusters_feature_map` when neither name has an underscore: split at the first two;
    - `architect_hpo__search__feature_map` when neither has `__` nor starts or ends with `_`: split at
      the first two `__`;
    - `_1__3_a___b_c_feature_map` otherwise: `_<len>_<len>_` and the names, split by their lengths.

    Only the last starts with `_`, only the second has `__` without it: no name has two readings."""
    assert rest and not rest[0].startswith("_") and "__" not in "_".join(rest), rest
    if "_" not in pipeline + stage:
        return "_".join([pipeline, stage, *rest])
    if all("__" not in n and not n.startswith("_") and not n.endswith("_") for n in (pipeline, stage)):
        return "__".join([pipeline, stage, "_".join(rest)])
    return "_".join(["", str(len(pipeline)), str(len(stage)), pipeline, stage, *rest])


def circuits_of(stage: ir.Stage, params: dict | None = None) -> dict:
    """The stage's circuits by role (at `params`, a sweep point; the method's own by default): none for
    classical methods or methods that do not run yet."""
    entry = catalog.METHODS[stage.method.name]
    if not (entry.runnable and entry.is_quantum):
        return {}
    return stage_circuits(stage.method.name, stage.method.params if params is None else params)


def circuit_key(pipeline: str, stage: str, role: str, point: int | None = None) -> str:
    """The name the runtime asks the executor for; a swept method has one circuit per point (`…@2`)."""
    return f"{pipeline}.{stage}.{role}" + ("" if point is None else f"@{point}")


def stage_circuit_code(pipeline: ir.Pipeline, stage: ir.Stage, target: str) -> list[CircuitCode]:
    """One function per distinct circuit: sweep points that differ only in what does not change the
    circuit (`shots`, `folds`, …) share the function of the first point that has it."""
    out = []
    swept = bool(stage.method.sweep)
    emitted: dict[tuple, str] = {}
    for i, params in enumerate(points(stage.method.params, stage.method.sweep)):
        for role, circuit in circuits_of(stage, params).items():
            shape = (role, circuit.n_wires, circuit.n_inputs, circuit.n_weights, circuit.ops)
            source = ""
            if shape not in emitted:
                emitted[shape] = identifier(pipeline.name, stage.name, role, *([f"p{i}"] if swept else []))
                source = emitter(target).emit(circuit, emitted[shape])
            out.append(
                CircuitCode(
                    circuit_key(pipeline.name, stage.name, role, i if swept else None),
                    emitted[shape],
                    source,
                    circuit.n_wires,
                    circuit.n_inputs,
                    circuit.n_weights,
                )
            )
    return out


def _without_empty_sweeps(value):
    """A method that sweeps nothing carries no `sweep` key, a stage without ZNE no `zne` key, a pipeline that
    sweeps neither `device` nor `shots` no `points` key: generated modules stay as they were."""
    if isinstance(value, dict):
        return {
            k: _without_empty_sweeps(v) for k, v in value.items() if not (k in ("sweep", "zne", "points") and not v)
        }
    if isinstance(value, list):
        return [_without_empty_sweeps(v) for v in value]
    return value


def pipeline_literal(pipelines: list[dict]) -> str:
    """The validated model as a Python literal: strings only ever reach the code through repr."""
    return pprint.pformat(_without_empty_sweeps(pipelines), width=100, sort_dicts=False)


def build_module(spec: ir.Spec, spec_name: str, text: str, target: str, spec_dir: str) -> Module:
    pipelines = spec.pipelines
    circuits: list[CircuitCode] = []
    summary = []
    for p in pipelines:
        for s in p.stages:
            circuits += stage_circuit_code(p, s, target)
            versus = f" vs {', '.join(b.name for b in s.baselines)}" if s.baselines else ""
            summary.append(f"{p.name}.{s.name}: {s.kind} — {s.method.name}{versus}")
    return Module(
        title=", ".join(p.name for p in pipelines),
        spec_name=spec_name,
        spec_label=re.sub(r"[^\w.\-]", "?", spec_name),
        spec_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        version=__version__,
        target=target,
        imports=emitter(target).IMPORTS,
        pipelines_literal=pipeline_literal([p.model_dump(mode="json") for p in pipelines]),
        circuits=tuple(circuits),
        summary=tuple(summary),
        spec_dir=spec_dir,
    )
