"""Catalog entries as JSON-safe dicts (`qlc methods --format json`): what an editor or a notebook needs to
know about a method, baseline, data source or model without importing its runtime."""

from __future__ import annotations

from typing import Any

from qlang.catalog.schema import REQUIRED, Entry, Param


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)  # quantities, dimensions, enum words


def param_json(p: Param) -> dict[str, Any]:
    return {"name": p.name, "type": p.type, "required": p.default is REQUIRED,
            "default": None if p.default is REQUIRED else _plain(p.default), "doc": p.doc, "min": p.min,
            "max": p.max, "choices": list(p.choices), "dimension": _plain(p.dimension), "nullable": p.nullable}  # fmt: skip


def entry_json(e: Entry) -> dict[str, Any]:
    return {"name": e.name, "group": e.group, "stage": e.stage, "family": e.family, "summary": e.summary,
            "params": [param_json(p) for p in e.params], "baselines": list(e.baselines), "metrics": list(e.metrics),
            "primary_metric": e.primary_metric, "higher_is_better": e.higher_is_better, "runnable": e.runnable,
            "reference": e.reference}  # fmt: skip
