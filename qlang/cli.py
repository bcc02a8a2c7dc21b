"""`qlc`: check, format, list methods, compile, plan and run qlang specs.

Exit codes: 0 clean, 1 the input has errors, 2 usage or internal error."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from qlang import __version__

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2
VERBOSITY = [0]  # -v adds one, -q takes one away: notes print at level 0, details at 1


def note(message: str, level: int = 0) -> None:
    """A line for the user on stderr (what was written, progress), unless -q; level 1 only with -v."""
    if VERBOSITY[0] >= level:
        print(message, file=sys.stderr)


class UsageError(Exception):
    pass


def _color(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def spec_files(paths: list[str]) -> list[Path]:
    """Files named, and every *.qlc under folders named, in a stable order."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out += sorted(p.rglob("*.qlc"))
        elif p.exists():
            out.append(p)
        else:
            raise UsageError(f"no such file or folder: {raw}")
    if not out:
        raise UsageError(f"no .qlc files in {' '.join(paths)}")
    return out


def read_source(path: Path):
    """The text of a spec, or a Q005 diagnostic when it cannot be read as UTF-8."""
    from qlang.diagnostics import Diagnostic

    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError as e:
        return None, Diagnostic(
            "Q005", f"{path} is not UTF-8 text (byte {e.start})", None, help="save the spec as UTF-8"
        )
    except OSError as e:
        return None, Diagnostic("Q005", f"cannot read {path}: {e.strerror}", None)


def print_diagnostics(results, fmt: str) -> None:
    from qlang.diagnostics import more_line, render, shown, to_json

    if fmt == "json":
        out = [to_json(d, r.source) for r in results for d in r.diagnostics]
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    color = _color(sys.stderr)
    every = [(d, r.source) for r in results for d in r.diagnostics]
    first, hidden = shown(every)
    for d, source in first:
        print(render(d, source, color) + "\n", file=sys.stderr)
    if hidden:
        print(more_line(hidden) + "\n", file=sys.stderr)


STDIN = "-"  # `qlc check -` and `qlc fmt -` read the spec from standard input


def _stdin_text() -> str:
    return sys.stdin.buffer.read().decode("utf-8", errors="replace")


def check_files(paths: list[str], target: str | None = None):
    from qlang.checks import Result, check_text
    from qlang.diagnostics import Source

    if paths == [STDIN]:
        return [check_text(_stdin_text(), "<stdin>", target)]
    results = []
    for path in spec_files(paths):
        text, problem = read_source(path)
        if problem is not None:
            results.append(Result(Source("", str(path)), diagnostics=[problem]))
            continue
        results.append(check_text(text, str(path), target))
    return results


def _summary(results) -> str:
    errors = sum(len(r.errors) for r in results)
    warnings = sum(len(r.diagnostics) - len(r.errors) for r in results)
    files = len(results)
    if errors:
        return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} in {files} file{'s' * (files != 1)}"
    return f"{files} file{'s' * (files != 1)} ok" + (f", {warnings} warning{'s' * (warnings != 1)}" if warnings else "")


def cmd_check(args) -> int:
    results = check_files(args.paths)
    print_diagnostics(results, args.format)
    if args.format == "text":
        note(_summary(results))
    return EXIT_INPUT if any(r.errors for r in results) else EXIT_OK


def _fmt_stdin(check: bool) -> int:
    """`qlc fmt -`: the formatted spec on stdout (with --check, only the exit status says whether it would change)."""
    from qlang.syntax.printer import format_text

    text = _stdin_text()
    result, formatted = format_text(text, "<stdin>")
    if formatted is None:
        print_diagnostics([result], "text")
        return EXIT_INPUT
    if check:
        if formatted != text:
            note("would reformat <stdin>")
            return EXIT_INPUT
        return EXIT_OK
    sys.stdout.write(formatted)
    return EXIT_OK


