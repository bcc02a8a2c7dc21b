"""A run's folder: claimed by one run atomically, written without debris, and read later with the truth
about how the run ended.

- `claim(folder)` gives one run its own folder: `folder` itself when no run holds it, else the first free
  `folder-2`, `folder-3`, … (`claim_next` numbers runs/<pipeline>/<n> the same way). The claim is the
  file `run.lock`, created with O_EXCL (two processes cannot both create it), recording the run's pid,
  host and start; the run holds an exclusive `flock` on it until its process ends, however it ends.
- `write_atomic` writes a file aside under a unique temporary name and renames it over the target: a
  reader never sees half a file, two writers never share a temporary file, and a failed write (a full
  disk, a read-only folder) leaves no `.part` file behind.
- `run_status` is how a reader learns the truth: report.json says `running` while a run is live, and a
  run whose process died without finishing (SIGKILL, the OOM killer, a power cut) reads as `died`,
  because nobody holds its lock any more.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from qlang.runtime.errors import CANNOT_WRITE, RuntimeDiagnostic

LOCK = "run.lock"
REPORT = "report.json"
MAX_SIBLINGS = 10_000  # folder-2 … folder-N: far more concurrent runs than any machine holds

try:
    import fcntl
except ImportError:  # Windows: no flock; a run that died then reads as `running`
    fcntl = None  # type: ignore[assignment]


class OutputError(RuntimeDiagnostic):
    """A file or folder of the run's output that cannot be written: the path, the system's reason and what
    to do about it. Raised by the writers; the caller reports it and stops the run."""

    def __init__(self, path: Path, err: OSError):
        reason = err.strerror or str(err)
        super().__init__(
            CANNOT_WRITE,
            f"cannot write {path}: {reason}",
            file=str(path),
            help=_HELP.get(err.errno or 0, "choose another folder with --out (or -o), or fix the folder's permissions"),
        )
        self.path = path


_HELP = {
    errno.ENOSPC: "the disk is full: free some space, or write elsewhere with --out (or -o)",
    errno.EDQUOT: "the disk quota is used up: free some space, or write elsewhere with --out (or -o)",
    errno.EFBIG: "the file is over the size this process may write (ulimit -f): raise it or write elsewhere",
    errno.EROFS: "the folder is on a read-only file system: choose another with --out (or -o)",
    errno.EACCES: "the folder is not writable by you: choose another with --out (or -o), or fix its permissions",
    errno.EBUSY: "wait for that run to end (or stop it), then resume",
}


@contextlib.contextmanager
def writing(path: Path):
    """Turns an OSError raised while writing `path` into an OutputError naming it."""
    try:
        yield
    except OutputError:
        raise
    except OSError as e:
        raise OutputError(path, e) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_MODE = 0o666 & ~_umask()  # what open() would have given the file


def write_atomic(path: Path, text: str) -> None:
    """Replaces `path` whole with `text` (UTF-8); raises OutputError and leaves no temporary file on failure."""
    with writing(path):
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            os.fchmod(fd, _MODE)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:  # a full disk, or an interrupt mid-write: no debris
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


@dataclass
class RunDir:
    """A folder one run holds: its lock stays open (and flocked) until `release` or the process's end."""

    path: Path
    fd: int | None
    created: bool = False  # the claim made the folder (so giving it back may remove it)

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def abandon(self) -> None:
        """Give the folder back before anything ran: the lock goes, and the folder if nothing else is in it."""
        self.release()
        with contextlib.suppress(OSError):
            (self.path / LOCK).unlink()
        if self.created:
            with contextlib.suppress(OSError):
                self.path.rmdir()


def _try_claim(folder: Path) -> RunDir | None:
    created = not folder.exists()
    with writing(folder):
        folder.mkdir(parents=True, exist_ok=True)
    if (folder / REPORT).exists():  # a run from before run.lock existed, or one that removed its lock
        return None
    with writing(folder / LOCK):
        try:
            fd = os.open(folder / LOCK, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _MODE)
        except FileExistsError:
            return None
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            record = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time(), "argv": sys.argv}
            os.write(fd, (json.dumps(record) + "\n").encode())
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(folder / LOCK)
            raise
    return RunDir(folder, fd, created)


