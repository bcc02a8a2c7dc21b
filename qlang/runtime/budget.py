"""Budgets at run time: the meter is polled while a stage runs; an overrun raises in the main thread.

Polling uses a SIGALRM interval timer, so the check runs between Python bytecodes of whatever the stage
is doing (a long numpy or simulator call is interrupted as soon as it returns). Off the main thread,
or where SIGALRM does not exist, the budget is checked when each method finishes."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qlang.energy.meter import Window

POLL_SECONDS = 0.05


class BudgetExceeded(Exception):
    def __init__(self, what: str, spent_j: float, budget_j: float):
        super().__init__(f"{what} used {spent_j:.4g} J of its {budget_j:.4g} J budget")
        self.what, self.spent_j, self.budget_j = what, spent_j, budget_j


class Guard:
    """Checks `limits`: (what, window, budget_j) triples; armed ones raise BudgetExceeded on overrun."""

    def __init__(self):
        self.limits: list[tuple[str, Window, float]] = []

    def check(self) -> None:
        """Raises for the first overrun limit. A limit stays armed until its `limit` block exits, so an
        overrun raised where it is swallowed (a gc callback, a library's `except Exception`) is raised again
        at the next poll rather than lost."""
        for what, window, budget in list(self.limits):
            spent = window.reading().joules
            if spent > budget:
                raise BudgetExceeded(what, spent, budget)

    @contextmanager
    def limit(self, what: str, window: Window, budget_j: float | None):
        entry = (what, window, budget_j if budget_j is not None else float("inf"))
        if budget_j is not None:
            self.limits.append(entry)
        try:
            yield
            if budget_j is not None and entry in self.limits:
                self.check()
        finally:
            if entry in self.limits:
                self.limits.remove(entry)

    @contextmanager
    def polling(self):
        usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
        if not usable:
            yield
            return

        def on_alarm(signum, frame):
            self.check()

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, POLL_SECONDS, POLL_SECONDS)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
            signal.signal(signal.SIGALRM, previous)
