"""Properties of the front end over generated input: text from the grammar, syntax trees, valid specs from the
catalog, commented and re-indented specs, and mutated specs. Nothing raises; every span lies inside the file;
print ∘ parse is the identity on printed text; formatting is idempotent, keeps every comment and the meaning."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import frontend_strategies as gen
from qlang.checks import check_text
from qlang.diagnostics import Source, render, to_json
from qlang.syntax.parser import parse
from qlang.syntax.printer import format_text, print_spec

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.qlc"))
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def assert_sound(text: str):
    """check_text, rendering, JSON and formatting never raise, and every span lies inside the text."""
    result = check_text(text, "fuzz.qlc")
    source = Source(text, "fuzz.qlc")
    for d in result.diagnostics:
        for span in [d.span, *(n.span for n in d.notes)]:
            if span is not None:
                assert 0 <= span.start <= span.end <= len(text), (d, len(text))
        render(d, source)
        render(d, source, color=True)
        to_json(d, source)
    if any(d.code in ("Q001", "Q002", "Q003") for d in result.diagnostics):  # a recovered tree is never checked
        assert result.spec is None and all(d.code in ("Q001", "Q002", "Q003", "Q004") for d in result.diagnostics)
    _, formatted = format_text(text)
    if formatted is not None:
        assert_formatting_holds(text, formatted)
    return result


def comments(text: str) -> list[str]:
    tree, _ = parse(text)
    return [c.text for c in tree.comments]


def codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


def assert_formatting_holds(text: str, formatted: str):
    """The formatted text parses, formats to itself, keeps the comments in order and means the same."""
    again_result, again = format_text(formatted)
    assert again == formatted, "fmt is not idempotent"
    assert comments(formatted) == comments(text)
    before, after = check_text(text), check_text(formatted)
    assert after.spec == before.spec
    assert sorted(codes(after)) == sorted(codes(before))


# --- (a) text from the grammar ---------------------------------------------------------------------


@settings(FAST, max_examples=150)
@given(gen.grammar_strategy())
def test_text_from_the_grammar_checks_or_reports(text):
    assert_sound(text)


# --- (b) syntax trees: print, parse, print -----------------------------------------------------------


@settings(FAST, max_examples=200)
@given(gen.trees)
def test_printed_trees_parse_back_to_themselves(tree):
    text = print_spec(tree)
    parsed, diags = parse(text)
    assert parsed is not None, (text, diags)
    assert not [d for d in diags if d.severity == "error"], (text, diags)
    assert gen.shape(parsed) == gen.shape(tree)
    assert print_spec(parsed, text) == text
    assert_sound(text)


@settings(FAST, max_examples=150)
@given(gen.valid_trees())
def test_valid_specs_check_and_keep_their_meaning(tree):
    text = print_spec(tree)
    result = check_text(text)
    assert result.ok, (text, [(d.code, d.message) for d in result.diagnostics])
    assert {d.code for d in result.diagnostics} <= {"Q503", "Q601", "Q602"}
    parsed, _ = parse(text)
    assert gen.shape(parsed) == gen.shape(tree)
    again = print_spec(parsed, text)
    assert again == text
    assert check_text(again).spec == result.spec


# --- (c) fmt: idempotent, comments kept, meaning kept --------------------------------------------------


@settings(FAST, max_examples=150)
@given(st.data())
def test_fmt_on_commented_valid_specs(data):
    text = data.draw(gen.with_comments(print_spec(data.draw(gen.valid_trees()))))
    result, formatted = format_text(text)
    assert formatted is not None, (text, result.diagnostics)
    assert_formatting_holds(text, formatted)
    assert check_text(formatted).ok


@settings(FAST, max_examples=100)
@given(st.data())
def test_fmt_on_commented_trees(data):
    text = data.draw(gen.with_comments(print_spec(data.draw(gen.trees))))
    result, formatted = format_text(text)
    assert formatted is not None, (text, result.diagnostics)
    assert_formatting_holds(text, formatted)


@settings(FAST, max_examples=100)
@given(st.data())
def test_fmt_on_hand_written_valid_specs(data):
    tree = data.draw(gen.valid_trees())
    text = data.draw(gen.with_comments(data.draw(gen.loosely_printed(tree))))
    result, formatted = format_text(text)
    assert formatted is not None, (text, result.diagnostics)
    assert_formatting_holds(text, formatted)
    assert check_text(formatted).spec == check_text(print_spec(tree)).spec


@settings(FAST, max_examples=100)
@given(st.data())
def test_fmt_on_hand_written_trees(data):
    tree = data.draw(gen.trees)
    text = data.draw(gen.with_comments(data.draw(gen.loosely_printed(tree))))
    result, formatted = format_text(text)
    assert formatted is not None, (text, result.diagnostics)
    assert gen.shape(result.tree) == gen.shape(tree)
    assert_formatting_holds(text, formatted)


@pytest.mark.skipif(not SPECS, reason="specs/ holds no specs yet")
@pytest.mark.parametrize("spec", SPECS, ids=[p.name for p in SPECS])
def test_fmt_on_the_example_specs(spec: Path):
    text = spec.read_text(encoding="utf-8")
    result, formatted = format_text(text, str(spec))
    assert formatted is not None, result.diagnostics
    assert_formatting_holds(text, formatted)
    assert check_text(formatted).ok == check_text(text).ok


# --- (d) mutations -------------------------------------------------------------------------------------

EXAMPLES = [
    """// inline example
