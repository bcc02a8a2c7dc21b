"""Resources: the device exists for the target, and every stage's qubits fit on it."""

from __future__ import annotations

import os

from qlang.catalog.settings import DEVICES
from qlang.checks.lower import DraftPipeline
from qlang.checks.values import Diags
from qlang.diagnostics import Diagnostic, did_you_mean, one_of
from qlang.sweep import points

BYTES_PER_AMPLITUDE = 16  # complex128


def memory_bytes() -> int:
    """Physical memory of this machine (QLANG_MEMORY_BYTES overrides, for tests and planning elsewhere;
    a value that is not a whole number of bytes is ignored)."""
    override = os.environ.get("QLANG_MEMORY_BYTES", "").strip()
    if override.isdigit():
        return int(override)
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def max_exact_qubits() -> int:
    """Qubits whose statevector fits in half of this machine's memory."""
    amplitudes = memory_bytes() // 2 // BYTES_PER_AMPLITUDE
    return max(0, amplitudes.bit_length() - 1)  # floor(log2), exact for every size


def device(draft: DraftPipeline, target: str, diags: Diags) -> str:
    """The device for `target`; a device written for the spec's own target yields to an overriding one."""
    chosen = draft.settings.get("device")
    known = DEVICES[target]
    overridden = target != (draft.settings.get("target") or target)
    if chosen is None or (overridden and chosen not in known):
        return known[0]
    if chosen not in known:
        node = draft.setting_nodes["device"]
        diags.append(
            Diagnostic(
                "Q205",
                f"`{chosen}` is not a {target} device qlang can run",
                node.value.span,
                label="unknown device",
                help=did_you_mean(chosen, known) or f"{target} devices: {one_of(known)}",
            )
        )
    return chosen


def qubits(draft: DraftPipeline, device_name: str, diags: Diags) -> dict[str, int | None]:
    limit = max_exact_qubits()
    counts: dict[str, int | None] = {}
    for s in draft.stages:
        m = s.method
        per_point = (
            [m.entry.qubits(p) for p in points(m.params, m.sweep)]
            if m is not None and m.entry.qubits is not None
            else []
        )
        n = max((c for c in per_point if c is not None), default=None)  # the widest point of a sweep
        counts[s.name] = n
        if n is not None and n > limit:
            gib = BYTES_PER_AMPLITUDE * 2.0**n / 2**30
            diags.append(
                Diagnostic(
                    "Q401",
                    f"stage `{s.name}` needs {n} qubits; an exact simulator on this machine holds at most {limit}",
                    s.method.node.span,
                    label=f"{n} qubits: a {gib:,.0f} GiB statevector",
                    help=f"`{device_name}` keeps the whole statevector in memory; use at most {limit} qubits",
                )
            )
    return counts
