"""qlang: a declarative language for quantum-vs-classical, energy-aware language-model pipelines.

The Python API (docs/api.md): `qlang.load(path)` or `qlang.loads(text)` give a `Spec` with `.check()`,
`.plan()`, `.compile(target)` and `.run(...)`, which returns a `Report`. Importing qlang imports nothing
else: the API module loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Report", "Spec", "SpecError", "Table", "__version__", "load", "loads"]

if TYPE_CHECKING:
    from qlang.api import Report, Spec, SpecError, Table, load, loads


def __getattr__(name: str) -> Any:
    if name in __all__ and name != "__version__":
        from qlang import api

        return getattr(api, name)
    raise AttributeError(f"module 'qlang' has no attribute {name!r}")