pipeline sentiment {
  target qiskit
  seed 7 // the first seed
  budget 2 kJ + 500 J
  grid 380 gCO2e/kWh
  data words = vader_lexicon(min_abs: 2.0, limit: 400)
  data rows = file(path: "data/\\"rows\\".csv", features: ["a", "b\\u{e9}"], format: csv)
  model enc = minilm(batch_size: 32)

  stage curate clusters from words {
    method quantum_kmeans(clusters: 4, qubits: sweep(4, 6), encoding: zz, shots: sweep(none, 256,))
    baseline kmeans(n_init: 3)
    budget 1 kJ
    on_over_budget fallback
  }
  stage deploy pruned from head {
    method qaoa_pruning(keep: 50 %, units: 8)
    baseline [magnitude_pruning, int8_quantization]
  }
  stage finetune head from clusters {
    method hybrid_qnn_head(
      qubits: 4, // wires
      layers: 2,
    )
    baseline [logistic_regression, mlp(hidden: 16)]
  }
  stage monitor drift from rows { method quantum_kernel_mmd(window: 32, alpha: 5 %) baseline none }
}
""",
    "pipeline a {}\npipeline b {\n  seed 1\n}\n",
    "pipeline p {\r\n  seed 7\r\n  repeat 2 // crlf\r\n}\r\n",
]
SOURCES = EXAMPLES + [p.read_text(encoding="utf-8") for p in SPECS]
TOKEN_LIKE = ["pipeline", "stage", "data", "model", "from", "{", "}", "(", ")", "[", "]", ",", ":", "=", "+", "\n",
              '"', "//", "\\", "none", "true", "kJ", "%", "1e999", "-1", "µs", "x" * 300]
STRAY = ["\x00", "\r", "\x7f", "\ufeff", "\u2028", "\t", "é", "😀", "\ud800", "\x0b", "\x85", "/", "*", ";", "#", "'"]


@st.composite
def mutated(draw) -> str:
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        n = len(text)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 12)))
        op = draw(st.sampled_from(["delete", "insert", "stray", "swap", "truncate", "duplicate"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(st.sampled_from(TOKEN_LIKE) | st.text(max_size=3)) + text[i:]
        elif op == "stray":
            text = text[:i] + draw(st.sampled_from(STRAY)) + text[i:]
        elif op == "swap":
            k = draw(st.integers(0, n))
            a, b = sorted((i, k))
            text = text[:a] + text[b:b + 1] + text[a + 1:b] + text[a:a + 1] + text[b + 1:] if a < b < n else text
        elif op == "truncate":
            text = text[:i]
        else:
            text = text[:i] + text[i:j] + text[i:]
    return text


@settings(FAST, max_examples=300)
@given(mutated())
def test_mutated_specs_never_crash(text):
    assert_sound(text)


@pytest.mark.parametrize("text", SOURCES[:3])
def test_every_prefix_of_an_example_is_handled(text):
    for i in range(0, len(text) + 1, 3):
        assert_sound(text[:i])
