"""What the language server knows about a spec, as pure functions of its text and a character offset.

Everything here stands on the front end the CLI uses (`check_text`, the syntax tree, the printer) and
on the catalog's public API; offsets are Python string indices (the server converts LSP positions).
Completion reads the text before the cursor, not the tree, because while one types the tree is often
broken; hover, definitions, references and symbols read the (possibly recovered) syntax tree."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qlang import catalog
from qlang.catalog.docs import describe
from qlang.catalog.mitigation import MITIGATIONS
from qlang.catalog.noise import NOISE
from qlang.catalog.schema import REQUIRED, STAGE_KINDS, Entry, Param
from qlang.catalog.settings import PIPELINE, STAGE
from qlang.checks import Result
from qlang.diagnostics import Span
from qlang.syntax import ast
from qlang.units import UNITS

KEYWORDS = ("data", "model", "stage")
DID_YOU_MEAN = re.compile(r"did you mean `([^`]+)`\?")


# --- the syntax tree: what lies under an offset ----------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """The innermost named thing under an offset, and what it names."""

    kind: str  # "kind", "setting", "entry", "arg", "unit", "name", "ref"
    span: Span
    name: str
    where: str = ""  # "pipeline" or "stage" for a setting; the entry's name for an argument
    stage_kind: str = ""


def _inside(span: Span | None, offset: int) -> bool:
    return span is not None and span.start <= offset <= span.end


def _entry_of(key: str) -> dict[str, Entry] | None:
    return {"method": catalog.METHODS, "baseline": catalog.METHODS}.get(key)


def _value_hits(v: ast.Value, offset: int, group: dict[str, Entry] | None) -> Hit | None:
    """Walk a value with an explicit stack (any depth): names of calls, their arguments, units."""
    todo: list[tuple[ast.Value, dict[str, Entry] | None]] = [(v, group)]
    while todo:
        node, grp = todo.pop()
        if not _inside(node.span, offset):
            continue
        if isinstance(node, ast.Quantity) and _inside(node.unit_span, offset):
            return Hit("unit", node.unit_span, node.unit)
        if isinstance(node, ast.Word) and grp is not None and node.name in grp:
            return Hit("entry", node.span, node.name)
        if isinstance(node, ast.Call):
            entry = (grp or {}).get(node.name) or catalog.lookup(node.name)
            if _inside(node.name_span, offset):
                return Hit("entry", node.name_span, node.name) if entry else None
            for a in node.args:
                if a.name is not None and a.name_span is not None and _inside(a.name_span, offset) and entry:
                    return Hit("arg", a.name_span, a.name, where=entry.name)
                param = entry.param(a.name) if entry is not None and a.name else None
                sub = catalog.GROUPS.get(param.choices[0]) if param is not None and param.type == "call" else None
                todo.append((a.value, sub))
        elif isinstance(node, ast.List):
            todo += [(i, grp) for i in node.items]
        elif isinstance(node, ast.Sum):
            todo += [(t, grp) for t in node.terms]
        elif isinstance(node, ast.Sweep):
            todo += [(p, grp) for p in node.points]
    return None


def hit_at(tree: ast.Spec | None, offset: int) -> Hit | None:
    if tree is None:
        return None
    for p in tree.pipelines:
        if not _inside(p.span, offset):
            continue
        for st in p.statements:
            if not _inside(st.span, offset):
                continue
            if isinstance(st, ast.Setting):
                if _inside(st.key_span, offset):
                    return Hit("setting", st.key_span, st.key, "pipeline")
                return _value_hits(st.value, offset, None)
            if isinstance(st, ast.Binding):
                if _inside(st.name_span, offset):
                    return Hit("name", st.name_span, st.name, st.keyword)
                return _value_hits(st.value, offset, catalog.DATA if st.keyword == "data" else catalog.MODELS)
            if _inside(st.kind_span, offset):
                return Hit("kind", st.kind_span, st.kind)
            if _inside(st.name_span, offset):
                return Hit("name", st.name_span, st.name, "stage", st.kind)
            if st.source_span is not None and _inside(st.source_span, offset):
                return Hit("ref", st.source_span, st.source or "")
            for item in st.items:
                if _inside(item.key_span, offset):
                    return Hit("setting", item.key_span, item.key, "stage", st.kind)
                if _inside(item.span, offset):
                    return _value_hits(item.value, offset, _entry_of(item.key))
    return None


# --- hover -----------------------------------------------------------------------------------------


def param_doc(p: Param) -> str:
    """One parameter in Markdown: name, type, default, range and what it means."""
    parts = [f"`{p.name}`: {p.type_words()}"]
    if p.default is not REQUIRED:
        parts.append(f"default `{'none' if p.default is None else p.default}`")
    else:
        parts.append("required")
    if p.range_words():
        parts.append(p.range_words())
    if p.dimension is not None:
        units = ", ".join(f"`{u}`" for u, (d, _) in UNITS.items() if d == p.dimension)
        parts.append(f"{p.dimension.name} ({units})")
    return " · ".join(parts) + (f" — {p.doc}" if p.doc else "")


def _entry_doc(entry: Entry) -> str:
    text = describe(entry.name) or entry.summary
    lines = [f"```\n{text}\n```"] if text else []
    if entry.params:
        lines.append("**Parameters**\n\n" + "\n".join(f"- {param_doc(p)}" for p in entry.params))
    return "\n\n".join(lines)


def hover(result: Result, offset: int) -> tuple[str, Span] | None:
    """Markdown for what lies under `offset`, and the span it describes."""
    hit = hit_at(result.tree, offset)
    if hit is None:
        return None
    if hit.kind == "entry":
        entry = catalog.lookup(hit.name)
        return (_entry_doc(entry), hit.span) if entry else None
    if hit.kind == "arg":
        entry = catalog.lookup(hit.where)
        p = entry.param(hit.name) if entry else None
        return (f"parameter of `{hit.where}`\n\n{param_doc(p)}", hit.span) if p else None
    if hit.kind == "setting":
        p = (PIPELINE if hit.where == "pipeline" else STAGE).param(hit.name)
        return (f"{hit.where} setting\n\n{param_doc(p)}", hit.span) if p else None
    if hit.kind == "unit":
        unit = UNITS.get(hit.name)
        if unit is None:
            return None
        dim, factor = unit
        return f"unit `{hit.name}`: {dim.name}, {factor:g} {dim.base}", hit.span
    if hit.kind == "kind":
        if hit.name not in STAGE_KINDS:
            return None
        methods = ", ".join(f"`{m.name}`" for m in catalog.methods_of(hit.name))
        return f"stage kind `{hit.name}`\n\nmethods: {methods}", hit.span
    if hit.kind == "name":
        what = f"{hit.stage_kind} stage" if hit.where == "stage" else hit.where
        return f"{what} `{hit.name}`", hit.span
    if hit.kind == "ref":
        target = definitions(result.tree).get(hit.name)
        return (f"reads `{hit.name}`", hit.span) if target else None
    return None


# --- names: definitions, references, symbols -------------------------------------------------------


def definitions(tree: ast.Spec | None) -> dict[str, Span]:
    """Each data source's, model's and stage's name, at its first definition."""
    out: dict[str, Span] = {}
    for p in tree.pipelines if tree else []:
        for st in p.statements:
            if isinstance(st, (ast.Binding, ast.Stage)):
                out.setdefault(st.name, st.name_span)
    return out


