"""The formatter: syntax tree → canonical text, comments kept.

Layout: two-space indent, one statement per line, one space between a key and its value, at most one
blank line kept where the source had blank lines, none after `{`, one between pipelines. A comment on
a statement's line stays at its end; any other comment goes on its own line before the next statement
(a comment inside a multi-line value moves before that statement)."""

from __future__ import annotations

from qlang.syntax import ast
from qlang.syntax.strings import quote

INDENT = "  "


def _leaf_text(v: ast.Value) -> str | None:
    if isinstance(v, ast.String):
        return v.raw if v.raw else quote(v.value)
    if isinstance(v, ast.Number):
        return v.raw
    if isinstance(v, ast.Quantity):
        return f"{v.number.raw} {v.unit}"
    if isinstance(v, ast.Bool):
        return "true" if v.value else "false"
    if isinstance(v, ast.NoneValue):
        return "none"
    if isinstance(v, ast.Word):
        return v.name
    return None


def _parts(v: ast.Value | ast.Arg) -> list:
    """The pieces of a compound value, in order: strings, and nodes still to print."""
    if isinstance(v, ast.Arg):
        return [f"{v.name}: ", v.value] if v.name is not None else [v.value]
    if isinstance(v, ast.Call):
        return [f"{v.name}(", *_joined(v.args, ", "), ")"]
    if isinstance(v, ast.List):
        return ["[", *_joined(v.items, ", "), "]"]
    if isinstance(v, ast.Sum):
        return _joined(v.terms, " + ")
    if isinstance(v, ast.Sweep):
        return ["sweep(", *_joined(v.points, ", "), ")"]
    raise TypeError(f"not a value: {v!r}")


def _joined(nodes: list, sep: str) -> list:
    out: list = []
    for i, n in enumerate(nodes):
        if i:
            out.append(sep)
        out.append(n)
    return out


def value_text(v: ast.Value | ast.Arg) -> str:
    """The canonical text of a value. Iterative, with its own stack: any nesting depth prints."""
    out: list[str] = []
    todo: list = [v]
    while todo:
        node = todo.pop()
        if isinstance(node, str):
            out.append(node)
            continue
        leaf = _leaf_text(node)
        if leaf is not None:
            out.append(leaf)
        else:
            todo.extend(reversed(_parts(node)))
    return "".join(out)


def arg_text(a: ast.Arg) -> str:
    return value_text(a)


def statement_head(st: ast.Statement) -> str:
    if isinstance(st, ast.Setting):
        return f"{st.key} {value_text(st.value)}"
    if isinstance(st, ast.Binding):
        return f"{st.keyword} {st.name} = {value_text(st.value)}"
    src = f" from {st.source}" if st.source is not None else ""
    return f"stage {st.kind} {st.name}{src} {{"


class _Printer:
    def __init__(self, spec: ast.Spec, text: str):
        self.text = text
        self.comments = sorted(spec.comments, key=lambda c: c.span.start)
        self.next_comment = 0
        self.blank_before = spec.blank_lines_before
        self.lines: list[str] = []
        self.opener = -1  # index of the last line that opens a block (`{`, perhaps with a comment after it)

    def leading(self, before: int, depth: int) -> None:
        """Comments that start before `before`, each on its own line."""
        while self.next_comment < len(self.comments) and self.comments[self.next_comment].span.start < before:
            start = self.comments[self.next_comment].span.start
            after_opener = len(self.lines) - 1 == self.opener
            if start in self.blank_before and self.lines and self.lines[-1] != "" and not after_opener:
                self.lines.append("")
            self.lines.append(INDENT * depth + self.comments[self.next_comment].text)
            self.next_comment += 1

    def trailing(self, end: int) -> str:
        """A comment on the same line, right after offset `end`."""
        if self.next_comment < len(self.comments) and self.text:
            c = self.comments[self.next_comment]
            if end <= c.span.start and not self.text[end : c.span.start].strip(" \t\f"):  # only spaces between
                self.next_comment += 1
                return " " + c.text
        return ""

    def blank(self, start: int, first: bool) -> None:
        if not first and start in self.blank_before and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def statement(self, st: ast.Statement, depth: int, first: bool) -> None:
        self.blank(st.span.start, first)
        self.leading(st.span.start, depth)
        if isinstance(st, ast.Stage):
            self.leading(self._header_end(st) - 1, depth)  # comments inside the header move above it
            self.lines.append(INDENT * depth + statement_head(st) + self.trailing(self._header_end(st)))
            self.opener = len(self.lines) - 1
            for i, item in enumerate(st.items):
                self.statement(item, depth + 1, i == 0)
            self.leading(st.span.end - 1, depth + 1)
            self.lines.append(INDENT * depth + "}" + self.trailing(st.span.end))
        else:
            self.leading(st.span.end, depth)  # comments inside a multi-line value
            self.lines.append(INDENT * depth + statement_head(st) + self.trailing(st.span.end))

    def _header_end(self, st: ast.Stage) -> int:
        brace = self.text.find("{", (st.source_span or st.name_span).end) if self.text else -1
        return brace + 1 if brace != -1 else st.name_span.end

    def pipeline(self, p: ast.Pipeline, first: bool) -> None:
        if not first:
            self.lines.append("")
        self.leading(p.span.start, 0)
        self.blank(p.span.start, False)  # e.g. after a file's header comment
        brace = self.text.find("{", p.name_span.end) + 1 if self.text else p.name_span.end
        self.leading(brace, 0)
        self.lines.append(f"pipeline {p.name} {{" + self.trailing(brace))
        self.opener = len(self.lines) - 1
        for i, st in enumerate(p.statements):
            self.statement(st, 1, i == 0)
        self.leading(p.span.end - 1, 1)
        self.lines.append("}" + self.trailing(p.span.end))

    def spec(self, spec: ast.Spec) -> str:
        for i, p in enumerate(spec.pipelines):
            self.pipeline(p, i == 0)
        if self.next_comment < len(self.comments):
            if spec.pipelines:
                self.lines.append("")
            self.leading(len(self.text) + 1, 0)
        return "\n".join(self.lines).rstrip("\n") + "\n" if self.lines else ""


def print_spec(spec: ast.Spec, text: str = "") -> str:
    """Canonical text of a syntax tree; `text` is the source it was parsed from (for comments)."""
    return _Printer(spec, text).spec(spec)


def format_text(text: str, path: str = "<input>"):
    """(check result, formatted text or None when the spec does not parse)."""
    from qlang.checks import Result
    from qlang.diagnostics import Source
    from qlang.syntax.parser import parse

    tree, diags = parse(text)
    result = Result(Source(text, path), tree=tree, diagnostics=diags)
    if tree is None or any(d.severity == "error" for d in diags):
        return result, None
    return result, print_spec(tree, text)
