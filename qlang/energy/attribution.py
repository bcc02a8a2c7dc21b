"""Sharing a machine-wide energy counter among the tasks that ran during a window.

RAPL counts the whole CPU package: when several tasks run at once (a process pool, Ray workers) each
task's window also holds its neighbours' energy. A task is therefore charged the package energy of its
window times its share of the machine's busy CPU time in that window:

    joules_task = joules_package × cpu_s_task / cpu_s_machine

with `cpu_s_task` the task process's user + system time and `cpu_s_machine` the busy time of every CPU
(/proc/stat: user + nice + system + irq + softirq + steal). This is the method of Kepler
(github.com/sustainable-computing-io/kepler, "ratio" power model) and Scaphandre (per-process power as
the process's share of CPU time), and the reading is labelled `attributed`, not `measured`. Idle power
is shared in the same proportion; energy of other programs on the machine is not charged to tasks.
The model meter needs none of this: it already counts only its own process's CPU time.
"""

from __future__ import annotations

import os

_BUSY_FIELDS = (0, 1, 2, 5, 6, 7)  # user nice system irq softirq steal (after the "cpu" label)


def machine_cpu_seconds(stat: str = "/proc/stat") -> float | None:
    """Busy CPU seconds of the whole machine since boot, or None where /proc/stat does not exist."""
    try:
        with open(stat, encoding="ascii") as f:
            fields = f.readline().split()[1:]
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    return sum(int(fields[i]) for i in _BUSY_FIELDS if i < len(fields)) / ticks


def attribute(package_joules: float, task_cpu_s: float, machine_cpu_s: float | None) -> tuple[float, str]:
    """(joules charged to the task, provenance): its CPU-time share of the package energy."""
    if not machine_cpu_s or machine_cpu_s <= 0:
        return package_joules, "measured"
    share = min(1.0, max(0.0, task_cpu_s / machine_cpu_s))
    return package_joules * share, "attributed"
