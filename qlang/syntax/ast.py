"""The syntax tree: what the source says, with the span of every part. No meaning yet."""

from __future__ import annotations

from dataclasses import dataclass, field

from qlang.diagnostics import Span

# --- values ------------------------------------------------------------------------------------


@dataclass(slots=True)
class String:
    value: str
    raw: str
    span: Span


@dataclass(slots=True)
class Number:
    value: int | float
    raw: str
    span: Span


@dataclass(slots=True)
class Quantity:
    number: Number
    unit: str
    unit_span: Span
    span: Span


@dataclass(slots=True)
class Sum:
    terms: list[Value]
    span: Span


@dataclass(slots=True)
class Bool:
    value: bool
    span: Span


@dataclass(slots=True)
class NoneValue:
    span: Span


@dataclass(slots=True)
class Word:
    name: str
    span: Span


@dataclass(slots=True)
class Arg:
    name: str | None
    name_span: Span | None
    value: Value
    span: Span


@dataclass(slots=True)
class Call:
    name: str
    name_span: Span
    args: list[Arg]
    span: Span


@dataclass(slots=True)
class List:
    items: list[Value]
    span: Span


@dataclass(slots=True)
class Sweep:
    """`sweep(v1, v2, …)`: a parameter takes each value in turn; several sweeps in one call form a grid."""

    points: list[Value]
    span: Span


Value = String | Number | Quantity | Sum | Bool | NoneValue | Word | Call | List | Sweep


# --- statements --------------------------------------------------------------------------------


@dataclass(slots=True)
class Setting:
    """`key value` inside a pipeline or a stage."""

    key: str
    key_span: Span
    value: Value
    span: Span


@dataclass(slots=True)
class Binding:
    """`data NAME = value` or `model NAME = value`."""

    keyword: str  # "data" | "model"
    name: str
    name_span: Span
    value: Value
    span: Span


@dataclass(slots=True)
class Stage:
    kind: str
    kind_span: Span
    name: str
    name_span: Span
    source: str | None
    source_span: Span | None
    items: list[Setting]
    span: Span


Statement = Setting | Binding | Stage


@dataclass(slots=True)
class Pipeline:
    name: str
    name_span: Span
    statements: list[Statement]
    span: Span


@dataclass(slots=True)
class Comment:
    text: str
    span: Span


@dataclass(slots=True)
class Spec:
    pipelines: list[Pipeline]
    comments: list[Comment] = field(default_factory=list)
    blank_lines_before: set[int] = field(default_factory=set)  # offsets of statements preceded by a blank line