def cmd_fmt(args) -> int:
    from qlang.runtime.rundir import OutputError, writing
    from qlang.syntax.printer import format_text

    if args.paths == [STDIN]:
        return _fmt_stdin(args.check)
    status = EXIT_OK
    changed = []
    bad = []
    files = spec_files(args.paths)
    for path in files:
        text, problem = read_source(path)
        result = None
        if problem is None:
            result, formatted = format_text(text, str(path))
        if problem is not None or formatted is None:
            bad.append(result if result is not None else _problem_result(path, problem))
            continue
        if formatted != text:
            changed.append(path)
            if not args.check:
                try:
                    with writing(path):
                        path.write_text(formatted, encoding="utf-8")
                except OutputError as e:
                    print(str(e), file=sys.stderr)
                    status = EXIT_INPUT
    if bad:
        print_diagnostics(bad, "text")
        status = EXIT_INPUT
    for p in changed:
        note(f"{'would reformat' if args.check else 'reformatted'} {p}")
    if args.check and changed:
        status = EXIT_INPUT
    elif args.check and not bad:
        print(f"{len(files)} file{'s' * (len(files) != 1)} already formatted", file=sys.stderr)
    return status


def _problem_result(path, problem):
    from qlang.checks import Result
    from qlang.diagnostics import Source

    return Result(Source("", str(path)), diagnostics=[problem])


def _methods_json(args) -> int:
    from qlang import catalog
    from qlang.catalog.export import entry_json

    if args.name:
        entry = catalog.lookup(args.name)
        if entry is None:
            raise UsageError(f"no method, data source or model named `{args.name}`")
        print(json.dumps(entry_json(entry), indent=2, ensure_ascii=False))
        return EXIT_OK
    entries = [e for e in catalog.METHODS.values() if not args.kind or e.stage == args.kind]
    if not args.kind:
        entries += [*catalog.DATA.values(), *catalog.MODELS.values()]
    print(json.dumps([entry_json(e) for e in entries], indent=2, ensure_ascii=False))
    return EXIT_OK


def cmd_methods(args) -> int:
    from qlang.catalog.docs import describe, listing

    if args.format == "json":
        from qlang.catalog.schema import STAGE_KINDS

        if args.kind and args.kind not in STAGE_KINDS:
            raise UsageError(f"no stage kind `{args.kind}`; stage kinds: {', '.join(STAGE_KINDS)}")
        return _methods_json(args)
    if args.name:
        text = describe(args.name)
        if text is None:
            from qlang import catalog
            from qlang.diagnostics import did_you_mean

            names = [*catalog.METHODS, *catalog.DATA, *catalog.MODELS]
            hint = did_you_mean(args.name, names)
            raise UsageError(f"no method, data source or model named `{args.name}`" + (f"; {hint}" if hint else ""))
        print(text)
    else:
        from qlang.catalog.schema import STAGE_KINDS

        if args.kind and args.kind not in STAGE_KINDS:
            raise UsageError(f"no stage kind `{args.kind}`; stage kinds: {', '.join(STAGE_KINDS)}")
        print(listing(args.kind))
    return EXIT_OK


def _spec_text(path: str) -> tuple[Path, str | None]:
    """One spec file and its text; None (after printing the diagnostic) when it cannot be read."""
    spec = Path(path)
    if not spec.is_file():
        raise UsageError(f"no such spec file: {path}")
    text, problem = read_source(spec)
    if problem is not None:
        print_diagnostics([_problem_result(spec, problem)], "text")
    return spec, text


def cmd_lsp(args) -> int:
    try:
        from qlang.lsp.server import main as serve
    except ImportError as e:
        raise UsageError(f"`qlc lsp` needs pygls: pip install 'qlang[lsp]' ({e})") from None
    return serve()


def cmd_compile(args) -> int:
    if args.check or args.all:
        if args.spec:
            raise UsageError("--check and --all work on every spec in specs/; name no spec")
        return _compile_examples(write=args.all)
    if not args.spec:
        raise UsageError("name a spec, or use --check / --all")
    from qlang.build import check_for_compile, default_output, module_source
    from qlang.runtime.rundir import OutputError, write_atomic, writing

    spec, text = _spec_text(args.spec)
    if text is None:
        return EXIT_INPUT
    if args.emit == "qasm":
        return _emit_qasm(text, spec, args.target)
    result = check_for_compile(text, spec, args.target)
    print_diagnostics([result], "text")
    if not result.ok:
        return EXIT_INPUT
    out = Path(args.output) if args.output else default_output(spec, result.checked.pipelines[0].target)
    try:
        with writing(out.parent):
            out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, module_source(result, text, spec, out.parent))
    except OutputError as e:
        print(str(e), file=sys.stderr)
        return EXIT_INPUT
    note(f"wrote {out}")
    return EXIT_OK


