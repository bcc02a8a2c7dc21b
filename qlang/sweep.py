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
