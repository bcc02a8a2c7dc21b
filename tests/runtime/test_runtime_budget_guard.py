"""The budget guard's overrun cannot be lost: swallowed once, it is raised again at the next poll."""

import time
from types import SimpleNamespace

import pytest

from qlang.runtime.budget import BudgetExceeded, Guard


class Spent:
    """A window that reads `joules` J."""

    def __init__(self, joules: float):
        self.joules = joules

    def reading(self):
        return SimpleNamespace(joules=self.joules)


def test_a_swallowed_overrun_is_raised_again():
    guard, swallowed = Guard(), []
    with pytest.raises(BudgetExceeded) as raised, guard.polling(), guard.limit("stage `s`", Spent(5.0), 1.0):
        deadline = time.monotonic() + 60  # a bound for a broken guard, not a timing assertion
        while time.monotonic() < deadline:
            try:
                while time.monotonic() < deadline:  # a long computation
                    sum(range(1000))
            except BudgetExceeded as e:  # swallowed, as a gc callback or an `except Exception` would
                swallowed.append(e)
                if len(swallowed) == 2:
                    raise
    assert len(swallowed) == 2 and raised.value.what == "stage `s`" and raised.value.budget_j == 1.0
    assert not guard.limits  # disarmed once its block is left


def test_a_limit_within_budget_never_raises_and_is_disarmed():
    guard = Guard()
    with guard.polling(), guard.limit("stage `s`", Spent(0.5), 1.0):
        time.sleep(0.2)
    assert not guard.limits
