"""Typing one value against a parameter: type, range, unit and dimension, nested calls."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any

from qlang import catalog
from qlang.catalog.schema import Entry, Param, number_words
from qlang.diagnostics import Diagnostic, Label, Span, article, did_you_mean, one_of
from qlang.syntax import ast
from qlang.units import PERCENT, UNITS

Diags = list[Diagnostic]


@dataclass(frozen=True)
class Swept:
    """A parameter's values under `sweep(…)`, each typed and range-checked like a single value."""

    points: tuple[Any, ...]


def _kind_of(v: ast.Value) -> str:
    return {
        ast.String: "a string",
        ast.Number: "a number",
        ast.Quantity: "a quantity",
        ast.Sum: "a sum",
        ast.Bool: "a boolean",
        ast.NoneValue: "`none`",
        ast.Word: "a word",
        ast.Call: "a call",
        ast.List: "a list",
        ast.Sweep: "a sweep",
    }[type(v)]


def _wrong_type(v: ast.Value, p: Param, what: str, help: str | None = None) -> Diagnostic:
    return Diagnostic(
        "Q201",
        f"`{what}` expects {p.type_words()}, found {_kind_of(v)}",
        v.span,
        label=f"expected {p.type_words()}",
        help=help or _example_help(p, v),
    )


def _example_help(p: Param, v: ast.Value | None = None) -> str | None:
    if isinstance(v, ast.String) and p.type in ("int", "float"):
        return "numbers go without quotes"
    if p.type == "quantity" and p.dimension:
        return f"write {p.dimension.name} with a unit, e.g. `{p.dimension.example}`"
    if p.type == "enum":
        return f"one of {one_of(p.choices)}"
    if p.type == "string":
        return 'strings go in double quotes, e.g. "text"'
    return None


def quantity(v: ast.Value, p: Param, what: str, diags: Diags) -> float | None:
    """A quantity or a sum of quantities in the parameter's dimension, normalised to its base unit."""
    terms = v.terms if isinstance(v, ast.Sum) else [v]
    dimension = p.dimension
    if dimension is None:
        raise ValueError(f"{p.name} is not a quantity parameter")  # the catalog gives every quantity one
    total = 0.0
    ok = True
    for t in terms:
        if isinstance(t, ast.Number):
            diags.append(
                Diagnostic("Q201", f"`{what}` needs a unit", t.span, label="a bare number", help=_example_help(p))
            )
            ok = False
            continue
        if not isinstance(t, ast.Quantity):
            diags.append(_wrong_type(t, p, what))
            ok = False
            continue
        unit = UNITS.get(t.unit)
        if unit is None:
            same = [u for u, (d, _) in UNITS.items() if d == dimension]
            diags.append(
                Diagnostic(
                    "Q106",
                    f"unknown unit `{t.unit}`",
                    t.unit_span,
                    label="not a unit qlang knows",
                    help=did_you_mean(t.unit, same) or f"{dimension.name} units: {one_of(same)}",
                )
            )
            ok = False
            continue
        dim, factor = unit
        if dim != dimension:
            diags.append(
                Diagnostic(
                    "Q203",
                    f"`{what}` is {dimension.name}, but `{t.unit}` measures {dim.name}",
                    t.unit_span,
                    label=f"a unit of {dim.name}",
                    help=f"write {dimension.name} with a unit, e.g. `{dimension.example}`",
                )
            )
            ok = False
            continue
        if _too_large(t.number, what, diags):
            ok = False
            continue
        total += t.number.value * factor
    if not ok:
        return None
    if not math.isfinite(total):
        diags.append(
            Diagnostic(
                "Q202", f"`{what}` is out of range: the total is too large", v.span, label="too large a quantity"
            )
        )
        return None
    if p.min is not None and total < p.min:
        diags.append(Diagnostic("Q202", f"`{what}` cannot be negative", v.span, label="below zero"))
        return None
    return total


def not_sweepable(v: ast.Sweep, what: str) -> Diagnostic:
    """Q208 for a `sweep(…)` where none may go."""
    return Diagnostic(
        "Q208",
        f"`{what}` cannot be swept",
        v.span,
        label="a sweep is not allowed here",
        help="a sweep goes in a method's or baseline's parameters, such as "
        "`method quantum_kmeans(qubits: sweep(2, 4))`, or in the pipeline's `device` or `shots`, such as "
        "`device sweep(fake_fez, fake_torino)`",
    )


