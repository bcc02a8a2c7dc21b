"""Where methods come from, and the tables derived from their entries.

A method is registered by its catalog `Entry` and nothing else. Three places hold entries:
- the stage modules of qlang/catalog (`ENTRIES` in curate.py, encode.py, ...);
- qlang/methods/: one module or package per method, each with `ENTRIES` (a new method is one folder there);
- plug-ins: installed distributions that declare an entry point in the group `qlang.methods`, whose object
  is a list of `Entry` (or a function returning one). Their `origin` is the distribution's name.

A plug-in that fails to load, or whose entries clash with known names or are malformed, is left out and
recorded as a `Problem`: `qlc check` reports it as warning Q802 and `qlc methods` lists it; nothing crashes.

The runtime's method table, the circuit roles, the cost models and the stage circuits are `Derived` views
of the entries: a reference is resolved (imported) only when it is looked up, so the checks stay light.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from qlang.catalog.schema import STAGE_KINDS, Entry

GROUP = "qlang.methods"  # the entry-point group plug-ins declare


@dataclass(frozen=True)
class Problem:
    """A plug-in (or one of its entries) that was left out, and why."""

    origin: str  # the distribution, or the entry point's name when it has none
    entry_point: str  # "name = module:object" as declared
    message: str


def resolve(ref: Any) -> Any:
    """The object a reference names: "package.module:attribute" is imported now; a callable is itself."""
    if callable(ref):
        return ref
    if not isinstance(ref, str) or ":" not in ref:
        raise ValueError(f"a reference must be 'module:attribute' or a function, got {ref!r}")
    module, _, attribute = ref.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attribute.split("."):
        obj = getattr(obj, part)
    return obj


class Derived(Mapping[str, Any]):
    """{method name: the resolved reference in `field`} over the methods that have one (lazily imported).

    `name in table` and iteration read only the entries; `table[name]` imports the reference."""

    def __init__(self, methods: Mapping[str, Entry], field: str):
        self._methods, self._field = methods, field

    def __getitem__(self, name: str) -> Any:
        entry = self._methods.get(name)
        ref = getattr(entry, self._field, "") if entry is not None else ""
        if not ref:
            raise KeyError(name)
        return resolve(ref)

    def __contains__(self, name: object) -> bool:
        entry = self._methods.get(name) if isinstance(name, str) else None
        return bool(entry is not None and getattr(entry, self._field))

    def __iter__(self) -> Iterator[str]:
        return (name for name, e in self._methods.items() if getattr(e, self._field))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def builtin_entries(stage_modules: Iterable[Any]) -> list[Entry]:
    """The entries of the catalog's stage modules, then of every module or package under qlang/methods."""
    import qlang.methods

    out = [e for mod in stage_modules for e in mod.ENTRIES]
    for info in sorted(pkgutil.iter_modules(qlang.methods.__path__), key=lambda i: i.name):
        out += importlib.import_module(f"qlang.methods.{info.name}").ENTRIES
    return out


def plugin_entries(
    known: set[str],
    entry_points: Callable[[], Iterable[Any]] | None = None,
) -> tuple[list[Entry], list[Problem]]:
    """Entries registered by installed plug-ins, each stamped with its distribution as `origin`, and the
    plug-ins (or entries) left out. `entry_points` lists the group's entry points (for tests)."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for ep in (entry_points or _installed)():
        origin = ep.dist.name if getattr(ep, "dist", None) is not None else ep.name
        declared = f"{ep.name} = {ep.value}"
        try:
            loaded = ep.load()
            found = loaded() if callable(loaded) else loaded
            found = list(found)
        except Exception as e:  # noqa: BLE001 -- a plug-in is someone else's code: any failure leaves it out, with the reason
            problems.append(Problem(origin, declared, f"{type(e).__name__}: {e}"))
            continue
        for entry in found:
            message = _malformed(entry, known)
            if message:
                problems.append(Problem(origin, declared, message))
                continue
            entries.append(replace(entry, origin=origin))
            known.add(entry.name)
    return entries, problems


def _installed() -> Iterable[Any]:
    from importlib.metadata import entry_points

    return sorted(entry_points(group=GROUP), key=lambda ep: ep.name)


def _malformed(entry: Any, known: set[str]) -> str:
    """Why an entry a plug-in offers cannot join the catalog ("" when it can)."""
    if not isinstance(entry, Entry):
        return f"offers {type(entry).__name__}, not a qlang.catalog.Entry"
    if entry.group != "method" or entry.stage not in STAGE_KINDS:
        return f"`{entry.name}` is not a method of a stage kind ({', '.join(STAGE_KINDS)})"
    if entry.name in known:
        return f"`{entry.name}` is already a method; a plug-in cannot replace one"
    if not entry.name.isidentifier():
        return f"`{entry.name}` is not a name a spec can write"
    unknown = [b for b in entry.baselines if b not in known]
    if unknown:
        return f"`{entry.name}` names unknown baselines: {', '.join(unknown)}"
    return ""
