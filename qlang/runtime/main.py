"""Entry point of every generated module: `python generated/x.py [--out DIR] [--format json] [--smoke]`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from qlang import __version__
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.progress import make_progress
from qlang.runtime.report import Report
from qlang.runtime.runner import RunOptions, run_pipeline, seeds_of


def next_run_dir(root: Path, pipeline: str) -> Path:
    """runs/<pipeline>/<n>/ with n one past the highest existing run."""
    base = root / pipeline
    taken = [int(p.name) for p in base.glob("*") if p.name.isdigit()] if base.exists() else []
    return base / str(max(taken, default=0) + 1)


def new_report(pipeline: dict, spec: dict | None) -> Report:
    return Report(pipeline["name"], pipeline["target"], pipeline["device"], seeds_of(pipeline), spec or {},
                  __version__, grid_g_per_kwh=pipeline["grid_g_per_kwh"])  # fmt: skip


def run_one(pipeline: dict, make_executor, report: Report, spec_dir: Path, out: Path, smoke: bool,
            verbosity: int) -> Report:  # fmt: skip
    """Run one pipeline into `report`, rewriting the files in `out` after each stage; progress on stderr at
    `verbosity` (-1 none). Raises KeyboardInterrupt and RuntimeDiagnostic as the runner does."""
    if verbosity >= 0:
        print(f"running {pipeline['name']} on {pipeline['target']} ({pipeline['device']}), seeds {report.seeds} "
              f"→ {out}", file=sys.stderr)  # fmt: skip
    progress = make_progress(verbosity)
    options = RunOptions(spec_dir, smoke, progress.message, lambda r: r.write(out), on_task=progress.task)
    try:
        return run_pipeline(pipeline, make_executor, report, options)
    finally:
        progress.close()


def main(
    pipelines: list[dict],
    make_executor,
    spec: dict | None = None,
    spec_dir: str | Path = ".",
    argv: list[str] | None = None,
) -> int:
    ap = argparse.ArgumentParser(description="Run this qlang pipeline.")
    ap.add_argument("--out", help="report folder (default runs/<pipeline>/<n>/)")
    ap.add_argument("--format", choices=("text", "json"), default="text", help="json: print the report to stdout")
    ap.add_argument("--smoke", action="store_true", help="tiny data and few iterations: prove it runs")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    ap.add_argument("-v", "--verbose", action="count", default=0, help="every message of the methods too")
    args = ap.parse_args(argv)
    verbosity = -1 if args.quiet else args.verbose
    status = 0
    reports = []
    for p in pipelines:
        out = (
            Path(args.out)
            if args.out and len(pipelines) == 1
            else (Path(args.out) / p["name"] if args.out else next_run_dir(Path("runs"), p["name"]))
        )
        report = new_report(p, spec)
        try:
            run_one(p, make_executor, report, Path(spec_dir), out, args.smoke, verbosity)
        except KeyboardInterrupt:
            report.write(out)  # no report.html: its plots take seconds; `qlc report DIR --format html` draws them
            print(f"interrupted: finished stages are in {out / 'report.md'}", file=sys.stderr)
            # CPython re-raises SIGINT at shutdown after an interrupt crossed C code: the report is written
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        except RuntimeDiagnostic as e:
            report.finish("failed")
            report.write(out, html=True)
            print(str(e), file=sys.stderr)
            return 1
        report.write(out, html=True)
        reports.append(report)
        if report.status != "ok":
            status = 1
        if args.format == "text":
            print((out / "report.md").read_text(encoding="utf-8"))
    if args.format == "json":
        data = [r.to_json() for r in reports]
        print(json.dumps(data[0] if len(data) == 1 else data, indent=2))
    return status