def _compile_examples(write: bool) -> int:
    """`--check`: generated/ must equal what specs/ compile to, for both targets; `--all`: make it so."""
    from qlang.build import expected_generated, stale_generated

    expected, failing = expected_generated()
    print_diagnostics(failing, "text")
    if failing:
        return EXIT_INPUT
    stale = stale_generated(expected)
    if write:
        for path in stale:
            if path in expected:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(expected[path], encoding="utf-8")
            else:
                path.unlink()
        note(f"generated/ is up to date ({len(stale)} file(s) written or removed)")
        return EXIT_OK
    for path in stale:
        print(f"stale: {path}" + ("" if path in expected else " (no spec)"), file=sys.stderr)
    if stale:
        print("run `qlc compile --all` to regenerate", file=sys.stderr)
        return EXIT_INPUT
    print(f"generated/ matches specs/ ({len(expected)} modules, both targets)", file=sys.stderr)
    return EXIT_OK


def _emit_qasm(text: str, spec: Path, target: str | None) -> int:
    from qlang.checks import check_text
    from qlang.circuits.qasm import to_qasm3
    from qlang.codegen.model import circuits_of

    result = check_text(text, str(spec), target)
    print_diagnostics([result], "text")
    if not result.ok:
        return EXIT_INPUT
    for p in result.checked.pipelines:
        for s in p.stages:
            for role, circuit in circuits_of(s).items():
                print(f"// {p.name}.{s.name}.{role}")
                print(to_qasm3(circuit))
    return EXIT_OK


def cmd_run(args) -> int:
    import os
    import runpy

    from qlang.build import check_for_compile, module_source
    from qlang.runtime.main import main as run_main
    from qlang.runtime.rundir import OutputError, claim, claim_next, write_atomic

    if args.resume:
        return _resume(args)
    if args.spec is None:
        raise UsageError("qlc run needs a SPEC (or --resume RUN_DIR)")
    spec, text = _spec_text(args.spec)
    if text is None:
        return EXIT_INPUT
    result = check_for_compile(text, spec, args.target, smoke=args.smoke)
    print_diagnostics([result], "text")
    if not result.ok:
        return EXIT_INPUT
    first = result.checked.pipelines[0]
    folder = None
    try:  # a folder of this run's own, even when other runs start into the same --out at the same time
        folder = claim(Path(args.out)) if args.out else claim_next(Path("runs"), first.name)
        out = folder.path
        module_path = out / f"pipeline.{first.target}.py"  # the module that ran stays beside its report
        write_atomic(module_path, module_source(result, text, spec, out))
    except OutputError as e:
        print(str(e), file=sys.stderr)
        if folder is not None:
            folder.abandon()
        return EXIT_INPUT
    try:
        ns = runpy.run_path(str(module_path), run_name="qlang_generated")
    except ImportError as e:
        raise UsageError(
            f'the {first.target} target needs its SDK: {e}; install it with pip install "qlang[all]"'
        ) from e
    argv = ["--format", args.format, *_run_flags(args), *_verbosity_flags(), "--plan", str(out / PLAN_FILE)]
    spec_dir = Path(os.path.relpath(spec.parent.resolve()))
    saved = {"module": module_path.name, "spec_dir": os.path.abspath(spec_dir), "argv": _run_flags(args)}
    try:
        write_atomic(out / PLAN_FILE, json.dumps(_run_plans(ns["PIPELINES"], spec_dir, args.smoke)))
        write_atomic(out / "run.json", json.dumps(saved))
    except OutputError as e:
        print(str(e), file=sys.stderr)
        folder.abandon()
        return EXIT_INPUT
    status = run_main(ns["PIPELINES"], ns["make_executor"], ns["SPEC"], spec_dir, ["--out", str(out), *argv],
                      run_dir=folder)  # fmt: skip
    _log(args, out)
    return status


