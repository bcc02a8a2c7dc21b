"""`qlc lsp` driven over stdio by a real client (pygls' LanguageClient): every feature on the example specs,
and no request that crashes the server on mutated documents."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")
from lsp_client import Session
from lsprotocol import types as t

from qlang.diagnostics import Span

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.qlc"))
sys.path.insert(0, str(ROOT / "benchmarks"))


@pytest.fixture(scope="module")
def lsp():
    s = Session()
    yield s
    s.close()


def pos(text: str, offset: int) -> t.Position:
    line = text.count("\n", 0, offset)
    return t.Position(line, offset - (text.rfind("\n", 0, offset) + 1))  # ASCII specs: UTF-16 = characters


def doc(uri: str) -> t.TextDocumentIdentifier:
    return t.TextDocumentIdentifier(uri)


def hover_at(lsp, uri, text, needle, skip=0):
    offset = text.index(needle, text.index(needle) + 1 if skip else 0) + 1
    h = lsp.request("text_document_hover_async", t.HoverParams(doc(uri), pos(text, offset)))
    return h.contents.value if h else None


def labels(lsp, uri, text, marker="|"):
    offset = text.index(marker)
    lsp.change(uri, text.replace(marker, ""))
    got = lsp.request("text_document_completion_async", t.CompletionParams(doc(uri), pos(text, offset)))
    return [i.label for i in sorted(got.items, key=lambda i: i.sort_text or i.label)]


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_examples_open_clean_with_an_outline(lsp, spec):
    uri = spec.as_uri()
    text = spec.read_text(encoding="utf-8")
    assert not [d for d in lsp.open(uri, text) if d.severity == t.DiagnosticSeverity.Error]
    symbols = lsp.request("text_document_document_symbol_async", t.DocumentSymbolParams(doc(uri)))
    assert symbols and symbols[0].kind == t.SymbolKind.Module
    stages = [c for c in symbols[0].children if c.kind == t.SymbolKind.Function]
    assert [s.name for s in stages] == re.findall(r"^  stage \w+ (\w+)", text, re.MULTILINE)
    edits = lsp.request(
        "text_document_formatting_async", t.DocumentFormattingParams(doc(uri), t.FormattingOptions(2, True))
    )
    assert not edits  # the examples are formatted (`qlc fmt --check specs`)


def test_diagnostics_on_change_carry_code_help_and_related_spans(lsp):
    uri = "file:///diag.qlc"
    lsp.open(uri, "pipeline p {\n  seed 7\n}\n")
    got = lsp.change(uri, "pipeline p {\n  seed 7\n  seed 8\n  repeat = 2\n}\n")
    assert [d.code for d in got] == ["Q001"]  # a syntax error: the checks wait for it
    got = lsp.change(uri, "pipeline p {\n  seed 7\n  seed 8\n  sed 2\n}\n")
    assert [d.code for d in got] == ["Q206", "Q101"]
    twice, unknown = got
    assert twice.related_information[0].message == "first set here"
    assert twice.related_information[0].location.range.start == t.Position(1, 2)
    assert unknown.range == t.Range(t.Position(3, 2), t.Position(3, 5))
    assert "help: did you mean `seed`?" in unknown.message


def test_several_syntax_errors_are_published_at_once(lsp):
    uri = "file:///syntax.qlc"
    got = lsp.open(uri, "pipeline p {\n  seed = 7\n  repeat 2\n  budget 2 kJ +\n  grid 'x'\n}\n")
    assert [(d.code, d.range.start.line) for d in got] == [("Q001", 1), ("Q001", 3), ("Q003", 4)]


def test_hover(lsp):
    spec = ROOT / "specs" / "quickstart.qlc"
    uri, text = spec.as_uri(), spec.read_text(encoding="utf-8")
    lsp.open(uri, text)
    body = text[text.index("pipeline ") :]
    base = len(text) - len(body)

    def at(needle):
        offset = base + body.index(needle) + 1
        h = lsp.request("text_document_hover_async", t.HoverParams(doc(uri), pos(text, offset)))
        return h.contents.value if h else ""

    assert "Kernel k-means" in at("quantum_kmeans") and "- `clusters`: " in at("quantum_kmeans")
    assert at("clusters:").startswith("parameter of `quantum_kmeans`")
    assert "pipeline setting" in at("budget") and "energy" in at("budget")
    assert at("kJ").startswith("unit `kJ`: energy, 1000 J")
    assert "stage kind `curate`" in at("curate") and "quantum_kmeans" in at("curate")


def test_completion(lsp):
    uri = "file:///complete.qlc"
    lsp.open(uri, "pipeline p {\n}\n")
    assert labels(lsp, uri, "pipeline p {\n  stage |\n}\n")[:3] == ["curate", "encode", "architect"]
    methods = labels(lsp, uri, "pipeline p {\n  stage curate s {\n    method |\n  }\n}\n")
    assert "quantum_kmeans" in methods and "qng" not in methods
    params = labels(lsp, uri, "pipeline p {\n  stage curate s {\n    method quantum_kmeans(clusters: 2, |)\n  }\n}\n")
    assert params[-1] == "clusters: " and "encoding: " in params  # given ones last
    enum = labels(lsp, uri, "pipeline p {\n  stage curate s {\n    method quantum_kmeans(encoding: |)\n  }\n}\n")
    assert set(enum) == {"angle", "amplitude", "zz"}
    units = labels(lsp, uri, "pipeline p {\n  budget 2 |\n}\n")
    assert "kJ" in units and "s" not in units and "gCO2e" not in units
    names = labels(lsp, uri, "pipeline p {\n  data w = wine\n  stage curate a {\n  }\n  stage encode b from |\n}\n")
    assert sorted(names) == ["a", "w"]
    baselines = labels(
        lsp, uri, "pipeline p {\n  stage curate s {\n    method quantum_kmeans\n    baseline |\n  }\n}\n"
    )
    assert baselines == ["kmeans"]
    sources = labels(lsp, uri, "pipeline p {\n  data x = |\n}\n")
    assert "wine" in sources and "vader_lexicon" in sources
    stage = "pipeline p {\n  device fake_fez\n  stage encode s {\n    method angle_encoding\n    mitigation %s|\n  }\n}\n"
    assert sorted(labels(lsp, uri, stage % "")) == ["readout", "zne"]
    assert sorted(labels(lsp, uri, stage % "readout + ")) == ["readout", "zne"]
    channels = labels(lsp, uri, "pipeline p {\n  noise |\n}\n")
    assert {"depolarizing", "amplitude_damping", "readout"} <= set(channels)


def test_definition_and_references(lsp):
    uri = "file:///names.qlc"
    text = (
        "pipeline p {\n  data w = wine\n  stage curate a from w {\n    method kmeans\n  }\n"
        "  stage encode b from a {\n    method pca\n  }\n  stage encode c from a {\n    method pca\n  }\n}\n"
    )
    lsp.open(uri, text)
    use = text.index("from a") + 5
    found = lsp.request("text_document_definition_async", t.DefinitionParams(doc(uri), pos(text, use)))
    assert found.range.start == pos(text, text.index("curate a") + 7)
    refs = lsp.request(
        "text_document_references_async",
        t.ReferenceParams(
            context=t.ReferenceContext(include_declaration=True), text_document=doc(uri), position=pos(text, use)
        ),
    )
    assert sorted(r.range.start.line for r in refs) == [2, 5, 8]


def test_formatting_is_qlc_fmt(lsp):
    from qlang.syntax.printer import format_text

    uri = "file:///fmt.qlc"
    text = "pipeline p {\n    seed   7 // lucky\n\n\n  repeat 2\n}\n"
    lsp.open(uri, text)
    (edit,) = lsp.request(
        "text_document_formatting_async", t.DocumentFormattingParams(doc(uri), t.FormattingOptions(2, True))
    )
    assert edit.new_text == format_text(text)[1]


def test_a_quick_fix_for_every_did_you_mean(lsp):
    uri = "file:///fix.qlc"
    text = "pipeline p {\n  seeed 7\n  budget 2 kj\n  data w = wine\n  stage curate s from w {\n    method quantum_kmean(clusters: 2)\n  }\n}\n"
    diags = lsp.open(uri, text)
    mean = [d for d in diags if "did you mean" in d.message]
    assert len(mean) == 3
    end = pos(text, len(text))
    actions = lsp.request(
        "text_document_code_action_async",
        t.CodeActionParams(doc(uri), t.Range(t.Position(0, 0), end), t.CodeActionContext(diagnostics=diags)),
    )
    fixed = sorted(a.edit.changes[uri][0].new_text for a in actions)
    assert fixed == ["kJ", "quantum_kmeans", "seed"]


def test_no_request_crashes_the_server_on_mutated_documents(lsp):
    import fuzz

    rng = random.Random(7)
    sources = [s.read_text(encoding="utf-8") for s in SPECS]
    uri = "file:///mutated.qlc"
    lsp.open(uri, sources[0])
    for _ in range(40):
        text = fuzz.mutate(rng, rng.choice(sources))
        lsp.change(uri, text)
        for offset in {0, len(text), rng.randrange(len(text) + 1), rng.randrange(len(text) + 1)}:
            p = pos(text, offset)
            lsp.request("text_document_hover_async", t.HoverParams(doc(uri), p))
            lsp.request("text_document_completion_async", t.CompletionParams(doc(uri), p))
            lsp.request("text_document_definition_async", t.DefinitionParams(doc(uri), p))
            lsp.request(
                "text_document_references_async",
                t.ReferenceParams(context=t.ReferenceContext(True), text_document=doc(uri), position=p),
            )
        lsp.request("text_document_document_symbol_async", t.DocumentSymbolParams(doc(uri)))
        lsp.request(
            "text_document_formatting_async", t.DocumentFormattingParams(doc(uri), t.FormattingOptions(2, True))
        )
        assert lsp.alive()


def published(text: str) -> list[tuple]:
    """What a full `check_text` of `text` would publish: code, message and range of each diagnostic."""
    from qlang.checks import check_text

    result = check_text(text)
    out = []
    for d in result.diagnostics:
        span = d.span or Span(0, 0)
        out.append((d.code, d.message, pos(text, span.start), pos(text, span.end)))
    return out


def test_edits_publish_what_a_full_check_publishes(lsp):
    """Edits inside one statement are re-parsed alone (qlang/syntax/incremental.py); whatever path each
    takes, the diagnostics are those of checking the whole new text."""
    import frontend

    text = frontend.generate(30)
    uri = "file:///typing.qlc"
    lsp.open(uri, text)
    rng = random.Random(3)
    for edit in range(30):
        at = text.index("clusters: ") + len("clusters: ") if edit % 3 else rng.randrange(len(text))
        insert = rng.choice(["7", "x", " ", "kJ", "(", "\n", "// c", ""])
        text = text[:at] + insert + text[at + rng.choice([0, 0, 1]) :]
        got = lsp.change(uri, text)
        assert [(d.code, d.message.split("\nhelp:")[0], d.range.start, d.range.end) for d in got] == published(text)


def test_an_empty_document_gets_its_diagnostic(lsp):
    got = lsp.open("file:///empty.qlc", "")
    assert [d.code for d in got] == ["Q100"]