def coerce(v: ast.Value, p: Param, what: str, diags: Diags) -> Any:
    """The Python value of `v` for parameter `p`, or None after appending diagnostics."""
    if isinstance(v, ast.Sweep):
        diags.append(not_sweepable(v, what))
        return None
    if isinstance(v, ast.NoneValue):
        if p.nullable:
            return None
        diags.append(
            Diagnostic("Q201", f"`{what}` cannot be `none`", v.span, label="needs a value", help=_example_help(p))
        )
        return None
    if isinstance(v, ast.Sum) and p.type != "quantity":
        diags.append(_wrong_type(v, p, what, help="`+` adds quantities with units, such as `2 kJ + 500 J`"))
        return None
    t = p.type
    if t == "quantity":
        return quantity(v, p, what, diags)
    number = v.number if isinstance(v, ast.Quantity) else v
    if isinstance(number, ast.Number) and _too_large(number, what, diags):
        return None
    if t == "int":
        if isinstance(v, ast.Number) and isinstance(v.value, int):
            return _in_range(v.value, v, p, what, diags)
        if isinstance(v, ast.Number):
            whole = float(v.value).is_integer()
            diags.append(
                Diagnostic(
                    "Q201",
                    f"`{what}` expects a whole number, found `{v.raw}`",
                    v.span,
                    label="not an integer",
                    help=f"write `{int(v.value)}`" if whole else None,
                )
            )
            return None
        diags.append(_wrong_type(v, p, what))
        return None
    if t == "float":
        if isinstance(v, ast.Number):
            return _in_range(float(v.value), v, p, what, diags)
        if isinstance(v, ast.Quantity) and UNITS.get(v.unit, (None,))[0] == PERCENT:
            return _in_range(v.number.value * 0.01, v, p, what, diags)
        diags.append(_wrong_type(v, p, what))
        return None
    if t == "bool":
        if isinstance(v, ast.Bool):
            return v.value
        diags.append(_wrong_type(v, p, what, help="write `true` or `false`"))
        return None
    if t == "string":
        if isinstance(v, ast.String):
            return v.value
        diags.append(_wrong_type(v, p, what))
        return None
    if t == "enum":
        if isinstance(v, ast.Word):
            if v.name in p.choices:
                return v.name
            diags.append(
                Diagnostic(
                    "Q205",
                    f"`{v.name}` is not a valid `{what}`",
                    v.span,
                    label=f"expected {one_of(p.choices)}",
                    help=did_you_mean(v.name, p.choices) or f"one of {one_of(p.choices)}",
                )
            )
            return None
        if isinstance(v, ast.String) and v.value in p.choices:
            diags.append(_wrong_type(v, p, what, help=f"write `{v.value}` without quotes"))
            return None
        diags.append(_wrong_type(v, p, what))
        return None
    if t == "list":
        if not isinstance(v, ast.List):
            diags.append(_wrong_type(v, p, what))
            return None
        item = Param(p.name, p.item or "string")
        out = [coerce(i, item, what, diags) for i in v.items]
        return out
    if t == "call":
        group = p.choices[0]
        got = call(v, catalog.GROUPS[group], group, diags)
        return None if got is None else {"name": got[0].name, "params": got[1]}
    raise AssertionError(f"unknown parameter type {t}")


def _in_range(x: float, v: ast.Value, p: Param, what: str, diags: Diags) -> float | None:
    low_bad = p.min is not None and (x <= p.min if p.exclusive_min else x < p.min)
    high_bad = p.max is not None and x > p.max
    if low_bad or high_bad:
        diags.append(
            Diagnostic(
                "Q202",
                f"`{what}` is out of range: {number_words(x)}",
                v.span,
                label=f"must satisfy {p.range_words()}",
                help=p.doc.capitalize() if p.doc else None,
            )
        )
        return None
    return x


def _too_large(n: ast.Number, what: str, diags: Diags) -> bool:
    """A number beyond the range of a float (such as `1e999`) cannot be used for anything."""
    if abs(n.value) <= sys.float_info.max:  # False for inf and nan
        return False
    diags.append(
        Diagnostic("Q202", f"`{what}` is out of range: the number is too large", n.span, label="too large a number")
    )
    return True


