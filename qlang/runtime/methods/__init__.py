"""Stage methods by name: each is `run(ctx: MethodContext, data: Dataset) -> MethodResult`.

Both tables derive from the catalog (qlang/catalog/registry.py): METHODS resolves an entry's `run` on first
use, ROLES is each entry's `roles` (a method with roles may be classical, such as adam training the stage's
quantum model)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from qlang import catalog
from qlang.catalog.registry import Derived
from qlang.runtime.methods.context import MethodContext, MethodResult

METHODS: Mapping[str, Callable[[MethodContext, Any], MethodResult]] = Derived(catalog.METHODS, "run")

# Circuit roles a method asks its executor for.
ROLES: dict[str, tuple[str, ...]] = {name: e.roles for name, e in catalog.METHODS.items() if e.roles}


def is_quantum(name: str) -> bool:
    """The catalog's answer (a method with circuit roles, such as adam training a quantum model, may be
    classical)."""
    return name in catalog.METHODS and catalog.METHODS[name].is_quantum


__all__ = ["METHODS", "ROLES", "MethodContext", "MethodResult", "is_quantum"]
