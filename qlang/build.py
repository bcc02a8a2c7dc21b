"""Compile specs to generated modules: the steps behind `qlc compile` and `qlc run`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from qlang import catalog
from qlang.checks import Result, check_text
from qlang.codegen import TARGETS, generate
from qlang.diagnostics import Diagnostic


@dataclass
class Compiled:
    result: Result
    source: str | None  # None when the spec has errors


def not_runnable(result: Result) -> list[Diagnostic]:
    """Warnings for stages whose method or baselines the runtime does not implement yet."""
    out = []
    tree = result.tree
    for p in tree.pipelines if tree else []:
        for st in p.statements:
            for item in getattr(st, "items", []):
                if item.key not in ("method", "baseline"):
                    continue
                values = item.value.items if hasattr(item.value, "items") else [item.value]
                for v in values:
                    name = getattr(v, "name", None)
                    entry = catalog.METHODS.get(name) if name else None
                    if entry is not None and not entry.runnable:
                        span = getattr(v, "name_span", None) or v.span
                        out.append(Diagnostic("Q801", f"`{name}` is checked but does not run in this version",
                                              span, label="will be reported as unavailable", severity="warning",
                                              help="`qlc methods` marks what runs; the stage and the stages that "
                                              "read it are skipped at run time"))
    return out


def compile_text(text: str, path: Path, target: str | None, module_dir: Path) -> Compiled:
    result = check_text(text, str(path), target)
    if not result.ok:
        return Compiled(result, None)
    result.diagnostics += not_runnable(result)
    spec_dir = os.path.relpath(path.parent.resolve(), module_dir.resolve())
    chosen = target or result.spec.pipelines[0].target
    return Compiled(result, generate(result.spec, path.name, text, chosen, spec_dir.replace(os.sep, "/")))


def default_output(spec: Path, target: str, root: Path = Path("generated")) -> Path:
    return root / f"{spec.stem}.{target}.py"


def stale_generated(specs_dir: Path = Path("specs"), out_dir: Path = Path("generated")) -> tuple[list[str], list[Result]]:
    """Generated files that differ from what the specs compile to now (for every target), and failing specs."""
    stale, failing = [], []
    for spec in sorted(specs_dir.rglob("*.qlc")):
        text = spec.read_text(encoding="utf-8")
        for target in TARGETS:
            out = default_output(spec, target, out_dir)
            compiled = compile_text(text, spec, target, out.parent)
            if compiled.source is None:
                failing.append(compiled.result)
                break
            if not out.exists() or out.read_text(encoding="utf-8") != compiled.source:
                stale.append(str(out))
    known = {str(default_output(s, t, out_dir)) for s in specs_dir.rglob("*.qlc") for t in TARGETS}
    stale += [str(p) + " (no spec)" for p in sorted(out_dir.glob("*.py")) if str(p) not in known]
    return stale, failing