def call(
    v: ast.Value,
    group: dict[str, Entry],
    group_name: str,
    diags: Diags,
    unknown_code: str = "Q107",
    choices: list[str] | None = None,
    sweepable: bool = False,
) -> tuple[Entry, dict[str, Any]] | None:
    """Resolve `name` or `name(args...)` against a catalog group and type its arguments; with `sweepable`,
    an argument may be `sweep(…)` and its value is then a `Swept`."""
    if isinstance(v, ast.Word):
        name, name_span, args = v.name, v.span, []
    elif isinstance(v, ast.Call):
        name, name_span, args = v.name, v.name_span, v.args
    else:
        diags.append(
            Diagnostic(
                "Q201",
                f"expected {article(group_name)} name or call, found {_kind_of(v)}",
                v.span,
                label=f"expected {article(group_name)}",
                help=f"for example `{next(iter(choices or group))}`",
            )
        )
        return None
    entry = group.get(name)
    if entry is None or (choices is not None and name not in choices):
        pool = choices if choices is not None else list(group)
        diags.append(
            Diagnostic(
                unknown_code,
                f"unknown {group_name} `{name}`",
                name_span,
                label=f"not a known {group_name}",
                help=did_you_mean(name, pool) or f"known: {one_of(sorted(pool))}",
            )
        )
        return None
    return entry, arguments(entry, args, name_span, diags, sweepable)


def swept(v: ast.Sweep, p: Param, diags: Diags) -> Swept:
    """Each point typed against `p` with its own span; a point given twice is an error."""
    seen: dict[Any, Span] = {}
    points = []
    for point in v.points:
        before = len(diags)
        value = coerce(point, p, p.name, diags)
        if len(diags) > before:
            continue
        key = repr(value)
        if key in seen:
            diags.append(
                Diagnostic(
                    "Q208",
                    f"the sweep of `{p.name}` lists {key} twice",
                    point.span,
                    label="again here",
                    notes=(Label(seen[key], "first here"),),
                    help="each point of a sweep runs once; drop the repeat",
                )
            )
            continue
        seen[key] = point.span
        points.append(value)
    return Swept(tuple(points))


def arguments(
    entry: Entry, args: list[ast.Arg], name_span: Span, diags: Diags, sweepable: bool = False
) -> dict[str, Any]:
    """Type the arguments of a call to `entry`; fill defaults; report unknown, duplicate, missing ones."""
    values: dict[str, Any] = {}
    seen: dict[str, Span] = {}
    positional_ok = True
    for i, a in enumerate(args):
        if a.name is None:
            if not positional_ok or i >= len(entry.params):
                diags.append(
                    Diagnostic(
                        "Q308",
                        f"unexpected positional argument to `{entry.name}`",
                        a.span,
                        label="name this argument",
                        help=f"write it as `name: value`; `{entry.name}` takes "
                        f"{one_of(p.name for p in entry.params) or 'no arguments'}",
                    )
                )
                continue
            p = entry.params[i]
            key_span = a.span
        else:
            positional_ok = False
            named = entry.param(a.name)
            key_span = a.name_span or a.span  # a named argument's name always has its span
            if named is None:
                names = [q.name for q in entry.params]
                diags.append(
                    Diagnostic(
                        "Q105",
                        f"`{entry.name}` has no parameter `{a.name}`",
                        a.name_span,
                        label="unknown parameter",
                        help=did_you_mean(a.name, names)
                        or (f"its parameters: {one_of(names)}" if names else "it takes no parameters"),
                    )
                )
                continue
            p = named
        if p.name in seen:
            diags.append(
                Diagnostic(
                    "Q206",
                    f"parameter `{p.name}` is given twice",
                    key_span,
                    label="again here",
                    notes=(Label(seen[p.name], "first here"),),
                )
            )
            continue
        seen[p.name] = key_span
        if sweepable and isinstance(a.value, ast.Sweep):
            values[p.name] = swept(a.value, p, diags)
        else:
            values[p.name] = coerce(a.value, p, p.name, diags)
    for p in entry.params:
        if p.name not in seen:
            if p.required:
                diags.append(
                    Diagnostic(
                        "Q204",
                        f"`{entry.name}` needs the parameter `{p.name}`",
                        name_span,
                        label=f"`{p.name}` is missing",
                        help=f"add `{p.name}: …` ({p.type_words()}{': ' + p.doc if p.doc else ''})",
                    )
                )
            else:
                values[p.name] = p.default
    return values