PLAN_FILE = "plan.json"  # beside the report: the estimates the run reports, made before it starts


def _run_plans(pipelines: list[dict], spec_dir: Path, smoke: bool) -> list[dict]:
    """Each pipeline's plan (JSON) as the run will run it, smoke-sized with `--smoke`: the runtime reports these
    estimates, so that it needs no planner of its own."""
    from qlang.plan.estimate import run_plan
    from qlang.smoke import smoke_sized

    return [run_plan(smoke_sized(p) if smoke else p, spec_dir) for p in pipelines]


def _verbosity_flags() -> list[str]:
    return ["--quiet"] if VERBOSITY[0] < 0 else ["--verbose"] * VERBOSITY[0]


def _log(args, out: Path) -> None:
    """--log mlflow|csv: the finished run recorded there too."""
    if not args.log or not (out / "report.json").exists():
        return
    from qlang.reporting.runs import load_run
    from qlang.tracking import log_run

    for kind in dict.fromkeys(args.log):
        try:
            note(log_run(kind, load_run(out), out))
        except ImportError as e:
            raise UsageError(str(e)) from None


def _run_flags(args) -> list[str]:
    """The options of `qlc run` that a resumed run repeats."""
    flags = ["--smoke"] if args.smoke else []
    for name in ("executor", "workers", "address"):
        if getattr(args, name) is not None:
            flags += [f"--{name}", str(getattr(args, name))]
    return flags + (["--no-cache"] if args.no_cache else [])


