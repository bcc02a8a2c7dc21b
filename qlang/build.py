"""Compile specs to generated modules: the steps behind `qlc compile` and `qlc run`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from qlang import catalog
from qlang.catalog.docs import NOT_RUNNABLE
from qlang.checks import Result, check_text
from qlang.codegen import TARGETS, generate
from qlang.diagnostics import Diagnostic
from qlang.syntax import ast


@dataclass
class Compiled:
    result: Result
    source: str | None  # None when the spec has errors


def not_runnable(result: Result) -> list[Diagnostic]:
    """Warnings for each method or baseline the runtime does not implement yet."""
    out = []
    stages = [st for p in result.parsed.pipelines for st in p.statements if isinstance(st, ast.Stage)]
    for item in (i for st in stages for i in st.items if i.key in ("method", "baseline")):
        values = item.value.items if isinstance(item.value, ast.List) else [item.value]
        for v in values:
            if not isinstance(v, (ast.Word, ast.Call)) or catalog.METHODS[v.name].runnable:
                continue  # names are known here: the checks passed
            span = v.name_span if isinstance(v, ast.Call) else v.span
            consequence = (
                "the stage, and the stages that read it, are skipped at run time"
                if item.key == "method"
                else "the run reports this baseline as unavailable"
            )
            out.append(
                Diagnostic(
                    "Q801",
                    f"`{v.name}` is checked but does not run in this version",
                    span,
                    label="will be reported as unavailable",
                    severity="warning",
                    help=f"`qlc methods` marks it {NOT_RUNNABLE}; {consequence}",
                )
            )
    return out


def check_for_compile(text: str, path: Path, target: str | None, smoke: bool = False) -> Result:
    """The checks, plus a warning for each stage that will not run in this version; `smoke`: the budgets are
    checked against the smoke-sized run's estimate."""
    result = check_text(text, str(path), target, smoke=smoke)
    if result.ok:
        result.diagnostics += not_runnable(result)
    return result


def module_source(result: Result, text: str, path: Path, module_dir: Path) -> str:
    """The generated module of a checked spec, for its (first pipeline's) target, living in `module_dir`."""
    spec_dir = os.path.relpath(path.parent.resolve(), module_dir.resolve()).replace(os.sep, "/")
    spec = result.checked
    return generate(spec, path.name, text, spec.pipelines[0].target, spec_dir)


def compile_text(text: str, path: Path, target: str | None, module_dir: Path) -> Compiled:
    result = check_for_compile(text, path, target)
    return Compiled(result, module_source(result, text, path, module_dir) if result.ok else None)


def default_output(spec: Path, target: str, root: Path = Path("generated")) -> Path:
    return root / f"{spec.stem}.{target}.py"


def expected_generated(specs_dir: Path = Path("specs"), out_dir: Path = Path("generated")):
    """What generated/ should hold — {path: source} for every spec and target — and the specs that fail."""
    expected: dict[Path, str] = {}
    failing: list[Result] = []
    for spec in sorted(specs_dir.rglob("*.qlc")):
        text = spec.read_text(encoding="utf-8")
        for target in TARGETS:
            out = default_output(spec, target, out_dir)
            compiled = compile_text(text, spec, target, out.parent)
            if compiled.source is None:
                failing.append(compiled.result)
                break
            expected[out] = compiled.source
    return expected, failing


def stale_generated(expected: dict[Path, str], out_dir: Path = Path("generated")) -> list[Path]:
    """Files of generated/ that differ from `expected`, are missing, or have no spec."""
    stale = [p for p, source in expected.items() if not p.exists() or p.read_text(encoding="utf-8") != source]
    return stale + [p for p in sorted(out_dir.glob("*.py")) if p not in expected]
