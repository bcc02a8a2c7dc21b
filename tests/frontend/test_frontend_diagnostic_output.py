"""What `qlc check` prints stays safe and small: control characters from a spec are escaped, a long
source line is shown as a window around its span, and the number of diagnostics printed is capped."""

from __future__ import annotations

import json

from qlang.diagnostics import (
    MAX_LINE,
    MAX_SHOWN,
    Diagnostic,
    Source,
    Span,
    excerpt,
    render,
)
from qlang.runtime.errors import RuntimeDiagnostic

CONTROL = "\x1b[2J\x1b]0;pwned\x07\x9b\u202e"  # clear screen, set the title, bell, C1 CSI, RTL override
RAW = ("\x1b", "\x07", "\x9b", "\r", "\u202e")


def test_control_characters_in_a_spec_string_are_escaped(qlc, tmp_path):
    spec = tmp_path / "esc.qlc"
    spec.write_text(f'pipeline p {{\n  data d = file("a{CONTROL}.csv", text: "t")\n'
                    "  stage curate s {\n    method quantum_kmeans(clusters: 2)\n    baseline kmeans\n  }\n}\n",
                    encoding="utf-8")
    code, _, err = qlc("check", spec)
    assert code == 0 and "Q603" in err
    assert not any(c in err for c in RAW), "a control character reached the terminal"
    assert r"a\x1b[2J\x1b]0;pwned\x07\x9b\u202e.csv" in err
    # the carets still sit under the whole (escaped) string
    source_line, carets = [line for line in err.splitlines() if line.startswith(("2 |", "  |")) and line.strip(" |")]
    assert carets.index("^") == source_line.index("file(")
    assert carets.count("^") == len('file("a') + len(r"\x1b[2J\x1b]0;pwned\x07\x9b\u202e") + len('.csv", text: "t")')


def test_runtime_diagnostics_escape_control_characters():
    text = str(RuntimeDiagnostic("Q701", f"data file 'x{CONTROL}' not found", file=f"x{CONTROL}", help="\r" + CONTROL))
    assert not any(c in text for c in RAW)
    assert r"\x1b[2J" in text


def test_a_long_line_is_shown_around_its_span():
    line = "a" * 5000 + "BAD" + "b" * 5000
    source = Source(line + "\n", "long.qlc")
    text = render(Diagnostic("Q103", "bad", Span(5000, 5003), label="here"), source)
    shown, carets = text.splitlines()[3:5]
    assert len(shown) < MAX_LINE + 10
    assert shown.count("…") == 2 and "BAD" in shown
    assert carets.index("^") == shown.index("BAD") and carets.count("^") == 3


def test_excerpt_keeps_the_span_at_either_end_of_a_long_line():
    text = "x" * 300
    for lo, hi in ((0, 2), (298, 300), (300, 300), (150, 290)):
        shown, start, carets = excerpt(text, lo, hi)
        assert len(shown) <= MAX_LINE + 2 and start <= len(shown) and carets >= 1
    assert excerpt("short", 1, 3) == ("short", 1, 2)


def test_thousands_of_errors_on_one_line_print_a_bounded_amount(qlc, tmp_path):
    n = 3000
    args = ", ".join(f"x{i}: 1" for i in range(n))
    spec = tmp_path / "many.qlc"
    spec.write_text(f"pipeline p {{\n  data d = breast_cancer()\n  stage curate s {{ method quantum_kmeans({args}) }}\n}}\n",
                    encoding="utf-8")
    code, _, err = qlc("check", spec)
    assert code == 1
    assert err.count("error[") + err.count("warning[") == MAX_SHOWN
    assert f"and {n + 1 - MAX_SHOWN} more diagnostics not shown" in err  # plus the Q602 warning
    assert len(err) < 6 * MAX_LINE * MAX_SHOWN, "each diagnostic prints a bounded amount"
    assert max(len(line) for line in err.splitlines()) < 2 * MAX_LINE
    code, out, _ = qlc("check", "--format", "json", spec)
    assert len(json.loads(out)) == n + 1  # JSON keeps every one
