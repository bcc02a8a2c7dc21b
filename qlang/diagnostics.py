"""Diagnostics: one error or warning about a span of a source file, rendered like rustc or as JSON."""

from __future__ import annotations

import bisect
import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

T = TypeVar("T")

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
    """A secondary mark on the source; with no span, a note printed as `= note:`."""

    span: Span | None
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


# A long source line is shown as a window of this many characters around the span, so the output of
# one diagnostic does not grow with its line (a 70 kB one-line spec once printed 1 GB for 10,000 errors).
MAX_LINE = 100
CONTEXT = 40  # characters shown before the span in a window
MAX_SHOWN = 50  # diagnostics printed in text form per command; the rest are counted ("and N more")

# Bidirectional overrides reorder what a terminal shows ("Trojan source"); escape them with the C0/C1 controls.
_BIDI = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def escape(text: str) -> str:
    """`text` safe to print on a terminal: control characters (escape sequences, bells, carriage returns,
    bidirectional overrides) become visible escapes such as `\\x1b`; everything else is kept."""
    if text.isprintable():
        return text
    return "".join(_escape_char(c) for c in text)


def _escape_char(c: str) -> str:
    if c == "\t" or not (unicodedata.category(c) == "Cc" or c in _BIDI):
        return c
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def render(diag: Diagnostic, source: Source, color: bool = False) -> str:
    sev = diag.severity
    head = _paint(f"{sev}[{diag.code}]", sev, color) + _paint(f": {escape(diag.message)}", "bold", color)
    lines = [head]
    spans = ([Label(diag.span, diag.label)] if diag.span else []) + [n for n in diag.notes if n.span is not None]
    width = 0
    path = escape(source.path)
    if diag.span is None:
        lines.append(_paint(" --> ", "blue", color) + path)
    else:
        line, col = source.line_col(diag.span.start)
        numbers = [source.line_col(lbl.span.start)[0] for lbl in spans if lbl.span is not None]
        width = len(str(max(numbers)))
        gutter = " " * width
        lines.append(f"{gutter}{_paint('-->', 'blue', color)} {path}:{line}:{col}")
        lines.append(f"{gutter} {_paint('|', 'blue', color)}")
        for i, lbl in enumerate(spans):
            lines.extend(_snippet(source, lbl, width, sev if i == 0 else "blue", color))
        lines.append(f"{gutter} {_paint('|', 'blue', color)}")
    for note in diag.notes:
        if note.span is None:
            lines.append(f"{' ' * width} {_paint('=', 'blue', color)} note: {note.message}")
    if diag.help:
        lines.append(f"{' ' * width} {_paint('=', 'blue', color)} help: {escape(diag.help)}")
    return "\n".join(lines)


def char_width(ch: str) -> int:
    """Terminal columns of one character: 2 for wide and full-width ones (CJK, most emoji), 0 for combining
    marks and format characters (zero-width joiner, variation selectors), else 1."""
    if ch.isascii():
        return 1 if ch.isprintable() else 0
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Terminal columns of `text`, so that a caret lands under the character it points at."""
    return len(text) if text.isascii() else sum(char_width(ch) for ch in text)


def _snippet(source: Source, label: Label, width: int, style: str, color: bool) -> list[str]:
    if label.span is None:  # a note without a place is printed as `= note:`, not drawn
        return []
    line, col = source.line_col(label.span.start)
    end_line, end_col = source.line_col(label.span.end)
    text = source.line_text(line).expandtabs(1)
    stop = end_col if end_line == line else len(text) + 1
    shown, start, carets = excerpt(text, col - 1, max(col, stop) - 1)
    mark = "^" if style != "blue" else "-"
    message = f" {escape(label.message)}" if label.message else ""
    underline = " " * start + _paint(mark * carets + message, style, color)
    bar = _paint("|", "blue", color)
    return [f"{_paint(str(line).rjust(width), 'blue', color)} {bar} {shown}", f"{' ' * width} {bar} {underline}"]


def excerpt(text: str, lo: int, hi: int) -> tuple[str, int, int]:
    """What to print of a source line whose span is text[lo:hi]: at most MAX_LINE of its characters
    around the span (an ellipsis where it is cut), control characters escaped; with the column the
    span starts at in what is printed and how many carets underline it (at least one), both counted in
    display columns (a CJK character or an emoji takes two)."""
    begin, end = 0, len(text)
    if len(text) > MAX_LINE:
        begin = max(0, min(lo - CONTEXT, len(text) - MAX_LINE))
        end = begin + MAX_LINE
    hi = max(lo, min(hi, end))
    before = ("…" if begin else "") + escape(text[begin:lo])
    span = escape(text[lo:hi])
    after = escape(text[hi:end]) + ("…" if end < len(text) else "")
    return before + span + after, display_width(before), max(1, display_width(span))


def shown(diagnostics: list[T], limit: int = MAX_SHOWN) -> tuple[list[T], int]:
    """The first `limit` diagnostics (or diagnostics with their sources) to print, and how many more there are."""
    return diagnostics[:limit], max(0, len(diagnostics) - limit)


def more_line(hidden: int) -> str:
    return f"… and {hidden} more diagnostic{'s' * (hidden != 1)} not shown; `qlc check --format json` lists every one"


def _where(span: Span, source: Source) -> dict:
    line, column = source.line_col(span.start)
    end_line, end_column = source.line_col(span.end)
    return {"line": line, "column": column, "end_line": end_line, "end_column": end_column}


def to_json(diag: Diagnostic, source: Source) -> dict:
    """One diagnostic as JSON. `labels` are the marked spans, the primary one first (1-based lines and
    columns counted in characters, end exclusive); `notes` are the notes that point nowhere."""
    out: dict = {
        "code": diag.code,
        "severity": diag.severity,
        "message": diag.message,
        "file": source.path,
        "line": None,
        "column": None,
        "end_line": None,
        "end_column": None,
        "label": diag.label,
        "labels": [],
        "notes": [n.message for n in diag.notes if n.span is None],
        "help": diag.help,
    }
    if diag.span is not None:
        out.update(_where(diag.span, source))
        out["labels"].append({"primary": True, "message": diag.label, **_where(diag.span, source)})
    out["labels"] += [
        {"primary": False, "message": n.message, **_where(n.span, source)} for n in diag.notes if n.span is not None
    ]
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
