"""What a generated module holds, computed here so the templates stay free of logic."""

from __future__ import annotations

import hashlib
import pprint
import re
from dataclasses import dataclass

from qlang import __version__, catalog
from qlang.circuits import emit_pennylane, emit_qiskit
from qlang.circuits.library import stage_circuits
from qlang.ir import model as ir
from qlang.sweep import points

EMITTERS = {"qiskit": emit_qiskit, "pennylane": emit_pennylane}


@dataclass(frozen=True)
class CircuitCode:
    key: str  # "<pipeline>.<stage>.<role>", the name the runtime asks the executor for
    function: str  # the Python function name
    source: str  # the function's source, built with the target's own API
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


def identifier(*parts: str) -> str:
    """A Python identifier from spec names (which are identifiers already; keywords get a suffix)."""
    name = "_".join(re.sub(r"\W", "_", p) for p in parts)
    return name + "_" if name in _KEYWORDS else name


_KEYWORDS = set(__import__("keyword").kwlist) | set(__import__("keyword").softkwlist)


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
    out = []
    swept = bool(stage.method.sweep)
    for i, params in enumerate(points(stage.method.params, stage.method.sweep)):
        for role, circuit in circuits_of(stage, params).items():
            fn = identifier(pipeline.name, stage.name, role, *([f"p{i}"] if swept else []))
            out.append(
                CircuitCode(
                    circuit_key(pipeline.name, stage.name, role, i if swept else None),
                    fn,
                    EMITTERS[target].emit(circuit, fn),
                    circuit.n_wires,
                    circuit.n_inputs,
                    circuit.n_weights,
                )
            )
    return out


def _without_empty_sweeps(value):
    """A method that sweeps nothing carries no `sweep` key: generated modules stay as they were."""
    if isinstance(value, dict):
        return {k: _without_empty_sweeps(v) for k, v in value.items() if not (k == "sweep" and not v)}
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
        imports=EMITTERS[target].IMPORTS,
        pipelines_literal=pipeline_literal([p.model_dump(mode="json") for p in pipelines]),
        circuits=tuple(circuits),
        summary=tuple(summary),
        spec_dir=spec_dir,
    )
