"""How good is `qlc plan`? Runs the example specs and prints, per stage, measured / estimated energy.

    python benchmarks/plan_accuracy.py [--calibrate] [--smoke] [--target qiskit|pennylane|both] [--runs N] [--json]
                                       [SPEC...]

The estimate is the plan's (cost models × this machine's calibration; `--calibrate` runs
`qlc calibrate --processes 3` first), for the stage's method and baselines over every seed; the measurement is the
run's meter over the same stage. Target: within a factor of 2 on every stage after calibration;
`worst_ratio` is the largest miss either way (max of measured/estimated and its inverse). `cpu_share` is
each stage's CPU time over its wall time: the model meter charges wall time too, so a stage that waited on a
loaded machine reads more than its work; compare figures taken at a similar share.
Stages whose methods do not run in this version are listed as not estimated.

`--runs N` runs every spec N times, each in a fresh process, in rounds (every spec once, then again), and compares
each stage's median measurement with its estimate. On a shared machine one process can run 1.5× slower than the next
for its whole life, whatever it runs; one run per spec measures that as much as the model. `run_spread` is the widest
max/min of one stage's measurements over the runs."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_FACTOR = 2.0


def run_spec(spec: Path, target: str | None, smoke: bool) -> dict | str:
    """The run's report, or why there is none (the first line of what it printed)."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "qlang.cli", "run", str(spec), "--out", out, "--format", "json", "--no-cache"]
        cmd += (["--target", target] if target else []) + (["--smoke"] if smoke else [])
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=ROOT)
        report = json.loads((Path(out) / "report.json").read_text(encoding="utf-8")) if done.stdout else None
    if report is None:
        return next((line for line in done.stderr.splitlines() if "error" in line), done.stderr.strip()[:200])
    return report


def rows_of(report: dict) -> list[dict]:
    rows = []
    for s in report["stages"]:
        e = s["energy"]
        estimated = None if e.get("estimated_j") is None else e["estimated_j"] + (e.get("estimated_baseline_j") or 0)
        measured, ratio = e.get("measured_j"), e.get("measured_over_estimated")
        rows.append({"pipeline": report["pipeline"], "stage": s["name"], "target": report["target"],
                     "status": s["status"],
                     "estimated_j": estimated, "measured_j": measured, "measured_over_estimated": ratio,
                     "within_target": None if ratio is None else 1 / TARGET_FACTOR <= ratio <= TARGET_FACTOR,
                     "calibrated": e.get("calibrated"), "provenance": e.get("provenance"),
                     # the CPU-time model charges wall time too (RAM watts): on a loaded machine a stage waits, its
                     # wall time grows and so does its reading; near 1 on a quiet machine, lower when it waited
                     "cpu_share": e["cpu_s"] / e["wall_s"] if e.get("cpu_s") and e.get("wall_s") else None})
    return rows


def median_rows(runs: list[list[dict]]) -> list[dict]:
    """One row per stage and target over several runs of the same specs: the median measurement over the runs that
    measured it, compared with the estimate (the same in every run: the plan's, under one calibration)."""
    by_stage: dict[tuple, list[dict]] = {}
    for rows in runs:
        for r in rows:
            by_stage.setdefault((r["pipeline"], r["stage"], r["target"]), []).append(r)
    merged = []
    for seen in by_stage.values():
        measured = [r["measured_j"] for r in seen if r["measured_j"] is not None]
        row = dict(seen[0], runs=len(seen), measured_runs_j=measured)
        row["measured_j"] = statistics.median(measured) if measured else None
        row["spread"] = max(measured) / min(measured) if measured and min(measured) > 0 else None
        estimated = row["estimated_j"]
        row["measured_over_estimated"] = (row["measured_j"] / estimated
                                          if row["measured_j"] is not None and estimated else None)
        ratio = row["measured_over_estimated"]
        row["within_target"] = None if ratio is None else 1 / TARGET_FACTOR <= ratio <= TARGET_FACTOR
        shares = [r["cpu_share"] for r in seen if r["cpu_share"] is not None]
        row["cpu_share"] = statistics.median(shares) if shares else None
        merged.append(row)
    return merged


def worst_ratio(rows: list[dict]) -> float | None:
    """The largest miss either way, as a factor >= 1: max over stages of max(m/e, e/m)."""
    ratios = [r["measured_over_estimated"] for r in rows if r["measured_over_estimated"]]
    return max((max(x, 1 / x) for x in ratios), default=None)


