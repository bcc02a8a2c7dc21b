"""Rendering a run's report.json as report.md (and report.html): a view model and thin Jinja2 templates.

`render(report, fmt)` takes the report.json object and returns the file's text. Nothing here needs
the run itself, so a finished run re-renders from its folder alone (`qlc report RUN_DIR`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2

FORMATS = ("md",)


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("qlang.reporting", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    return env


def markdown(report: dict[str, Any]) -> str:
    """report.md: the numbers as tables, a sentence on energy and a verdict per stage."""
    from qlang.reporting.model import report_view

    return _env().get_template("report.md.j2").render(r=report_view(report)).rstrip("\n") + "\n"


RENDERERS = {"md": markdown}


def render(report: dict[str, Any], fmt: str) -> str:
    return RENDERERS[fmt](report)
