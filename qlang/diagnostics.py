"""Diagnostics: one error or warning about a span of a source file, rendered like rustc or as JSON."""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Span:
    """Character offsets [start, end) into the source text."""

    start: int
    end: int

    def to(self, other: Span) -> Span:
        return Span(min(self.start, other.start), max(self.end, other.end))


@dataclass(frozen=True, slots=True)
class Label:
    span: Span
    message: str


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span | None = None
    label: str = ""
    help: str | None = None
    severity: Severity = "error"
    notes: tuple[Label, ...] = ()


class Source:
    """A source file's text with a line index, for turning offsets into line:column."""

    def __init__(self, text: str, path: str = "<input>"):
        self.text = text
        self.path = path
        self._line_starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            self._line_starts.append(pos + 1)
            pos = find("\n", pos + 1)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def line_text(self, line: int) -> str:
        start = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r")


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    choices = list(choices)
    same_letters = [c for c in choices if c.lower() == word.lower()]  # `kj` → `kJ`
    close = same_letters or difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def article(word: str) -> str:
    """`word` with its indefinite article: "a curate", "an encode"."""
    return ("an " if word[:1] in "aeiou" else "a ") + word


def one_of(choices: Iterable[str]) -> str:
    items = [f"`{c}`" for c in choices]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


# --- rendering ---------------------------------------------------------------------------------

_STYLE = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "blue": "\x1b[1;34m", "bold": "\x1b[1m"}
_RESET = "\x1b[0m"


def _paint(text: str, style: str, color: bool) -> str:
    return f"{_STYLE[style]}{text}{_RESET}" if color else text


def render(diag: Diagnostic, source: Source, color: bool = False) -> str:
    sev = diag.severity
    head = _paint(f"{sev}[{diag.code}]", sev, color) + _paint(f": {diag.message}", "bold", color)
    lines = [head]
    spans = ([Label(diag.span, diag.label)] if diag.span else []) + [n for n in diag.notes if n.span is not None]
    width = 0
    if diag.span is None:
        lines.append(_paint(" --> ", "blue", color) + source.path)
    else:
        line, col = source.line_col(diag.span.start)
        numbers = [source.line_col(lbl.span.start)[0] for lbl in spans]
        width = len(str(max(numbers)))
        gutter = " " * width
        lines.append(f"{gutter}{_paint('-->', 'blue', color)} {source.path}:{line}:{col}")
        lines.append(f"{gutter} {_paint('|', 'blue', color)}")
        for i, lbl in enumerate(spans):
            lines.extend(_snippet(source, lbl, width, sev if i == 0 else "blue", color))
        lines.append(f"{gutter} {_paint('|', 'blue', color)}")
    if diag.help:
        lines.append(f"{' ' * width} {_paint('=', 'blue', color)} help: {diag.help}")
    return "\n".join(lines)


def _snippet(source: Source, label: Label, width: int, style: str, color: bool) -> list[str]:
    line, col = source.line_col(label.span.start)
    end_line, end_col = source.line_col(label.span.end)
    text = source.line_text(line).expandtabs(1)
    stop = end_col if end_line == line else len(text) + 1
    carets = max(1, stop - col)
    mark = "^" if style != "blue" else "-"
    underline = " " * (col - 1) + _paint(mark * carets + (f" {label.message}" if label.message else ""), style, color)
    bar = _paint("|", "blue", color)
    return [f"{_paint(str(line).rjust(width), 'blue', color)} {bar} {text}", f"{' ' * width} {bar} {underline}"]


def to_json(diag: Diagnostic, source: Source) -> dict:
    out: dict = {
        "code": diag.code,
        "severity": diag.severity,
        "message": diag.message,
        "file": source.path,
        "line": None,
        "column": None,
        "end_line": None,
        "end_column": None,
        "help": diag.help,
    }
    if diag.span is not None:
        out["line"], out["column"] = source.line_col(diag.span.start)
        out["end_line"], out["end_column"] = source.line_col(diag.span.end)
    return out


@dataclass
class Report:
    """Diagnostics collected for one source."""

    source: Source
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=lambda d: (d.span.start if d.span else -1, d.code))