def _pipeline_at(tree: ast.Spec | None, offset: int) -> ast.Pipeline | None:
    return next((p for p in (tree.pipelines if tree else []) if _inside(p.span, offset)), None)


def name_at(tree: ast.Spec | None, offset: int) -> tuple[str, ast.Pipeline] | None:
    """The data or stage name under `offset`, defined or referenced, and its pipeline."""
    p = _pipeline_at(tree, offset)
    hit = hit_at(tree, offset)
    if p is None or hit is None or hit.kind not in ("name", "ref"):
        return None
    return hit.name, p


def definition(tree: ast.Spec | None, offset: int) -> Span | None:
    found = name_at(tree, offset)
    if found is None:
        return None
    name, p = found
    return definitions(ast.Spec([p])).get(name)


def references(tree: ast.Spec | None, offset: int, include_declaration: bool = True) -> list[Span]:
    found = name_at(tree, offset)
    if found is None:
        return []
    name, p = found
    spans = [st.source_span for st in p.statements if isinstance(st, ast.Stage) and st.source == name]
    decl = definitions(ast.Spec([p])).get(name)
    return ([decl] if decl and include_declaration else []) + [s for s in spans if s is not None]


@dataclass(frozen=True)
class Symbol:
    name: str
    detail: str
    kind: str  # "pipeline", "data", "model", "stage", "setting"
    span: Span
    name_span: Span
    children: tuple[Symbol, ...] = ()


