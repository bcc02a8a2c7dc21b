"""Does a run's time grow linearly with its number of stages? Runs a pipeline of N cheap stages
(`kmeans` on 30 rows of wine, `--smoke`) for each N and prints the wall time per stage.

    python benchmarks/report_scaling.py [--json] [N ...]        # default N: 250 500 1000

The runner rewrites report.json and report.md as stages finish; rewriting the whole report after every
stage made a run quadratic in its stages (250/500/1,000 stages: 16/33/136 s). With the writes paced
(qlang.runtime.rundir.Pacer) the time per stage stays flat: `per_stage_s` for the largest N should be
within about 1.5× of the smallest's (`growth` in the JSON)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def spec_text(n: int) -> str:
    stages = "".join(f"  stage curate s{i} from d {{\n    method kmeans(clusters: 2)\n  }}\n" for i in range(n))
    return f"pipeline many {{\n  data d = wine(limit: 30)\n{stages}}}\n"


def run(n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "many.qlc"
        spec.write_text(spec_text(n), encoding="utf-8")
        cmd = [sys.executable, "-m", "qlang.cli", "run", str(spec), "--smoke", "--out", str(Path(tmp) / "out")]
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"the run of {n} stages failed:\n{done.stderr[-2000:]}")
        stages = json.loads((Path(tmp) / "out" / "report.json").read_text(encoding="utf-8"))["stages"]
        assert len(stages) == n
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[250, 500, 1000])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = [{"stages": n, "wall_s": (w := run(n)), "per_stage_s": w / n} for n in args.sizes]
    growth = rows[-1]["per_stage_s"] / rows[0]["per_stage_s"]
    if args.json:
        print(json.dumps({"runs": rows, "growth": growth}, indent=2))
        return
    print(f"{'stages':>7} {'wall (s)':>9} {'per stage (s)':>14}")
    for r in rows:
        print(f"{r['stages']:>7} {r['wall_s']:>9.1f} {r['per_stage_s']:>14.4f}")
    print(f"per-stage time, largest over smallest: {growth:.2f}× (1.0 is linear)")


if __name__ == "__main__":
    main()
