"""Entry point of every generated module: `python generated/x.py [--out DIR] [--format json] [--smoke]`."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
from pathlib import Path

from qlang import __version__
from qlang.catalog.settings import EXECUTORS
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.progress import make_progress
from qlang.runtime.report import Report
from qlang.runtime.rundir import OutputError, Pacer, RunDir, claim, claim_next
from qlang.runtime.runner import RunOptions, run_pipeline, seeds_of
from qlang.sweep import devices_label


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where SIGINT raises KeyboardInterrupt: a terminated run ends like an interrupted one
    (the report marked, the finished stages kept), with exit status 143 instead of 130."""


def _on_sigterm(signum, frame) -> None:
    raise Terminated("terminated (SIGTERM)")


@contextlib.contextmanager
def _sigterm_interrupts():
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread: signals stay as they are
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def new_report(pipeline: dict, spec: dict | None) -> Report:
    return Report(pipeline["name"], pipeline["target"], devices_label(pipeline), seeds_of(pipeline), spec or {},
                  __version__, grid_g_per_kwh=pipeline["grid_g_per_kwh"])  # fmt: skip


def run_one(pipeline: dict, make_executor, report: Report, spec_dir: Path, out: Path, smoke: bool,
            verbosity: int, placement: dict | None = None, plan: dict | None = None) -> Report:  # fmt: skip
    """Run one pipeline into `report`, rewriting the files in `out` after a stage when a rewrite is due (see
    rundir.Pacer); progress on stderr at `verbosity` (-1 none); `placement` is where tasks run (RunOptions'
    executor, workers, address, module_path, cache); `plan` the pipeline's plan as JSON, whose estimates the
    report shows beside what was measured (none without it). Raises KeyboardInterrupt and RuntimeDiagnostic
    as the runner does."""
    if verbosity >= 0:
        print(f"running {pipeline['name']} on {pipeline['target']} ({devices_label(pipeline)}), seeds {report.seeds} "
              f"→ {out}", file=sys.stderr)  # fmt: skip
    progress = make_progress(verbosity)
    pacer = Pacer()

    def write() -> None:
        report.write(out)

    def message(text: str) -> None:
        progress.message(text)
        pacer.tick(write)

    def task(event: dict) -> None:
        progress.task(event)
        pacer.tick(write)

    options = RunOptions(spec_dir, smoke, message, lambda r: pacer.changed(write), on_task=task, plan=plan,
                         **(placement or {}))  # fmt: skip
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
    run_dir: RunDir | None = None,
) -> int:
    """Runs every pipeline, each into a folder of its own (`run_dir` when the caller claimed it already)."""
    ap = argparse.ArgumentParser(description="Run this qlang pipeline.")
    ap.add_argument("--out", help="report folder (default runs/<pipeline>/<n>/; DIR-2, DIR-3… when a run holds DIR)")
    ap.add_argument("--format", choices=("text", "json"), default="text", help="json: print the report to stdout")
    ap.add_argument("--smoke", action="store_true", help="tiny data and few iterations: prove it runs")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    ap.add_argument("-v", "--verbose", action="count", default=0, help="every message of the methods too")
    ap.add_argument("--executor", choices=EXECUTORS, help="where tasks run (default: the spec's)")
    ap.add_argument("--workers", type=int, help="worker processes or Ray CPUs (default: the spec's, else all cores)")
    ap.add_argument("--address", help="Ray: `auto` or HOST:PORT of a running cluster (default: start a local one)")
    ap.add_argument("--no-cache", action="store_true", help="run every task again, even those finished before")
    ap.add_argument("--plan", help="the estimates to report beside the measurements: JSON from `qlc plan --format "
                    "json` (`qlc run` passes the plan.json it writes beside the report)")  # fmt: skip
    args = ap.parse_args(argv)
    try:
        plans = read_plans(args.plan)
    except (OSError, ValueError) as e:
        print(f"error: --plan {args.plan}: {e}", file=sys.stderr)
        return 2  # a usage error, as argparse's
    verbosity = -1 if args.quiet else args.verbose
    placement = {
        "executor": args.executor,
        "workers": args.workers,
        "address": args.address,
        "module_path": getattr(getattr(make_executor, "__code__", None), "co_filename", None),
        "cache": not args.no_cache,
    }
    status = 0
    reports = []
    with _sigterm_interrupts():
        for p in pipelines:
            try:
                folder = run_dir if run_dir is not None and len(pipelines) == 1 else _claim(args.out, p, pipelines)
            except OutputError as e:
                print(str(e), file=sys.stderr)
                return 1
            report = new_report(p, spec)
            if not _run_and_write(p, make_executor, report, folder, Path(spec_dir), args.smoke, verbosity, placement,
                                  plans.get(p["name"])):  # fmt: skip
                return 1
            reports.append(report)
            if report.status != "ok":
                status = 1
            if args.format == "text":
                print((folder.path / "report.md").read_text(encoding="utf-8"))
    if args.format == "json":
        data = [r.to_json() for r in reports]
        print(json.dumps(data[0] if len(data) == 1 else data, indent=2))
    return status


