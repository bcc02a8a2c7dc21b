"""Sweeps, tasks and executors end to end: one row per sweep point, the same metrics on every executor,
a killed worker retried, finished tasks cached by content, `--resume` rerunning only what did not finish."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from qlang.cli import main
from qlang.runtime import runner

SPEC = """pipeline two {
  seed 3
  repeat 2
  data rows = breast_cancer(limit: 60)

  stage curate groups {
    method kmeans(clusters: CLUSTERS)
  }
  stage encode enc from groups {
    method zz_feature_map(qubits: sweep(2, 3), shots: sweep(none, 256))
    baseline rbf_svm
  }
}
"""


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("QLANG_CACHE", str(tmp_path / "cache"))


def _spec(tmp_path: Path, clusters: int = 2) -> str:
    path = tmp_path / f"two_{clusters}.qlc"
    path.write_text(SPEC.replace("CLUSTERS", str(clusters)), encoding="utf-8")
    return str(path)


def _run(tmp_path: Path, spec: str, out: str, *flags: str) -> dict:
    assert main(["run", spec, "--smoke", "--out", str(tmp_path / out), "--format", "json", *flags]) == 0
    return json.loads((tmp_path / out / "report.json").read_text(encoding="utf-8"))


def _metrics(report: dict) -> list:
    """Every point's per-seed metrics, in order: what must not depend on where tasks ran."""
    return [(s["name"], p["role"], p["name"], p["point"], {m: v["per_seed"] for m, v in p["metrics"].items()})
            for s in report["stages"] for p in s["points"]]


def _same(a: dict, b: dict) -> bool:
    """Equal metrics; floating-point sums may differ in the last bits, because a worker runs its linear
    algebra on one thread and the driver on several (another summation order), so 1e-9 relative."""
    ma, mb = _metrics(a), _metrics(b)
    return [m[:4] for m in ma] == [m[:4] for m in mb] and all(
        x[4].keys() == y[4].keys() and all(x[4][k] == pytest.approx(y[4][k], rel=1e-9, abs=1e-12) for k in x[4])
        for x, y in zip(ma, mb))


def _cached(report: dict, stage: str) -> list[bool]:
    return [t["cached"] for s in report["stages"] if s["name"] == stage for p in s["points"] for t in p["tasks"]]


def test_a_sweep_reports_one_row_per_point_and_its_pareto_front(tmp_path):
    report = _run(tmp_path, _spec(tmp_path), "a")
    enc = report["stages"][1]
    rows = [(p["role"], p["name"], p["point"]) for p in enc["points"]]
    grid = [{"qubits": q, "shots": s} for q in (2, 3) for s in (None, 256)]
    # the baseline sees its method's parameters, so it runs at each of the method's points
    assert rows == [("method", "zz_feature_map", c) for c in grid] + [("baseline", "rbf_svm", c) for c in grid]
    inputs = {p["point"]["qubits"]: p["info"][0]["inputs"] for p in enc["points"] if p["role"] == "baseline"}
    assert inputs == {2: 2, 3: 3}  # the same components as the kernel at that point
    assert all(p["seeds"] == [3, 4] and len(p["tasks"]) == 2 for p in enc["points"])
    assert enc["method"]["point"] == {"qubits": 2, "shots": None}  # the first point goes downstream
    assert report["execution"]["executor"] == "local"
    # the front, recomputed by brute force: no point is at least as good on AUC and energy and better on one
    score = [(p["metrics"]["auc"]["mean"], p["energy_j"]["mean"]) for p in enc["points"]]
    front = [i for i, (q, e) in enumerate(score)
             if not any(q2 >= q and e2 <= e and (q2, e2) != (q, e) for q2, e2 in score)]
    assert enc["pareto"] == front and front


def test_cache_reruns_only_the_edited_stage_and_what_reads_it(tmp_path):
    first = _run(tmp_path, _spec(tmp_path), "a")
    assert not any(_cached(first, "groups") + _cached(first, "enc"))
    again = _run(tmp_path, _spec(tmp_path), "b")
    assert all(_cached(again, "groups") + _cached(again, "enc"))
    assert _metrics(again) == _metrics(first)
    edited = _run(tmp_path, _spec(tmp_path, clusters=3), "c")  # the first stage changed: both rerun
    assert not any(_cached(edited, "groups") + _cached(edited, "enc"))
    fresh = _run(tmp_path, _spec(tmp_path), "d", "--no-cache")
    assert not any(_cached(fresh, "groups") + _cached(fresh, "enc"))


def test_resume_runs_only_the_tasks_that_did_not_finish(tmp_path):
    first = _run(tmp_path, _spec(tmp_path), "a")
    keys = [t["key"] for s in first["stages"] for p in s["points"] for t in p["tasks"]]
    lost = keys[-3:]  # as if the run had died before these finished
    for key in lost:
        (tmp_path / "cache" / "tasks" / f"{key}.pkl").unlink()
    assert main(["run", "--resume", str(tmp_path / "a"), "--format", "json"]) == 0
    resumed = json.loads((tmp_path / "a" / "report.json").read_text(encoding="utf-8"))
    ran = [t["key"] for s in resumed["stages"] for p in s["points"] for t in p["tasks"] if not t["cached"]]
    assert sorted(ran) == sorted(lost)
    assert _metrics(resumed) == _metrics(first)