def symbols(tree: ast.Spec | None) -> list[Symbol]:
    out = []
    for p in tree.pipelines if tree else []:
        children = []
        for st in p.statements:
            if isinstance(st, ast.Binding):
                children.append(Symbol(st.name, st.keyword, st.keyword, st.span, st.name_span))
            elif isinstance(st, ast.Stage):
                items = tuple(Symbol(i.key, "", "setting", i.span, i.key_span) for i in st.items)
                detail = st.kind + (f" from {st.source}" if st.source else "")
                children.append(Symbol(st.name, detail, "stage", st.span, st.name_span, items))
        out.append(Symbol(p.name, "pipeline", "pipeline", p.span, p.name_span, tuple(children)))
    return out


# --- code actions ----------------------------------------------------------------------------------


def quick_fixes(result: Result) -> list[tuple[Span, str, str]]:
    """(span, replacement, title) for every diagnostic whose help is a did-you-mean."""
    out = []
    for d in result.diagnostics:
        m = DID_YOU_MEAN.search(d.help or "")
        if m and d.span is not None:
            out.append((d.span, m.group(1), f"replace with `{m.group(1)}`"))
    return out


# --- completion ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    label: str
    kind: str  # "keyword", "kind", "method", "param", "value", "unit", "name", "setting", "source"
    detail: str = ""
    doc: str = ""
    sort: str = ""  # orders items: a smaller key first


_HEADER = re.compile(r"^\s*stage\s+(\w+)\s+\w+")
_DEFINED = re.compile(r"^\s*(?:data|model)\s+(\w+)|^\s*stage\s+\w+\s+(\w+)", re.MULTILINE)
_WORD_BEFORE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")


def _open_call(text: str, offset: int) -> tuple[str, int] | None:
    """The innermost call whose `(` is still open before `offset` in this statement: (name, offset of `(`)."""
    depth = 0
    i = offset - 1
    lo = max(0, offset - 20_000)  # a statement longer than this completes as if outside any call
    in_string = False
    while i >= lo:
        ch = text[i]
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            in_string = not in_string
        elif in_string:
            pass
        elif ch in ")]":
            depth += 1
        elif ch in "([":
            if depth == 0:
                if ch == "[":
                    i -= 1
                    continue
                m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*$", text[max(0, i - 100) : i])
                return (m.group(1), i) if m else None
            depth -= 1
        elif ch in "{}" or (ch == "\n" and depth == 0):  # a newline outside brackets ends the statement
            return None
        i -= 1
    return None


def _stage_kind_at(text: str, offset: int) -> str | None:
    """The kind of the stage whose block holds `offset`, read from the nearest header above."""
    depth = 0
    i = offset - 1
    while i >= 0:
        ch = text[i]
        if ch == "}":
            depth += 1
        elif ch == "{":
            if depth == 0:
                start = text.rfind("\n", 0, i) + 1
                m = _HEADER.match(text[start:i])
                return m.group(1) if m else None
            depth -= 1
        i -= 1
    return None


def _names(result: Result, text: str) -> list[str]:
    """Data and stage names: the tree's, and those of headers the (broken) tree may have lost."""
    found = list(definitions(result.tree)) + [a or b for a, b in _DEFINED.findall(text)]
    return list(dict.fromkeys(found))


TERMS: dict[str, dict[str, Entry]] = {"mitigation": MITIGATIONS, "noise": NOISE}  # settings whose value joins terms


def _entries(entries: list[Entry], kind: str, first: tuple[str, ...] = ()) -> list[Item]:
    return [
        Item(
            e.name,
            kind,
            e.family if e.group == "method" else e.group,
            e.summary,
            ("0" if e.name in first else "1") + e.name,
        )
        for e in entries
    ]


