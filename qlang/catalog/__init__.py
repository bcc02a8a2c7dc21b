"""The catalog: every method, baseline, data source and model — the one source the checks,
the docs and code generation read."""

from __future__ import annotations

from qlang.catalog import architect, curate, deploy, encode, finetune, monitor, sources, train
from qlang.catalog.schema import REQUIRED, STAGE_KINDS, Entry, Param

METHODS: dict[str, Entry] = {
    e.name: e for mod in (curate, encode, architect, train, finetune, deploy, monitor) for e in mod.ENTRIES
}
DATA: dict[str, Entry] = {e.name: e for e in sources.DATA}
MODELS: dict[str, Entry] = {e.name: e for e in sources.MODELS}
GROUPS: dict[str, dict[str, Entry]] = {"method": METHODS, "data": DATA, "model": MODELS}


def methods_of(kind: str) -> list[Entry]:
    return [m for m in METHODS.values() if m.stage == kind]


def lookup(name: str) -> Entry | None:
    for group in GROUPS.values():
        if name in group:
            return group[name]
    return None


__all__ = ["DATA", "GROUPS", "METHODS", "MODELS", "REQUIRED", "STAGE_KINDS", "Entry", "Param", "lookup", "methods_of"]
