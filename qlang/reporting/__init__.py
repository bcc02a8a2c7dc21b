"""Rendering a run's report.json as report.md and report.html: a view model and thin Jinja2 templates.

`render(report, fmt)` takes the report.json object and returns the file's text. Nothing here needs the
run itself, so a finished run re-renders from its folder alone (`qlc report RUN_DIR`). report.html is
self-contained: styles inline, plots as data: URIs (SVG drawn by matplotlib when it is installed), no
script and nothing fetched from the network.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

FORMATS = ("md", "html", "json")
FILES = {"md": "report.md", "html": "report.html", "json": "report.json"}


def inline(text: str) -> Markup:
    """The model's inline marks as HTML, after escaping: `code` and **bold**."""
    html = str(escape(text))
    html = re.sub(r"`([^`]+)`", r"<code>\1</code>", html)
    return Markup(re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", html))


@lru_cache(maxsize=2)
def _env(html: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("qlang.reporting", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=html,
    )
    env.filters["inline"] = inline
    return env


def markdown(report: dict[str, Any]) -> str:
    """report.md: the numbers as tables, a sentence on energy and a verdict per stage."""
    from qlang.reporting.model import report_view

    return _env(False).get_template("report.md.j2").render(r=report_view(report)).rstrip("\n") + "\n"


def _drawn(figure):
    from qlang.reporting.plots import svg

    picture = svg(figure)
    if picture is None:
        return figure
    uri = "data:image/svg+xml;base64," + base64.b64encode(picture.encode("utf-8")).decode("ascii")
    return dataclasses.replace(figure, image=uri)


def html(report: dict[str, Any]) -> str:
    """report.html: report.md's content and the plots (figures.py), one self-contained page."""
    from qlang.reporting.model import report_view

    view = report_view(report, with_figures=True)
    view = dataclasses.replace(
        view,
        figures=tuple(_drawn(f) for f in view.figures),
        stages=tuple(dataclasses.replace(s, figures=tuple(_drawn(f) for f in s.figures)) for s in view.stages),
    )
    return _env(True).get_template("report.html.j2").render(r=view)


def as_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2) + "\n"


RENDERERS = {"md": markdown, "html": html, "json": as_json}


def render(report: dict[str, Any], fmt: str) -> str:
    return RENDERERS[fmt](report)
