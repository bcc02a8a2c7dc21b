"""A front end that survives any input: several syntax errors per file, any nesting depth, carets that
count display width."""

from __future__ import annotations

import pytest

from qlang.checks import check_text
from qlang.diagnostics import Diagnostic, Source, Span, display_width, render
from qlang.syntax.parser import parse
from qlang.syntax.printer import format_text

BROKEN = """pipeline p {
  seed = 7
  repeat 3
  budget 2 kJ +
  stage curate s {
    method kmeans(
  }
  grid 'x'
  stage curate t from 数据 {
    method kmeans
  }
  qpu superconducting
}
"""


def test_every_broken_line_is_reported_once():
    result = check_text(BROKEN)
    lines = [result.source.line_col(d.span.start)[0] for d in result.diagnostics]
    assert lines == [2, 4, 7, 8, 9]
    assert [d.code for d in result.diagnostics] == ["Q001", "Q001", "Q001", "Q003", "Q003"]
    assert result.spec is None


def test_the_recovered_tree_keeps_the_statements_that_parsed():
    tree, _ = parse(BROKEN)
    kept = [getattr(s, "key", None) or s.name for s in tree.pipelines[0].statements]
    assert kept == ["repeat", "s", "grid", "qpu"]  # the stage `t`, whose header is broken, is skipped with its block


@pytest.mark.parametrize("text, line", [
    ("pipeline p {\n  seed 7\n", 3),  # an unclosed pipeline: one error, at the end
    ("pipeline p {\n  seed [1,\n", 3),
    ("pipeline p {\n  stage curate s {\n    method kmeans(k: 2\n", 4),
])
def test_missing_closers_are_one_error_at_the_end(text, line):
    tree, diags = parse(text)
    assert [d.code for d in diags] == ["Q002"]
    assert tree is not None and tree.pipelines[0].name == "p"


def test_a_thousand_errors_are_a_thousand_diagnostics():
    text = "pipeline p {\n" + "  seed = 7\n" * 1000 + "}\n"
    _, diags = parse(text)
    assert len(diags) == 1000 and {d.code for d in diags} == {"Q001"}


@pytest.mark.parametrize("opener, closer", [("[", "]"), ("f(", ")"), ("f(a: ", ")"), ("[f(", ")]")])
def test_any_nesting_depth_checks_and_formats(opener, closer):
    depth = 50_000
    text = "pipeline p {\n  seed " + opener * depth + "1" + closer * depth + "\n}\n"
    result = check_text(text)
    assert [d.code for d in result.diagnostics] == ["Q201"]
    render(result.diagnostics[0], result.source)
    _, formatted = format_text(text)
    assert formatted == text


def test_carets_count_display_width():
    text = 'pipeline p {\n  seed "数据😀" xyz\n}\n'
    start = text.index("xyz")
    shown = render(Diagnostic("Q999", "m", Span(start, start + 3), label="here"), Source(text)).splitlines()
    source_line, caret_line = shown[3], shown[4]
    assert display_width(source_line[:source_line.index("xyz")]) == caret_line.index("^")
    start = text.index("数")
    shown = render(Diagnostic("Q999", "m", Span(start, start + 3)), Source(text)).splitlines()
    assert shown[4].count("^") == 6  # two wide characters and a wide emoji


def test_display_width():
    assert display_width("abc") == 3
    assert display_width("数据") == 4
    assert display_width("😀") == 2
    assert display_width("e\u0301") == 1  # a combining accent takes no column
