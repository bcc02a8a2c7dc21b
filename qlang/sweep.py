"""Sweep points: a method's parameters with `sweep(…)` expanded into the grid of concrete parameter sets.

`params` holds every parameter (a swept one at its first point); `sweep` maps each swept parameter to
its points, in the order the spec wrote them. The grid is the Cartesian product in that order, the
last parameter varying fastest; point 0 is `params` itself."""

from __future__ import annotations

import itertools
from typing import Any


def points(params: dict[str, Any], sweep: dict[str, list[Any]] | None) -> list[dict[str, Any]]:
    """Every parameter set of the grid (one, `params`, when nothing is swept)."""
    if not sweep:
        return [dict(params)]
    keys = list(sweep)
    return [{**params, **dict(zip(keys, combo))} for combo in itertools.product(*(sweep[k] for k in keys))]


def coordinates(point: dict[str, Any], sweep: dict[str, list[Any]] | None) -> dict[str, Any]:
    """The swept parameters of one point: what tells it apart from the other points."""
    return {k: point[k] for k in (sweep or {})}


def label(coords: dict[str, Any]) -> str:
    """`qubits=4, shots=256`, or '' for a method that sweeps nothing."""
    return ", ".join(f"{k}={'none' if v is None else v}" for k, v in coords.items())


def at_point(name: str, point: dict[str, Any] | None) -> str:
    """`zz_feature_map [device=fake_fez, shots=256]`, or the name alone outside a sweep."""
    where = label(point or {})
    return f"{name} [{where}]" if where else name


DEVICE_FIELDS = ("device", "device_qubits", "noise", "shots")


def device_points(pipeline: dict) -> list[dict]:
    """A pipeline's device points (qlang.ir.model.DevicePoint as JSON): the points of its sweep of `device`
    and `shots`, or the one device it has, with no coordinates."""
    return list(pipeline.get("points") or [{"coords": {}, **{k: pipeline.get(k) for k in DEVICE_FIELDS}}])


def at_device(pipeline: dict, point: dict) -> dict:
    """The pipeline as it runs at one device point (qlang.ir.model.Pipeline.at)."""
    return {**pipeline, **{k: point.get(k) for k in DEVICE_FIELDS}, "points": []}


def devices_label(pipeline: dict) -> str:
    """The pipeline's device, or its sweep's devices joined (`fake_fez, fake_torino`)."""
    return ", ".join(dict.fromkeys(p["device"] for p in device_points(pipeline)))
