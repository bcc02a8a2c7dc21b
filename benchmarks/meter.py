"""Does the meter repeat? One stage run several times, each in a fresh `qlc run`, on a quiet machine and
then beside a competing CPU load; prints the spread of the stage's energy.

    python benchmarks/meter.py [--spec specs/quickstart.qlc] [--stage clusters] [--runs 5]
                               [--load N] [--target pennylane|qiskit] [--smoke] [--json]

The stage is cut out of its spec (the other stages dropped; it must read a data source, not a stage)
and run `--runs` times; then again while `--load` processes (default: one per CPU) spin. For each
condition: every run's energy, wall and CPU seconds, and `energy_cv`, the coefficient of variation
(sample std / mean) of the energy. Goal: `energy_cv` <= 0.10 on a quiet machine. "Quiet" here only
means no load of ours: on a shared machine the load average is printed beside the figures, and a
loaded machine is not quiet.

`machine_cv` is the same spread for a fixed piece of arithmetic (a matrix product and a Python loop, no
qlang) timed in a fresh process after each quiet run: how far this machine's speed moves from one process to the
next. No meter can repeat better than the CPU time it reads, so an `energy_cv` near `machine_cv` is the
machine's, not the meter's."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_CV = 0.10


def one_stage_spec(spec: Path, stage: str) -> str:
    """The spec's text with every stage but `stage` dropped."""
    from qlang.syntax import ast
    from qlang.syntax.parser import parse
    from qlang.syntax.printer import print_spec

    text = spec.read_text(encoding="utf-8")
    tree, diags = parse(text)
    if tree is None:
        raise SystemExit(f"{spec} does not parse: {diags[0].message}")
    pipeline = tree.pipelines[0]
    stages = [s for s in pipeline.statements if isinstance(s, ast.Stage)]
    chosen = next((s for s in stages if s.name == stage), None)
    if chosen is None:
        raise SystemExit(f"{spec.name} has no stage `{stage}`; its stages: {', '.join(s.name for s in stages)}")
    if chosen.source in {s.name for s in stages}:
        raise SystemExit(f"`{stage}` reads the stage `{chosen.source}`: pick a stage that reads a data source")
    pipeline.statements = [s for s in pipeline.statements if not isinstance(s, ast.Stage) or s is chosen]
    tree.pipelines = [pipeline]
    tree.comments = []  # the dropped stages' comments would land elsewhere
    return print_spec(tree)


def run_once(spec_text: str, spec_dir: Path, stage: str, target: str | None, smoke: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "one_stage.qlc"
        path.write_text(spec_text, encoding="utf-8")
        out = Path(tmp) / "run"
        cmd = [sys.executable, "-m", "qlang.cli", "run", str(path), "--out", str(out), "--format", "json", "--no-cache"]
        cmd += (["--target", target] if target else []) + (["--smoke"] if smoke else [])
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=spec_dir)
        report_path = out / "report.json"
        if not report_path.exists():
            raise SystemExit(f"the run failed:\n{done.stderr[-2000:]}")
        report = json.loads(report_path.read_text(encoding="utf-8"))
    energy = next(s for s in report["stages"] if s["name"] == stage)["energy"]
    return {
        "energy_j": energy["measured_j"],
        "wall_s": energy.get("wall_s"),
        "cpu_s": energy.get("cpu_s"),
        "provider": energy.get("provider"),
        "provenance": energy.get("provenance"),
    }


def spread(runs: list[dict]) -> dict:
    energies = [r["energy_j"] for r in runs]
    mean = statistics.fmean(energies)
    std = statistics.stdev(energies) if len(energies) > 1 else 0.0

    def mean_of(key):
        values = [r[key] for r in runs if r.get(key) is not None]
        return statistics.fmean(values) if values else None

    return {
        "energy_j": energies,
        "wall_s": [r["wall_s"] for r in runs],
        "cpu_s": [r["cpu_s"] for r in runs],
        "energy_mean_j": mean,
        "energy_std_j": std,
        "energy_cv": std / mean if mean else None,
        "cpu_over_wall": (mean_of("cpu_s") / mean_of("wall_s")) if mean_of("wall_s") else None,
        "load_average_1m": os.getloadavg()[0],
    }


REFERENCE_WORK = """
import time
import numpy as np

a = np.random.default_rng(0).random((200, 200))
start = time.process_time()
for _ in range(40):
    a = np.tanh(a @ a / 200)
total = 0
for i in range(400_000):
    total += i * i
print(time.process_time() - start)
"""


def reference_cpu_s() -> float:
    """The CPU seconds of the fixed reference work in a fresh process, one BLAS thread."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", REFERENCE_WORK], check=True, capture_output=True, text=True, env=env)
    return float(done.stdout)


def _spin() -> None:
    while True:
        pass


def measure(spec_text, spec_dir, stage, target, smoke, runs, load: int) -> dict:
    spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(load)]
    for p in spinners:
        p.start()
    try:
        done, reference = [], []
        for i in range(runs):
            done.append(run_once(spec_text, spec_dir, stage, target, smoke))
            if not load:
                reference.append(reference_cpu_s())
            condition = "loaded" if load else "quiet"
            print(f"  {condition} run {i + 1}/{runs}: {done[-1]['energy_j']:.3g} J", file=sys.stderr)
    finally:
        for p in spinners:
            p.terminate()
            p.join()
    result = {"competing_processes": load, **spread(done)}
    if reference:
        result.update(reference_cpu_s=reference, machine_cv=statistics.stdev(reference) / statistics.fmean(reference))
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", type=Path, default=ROOT / "specs" / "quickstart.qlc")
    ap.add_argument("--stage", default="clusters")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--load", type=int, default=os.cpu_count() or 1, help="competing busy processes")
    ap.add_argument("--target", choices=("qiskit", "pennylane"))
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.runs < 2:
        ap.error("--runs must be at least 2 for a spread")
    text = one_stage_spec(args.spec, args.stage)
    spec_dir = args.spec.resolve().parent
    load_before = os.getloadavg()[0]
    quiet = measure(text, spec_dir, args.stage, args.target, args.smoke, args.runs, 0)
    loaded = measure(text, spec_dir, args.stage, args.target, args.smoke, args.runs, args.load)
    summary = {
        "spec": args.spec.name,
        "stage": args.stage,
        "target": args.target or "spec's",
        "runs": args.runs,
        "cpu_count": os.cpu_count(),
        "load_average_1m_before": load_before,
        "goal_cv": GOAL_CV,
        "energy_cv": quiet["energy_cv"],
        "loaded_energy_cv": loaded["energy_cv"],
        "machine_cv": quiet["machine_cv"],
        "quiet": quiet,
        "loaded": loaded,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    for name, c in (("quiet", quiet), (f"beside {args.load} busy processes", loaded)):
        print(
            f"{name}: energy {c['energy_mean_j']:.3g} J ± {c['energy_std_j']:.2g} (cv {c['energy_cv']:.3f}), "
            f"CPU/wall {c['cpu_over_wall']:.2f}, load average {c['load_average_1m']:.1f}"
        )
    print(f"the machine itself: the same fixed work in {args.runs} fresh processes, cv {quiet['machine_cv']:.3f}")
    print(f"goal: cv <= {GOAL_CV} on a quiet machine ({os.cpu_count()} CPUs; load average before: {load_before:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
