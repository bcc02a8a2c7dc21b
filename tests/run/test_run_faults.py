"""Runs under faults, with real signals, real concurrent processes and a real small or read-only file system:
the report always tells how the run ended, no run clobbers another, and output that cannot be written
is a Q709 diagnostic (exit 1) that leaves no debris.

A small or read-only file system is a tmpfs mounted for the test (`mount -t tmpfs -o size=64k`), which
needs root. Without root the read-only case uses a folder without write permission, and the full-disk
case lowers the run's file-size limit (RLIMIT_FSIZE, `ulimit -f`): the kernel then fails its writes with
EFBIG instead of ENOSPC, through the same code path."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qlang.runtime.rundir import run_status

TINY = "pipeline tiny {\n  data d = wine(limit: 30)\n  stage curate c from d {\n    method kmeans(clusters: 2)\n  }\n}\n"
SLOW = (
    "pipeline slow {\n  data d = breast_cancer(limit: 120)\n"
    "  stage curate fast from d {\n    method kmeans(clusters: 2)\n  }\n"
    "  stage finetune long from d {\n    method hybrid_qnn_head(qubits: 4, layers: 2, epochs: 100000, folds: 2)\n"
    "    baseline logistic_regression\n  }\n}\n"
)


def _spec(tmp_path: Path, text: str, name: str = "spec.qlc") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _qlc(*args, **kw) -> subprocess.Popen:
    # a shell that runs jobs in the background (as CI does) leaves SIGINT ignored: give Ctrl-C back
    def child() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if kw.get("fsize") is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), no signal
            resource.setrlimit(resource.RLIMIT_FSIZE, (kw["fsize"], kw["fsize"]))

    return subprocess.Popen(
        [sys.executable, "-m", "qlang.cli", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=kw.get("cwd"),
        preexec_fn=child,
    )


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _wait_for_first_stage(proc: subprocess.Popen, out: Path) -> None:
    while True:
        assert proc.poll() is None, proc.communicate()
        with contextlib.suppress(OSError, ValueError, IndexError, KeyError):
            if _report(out)["stages"][0]["status"] == "ok":
                return
        time.sleep(0.2)


def _debris(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith(".part")]


# ---- signals -------------------------------------------------------------------------------------


def test_sigterm_marks_the_report_and_keeps_finished_stages(tmp_path):
    out = tmp_path / "out"
    proc = _qlc("run", _spec(tmp_path, SLOW), "--out", out)
    try:
        _wait_for_first_stage(proc, out)
        time.sleep(1.0)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    report = _report(out)
    assert report["status"] == "interrupted"
    assert report["stages"][0]["status"] == "ok" and report["stages"][0]["method"]["metrics"]
    assert report["stages"][1]["status"] == "interrupted"
    assert "SIGTERM" in report["stages"][1]["message"]
    assert run_status(out)[0] == "interrupted"


def test_sigint_while_loading_data_marks_the_report(tmp_path):
    rows = "\n".join(f"{i % 7},{i % 5},{i % 2}" for i in range(400_000))
    (tmp_path / "big.csv").write_text("a,b,label\n" + rows + "\n", encoding="utf-8")
    spec = _spec(tmp_path, TINY.replace("wine(limit: 30)", 'file("big.csv", text: none, features: ["a", "b"])'))
    out = tmp_path / "out"
    proc = _qlc("run", spec, "--out", out)
    try:
        while "loading file" not in proc.stderr.readline():
            assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    report = _report(out)
    assert report["status"] == "interrupted" and report["stages"] == []
    assert "running" not in json.dumps(report)


def test_a_killed_run_reads_as_died(tmp_path):
    out = tmp_path / "out"
    proc = _qlc("run", _spec(tmp_path, SLOW), "--out", out)
    try:
        _wait_for_first_stage(proc, out)
        assert run_status(out)[0] == "running"  # the live run holds its lock
        proc.kill()
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _report(out)["status"] == "running"  # what the dead process left
    status, record = run_status(out)
    assert status == "died" and record["pid"] == proc.pid
    listing = subprocess.run([sys.executable, "-m", "qlang.cli", "runs", tmp_path], check=False, capture_output=True, text=True)
    assert listing.returncode == 0, listing.stderr
    row = next(line for line in listing.stdout.splitlines() if line.startswith("out "))
    assert row.split()[4] == "died", listing.stdout  # run, spec, date, time, status


# ---- concurrent runs -----------------------------------------------------------------------------


@pytest.mark.parametrize("with_out", [True, False], ids=["same --out", "runs/<pipeline>/<n>"])
def test_concurrent_runs_each_get_their_own_folder(tmp_path, with_out):
    spec = _spec(tmp_path, TINY)
    out = tmp_path / "out"
    seen_bad = []
    done = threading.Event()

    def read_reports() -> None:  # a reader polling every report.json while the runs write them
        while not done.is_set():
            for path in tmp_path.rglob("report.json"):
                with contextlib.suppress(FileNotFoundError):
                    text = path.read_text(encoding="utf-8")
                    try:
                        json.loads(text)
                    except ValueError:
                        seen_bad.append(path)

    reader = threading.Thread(target=read_reports)
    reader.start()
    try:
        procs = [_qlc("run", spec, *(["--out", out] if with_out else []), cwd=tmp_path) for _ in range(3)]
        results = [p.communicate(timeout=600) for p in procs]
    finally:
        done.set()
        reader.join()
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in results]
    folders = [out, tmp_path / "out-2", tmp_path / "out-3"] if with_out else [
        tmp_path / "runs" / "tiny" / str(n) for n in (1, 2, 3)]
    pids = set()
    for folder in folders:
        assert _report(folder)["status"] == "ok"
        status, record = run_status(folder)
        assert status == "ok"
        pids.add(record["pid"])
    assert pids == {p.pid for p in procs}, "each run wrote its own folder"
    assert not seen_bad, "a reader saw a half-written report"
    assert not _debris(tmp_path)


def test_a_rerun_never_clobbers_a_finished_run(tmp_path):
    spec = _spec(tmp_path, TINY)
    out = tmp_path / "out"
    for _ in range(2):
        proc = _qlc("run", spec, "--out", out)
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    first, second = _report(out), _report(tmp_path / "out-2")
    assert first["status"] == second["status"] == "ok"
    assert run_status(out)[1]["pid"] != run_status(tmp_path / "out-2")[1]["pid"]


# ---- output that cannot be written ---------------------------------------------------------------


@contextlib.contextmanager
def _tmpfs(where: Path, options: str):
    """A real tmpfs at `where` (root only); None when it cannot be mounted."""
    where.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], check=False,
                                           capture_output=True).returncode != 0:
        yield None
        return
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@contextlib.contextmanager
def _read_only_folder(tmp_path: Path):
    with _tmpfs(tmp_path / "ro", "ro,size=64k") as mounted:
        if mounted is not None:
            yield mounted
            return
        folder = tmp_path / "ro"
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


def _assert_q709(proc: subprocess.Popen, path_part: str) -> str:
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "internal error" not in err
    assert "error[Q709]" in err and path_part in err and "help:" in err
    return err


def test_an_unwritable_out_folder_is_a_diagnostic(tmp_path):
    spec = _spec(tmp_path, TINY)
    with _read_only_folder(tmp_path) as ro:
        _assert_q709(_qlc("run", spec, "--out", ro / "out"), str(ro / "out"))
        _assert_q709(_qlc("compile", spec, "-o", ro / "tiny.py"), str(ro / "tiny.py"))
        assert list(ro.iterdir()) == []


@contextlib.contextmanager
def _small_disk(tmp_path: Path):
    """(folder, limit): a 64 kB tmpfs and None, or (without root) a plain folder and the file-size limit
    that stands in for a full disk (see the module's docstring)."""
    with _tmpfs(tmp_path / "disk", "size=64k") as disk:
        yield (disk, None) if disk is not None else (tmp_path / "disk", 2500)


def _fill(disk: Path) -> None:
    with contextlib.suppress(OSError), open(disk / "filler", "ab", buffering=0) as handle:
        while True:
            handle.write(b"\0" * 4096)


def _no_lie_no_debris(out: Path) -> None:
    assert not _debris(out), "a temporary file was left behind"
    assert not (out / "report.json").exists() or _report(out)["status"] != "running"


def test_a_full_disk_before_the_first_report_is_a_diagnostic(tmp_path):
    spec = _spec(tmp_path, TINY)
    with _small_disk(tmp_path) as (disk, limit):
        if limit is None:  # room for the compiled module (2 kB), not for the report (3 kB)
            (disk / "filler").write_bytes(b"\0" * 48 * 1024)
        out = disk / "out"
        _assert_q709(_qlc("run", spec, "--out", out, fsize=limit), str(out / "report."))  # .json or .md
        _no_lie_no_debris(out)


def test_a_disk_that_fills_mid_run_leaves_no_report_saying_running(tmp_path):
    spec = _spec(tmp_path, SLOW)
    with _small_disk(tmp_path) as (disk, limit):
        out = disk / "out"
        proc = _qlc("run", spec, "--out", out)
        try:
            _wait_for_first_stage(proc, out)  # report.json now says `running`
            proc.send_signal(signal.SIGSTOP)
            if limit is None:
                _fill(disk)
            else:
                resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, (limit, limit))
            proc.send_signal(signal.SIGCONT)
            proc.send_signal(signal.SIGINT)  # the final report cannot be written now
            _, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
        # Ctrl-C's 130, or 1 when a paced report write met the full disk before the interrupt was taken (the
        # stop can land mid-write): both end in Q709, no report saying `running`, no temporary file
        assert proc.returncode in (130, 1), err
        assert "error[Q709]" in err and "Traceback" not in err
        _no_lie_no_debris(out)