def claim(folder: Path) -> RunDir:
    """`folder` for this run, or (when another run holds it) the first free `folder-2`, `folder-3`, …"""
    for k in range(1, MAX_SIBLINGS):
        candidate = folder if k == 1 else folder.with_name(f"{folder.name}-{k}")
        got = _try_claim(candidate)
        if got is not None:
            return got
    raise OutputError(folder, OSError(0, f"{MAX_SIBLINGS} runs already hold it and its siblings"))


def reclaim(folder: Path) -> RunDir:
    """`folder` again, for `qlc run --resume`: refused while a live process holds its lock; the lock of a run
    that ended (or died) is replaced by this run's."""
    if (folder / LOCK).exists() and _held(folder / LOCK):
        raise OutputError(folder, OSError(errno.EBUSY, "a run is still running there"))
    with writing(folder / LOCK):
        with contextlib.suppress(FileNotFoundError):
            (folder / LOCK).unlink()
        fd = os.open(folder / LOCK, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _MODE)
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        record = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time(), "argv": sys.argv}
        os.write(fd, (json.dumps(record) + "\n").encode())
    return RunDir(folder, fd)


def claim_next(root: Path, pipeline: str) -> RunDir:
    """runs/<pipeline>/<n>/ with n one past the highest existing run (the next free one if others race us)."""
    base = root / pipeline
    with writing(base):
        taken = [int(p.name) for p in base.glob("*") if p.name.isdigit()] if base.exists() else []
    n = max(taken, default=0) + 1
    for k in range(n, n + MAX_SIBLINGS):
        got = _try_claim(base / str(k))
        if got is not None:
            return got
    raise OutputError(base, OSError(0, f"{MAX_SIBLINGS} runs started at once"))


def run_status(folder: Path) -> tuple[str, dict | None]:
    """How the run in `folder` stands: its report's status, except `died` for a run whose report says
    `running` (or that wrote no report yet) while no process holds its lock; and its lock record."""
    record = None
    with contextlib.suppress(OSError, ValueError):
        record = json.loads((folder / LOCK).read_text(encoding="utf-8"))
    try:
        status = json.loads((folder / REPORT).read_text(encoding="utf-8"))["status"]
    except (OSError, ValueError, KeyError, TypeError):
        status = "running" if record is not None else "missing"
    if status == "running" and record is not None and not _held(folder / LOCK):
        return "died", record
    return status, record


def _held(lock: Path) -> bool:
    """Whether a live process holds the run's lock (a reader's brief flock never blocks the run)."""
    if fcntl is None:
        return True
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


class Pacer:
    """When to rewrite a growing report after a stage, so that writing stays a bounded share of the run.

    Rewriting the whole report after every stage costs O(stages) each time, O(stages²) in all (1,000
    stages once spent most of 136 s writing). A rewrite is due only once the time since the last one is
    at least `ratio` times what the last one took: writing is then at most 1/ratio of the run, so its
    total time grows linearly with the run's. A change that is not yet due stays pending and is written at
    the next `tick` that is due: the runner ticks on every progress message and task start, so a short stage
    followed by a long one still reaches the disk within `ratio` write-times (well under a second)."""

    def __init__(self, ratio: float = 10.0, clock=time.perf_counter):
        self.ratio, self.clock = ratio, clock
        self.last_end = -float("inf")
        self.last_cost = 0.0
        self.pending = False

    def due(self) -> bool:
        return self.clock() - self.last_end >= self.ratio * self.last_cost

    def changed(self, write) -> None:
        """The report changed: `write` it now when a rewrite is due, else at a later `tick`."""
        self.pending = True
        self.tick(write)

    def tick(self, write) -> None:
        if self.pending and self.due():
            self.pending = False
            self.timed(write)

    def timed(self, write) -> None:
        start = self.clock()
        write()
        self.last_end = self.clock()
        self.last_cost = self.last_end - start
