"""How good is the peak-memory estimate (Q405)? Runs specs and prints, per run, the estimate against the
measured peak resident memory of the `qlc run` process (ru_maxrss).

    python benchmarks/memory.py [--target qiskit|pennylane] [--json] SPEC...

The estimate is the largest stage's (qlang.catalog.memory.stage_peaks): a process's peak is its largest
stage's. `ratio` is measured / estimated; the check wants it at most 1 (an estimate that errs high)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def estimated(spec: Path, target: str | None) -> float:
    from qlang.catalog.memory import stage_peaks
    from qlang.checks import check_text

    result = check_text(spec.read_text(encoding="utf-8"), str(spec), target)
    if result.spec is None:
        raise SystemExit(f"{spec}: does not check")
    return max(p.bytes for pipeline in result.spec.pipelines for p in stage_peaks(pipeline, spec.parent))


def measured(spec: Path, target: str | None) -> float:
    """Peak resident bytes of one `qlc run` in a fresh child process (`--no-cache`: every task runs)."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-c", _CHILD, str(spec), str(Path(tmp) / "out")] + (
            ["--target", target] if target else []
        )
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            raise SystemExit(f"{spec}: the run failed:\n{done.stderr[-2000:]}")
        return float(done.stdout.strip().splitlines()[-1])


# runs qlc in this child and prints its own peak RSS in bytes (ru_maxrss is KiB on Linux)
_CHILD = """
import resource, sys
from qlang.cli import main
spec, out, *rest = sys.argv[1:]
code = main(["run", spec, "--out", out, "--no-cache", *rest])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("specs", nargs="+", type=Path)
    ap.add_argument("--target", choices=("qiskit", "pennylane"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = []
    for spec in args.specs:
        est, meas = estimated(spec, args.target), measured(spec, args.target)
        rows.append(
            {
                "spec": str(spec),
                "target": args.target,
                "estimated_bytes": est,
                "measured_bytes": meas,
                "ratio": meas / est,
            }
        )
    summary = {"rows": rows, "worst_ratio": max(r["ratio"] for r in rows)}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for r in rows:
            print(
                f"{r['spec']:<40} estimated {r['estimated_bytes'] / 2**20:8.0f} MiB  measured "
                f"{r['measured_bytes'] / 2**20:8.0f} MiB  measured/estimated {r['ratio']:.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