# ---- the report is written in time linear in the stages -----------------------------------------


def test_paced_report_writes_stay_a_bounded_share_of_the_run():
    """A simulated run of 1,000 one-second stages whose report costs 10 ms per stage to write: rewriting it
    after every stage would spend 5,000 s writing (quadratic); paced, writing stays under a tenth of the run."""
    from qlang.runtime.rundir import Pacer

    now = [0.0]
    pacer = Pacer(ratio=10.0, clock=lambda: now[0])
    writing = 0.0
    writes = 0
    for stage in range(1, 1001):
        now[0] += 1.0  # the stage's own work
        if pacer.due():
            cost = 0.01 * stage

            def write(cost=cost) -> None:
                now[0] += cost

            pacer.timed(write)
            writing += cost
            writes += 1
    assert writing <= 0.1 * now[0] + 10.0  # every write after every stage would have been 5,005 s
    assert writes >= 50, "the report on disk still follows the run"


def test_a_change_that_is_not_yet_due_is_written_at_a_later_tick():
    """A short stage right after a write is not due; the long stage after it ticks (progress messages) and
    the change reaches the disk then, not only when the long stage ends."""
    from qlang.runtime.rundir import Pacer

    now = [0.0]
    pacer = Pacer(ratio=10.0, clock=lambda: now[0])
    written = []

    def write() -> None:
        now[0] += 0.1
        written.append(now[0])

    pacer.changed(write)  # the first stage: written at once
    assert len(written) == 1
    now[0] += 0.05
    pacer.changed(write)  # a short second stage, 0.05 s after a write that took 0.1 s: not due
    assert len(written) == 1 and pacer.pending
    now[0] += 0.5
    pacer.tick(write)  # 0.55 s later, still inside 10 write-times
    assert len(written) == 1
    now[0] += 0.5
    pacer.tick(write)  # the long stage's next progress message
    assert len(written) == 2 and not pacer.pending
    pacer.tick(write)  # nothing changed since: nothing to write
    assert len(written) == 2