def _kill_a_worker(executor, killed: list[int]) -> None:
    """Kills one worker process of the pool, hard, once it has been given a task."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not executor.pids():
        time.sleep(0.05)
    time.sleep(2.0)  # the worker has taken its first task (it loads the generated module inside it)
    pids = executor.pids()
    if pids:
        os.kill(pids[0], signal.SIGKILL)
        killed.append(pids[0])


def test_process_pool_matches_local_and_retries_a_killed_worker(tmp_path, monkeypatch):
    spec = _spec(tmp_path)
    local = _run(tmp_path, spec, "local", "--no-cache")
    killed: list[int] = []
    original = runner.RunOptions.__init__

    def watching(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.on_executor = lambda ex: ex.name == "process" and not killed and threading.Thread(
            target=_kill_a_worker, args=(ex, killed), daemon=True).start()

    monkeypatch.setattr(runner.RunOptions, "__init__", watching)
    pooled = _run(tmp_path, spec, "pool", "--executor", "process", "--workers", "2", "--no-cache")
    assert killed, "no worker was killed"
    assert pooled["status"] == "ok" and pooled["execution"]["executor"] == "process"
    assert _same(pooled, local)
    tasks = [t for s in pooled["stages"] for p in s["points"] for t in p["tasks"]]
    assert max(t["attempts"] for t in tasks) == 2  # what the killed worker held ran again
    assert all(t["pid"] != os.getpid() for t in tasks)


def test_ray_matches_local(tmp_path):
    pytest.importorskip("ray", reason="the ray executor needs the `ray` extra (pip install 'qlang[ray]')")
    import ray

    spec = _spec(tmp_path)
    local = _run(tmp_path, spec, "local", "--no-cache")
    try:
        ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
        on_ray = _run(tmp_path, spec, "ray", "--executor", "ray", "--no-cache")
    finally:
        ray.shutdown()
    assert on_ray["status"] == "ok" and on_ray["execution"]["executor"] == "ray"
    assert _same(on_ray, local)
    assert all(t["pid"] != os.getpid() for s in on_ray["stages"] for p in s["points"] for t in p["tasks"])


def _ray_cluster():
    """A local Ray cluster on 127.0.0.1 started by this test process (torn down by ray.shutdown)."""
    ray = pytest.importorskip("ray", reason="the ray executor needs the `ray` extra (pip install 'qlang[ray]')")
    context = ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    return ray, context.address_info["gcs_address"]


def _pids(report: dict) -> set[int]:
    return {t["pid"] for s in report["stages"] for p in s["points"] for t in p["tasks"]}


def test_ray_workers_stay_warm_for_the_next_run_on_a_running_cluster(tmp_path):
    """Two `qlc run` processes against one running cluster: the second runs on the first one's workers (their
    SDK imported), which are detached actors named for this qlang's code."""
    import subprocess
    import sys

    ray, address = _ray_cluster()
    spec = _spec(tmp_path)
    try:
        reports = []
        for out in ("first", "second"):
            cmd = [sys.executable, "-m", "qlang.cli", "run", spec, "--smoke", "--executor", "ray", "--address", address,
                   "--workers", "2", "--no-cache", "--out", str(tmp_path / out), "--format", "json"]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                                  env={**os.environ, "QLANG_CACHE": str(tmp_path / "cache")})
            assert done.returncode == 0, done.stderr[-2000:]
            reports.append(json.loads((tmp_path / out / "report.json").read_text(encoding="utf-8")))
        names = {a["name"] for a in ray.util.list_named_actors(all_namespaces=True) if a["namespace"] == "qlang"}
    finally:
        ray.shutdown()
    first, second = reports
    assert _same(first, second)
    assert len(_pids(first)) == 2 and _pids(second) == _pids(first), "the second run started workers of its own"
    # one code hash (this process may import qlang from another path than the runs did, so not compared)
    assert len(names) == 2 and {n.rsplit("-", 1)[1] for n in names} == {"0", "1"}
    assert len({n.rsplit("-", 1)[0] for n in names}) == 1 and all(n.startswith("qlang-") for n in names)


def test_ray_retries_a_task_whose_worker_is_killed(tmp_path, monkeypatch):
    spec = _spec(tmp_path)
    local = _run(tmp_path, spec, "local", "--no-cache")
    killed: list[int] = []
    original = runner.RunOptions.__init__

    def kill_at_the_third_task(executor, event) -> None:
        if event["done"] != 2 or killed:
            return
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not executor.pids():  # its warm-up returns its process id
            time.sleep(0.05)
        pid = executor.pids()[0]
        os.kill(pid, signal.SIGKILL)  # mid-task or with tasks queued: either way they must run again
        killed.append(pid)

    def watching(self, *args, **kwargs):
        original(self, *args, **kwargs)
        seen: list = []
        self.on_executor = seen.append
        self.on_task = lambda event: seen and seen[0].name == "ray" and kill_at_the_third_task(seen[0], event)

    monkeypatch.setattr(runner.RunOptions, "__init__", watching)
    ray, _ = _ray_cluster()
    try:
        on_ray = _run(tmp_path, spec, "ray", "--executor", "ray", "--workers", "2", "--no-cache")
    finally:
        ray.shutdown()
    assert killed, "no worker was killed"
    assert on_ray["status"] == "ok"
    assert _same(on_ray, local)
    tasks = [t for s in on_ray["stages"] for p in s["points"] for t in p["tasks"]]
    assert max(t["attempts"] for t in tasks) == 2
    assert killed[0] not in {t["pid"] for t in tasks if t["attempts"] == 2}
