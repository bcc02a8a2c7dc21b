"""Regression tests: each pins a front-end bug found by trying bad input."""

from __future__ import annotations

import pytest

from qlang.checks import check_text
from qlang.diagnostics import Diagnostic, Label, Source, Span, render
from qlang.syntax.parser import parse
from qlang.syntax.printer import format_text

STAGE = """pipeline p {{
  data words = vader_lexicon(limit: 160)
  stage {kind} s {{
{body}
  }}
}}
"""


def stage(body: str, kind: str = "curate") -> str:
    return STAGE.format(kind=kind, body=body)


def only(text: str) -> Diagnostic:
    result = check_text(text)
    assert len(result.diagnostics) == 1, [(d.code, d.message) for d in result.diagnostics]
    return result.diagnostics[0]


def test_a_comment_right_after_a_unit():
    result = check_text("pipeline p {\n  budget 2 kJ// total\n  grid 380 gCO2e/kWh// world\n}\n")
    assert result.ok, result.diagnostics
    assert [c.text for c in result.tree.comments] == ["// total", "// world"]
    assert result.spec.pipelines[0].budget_j == 2000


def test_a_byte_order_mark_is_ignored():
    result = check_text("\ufeffpipeline p {\n  seed 7\n}\n")
    assert result.ok and result.spec.pipelines[0].seed == 7
    assert format_text("\ufeffpipeline p {\n  seed 7\n}\n")[1] == "pipeline p {\n  seed 7\n}\n"


@pytest.mark.parametrize("text, help_text", [
    ("pipeline {\n}\n", "a pipeline reads `pipeline NAME { ... }`"),
    ("pipeline p {\n  stage curate {\n  }\n}\n", "a stage reads `stage KIND NAME { ... }` or `stage KIND NAME from INPUT { ... }`"),
    ("seed 7\n", "a spec is made of `pipeline NAME { ... }` blocks"),
    ("pipeline p {} x\n", "a spec is made of `pipeline NAME { ... }` blocks"),
    ("pipeline p\n{\n}\n", "write the header and its `{` on one line"),
    ("pipeline p {\n  stage curate s\n  {\n  }\n}\n", "write the header and its `{` on one line"),
    ("pipeline p {\n  seed = 7\n}\n", "a setting reads `key value`, without `=` or `:`"),
    ("pipeline p {\n  seed: 7\n}\n", "a setting reads `key value`, without `=` or `:`"),
    ("pipeline p {\n  seed f(a=1)\n}\n", "an argument reads `name: value`"),
    ("pipeline p {\n  seed 1, 2\n}\n", "several values go in a list: `[a, b]`"),
])
def test_syntax_error_help_fits_the_place(text, help_text):
    d = only(text)
    assert d.code == "Q001" and d.help == help_text


def test_a_baseline_is_checked_as_a_baseline_when_the_method_is_wrong():
    diags = check_text(stage("    method kmean\n    baseline k_means")).diagnostics
    assert [(d.code, d.message) for d in diags] == [
        ("Q103", "unknown method `kmean`"), ("Q104", "unknown baseline `k_means`")]
    diags = check_text(stage('    method 3\n    baseline "kmeans"')).diagnostics
    assert [d.message for d in diags] == ["expected a method name or call, found a number",
                                          "expected a baseline name or call, found a string"]


def test_a_baseline_example_is_one_of_the_methods_baselines():
    d = only(stage("    method qng\n    baseline [adam, [sgd]]", kind="train"))
    assert d.code == "Q201" and d.help == "for example `adam`"


def test_articles():
    assert only(stage("    method kmeans", kind="encode")).message == \
        "`kmeans` is a curate method, not an encode method"
    d = only(stage("    method quantum_kmeans(clusters: 2, encoding: 3)\n    baseline kmeans"))
    assert d.code == "Q201"


@pytest.mark.parametrize("number", ["1" + "0" * 400, "1" * 5000, "1e999", "-1e999"])
def test_numbers_too_large_for_a_float(number):
    for text in (f"pipeline p {{\n  seed {number}\n}}\n", f"pipeline p {{\n  budget {number} J\n}}\n",
                 f"pipeline p {{\n  grid {number} %\n}}\n"):
        result = check_text(text)
        assert not result.ok
        assert result.diagnostics[0].code in ("Q202", "Q203"), result.diagnostics


def test_a_sum_that_overflows_or_cancels_to_nan():
    for value in ("1e999 J + -1e999 J", "1e308 MWh", "1e308 J + 1e308 J"):
        result = check_text(f"pipeline p {{\n  budget {value}\n}}\n")
        assert result.diagnostics and all(d.code == "Q202" and "too large" in d.message for d in result.diagnostics)


def test_range_bounds_are_exact():
    d = only("pipeline p {\n  seed 2147483648\n}\n")
    assert d.message == "`seed` is out of range: 2147483648"
    assert d.label == "must satisfy 0 ≤ seed ≤ 2147483647"


def test_a_whole_number_written_with_an_exponent():
    d = only(stage("    method kmeans(clusters: 1e1)"))
    assert d.code == "Q201" and d.help == "write `10`"


@pytest.mark.parametrize("value", ["abc", "0", "10", "-5", "1.5e9", " "])
def test_any_memory_override_is_safe(monkeypatch, value):
    monkeypatch.setenv("QLANG_MEMORY_BYTES", value)
    result = check_text(stage("    method quantum_kmeans(qubits: 40)\n    baseline kmeans"))
    assert {d.code for d in result.diagnostics} == {"Q401"}


