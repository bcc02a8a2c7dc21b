"""Re-parsing an edited spec by parsing only the statement the edit falls in.

An editor changes a few characters at a time. When the previous text parsed without a diagnostic and the
edit lies inside one pipeline-level statement (a setting, a binding or a whole stage, its first
character and what follows it untouched), only that statement's new text is parsed, alone, at its own
offsets; it replaces the old statement, and every span after it moves by the change in length. Whenever
that is not certain to give the tree a full parse gives (the statement's new text does not parse alone
as one statement of the same sort, it makes any diagnostic, or the edit crosses a statement's edge), the
answer is None and the caller parses the whole text. The work is the statement's size plus one walk
over the nodes after it, instead of lexing and parsing the whole file."""

from __future__ import annotations

from qlang.diagnostics import Span
from qlang.syntax import ast

_WRAPPER_HEAD = "pipeline p {\n"
_FOLLOWERS = frozenset(" \t\f\r\n}")  # what may follow a statement without joining it (not `/`: a comment)


def changed_region(old: str, new: str) -> tuple[int, int, int]:
    """(start, old_end, new_end): old[start:old_end] became new[start:new_end]; both ends are exclusive."""
    limit = min(len(old), len(new))
    lo, hi = 0, limit  # the common prefix's length lies in [lo, hi]: found by halving, compared in C
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[lo:mid] == new[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    prefix = lo
    lo, hi = 0, limit - prefix  # the common suffix, not overlapping the prefix
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[len(old) - mid : len(old) - lo] == new[len(new) - mid : len(new) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return prefix, len(old) - lo, len(new) - lo


def reparse(old_text: str, old_tree: ast.Spec, new_text: str, parse) -> ast.Spec | None:
    """The tree of `new_text` built from `old_tree` (the tree of `old_text`, parsed with no diagnostic),
    or None where the caller must parse the whole text. `old_tree` is consumed: nodes after the edit are
    moved in place. `parse` is `qlang.syntax.parser.parse`."""
    start, old_end, new_end = changed_region(old_text, new_text)
    if start == len(old_text) == len(new_text):
        return old_tree
    for p_index, pipeline in enumerate(old_tree.pipelines):
        if pipeline.span.end < start:
            continue
        for s_index, st in enumerate(pipeline.statements):
            if st.span.start < start and old_end <= st.span.end:
                return _splice(old_tree, p_index, s_index, new_text, new_end - old_end, parse)
        return None
    return None


def _splice(tree: ast.Spec, p_index: int, s_index: int, new_text: str, delta: int, parse) -> ast.Spec | None:
    pipeline = tree.pipelines[p_index]
    old = pipeline.statements[s_index]
    start, end = old.span.start, old.span.end + delta
    if start < len(_WRAPPER_HEAD) or end > len(new_text) or (end < len(new_text) and new_text[end] not in _FOLLOWERS):
        return None
    wrapped = _WRAPPER_HEAD + " " * (start - len(_WRAPPER_HEAD)) + new_text[start:end] + "\n}\n"
    part, diags = parse(wrapped)
    if diags or part is None or len(part.pipelines) != 1 or len(part.pipelines[0].statements) != 1:
        return None
    new = part.pipelines[0].statements[0]
    if type(new) is not type(old) or new.span != Span(start, end):
        return None
    pipeline.statements[s_index] = new
    if delta:
        shift([pipeline.statements[s_index + 1 :], tree.pipelines[p_index + 1 :]], delta)
        pipeline.span = Span(pipeline.span.start, pipeline.span.end + delta)
    old_end = old.span.end
    inside = [c for c in part.comments if start < c.span.start < end]
    tree.comments = (
        [c for c in tree.comments if c.span.start <= start]
        + inside
        + [ast.Comment(c.text, _moved(c.span, delta)) for c in tree.comments if c.span.start >= old_end]
    )
    tree.blank_lines_before = (
        {b for b in tree.blank_lines_before if b <= start}
        | {b for b in part.blank_lines_before if start < b < end}
        | {b + delta for b in tree.blank_lines_before if b >= old_end}
    )
    return tree


def _moved(span: Span, delta: int) -> Span:
    return Span(span.start + delta, span.end + delta)


# For each node class: its fields holding a span, and those holding nodes or lists of nodes
# (tests/frontend/test_incremental.py checks this table against the classes' fields).
LAYOUT: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ast.String: (("span",), ()),
    ast.Number: (("span",), ()),
    ast.Bool: (("span",), ()),
    ast.NoneValue: (("span",), ()),
    ast.Word: (("span",), ()),
    ast.Quantity: (("unit_span", "span"), ("number",)),
    ast.Sum: (("span",), ("terms",)),
    ast.Arg: (("name_span", "span"), ("value",)),
    ast.Call: (("name_span", "span"), ("args",)),
    ast.List: (("span",), ("items",)),
    ast.Sweep: (("span",), ("points",)),
    ast.Setting: (("key_span", "span"), ("value",)),
    ast.Binding: (("name_span", "span"), ("value",)),
    ast.Stage: (("kind_span", "name_span", "source_span", "span"), ("items",)),
    ast.Pipeline: (("name_span", "span"), ("statements",)),
}


def shift(nodes: list, delta: int) -> None:
    """Move every span in `nodes` (lists of statements or pipelines, at any depth) by `delta`, in place;
    iterative, so any nesting depth moves."""
    todo = list(nodes)
    pop, push, extend = todo.pop, todo.append, todo.extend
    while todo:
        node = pop()
        if type(node) is list:
            extend(node)
            continue
        spans, children = LAYOUT[type(node)]
        for name in spans:
            span = getattr(node, name)
            if span is not None:
                setattr(node, name, Span(span.start + delta, span.end + delta))
        for name in children:
            push(getattr(node, name))
