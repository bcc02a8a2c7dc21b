"""Scale-out benchmark: one sweep of CPU-bound tasks run by each executor, side by side.

The run is 2 stages × SEEDS seeds (8 tasks by default): two quantum-kernel classifiers
(`zz_feature_map` and `angle_encoding`, exact simulation, 5-fold cross-validated SVM) on the breast
cancer data. For each executor — `local` (one task after another in this process), `process` (a
pool of WORKERS processes, forked from the driver on Linux) and `ray` (a local Ray cluster, `ray.init(num_cpus=WORKERS)` on
127.0.0.1) — it measures the wall time of the whole run as `qlc run` does it (pool or cluster
start-up and worker imports included, interpreter start-up excluded), checks that every task gave the
same metrics as under `local`, and reports the fastest of `--repeats` runs each (all are listed).
One untimed local run comes first (`warm_up_s`): the
process's one-off imports, which `qlc run` pays once whatever the executor, would otherwise fall on
whichever executor runs first.

  speedup_vs_local      local wall time / this executor's wall time (goal ≥ 1.7 with 2 workers on 2 cores);
                        Ray's on a cluster that has run qlang before (its workers warm, as they stay between
                        runs), beside cold_speedup_vs_local, its first run there
  ray_task_overhead_ms  the round trip of an empty Ray task on the warm cluster (serial, mean of N)
  pool_task_overhead_ms the same for the process pool
  resume_fraction       a rerun with every task in the cache / the full local run (goal ≤ 0.05)

The machine may be shared: `load_1min` and `cpus` are reported beside the numbers, which are only as
good as the cores that were free.

Usage:  python benchmarks/scale.py [--seeds 4] [--workers 2] [--rows 200] [--qubits 4] [--repeats 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import runpy
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # running from a source checkout without an install
    sys.path.insert(0, str(ROOT))

GOALS = {"speedup_vs_local": 1.7, "resume_fraction": 0.05}

SPEC = """pipeline scale {{
  seed 1
  repeat {seeds}
  data rows = breast_cancer(limit: {rows})

  stage encode zz {{
    method zz_feature_map(qubits: {qubits})
    baseline none
  }}
  stage encode angle {{
    method angle_encoding(qubits: {qubits})
    baseline none
  }}
}}
"""


def compile_module(folder: Path, seeds: int, rows: int, qubits: int = 4) -> Path:
    from qlang.build import compile_text

    spec = folder / "scale.qlc"
    spec.write_text(SPEC.format(seeds=seeds, rows=rows, qubits=qubits), encoding="utf-8")
    compiled = compile_text(spec.read_text(encoding="utf-8"), spec, None, folder)
    assert compiled.source is not None, compiled.result.diagnostics
    module = folder / "scale.pennylane.py"
    module.write_text(compiled.source, encoding="utf-8")
    return module


def run_once(module: Path, executor: str, workers: int, cache_dir: Path, read_cache: bool) -> tuple[float, dict]:
    """(wall seconds of the run, report JSON)."""
    from qlang import __version__
    from qlang.runtime.report import Report
    from qlang.runtime.runner import RunOptions, run_pipeline, seeds_of

    ns = runpy.run_path(str(module), run_name="qlang_bench")
    pipeline = ns["PIPELINES"][0]
    report = Report(pipeline["name"], pipeline["target"], pipeline["device"], seeds_of(pipeline), {}, __version__)
    options = RunOptions(module.parent, executor=executor, workers=workers, module_path=str(module),
                         cache=read_cache, cache_dir=cache_dir)
    start = time.perf_counter()
    run_pipeline(pipeline, ns["make_executor"], report, options)
    wall = time.perf_counter() - start
    data = report.to_json()
    assert data["status"] == "ok", data["status"]
    return wall, data


def timed(module: Path, executor: str, workers: int, cache_dir: Path, repeats: int) -> tuple[float, dict, list]:
    """The fastest of `repeats` runs (what the machine gives with its cores free), its report, and every wall time."""
    runs = [run_once(module, executor, workers, cache_dir / str(i), read_cache=False) for i in range(repeats)]
    wall, report = min(runs, key=lambda run: run[0])
    return wall, report, [w for w, _ in runs]


def metrics(report: dict) -> list:
    return [(s["name"], p["name"], {m: v["per_seed"] for m, v in p["metrics"].items()})
            for s in report["stages"] for p in s["points"]]


def same(a: list, b: list) -> bool:
    """Equal to 1e-9 relative (one-thread workers sum in another order than a multi-thread driver)."""
    import math

    return len(a) == len(b) and all(
        x[:2] == y[:2] and x[2].keys() == y[2].keys()
        and all(math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-12) for k in x[2] for u, v in zip(x[2][k], y[2][k]))
        for x, y in zip(a, b))


def _noop():
    return os.getpid()


def pool_overhead_ms(workers: int, n: int) -> float:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from qlang.runtime.executors import start_method

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(start_method())) as pool:
        pool.submit(_noop).result()  # warm
        start = time.perf_counter()
        for _ in range(n):
            pool.submit(_noop).result()
        return (time.perf_counter() - start) / n * 1e3


def ray_overhead_ms(n: int) -> float:
    import ray

    f = ray.remote(num_cpus=1)(_noop)
    ray.get(f.remote())  # warm
    start = time.perf_counter()
    for _ in range(n):
        ray.get(f.remote())
    return (time.perf_counter() - start) / n * 1e3


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--qubits", type=int, default=4, help="of both kernels: more qubits, longer tasks")
    ap.add_argument("--overhead-tasks", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per executor; the fastest counts")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    out: dict = {"tasks": 2 * args.seeds, "workers": args.workers, "rows": args.rows, "qubits": args.qubits, "cpus": os.cpu_count(),
                 "load_1min_before": os.getloadavg()[0], "python": platform.python_version(), "executors": {}}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        module = compile_module(folder, args.seeds, args.rows, args.qubits)
        cache = folder / "cache"
        # untimed: the process's one-off imports (the SDK, scikit-learn, the methods) land in no executor's time
        out["warm_up_s"] = run_once(module, "local", 1, folder / "cache-warm-up", read_cache=False)[0]
        local_wall, local, local_walls = timed(module, "local", 1, folder / "cache-local", args.repeats)
        reference = metrics(local)
        out["executors"]["local"] = {"wall_s": local_wall, "walls_s": local_walls, "speedup_vs_local": 1.0,
                                     "same_metrics": True}
        run_once(module, "local", 1, cache, read_cache=False)  # what the resume below finds in the cache

        resume_wall, resumed = run_once(module, "local", 1, cache, read_cache=True)
        all_cached = all(t["cached"] for s in resumed["stages"] for p in s["points"] for t in p["tasks"])
        out["resume_s"] = resume_wall
        out["resume_fraction"] = resume_wall / local_wall
        out["resume_all_cached"] = all_cached

        wall, report, walls = timed(module, "process", args.workers, folder / "cache-process", args.repeats)
        out["executors"]["process"] = {"wall_s": wall, "walls_s": walls, "speedup_vs_local": local_wall / wall,
                                       "same_metrics": same(metrics(report), reference)}
        out["pool_task_overhead_ms"] = pool_overhead_ms(args.workers, args.overhead_tasks)
        try:
            import ray
        except ImportError:
            out["executors"]["ray"] = {"skipped": "ray is not installed (pip install 'qlang[ray]')"}
        else:
            start = time.perf_counter()
            ray.init(num_cpus=args.workers, include_dashboard=False, _node_ip_address="127.0.0.1",
                     log_to_driver=False)
            out["ray_cluster_start_s"] = time.perf_counter() - start
            try:  # the round trip first, while no qlang worker holds the cluster's CPUs
                out["ray_task_overhead_ms"] = ray_overhead_ms(args.overhead_tasks)
                # the first run on the cluster starts its workers (each imports the SDK); they stay, as on any
                # cluster that outlives a run (RayExecutor), and the next run finds them warm
                cold, _ = run_once(module, "ray", args.workers, folder / "cache-ray-cold", read_cache=False)
                wall, report, walls = timed(module, "ray", args.workers, folder / "cache-ray", args.repeats)
                out["executors"]["ray"] = {"wall_s": wall, "walls_s": walls, "speedup_vs_local": local_wall / wall,
                                           "same_metrics": same(metrics(report), reference),
                                           "workers_warm": True, "cold_wall_s": cold,
                                           "cold_speedup_vs_local": local_wall / cold,
                                           "cluster_start_included": False}  # see ray_cluster_start_s
            finally:
                ray.shutdown()
    out["load_1min_after"] = os.getloadavg()[0]
    out["goals"] = GOALS
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"{out['tasks']} tasks, {args.workers} workers, {out['cpus']} CPUs, "
              f"load {out['load_1min_before']:.1f} → {out['load_1min_after']:.1f}")
        for name, e in out["executors"].items():
            if "skipped" in e:
                print(f"  {name:8s} skipped: {e['skipped']}")
            else:
                print(f"  {name:8s} {e['wall_s']:7.1f} s   speedup {e['speedup_vs_local']:.2f}×   "
                      f"same metrics: {e['same_metrics']}")
                if "cold_wall_s" in e:
                    print(f"  {'':8s} {e['cold_wall_s']:7.1f} s   speedup {e['cold_speedup_vs_local']:.2f}×   "
                          "(its first run on the cluster: workers start and import the SDK)")
        print(f"  resume with every task cached: {out['resume_s']:.2f} s = {out['resume_fraction']:.3f} of the run")
        print(f"  empty-task round trip: pool {out['pool_task_overhead_ms']:.2f} ms"
              + (f", ray {out['ray_task_overhead_ms']:.2f} ms" if "ray_task_overhead_ms" in out else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