def _values(p: Param, after_number: bool) -> list[Item]:
    if after_number or p.type == "quantity":
        if p.dimension is None:
            return []
        return [Item(u, "unit", d.name) for u, (d, _) in UNITS.items() if d == p.dimension] if after_number else []
    if p.type == "enum":
        return [Item(c, "value", p.name) for c in p.choices]
    if p.type == "bool":
        return [Item("true", "value"), Item("false", "value")]
    if p.type == "call":
        return _entries(list(catalog.GROUPS.get(p.choices[0], {}).values()), "method")
    if p.nullable:
        return [Item("none", "value")]
    return []


def complete(result: Result, text: str, offset: int) -> list[Item]:
    """Completion items for the cursor at `offset`."""
    line_start = text.rfind("\n", 0, offset) + 1
    before = text[line_start:offset]
    partial = _WORD_BEFORE.search(before)
    head = before[: partial.start()] if partial else before
    words = head.split()
    after_number = bool(re.search(r"\d\s+$", head)) or bool(re.search(r"\d$", before))
    call = _open_call(text, offset)
    kind = _stage_kind_at(text, offset)
    if call is not None:
        name, paren = call
        entry = catalog.lookup(name)
        if entry is None:
            return []
        inner = text[paren + 1 : offset]
        arg_head = re.split(r"[,(]", inner)[-1]
        m = re.match(r"\s*(\w+)\s*:\s*(.*)$", arg_head, re.DOTALL)
        if m:  # a value for the parameter m.group(1)
            p = entry.param(m.group(1))
            return _values(p, bool(re.search(r"\d\s+\w*$", m.group(2)))) if p else []
        given = set(re.findall(r"(\w+)\s*:", inner))
        return [
            Item(p.name + ": ", "param", p.type_words(), param_doc(p), ("1" if p.name in given else "0") + f"{i:03}")
            for i, p in enumerate(entry.params)
        ]
    if words[:1] == ["stage"]:
        if len(words) == 1:
            return [
                Item(k, "kind", "stage kind", ", ".join(m.name for m in catalog.methods_of(k)), f"{i:02}")
                for i, k in enumerate(STAGE_KINDS)
            ]
        if len(words) >= 3 and words[-1] == "from":
            own = words[2] if len(words) > 3 else None
            return [Item(n, "name", "data or stage") for n in _names(result, text) if n != own]
        if len(words) == 3:
            return [Item("from", "keyword")]
        return []
    if words[:1] in (["data"], ["model"]) and len(words) == 3 and words[2] == "=":
        group = catalog.DATA if words[0] == "data" else catalog.MODELS
        return _entries(list(group.values()), "source")
    if len(words) >= 1 and kind is not None and words[0] in ("method", "baseline") and kind in STAGE_KINDS:
        first: tuple[str, ...] = ()
        if words[0] == "baseline":
            m = re.search(r"^\s*method\s+(\w+)", text[text.rfind("{", 0, offset) : offset], re.MULTILINE)
            chosen = catalog.METHODS.get(m.group(1)) if m else None
            first = chosen.baselines if chosen else ()
            return _entries([catalog.METHODS[b] for b in first if b in catalog.METHODS], "method", first) + (
                [Item("none", "value", "no baseline, deliberately")] if not first else []
            )
        return _entries(catalog.methods_of(kind), "method")
    if len(words) >= 1:  # a setting's value
        if words[0] in TERMS:  # techniques or channels joined by `+`
            return _entries(list(TERMS[words[0]].values()), "value")
        schema = STAGE if kind is not None else PIPELINE
        p = schema.param(words[0])
        return _values(p, after_number) if p else []
    # the start of a statement: settings and keywords
    if kind is not None:
        return [Item(p.name, "setting", p.type_words(), param_doc(p)) for p in STAGE.params]
    if _inside_pipeline(text, offset):
        return [Item(k, "keyword") for k in KEYWORDS] + [
            Item(p.name, "setting", p.type_words(), param_doc(p)) for p in PIPELINE.params
        ]
    return [Item("pipeline", "keyword")]


def _inside_pipeline(text: str, offset: int) -> bool:
    return text.count("{", 0, offset) > text.count("}", 0, offset)