def read_plans(path: str | None) -> dict[str, dict]:
    """Each pipeline's plan by its name, from a plan JSON file (one plan, or a list of them); {} without one."""
    if path is None:
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    plans = data if isinstance(data, list) else [data]
    if not all(isinstance(p, dict) and isinstance(p.get("pipeline"), str) and "stages" in p for p in plans):
        raise ValueError("not a plan (`qlc plan --format json` writes one)")
    return {p["pipeline"]: p for p in plans}


def _claim(out: str | None, p: dict, pipelines: list[dict]) -> RunDir:
    if not out:
        return claim_next(Path("runs"), p["name"])
    return claim(Path(out) if len(pipelines) == 1 else Path(out) / p["name"])


def _run_and_write(p: dict, make_executor, report: Report, folder: RunDir, spec_dir: Path, smoke: bool,
                   verbosity: int, placement: dict, plan: dict | None) -> bool:  # fmt: skip
    """One pipeline into its folder; False when it failed with a diagnostic (already printed)."""
    out = folder.path
    try:
        run_one(p, make_executor, report, spec_dir, out, smoke, verbosity, placement, plan)
    except KeyboardInterrupt as e:
        _mark_interrupted(report, str(e) or "interrupted by the user")
        # no report.html: its plots take seconds; `qlc report DIR --format html` draws them
        if _write_final(report, out, html=False):
            print(f"{report.status}: finished stages are in {out / 'report.md'}", file=sys.stderr)
        # CPython re-raises SIGINT at shutdown after an interrupt crossed C code: the report is written
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(143 if isinstance(e, Terminated) else 130)
    except OutputError as e:
        print(str(e), file=sys.stderr)
        report.finish("failed")
        _write_final(report, out, announce=False)
        return False
    except RuntimeDiagnostic as e:
        report.finish("failed")
        _write_final(report, out)
        print(str(e), file=sys.stderr)
        return False
    ok = _write_final(report, out)
    folder.release()
    return ok


def _mark_interrupted(report: Report, why: str) -> None:
    """An interrupt can land anywhere (loading data, between stages): nothing is left saying `running`."""
    for s in report.stages:
        if s.status == "running":
            s.finish("interrupted", why)
    if report.status == "running":
        report.finish("interrupted")


def _write_final(report: Report, out: Path, announce: bool = True, html: bool = True) -> bool:
    """The report as the run ended. When it cannot be written, an older report.json/report.md from this
    run would say `running` for ever: they are removed, and the diagnostic says why."""
    try:
        report.write(out, html=html)
        return True
    except OutputError as e:
        if announce:
            print(str(e), file=sys.stderr)
        for name in ("report.json", "report.md", "report.html"):
            with contextlib.suppress(OSError):
                (out / name).unlink()
        return False
