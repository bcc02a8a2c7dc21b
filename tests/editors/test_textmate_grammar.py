"""The VS Code folder: its TextMate grammar agrees with qlang's parser on every example spec (keywords,
stage headers, strings, numbers with units, constants, comments), and its manifests hang together."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from qlang.syntax import ast
from qlang.syntax.parser import parse

sys.path.insert(0, str(Path(__file__).parent))
from textmate import Grammar

ROOT = Path(__file__).resolve().parents[2]
VSCODE = ROOT / "editors" / "vscode"
SPECS = sorted((ROOT / "specs").glob("*.qlc"))
GRAMMAR = Grammar(VSCODE / "syntaxes" / "qlang.tmLanguage.json")


def expected_scopes(tree: ast.Spec, text: str) -> list[tuple[int, int, str]]:
    """(start, end, scope) for what the parser knows: every span the grammar must colour so."""
    out = [(c.span.start, c.span.end, "comment.line.double-slash.qlang") for c in tree.comments]
    values: list = []
    for p in tree.pipelines:
        out.append((p.span.start, p.span.start + len("pipeline"), "keyword.other.qlang"))
        for st in p.statements:
            if isinstance(st, ast.Stage):
                out.append((st.span.start, st.span.start + len("stage"), "keyword.other.qlang"))
                out.append((st.kind_span.start, st.kind_span.end, "entity.name.type.stage-kind.qlang"))
                out.append((st.name_span.start, st.name_span.end, "entity.name.function.stage.qlang"))
                values += [i.value for i in st.items]
            elif isinstance(st, ast.Binding):
                out.append((st.span.start, st.span.start + len(st.keyword), "keyword.other.qlang"))
                values.append(st.value)
            else:
                values.append(st.value)
    while values:
        v = values.pop()
        if isinstance(v, ast.String):
            out.append((v.span.start, v.span.end, "string.quoted.double.qlang"))
        elif isinstance(v, ast.Number):
            out.append((v.span.start, v.span.end, "constant.numeric.qlang"))
        elif isinstance(v, ast.Quantity):
            values.append(v.number)
            out.append((v.unit_span.start, v.unit_span.end, "keyword.other.unit.qlang"))
        elif isinstance(v, (ast.Bool, ast.NoneValue)):
            out.append((v.span.start, v.span.end, "constant.language.qlang"))
        elif isinstance(v, ast.Call):
            values += [a.value for a in v.args]
        elif isinstance(v, ast.List):
            values += v.items
        elif isinstance(v, ast.Sum):
            values += v.terms
        elif isinstance(v, getattr(ast, "Sweep", ())):
            values += v.points
    return out


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_the_grammar_colours_what_the_parser_reads(spec):
    text = spec.read_text(encoding="utf-8")
    tree, diags = parse(text)
    assert not diags
    scopes = GRAMMAR.scopes_at(text)
    wrong = [
        (text[a:b], want, scopes[i])
        for a, b, want in expected_scopes(tree, text)
        for i in range(a, b)
        if want not in scopes[i]
    ]
    assert not wrong, wrong[:5]
    kinds = {want for *_, want in expected_scopes(tree, text)}
    assert {"keyword.other.qlang", "comment.line.double-slash.qlang", "constant.numeric.qlang"} <= kinds


def test_a_line_with_every_kind_of_token():
    line = '  budget 2 kJ + 500 J // total "not a string"'
    scopes = GRAMMAR.scopes_at(line)
    at = lambda s: scopes[line.index(s)][-1]
    assert at("budget") == "variable.other.property.qlang"
    assert at("2 kJ") == "constant.numeric.qlang" and at("kJ") == "keyword.other.unit.qlang"
    assert at("500") == "constant.numeric.qlang" and at("J //") == "keyword.other.unit.qlang"
    assert at('"not') == "comment.line.double-slash.qlang"
    line = '  data w = file("a\\"b.jsonl", text: "t", limit: none)'
    scopes = GRAMMAR.scopes_at(line)
    assert scopes[line.index('\\"')][-1] == "constant.character.escape.qlang"
    assert "string.quoted.double.qlang" in scopes[line.index("b.jsonl")]
    assert scopes[line.index("file")][-1] == "entity.name.function.call.qlang"
    assert scopes[line.index("text")][-1] == "variable.parameter.qlang"
    assert scopes[line.index("none")][-1] == "constant.language.qlang"
    assert scopes[line.index(" w ") + 1][-1] == "variable.other.definition.qlang"


def test_the_extension_manifest_points_at_its_files():
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    (lang,) = manifest["contributes"]["languages"]
    (grammar,) = manifest["contributes"]["grammars"]
    assert lang["extensions"] == [".qlc"] and grammar["scopeName"] == GRAMMAR.scope
    for rel in (lang["configuration"], grammar["path"], manifest["main"]):
        assert (VSCODE / rel).is_file(), rel
    config = json.loads((VSCODE / "language-configuration.json").read_text(encoding="utf-8"))
    assert config["comments"]["lineComment"] == "//"
    assert ["{", "}"] in config["brackets"] and ["(", ")"] in config["brackets"]
    assert '"lsp"' in (VSCODE / "package.json").read_text(encoding="utf-8")  # the client starts `qlc lsp`
