"""The plots' data, from report.json (filled in with report.html)."""

from __future__ import annotations


def stage_figures(stage: dict) -> tuple:
    return ()


def run_figures(report: dict) -> tuple:
    return ()
