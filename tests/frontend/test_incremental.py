"""The language server's re-parse of an edit (qlang/syntax/incremental.py): wherever it answers a tree,
that tree is the one a full parse gives, comments and blank lines included; it parses only the edited
statement; and it declines what it cannot be sure of."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qlang.syntax import ast, incremental
from qlang.syntax.parser import parse

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.qlc"))
TEXTS = [p.read_text(encoding="utf-8") for p in SPECS]
sys.path.insert(0, str(ROOT / "benchmarks"))
from frontend import generate

PIECES = ["7", "8", "x", " ", "\n", "kJ", "(", ")", "[", "]", ",", ":", '"a"', "// c", "}", "{", "stage", "+", "_"]


class Counting:
    """`parse`, counting the characters other than spaces it is given."""

    def __init__(self):
        self.calls = 0
        self.chars = 0

    def __call__(self, text: str):
        self.calls += 1
        self.chars += len(text) - text.count(" ")
        return parse(text)


def same_as_full_parse(old: str, new: str) -> bool:
    """Re-parse `new` from `old`'s tree; True when it answered a tree (equal to a full parse's), False when it
    declined (and a full parse has diagnostics or the edit crossed a statement's edge)."""
    tree, diags = parse(old)
    assert tree is not None and not diags
    got = incremental.reparse(old, tree, new, parse)
    if got is None:
        return False
    full, full_diags = parse(new)
    assert not full_diags, "a tree was answered for a text with syntax errors"
    assert got.pipelines == full.pipelines
    assert got.comments == full.comments
    assert got.blank_lines_before == full.blank_lines_before
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.integers(0, len(TEXTS) - 1),
    where=st.floats(0, 1),
    cut=st.integers(0, 6),
    insert=st.lists(st.sampled_from(PIECES), max_size=3),
)
def test_an_answered_tree_is_the_full_parse(which, where, cut, insert):
    old = TEXTS[which]
    at = int(where * len(old))
    same_as_full_parse(old, old[:at] + "".join(insert) + old[at + cut :])


def test_edits_inside_one_statement_parse_only_that_statement():
    old = generate(300)  # about 45 kB
    for needle, replacement in [
        ("seed 7", "seed 8"),  # a pipeline setting, same length
        ("clusters: 2", "clusters: 23"),  # inside the first stage: everything after it moves
        ("budget 1 kJ", "budget 1 kJ + 5 J"),
        ("baseline kmeans", "baseline kmeans // a comment\n    repeat 2\n\n    // another"),
    ]:
        new = old.replace(needle, replacement, 1)
        tree, _ = parse(old)
        counting = Counting()
        got = incremental.reparse(old, tree, new, counting)
        assert got is not None, needle
        assert counting.calls == 1 and counting.chars < 400, needle  # not the 45 kB file
        assert same_as_full_parse(old, new)


def test_it_declines_what_a_statement_alone_cannot_tell():
    old = generate(14)
    for new in [
        old.replace("seed 7", "seed = 7", 1),  # a syntax error
        old.replace("seed 7", "seed 7 8", 1),  # the edit ends past the statement
        old.replace("  seed 7", "  seed x 7", 1),  # two values
        old.replace("  stage encode s1", "  stage encode s1 {}\n  stage encode s1b", 1),  # a second stage
        old.replace("seed 7\n", "seed 7\n  repeat 2\n", 1),  # crosses into the next line
    ]:
        assert new != old
        assert not same_as_full_parse(old, new), new[:200]
    # a statement followed by a comment without a space: declined, whatever the edit (a `/` could join it)
    assert not same_as_full_parse("pipeline p {\n  seed 7// c\n}\n", "pipeline p {\n  seed 8// c\n}\n")


def test_no_edit_and_edits_at_the_end():
    old = generate(7)
    tree, _ = parse(old)
    assert incremental.reparse(old, tree, old, parse) is tree
    assert not same_as_full_parse(old, old + "pipeline q {\n  seed 1\n}\n")  # a new pipeline: a full parse


def test_shift_moves_every_span_at_any_depth():
    depth = 50_000  # deeper than any recursion limit
    text = "pipeline p {\n  seed " + "[" * depth + "f(a: 2 kJ + 1)" + "]" * depth + "\n}\n"
    tree, diags = parse(text)
    assert not diags
    incremental.shift([tree.pipelines], 3)
    moved, _ = parse("   " + text)
    assert all_spans(tree) == all_spans(moved)  # (== on the trees would recurse too deep)
    assert len(all_spans(tree)) > depth


def all_spans(tree: ast.Spec) -> list:
    out, todo = [], [tree.pipelines]
    while todo:
        node = todo.pop()
        if isinstance(node, list):
            todo.extend(node)
            continue
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if f.name.endswith("span"):
                out.append(value)
            elif isinstance(value, list) or dataclasses.is_dataclass(value):
                todo.append(value)
    return out


def test_the_layout_table_names_every_span_and_child_field():
    for cls in (ast.String, ast.Number, ast.Bool, ast.NoneValue, ast.Word, ast.Quantity, ast.Sum, ast.Arg):
        assert cls in incremental.LAYOUT
    for cls, (spans, children) in incremental.LAYOUT.items():
        names = [f.name for f in dataclasses.fields(cls)]
        assert set(spans) == {n for n in names if n == "span" or n.endswith("_span")}, cls
        node_fields = {n for n in names if n not in spans and n not in _SCALAR_FIELDS.get(cls, ())}
        assert set(children) == node_fields, cls


_SCALAR_FIELDS = {
    ast.String: ("value", "raw"),
    ast.Number: ("value", "raw"),
    ast.Bool: ("value",),
    ast.Word: ("name",),
    ast.Quantity: ("unit",),
    ast.Arg: ("name",),
    ast.Call: ("name",),
    ast.Setting: ("key",),
    ast.Binding: ("keyword", "name"),
    ast.Stage: ("kind", "name", "source"),
    ast.Pipeline: ("name",),
}


def test_changed_region():
    assert incremental.changed_region("abcdef", "abXdef") == (2, 3, 3)
    assert incremental.changed_region("aaaa", "aaaaa") == (4, 4, 5)
    assert incremental.changed_region("abc", "abc") == (3, 3, 3)
    assert incremental.changed_region("", "x") == (0, 0, 1)
    assert incremental.changed_region("xyx", "x") == (1, 3, 1)