def machine_drift() -> dict:
    """How far this machine's speed moved while the specs ran: the calibration's statevector and FLOP kernels
    measured again now, over their stored figures (1.0: as at calibration). Every estimate scales with the
    calibration, so on a shared machine a drift of 1.3 moves every stage's measured/estimated by about that."""
    from qlang.energy.compute_costs import calibrate, load_calibration
    from qlang.runtime.threads import limited

    with limited():  # as `qlc calibrate` measured them
        stored, now = load_calibration(), calibrate(save=False)
    return {"amplitude_op": now.joules_per_amplitude_op / stored.joules_per_amplitude_op,
            "flop": now.joules_per_flop / stored.joules_per_flop}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("specs", nargs="*", type=Path)
    ap.add_argument("--calibrate", action="store_true", help="run `qlc calibrate --processes 3` first")
    ap.add_argument("--smoke", action="store_true", help="smoke-sized runs (estimates use the same caps)")
    ap.add_argument("--target", choices=("qiskit", "pennylane", "both"), help="default: each spec's own")
    ap.add_argument("--runs", type=int, default=1, help="run every spec N times, in fresh processes; compare medians")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error(f"--runs must be at least 1, got {args.runs}")
    if args.calibrate:
        subprocess.run([sys.executable, "-m", "qlang.cli", "calibrate", "--processes", "3"], check=True, cwd=ROOT)
    specs = args.specs or sorted((ROOT / "specs").glob("*.qlc"))
    runs: list[list[dict]] = []
    failed: list[dict] = []
    targets = ["pennylane", "qiskit"] if args.target == "both" else [args.target]
    for run in range(args.runs):
        rows: list[dict] = []
        for spec in specs:
            for target in targets:
                label = f"run {run + 1}/{args.runs}: " if args.runs > 1 else ""
                print(f"{label}running {spec.name}{' on ' + target if target else ''} …", file=sys.stderr)
                report = run_spec(spec, target, args.smoke)
                if isinstance(report, str):
                    print(f"  not run: {report}", file=sys.stderr)
                    failed.append({"spec": spec.name, "target": target, "run": run + 1, "error": report})
                    continue
                rows += rows_of(report)
        runs.append(rows)
    rows = median_rows(runs) if args.runs > 1 else runs[0]
    estimated = [r for r in rows if r["measured_over_estimated"] is not None]
    summary = {"stages_estimated": len(estimated), "within_factor_2": sum(r["within_target"] for r in estimated),
               "target_factor": TARGET_FACTOR, "worst_ratio": worst_ratio(estimated), "rows": rows,
               "not_run": failed, "machine_drift": machine_drift(), "runs": args.runs}
    if args.runs > 1:
        per_run = [[r for r in run if r["measured_over_estimated"] is not None] for run in runs]
        summary["worst_ratio_per_run"] = [worst_ratio(run) for run in per_run]
        summary["within_factor_2_per_run"] = [sum(r["within_target"] for r in run) for run in per_run]
        summary["run_spread"] = max((r["spread"] for r in estimated if r["spread"]), default=None)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"{'pipeline.stage':<34} {'target':<10} {'status':<12} {'estimated':>12} {'measured':>12} {'meas/est':>9}  "
          f"within 2×  cpu/wall")
    for r in rows:
        est = "—" if r["estimated_j"] is None else f"{r['estimated_j']:.3g} J"
        meas = "—" if r["measured_j"] is None else f"{r['measured_j']:.3g} J"
        ratio = "—" if r["measured_over_estimated"] is None else f"{r['measured_over_estimated']:.2f}"
        ok = "—" if r["within_target"] is None else ("yes" if r["within_target"] else "NO")
        share = "—" if r["cpu_share"] is None else f"{r['cpu_share']:.2f}"
        print(f"{r['pipeline'] + '.' + r['stage']:<34} {r['target']:<10} {r['status']:<12} {est:>12} {meas:>12} {ratio:>9}  "
              f"{ok:<9}  {share}")
    for f in failed:
        print(f"{f['spec']} on {f['target']}: not run: {f['error']}")
    calibrated = all(r["calibrated"] for r in estimated) if estimated else False
    worst = "—" if summary["worst_ratio"] is None else f"{summary['worst_ratio']:.2f}×"
    print(f"\n{summary['within_factor_2']}/{len(estimated)} estimated stages within a factor of 2, worst {worst} "
          f"({'calibrated' if calibrated else 'UNCALIBRATED: run with --calibrate'}; energy "
          f"{rows[0]['provenance'] if rows else '?'}).")
    if args.runs > 1:
        print(f"medians of {args.runs} runs; each run alone: within 2× {summary['within_factor_2_per_run']}, worst "
              f"{', '.join(f'{w:.2f}×' for w in summary['worst_ratio_per_run'] if w)}; widest spread of one stage "
              f"over the runs {summary['run_spread'] or 0:.2f}×")
    drift = summary["machine_drift"]
    print(f"machine drift since calibration: {drift['amplitude_op']:.2f}× per amplitude op, {drift['flop']:.2f}× per FLOP")
    return 0


if __name__ == "__main__":
    sys.exit(main())