def _resume(args) -> int:
    """`qlc run --resume RUN_DIR`: the module that ran, with the options it ran with, into the same folder;
    finished tasks come from the cache, so only the unfinished ones run."""
    import runpy

    from qlang.runtime.main import main as run_main
    from qlang.runtime.rundir import OutputError, reclaim

    out = Path(args.resume)
    try:
        saved = json.loads((out / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise UsageError(f"{out} is not a run folder `qlc run` made (no readable run.json: {e})") from None
    try:
        folder = reclaim(out)
    except OutputError as e:
        print(str(e), file=sys.stderr)
        return EXIT_INPUT
    ns = runpy.run_path(str(out / saved["module"]), run_name="qlang_generated")
    flags = [f for f in saved["argv"] if f != "--no-cache"]  # resuming reads what finished
    for name in ("executor", "workers", "address"):
        if getattr(args, name) is not None:
            flags += [f"--{name}", str(getattr(args, name))]
    argv = ["--out", str(out), "--format", args.format, *flags, *_verbosity_flags()]
    if (out / PLAN_FILE).is_file():  # a run made before plans were handed in has none: no estimates then
        argv += ["--plan", str(out / PLAN_FILE)]
    status = run_main(ns["PIPELINES"], ns["make_executor"], ns["SPEC"], Path(saved["spec_dir"]), argv, run_dir=folder)
    _log(args, out)
    return status


def cmd_plan(args) -> int:
    from qlang.checks import check_text
    from qlang.plan.estimate import estimate, qiskit_durations, what_if
    from qlang.plan.prices import load_prices
    from qlang.plan.render import table

    try:
        overrides = what_if(args.what_if or "")
    except ValueError as e:
        raise UsageError(f"--what-if: {e}") from None
    spec, text = _spec_text(args.spec)
    if text is None:
        return EXIT_INPUT
    result = check_text(text, str(spec), args.target)
    print_diagnostics([result], "text")
    if not result.ok:
        return EXIT_INPUT
    durations = None
    if not args.no_qpu:
        try:
            import qiskit  # noqa: F401  (only for circuit durations)

            durations = qiskit_durations(args.backend)
        except ImportError:
            print(
                'note: the QPU model needs Qiskit (pip install "qlang[qiskit]"); its column stays empty',
                file=sys.stderr,
            )
    prices = load_prices()
    plans = [estimate(p, prices, spec.parent, durations, overrides) for p in result.checked.pipelines]
    if args.format == "json":
        data = [p.to_json() for p in plans]
        print(json.dumps(data[0] if len(data) == 1 else data, indent=2))
    else:
        print("\n\n".join(table(p) for p in plans))
    return EXIT_OK


def cmd_calibrate(args) -> int:
    from qlang.plan.overheads import calibrate_in_processes, run_calibration

    progress, as_json = (lambda m: note(f"  · {m}")), args.format == "json"
    if args.processes < 1:
        raise UsageError(f"--processes must be at least 1, got {args.processes}")
    if args.processes > 1:
        print(calibrate_in_processes(args.processes, quick=args.quick, progress=progress, as_json=as_json))
    else:
        print(run_calibration(quick=args.quick, progress=progress, as_json=as_json))
    return EXIT_OK


def _run_folder(raw: str) -> tuple[Path, dict]:
    from qlang.reporting.runs import RunError, load_run

    try:
        return Path(raw), load_run(Path(raw))
    except RunError as e:
        raise UsageError(str(e)) from None


def cmd_report(args) -> int:
    from qlang import reporting

    folder, report = _run_folder(args.run)
    folder = folder if folder.is_dir() else folder.parent
    out = folder / reporting.FILES[args.format]
    text = reporting.render(report, args.format)
    if args.format != "json":  # report.json is the source: never rewritten
        part = folder / f".{out.name}.part"
        part.write_text(text, encoding="utf-8")
        part.replace(out)
    note(f"wrote {out}" if args.format != "json" else f"{out} is the source; unchanged")
    if args.open:
        import webbrowser

        webbrowser.open(out.resolve().as_uri())
    return EXIT_OK


def cmd_runs(args) -> int:
    from qlang.reporting.runs import format_runs, runs_table

    root = Path(args.dir)
    if not root.is_dir():
        raise UsageError(f"no such folder: {args.dir}")
    rows, problems = runs_table(root)
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps([r.__dict__ for r in rows], indent=2))
    elif rows:
        print(format_runs(rows))
    else:
        note(f"no runs under {root} (a run folder holds report.json)")
    return EXIT_OK


def cmd_diff(args) -> int:
    from qlang.reporting.runs import diff

    (a_dir, a), (b_dir, b) = _run_folder(args.run_a), _run_folder(args.run_b)
    print(diff(a, b, str(a_dir), str(b_dir)))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from qlang.catalog.settings import EXECUTORS, TARGETS

    ap = argparse.ArgumentParser(prog="qlc", description="The qlang compiler.")
    ap.add_argument("--version", action="version", version=f"qlc {__version__}")
    ap.add_argument("-q", "--quiet", action="count", default=0, dest="top_quiet", help="fewer notes on stderr")
    ap.add_argument("-v", "--verbose", action="count", default=0, dest="top_verbose", help="more detail on stderr")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="count", default=0, help="fewer notes on stderr (errors still show)")
    common.add_argument("-v", "--verbose", action="count", default=0, help="more detail on stderr")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("check", parents=[common], help="check specs and report every problem")
    p.add_argument("paths", nargs="+", metavar="PATH", help="spec files or folders, or - for standard input")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("fmt", parents=[common], help="format specs in place (or --check)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--check", action="store_true", help="only report files that would change")
    p.set_defaults(func=cmd_fmt)

    p = sub.add_parser("methods", parents=[common], help="list the catalog, or document one entry")
    p.add_argument("name", nargs="?")
    p.add_argument("--kind", help="only this stage kind")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_methods)

    p = sub.add_parser("compile", parents=[common], help="compile a spec into a runnable Python pipeline")
    p.add_argument("spec", nargs="?", metavar="SPEC")
    p.add_argument("--target", choices=TARGETS, help="overrides the spec's target")
    p.add_argument("-o", "--output", metavar="PATH", help="default generated/<spec>.<target>.py")
    p.add_argument("--emit", choices=("python", "qasm"), default="python", help="qasm: print every circuit")
    p.add_argument("--check", action="store_true", help="fail when generated/ differs from specs/")
    p.add_argument("--all", action="store_true", help="regenerate generated/ from every spec in specs/")
    p.set_defaults(func=cmd_compile)

    p = sub.add_parser(
        "run", parents=[common], help="compile and run a spec; writes report.json, report.md and report.html"
    )
    p.add_argument("spec", metavar="SPEC", nargs="?")
    p.add_argument("--target", choices=TARGETS, help="overrides the spec's target")
    p.add_argument("--out", metavar="DIR", help="default runs/<pipeline>/<n>/")
    p.add_argument("--format", choices=("text", "json"), default="text", help="json: the report on stdout")
    p.add_argument("--smoke", action="store_true", help="tiny data and few iterations: prove it runs")
    p.add_argument("--log", action="append", choices=("mlflow", "csv"),
                   help="also record the run: mlflow (a local ./mlruns unless $MLFLOW_TRACKING_URI), csv")  # fmt: skip
    p.add_argument("--executor", choices=EXECUTORS, help="where tasks run (default: the spec's)")
    p.add_argument("--workers", type=int, metavar="N", help="worker processes or Ray CPUs (default: all cores)")
    p.add_argument("--address", metavar="auto|HOST:PORT", help="a running Ray cluster (default: start a local one)")
    p.add_argument("--no-cache", action="store_true", help="run every task again, even those finished before")
    p.add_argument("--resume", metavar="RUN_DIR", help="finish an interrupted run: only unfinished tasks run")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("report", parents=[common], help="render a finished run's report again from its report.json")
    p.add_argument("run", metavar="RUN_DIR", help="a run folder (runs/<pipeline>/<n>/)")
    p.add_argument("--format", choices=("html", "md", "json"), default="html")
    p.add_argument("--open", action="store_true", help="open the file in the default browser or viewer")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "runs", parents=[common], help="list the runs under a folder: spec, when, status, duration, energy, verdicts"
    )
    p.add_argument("dir", nargs="?", default="runs", metavar="DIR", help="default runs/")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser(
        "diff", parents=[common], help="what changed between two runs: spec, parameters, metrics and their significance"
    )
    p.add_argument("run_a", metavar="RUN_A")
    p.add_argument("run_b", metavar="RUN_B")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("plan", parents=[common], help="estimate each stage's work and energy before running")
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("--target", choices=TARGETS, help="overrides the spec's target")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--no-qpu", action="store_true", help="skip the QPU model (it imports Qiskit for durations)")
    p.add_argument("--backend", choices=("heron", "eagle"), default="heron", help="device model for durations")
    p.add_argument(
        "--what-if",
        metavar="CHANGES",
        help="re-price on other QPU hardware, e.g. qpu.power=5kW,qpu.t_rep=20us (also qpu.t_job=1s)",
    )
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("lsp", parents=[common], help="serve the language server protocol over stdio (needs qlang[lsp])")
    p.set_defaults(func=cmd_lsp)

    p = sub.add_parser(
        "calibrate", parents=[common], help="measure this machine's joules per unit of work for `qlc plan`"
    )
    p.add_argument("--quick", action="store_true", help="shorter measurements")
    p.add_argument("--processes", type=int, default=1, metavar="N",
                   help="calibrate N times, each in a fresh process, and keep every price's median (a shared "
                        "machine can run one process at half the speed of the next)")  # fmt: skip
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_calibrate)
    return ap


def _interrupted() -> int:
    """Exit with status 130 now. CPython remembers a KeyboardInterrupt that crossed C code (torch, the
    SDKs) and would re-raise SIGINT as it shuts down; the report is written, so skip the shutdown."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    VERBOSITY[0] = args.verbose + args.top_verbose - args.quiet - args.top_quiet
    try:
        status = args.func(args)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return _interrupted()
    except BrokenPipeError:
        return EXIT_OK
    except Exception:  # noqa: BLE001 (a bug in qlang, not in the user's input)
        import traceback

        traceback.print_exc()
        print(f"internal error in qlc {__version__}: this is a bug in qlang, please report it", file=sys.stderr)
        return EXIT_USAGE
    return _interrupted() if status == 130 else status


if __name__ == "__main__":
    sys.exit(main())