def test_memory_override_sets_the_qubit_limit(monkeypatch):
    from qlang.checks.resources import max_exact_qubits

    for memory, qubits in ((2**30, 25), (2**30 - 1, 24), (32, 0), (1, 0)):
        monkeypatch.setenv("QLANG_MEMORY_BYTES", str(memory))
        assert max_exact_qubits() == qubits


def test_a_comment_after_a_one_line_block_stays_after_it():
    text = "pipeline p { seed 7 } // p\npipeline q {\n  stage curate s { method kmeans } // s\n}\n"
    _, formatted = format_text(text)
    assert formatted == ("pipeline p {\n  seed 7\n} // p\n\npipeline q {\n  stage curate s {\n    method kmeans\n"
                         "  } // s\n}\n")


@pytest.mark.parametrize("text", ["pipeline p {\n}\n// end  ", "pipeline p {\n} // end \t", "pipeline p {\n}\n// end\r"])
def test_a_last_comment_with_trailing_spaces_formats_once(text):
    _, formatted = format_text(text)
    assert formatted.endswith("// end\n")
    assert format_text(formatted)[1] == formatted


def test_a_stage_named_like_the_data_it_reads_is_no_cycle():
    result = check_text("pipeline p {\n  data words = wine\n  stage curate words {\n    method kmeans\n  }\n}\n")
    assert [d.code for d in result.diagnostics] == ["Q301"]
    result = check_text("pipeline p {\n  data words = wine\n  stage curate words from words {\n    method kmeans\n"
                        "  }\n}\n")
    assert [d.code for d in result.diagnostics] == ["Q301"]


def test_no_unused_warning_when_a_from_is_wrong():
    result = check_text("pipeline p {\n  data words = wine\n  stage curate s from word {\n    method kmeans\n  }\n}\n")
    assert [d.code for d in result.diagnostics] == ["Q302"]


def test_unit_suggestions_come_from_the_right_dimension():
    assert only("pipeline p {\n  grid 380 gCO2e/\n}\n").help == "did you mean `gCO2e/kWh`?"
    assert only("pipeline p {\n  budget 2 kj\n}\n").help == "did you mean `kJ`?"
    assert only("pipeline p {\n  budget 2 kilojoule\n}\n").help == "energy units: `mJ`, `J`, `kJ`, `MJ`, `GJ`, `Wh`, `kWh` or `MWh`"


def test_did_you_mean_ignores_case():
    assert only(stage("    method KMeans")).help == "did you mean `kmeans`?"


def test_help_lines_up_with_the_widest_line_number():
    text = "\n" * 12 + "x"
    d = Diagnostic("Q999", "m", Span(0, 0), help="h", notes=(Label(Span(12, 13), "n"),))
    lines = render(d, Source(text)).splitlines()
    assert lines[-1] == "   = help: h"
    assert lines[-2] == "   |"


def test_render_prints_a_note_without_a_place_as_a_note():
    d = Diagnostic("Q999", "m", Span(0, 1), notes=(Label(None, "nowhere"),), help="h")
    assert render(d, Source("x")).splitlines()[-2:] == ["  = note: nowhere", "  = help: h"]


def test_no_input_help_names_the_data_sources():
    text = ("pipeline p {\n  data a = wine\n  data b = digits\n  stage curate x from a {\n    method kmeans\n  }\n"
            "  stage curate y from b {\n    method kmeans\n  }\n  stage curate z {\n    method kmeans\n  }\n}\n")
    d = only(text)
    assert d.code == "Q305" and d.help.endswith("this pipeline has 2, so name one: `a` or `b`")


def test_a_quoted_number():
    d = only('pipeline p {\n  seed "7"\n}\n')
    assert d.code == "Q201" and d.help == "numbers go without quotes"


def test_spans_of_every_syntax_error_stay_inside_the_text():
    for text in ["", "pipeline", "pipeline p {", 'pipeline p {\n  seed "', "pipeline p {\n  seed [1,\n", "\x00", "\r"]:
        tree, diags = parse(text)
        for d in diags:
            assert 0 <= d.span.start <= d.span.end <= len(text)


@pytest.mark.parametrize("character, help_text", [
    ("'", 'strings go in double quotes: "text"'),
    ("#", "comments start with `//`"),
    (";", "a statement ends at the end of its line; no `;` is needed"),
    ("-", "names are made of letters, digits and `_`"),
    ("@", "comments start with `//`; strings go in double quotes"),
])
def test_bad_character_help(character, help_text):
    d = only(f"pipeline p {{\n  seed 7 {character}\n}}\n")
    assert d.code == "Q003" and d.help == help_text


def test_a_blank_line_after_a_header_comment_is_kept():
    text = "// about this spec\n\npipeline p {\n  seed 7\n}\n"
    assert format_text(text)[1] == text


def test_fmt_is_idempotent_after_a_closing_brace_whose_comment_ends_in_a_brace():
    """Found by Hypothesis: `} //{` looked like a line that opens a block, so the second format dropped
    the blank line after it."""
    text = 'pipeline p {\n  stage a b {\n    x ""\n  } //{\n//\n\n  y ""\n}\n'
    _, once = format_text(text)
    _, twice = format_text(once)
    assert twice == once and "  } //{\n\n  //\n" in once


@pytest.mark.parametrize(
    "joules, shown",
    [(0.0, "0 J"), (-0.0, "0 J"), (2500.0, "2.5 kJ"), (1.0, "1 J"), (0.004, "4 mJ"), (3e9, "3 GJ")],
)
def test_energy_is_shown_in_its_own_unit(joules, shown):
    """`budget 0 J` used to print as "0 mJ"."""
    from qlang.units import format_energy

    assert format_energy(joules) == shown
