"""The catalog: every method, baseline, data source and model — the one source the checks,
the docs, code generation, the planner and the runtime read (see qlang/catalog/registry.py)."""

from __future__ import annotations

from qlang.catalog import architect, curate, deploy, encode, finetune, monitor, sources, train
from qlang.catalog.registry import Problem, builtin_entries, plugin_entries
from qlang.catalog.schema import REQUIRED, STAGE_KINDS, Entry, Param

METHODS: dict[str, Entry] = {
    e.name: e for e in builtin_entries((curate, encode, architect, train, finetune, deploy, monitor))
}
_plugins, PLUGIN_PROBLEMS = plugin_entries(set(METHODS))
METHODS.update((e.name, e) for e in _plugins)
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


__all__ = [
    "DATA",
    "GROUPS",
    "METHODS",
    "MODELS",
    "PLUGIN_PROBLEMS",
    "REQUIRED",
    "STAGE_KINDS",
    "Entry",
    "Param",
    "Problem",
    "lookup",
    "methods_of",
]
