"""Code generation: validated model → a standalone Python module per target (Jinja2, one template set each)."""

from __future__ import annotations

from functools import lru_cache

import jinja2

from qlang.catalog.settings import TARGETS
from qlang.codegen.model import Module, build_module
from qlang.ir import model as ir

__all__ = ["TARGETS", "generate", "render", "tidy"]


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("qlang.codegen", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["py"] = repr  # every value from a spec reaches the code as a Python literal
    return env


def render(module: Module) -> str:
    return _env().get_template(f"{module.target}.py.j2").render(m=module)


def generate(spec: ir.Spec, spec_name: str, text: str, target: str, spec_dir: str = ".") -> str:
    """The generated module's source: deterministic for the same spec text, target and qlang version.
    `spec_dir` is the spec's folder relative to where the module will live (data paths start there)."""
    return tidy(render(build_module(spec, spec_name, text, target, spec_dir)))


def tidy(source: str) -> str:
    """No trailing blanks, at most two blank lines in a row, one newline at the end."""
    lines = [line.rstrip() for line in source.splitlines()]
    out: list[str] = []
    for line in lines:
        if line == "" and len(out) >= 2 and out[-1] == "" and out[-2] == "":
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"
