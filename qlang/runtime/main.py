"""Entry point of every generated module: `python generated/x.py [--out DIR] [--format json] [--smoke]`."""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from pathlib import Path

from qlang import __version__
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.report import Report
from qlang.runtime.runner import RunOptions, run_pipeline, seeds_of


def next_run_dir(root: Path, pipeline: str) -> Path:
    """runs/<pipeline>/<n>/ with n one past the highest existing run."""
    base = root / pipeline
    taken = [int(p.name) for p in base.glob("*") if p.name.isdigit()] if base.exists() else []
    return base / str(max(taken, default=0) + 1)


def _progress(quiet: bool):
    if quiet:
        return lambda message: None

    def show(message: str) -> None:
        print(f"  · {message}", file=sys.stderr, flush=True)

    return show


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
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    status = 0
    reports = []
    for p in pipelines:
        out = (
            Path(args.out)
            if args.out and len(pipelines) == 1
            else (Path(args.out) / p["name"] if args.out else next_run_dir(Path("runs"), p["name"]))
        )
        report = Report(
            p["name"],
            p["target"],
            p["device"],
            seeds_of(p),
            spec or {},
            __version__,
            grid_g_per_kwh=p["grid_g_per_kwh"],
        )
        options = RunOptions(
            Path(spec_dir), args.smoke, _progress(args.quiet), functools.partial(Report.write, out_dir=out)
        )
        print(f"running {p['name']} on {p['target']} ({p['device']}), seeds {report.seeds} → {out}", file=sys.stderr)
        try:
            run_pipeline(p, make_executor, report, options)
        except KeyboardInterrupt:
            report.write(out)
            print(f"interrupted: finished stages are in {out / 'report.md'}", file=sys.stderr)
            # CPython re-raises SIGINT at shutdown after an interrupt crossed C code: the report is written
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        except RuntimeDiagnostic as e:
            report.finish("failed")
            report.write(out)
            print(str(e), file=sys.stderr)
            return 1
        report.write(out)
        reports.append(report)
        if report.status != "ok":
            status = 1
        if args.format == "text":
            print((out / "report.md").read_text(encoding="utf-8"))
    if args.format == "json":
        data = [r.to_json() for r in reports]
        print(json.dumps(data[0] if len(data) == 1 else data, indent=2))
    return status
