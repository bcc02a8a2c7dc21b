"""What a run shows while it runs, on stderr: a live rich display on a terminal (stage, method, seed, the
latest fold or epoch, runs done of all, elapsed and remaining time, energy so far against the budget), plain
lines otherwise (a log file, CI, a pipe).

Verbosity: -1 (`--quiet`) shows nothing; 0 shows the task lines (plain) or the live display (terminal);
1 (`--verbose`) also prints every message of the methods (folds, epochs, kernels) as a line.
"""

from __future__ import annotations

import sys
from typing import Any


class PlainProgress:
    """One line per message; with verbosity 0, only the runner's own lines (data, each method and seed)."""

    def __init__(self, verbosity: int):
        self.verbosity = verbosity
        self._in_task = False

    def message(self, text: str) -> None:
        if self.verbosity > 0 or (self.verbosity == 0 and not self._in_task):
            print(f"  · {text}", file=sys.stderr, flush=True)

    def task(self, event: dict[str, Any]) -> None:
        self._in_task = False
        if self.verbosity >= 0:
            self.message(f"[{event['done'] + 1}/{event['total']}] {event['stage']}: {event['method']} "
                         f"(seed {event['seed']}, {_energy(event)})")  # fmt: skip
        self._in_task = True

    def close(self) -> None:
        pass


def _energy(event: dict[str, Any]) -> str:
    from qlang.units import format_energy

    budget = event.get("budget_j")
    return f"{format_energy(event['joules'])}" + (f" of {format_energy(budget)}" if budget else " so far")


class RichProgress:
    """A live display on a terminal; the runner's messages update its detail column."""

    def __init__(self, verbosity: int):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,  # fmt: skip
            TimeRemainingColumn,
        )

        self.verbosity = verbosity
        self.console = Console(stderr=True)
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), TextColumn("{task.fields[energy]}"),
            TextColumn("[dim]{task.fields[detail]}"), console=self.console, transient=True,
        )  # fmt: skip
        self.task_id = self.progress.add_task("starting", total=None, energy="", detail="")
        self.progress.start()

    def message(self, text: str) -> None:
        self.progress.update(self.task_id, detail=text[:60])
        if self.verbosity > 0:
            self.console.log(text)

    def task(self, event: dict[str, Any]) -> None:
        self.progress.update(self.task_id, total=event["total"], completed=event["done"],
                             description=f"{event['stage']} · {event['method']} · seed {event['seed']}",
                             energy=_energy(event), detail="")  # fmt: skip

    def close(self) -> None:
        self.progress.stop()


class QuietProgress:
    def message(self, text: str) -> None:
        pass

    def task(self, event: dict[str, Any]) -> None:
        pass

    def close(self) -> None:
        pass


def make_progress(verbosity: int, stream=None):
    """Quiet below 0; the live display when `stream` (stderr) is a terminal; plain lines otherwise."""
    stream = stream or sys.stderr
    if verbosity < 0:
        return QuietProgress()
    if hasattr(stream, "isatty") and stream.isatty():
        return RichProgress(verbosity)
    return PlainProgress(verbosity)
