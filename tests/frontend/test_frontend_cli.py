"""`qlc` as a user meets it: exit codes, folders, fmt, methods, --version, colour, unreadable files, JSON."""

from __future__ import annotations

import json
import re

import pytest

CLEAN = """pipeline sentiment {
  seed 7
  data words = vader_lexicon(limit: 160)

  stage curate clusters {
    method quantum_kmeans(clusters: 2, qubits: 4)
    baseline kmeans
  }
}
"""
MESSY = """pipeline   sentiment {   // the question
\tseed 7
  data words=vader_lexicon( limit:160 , )


  stage curate clusters { method quantum_kmeans(clusters:2,qubits:4)
    baseline [ kmeans ]
       }
}"""
MESSY_FORMATTED = """pipeline sentiment { // the question
  seed 7
  data words = vader_lexicon(limit: 160)

  stage curate clusters {
    method quantum_kmeans(clusters: 2, qubits: 4)
    baseline [kmeans]
  }
}
"""
CODES = re.compile(r"^(?:error|warning)\[(Q\d{3})\]", re.M)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_exit_0_for_a_clean_spec(tmp_path, qlc):
    code, out, err = qlc("check", write(tmp_path / "ok.qlc", CLEAN))
    assert (code, out) == (0, "")
    assert err == "1 file ok\n"


def test_exit_0_for_warnings_only(tmp_path, qlc):
    code, _, err = qlc("check", write(tmp_path / "w.qlc", CLEAN.replace("    baseline kmeans\n", "")))
    assert code == 0
    assert CODES.findall(err) == ["Q602"]
    assert err.endswith("1 file ok, 1 warning\n")


def test_exit_1_for_errors(tmp_path, qlc):
    code, _, err = qlc("check", write(tmp_path / "bad.qlc", CLEAN.replace("seed 7", "seed -1")))
    assert code == 1
    assert CODES.findall(err) == ["Q202"]
    assert err.endswith("1 error, 0 warnings in 1 file\n")


@pytest.mark.parametrize("argv", [
    ("check", "no/such/file.qlc"),
    ("check",),
    ("fmt", "no/such/file.qlc"),
    ("frobnicate",),
    (),
    ("check", "--format", "xml", "specs"),
])
def test_exit_2_for_usage_errors(argv, qlc):
    code, out, err = qlc(*argv)
    assert code == 2
    assert "Traceback" not in err


def test_exit_2_for_a_folder_without_specs(tmp_path, qlc):
    write(tmp_path / "notes.txt", "pipeline p {}\n")
    code, _, err = qlc("check", tmp_path)
    assert code == 2
    assert "no .qlc files" in err


def test_a_folder_collects_every_file(tmp_path, qlc):
    write(tmp_path / "a.qlc", CLEAN.replace("seed 7", "seeds 7"))
    write(tmp_path / "nested" / "b.qlc", CLEAN.replace("kmeans\n", "k_means\n"))
    write(tmp_path / "nested" / "deeper" / "c.qlc", CLEAN)
    write(tmp_path / "nested" / "d.qlc", "pipeline p {\n  seed 7 8\n}\n")
    write(tmp_path / "README.md", "not a spec")
    code, _, err = qlc("check", tmp_path)
    assert code == 1
    assert CODES.findall(err) == ["Q101", "Q104", "Q001"]  # files in a stable (sorted) order
    assert err.endswith("3 errors, 0 warnings in 4 files\n")
    code, out, _ = qlc("check", "--format", "json", tmp_path)
    assert code == 1
    files = [d["file"].replace("\\", "/").split(str(tmp_path.name) + "/")[-1] for d in json.loads(out)]
    assert files == ["a.qlc", "nested/b.qlc", "nested/d.qlc"]


def test_several_paths(tmp_path, qlc):
    a = write(tmp_path / "a.qlc", CLEAN)
    b = write(tmp_path / "b.qlc", CLEAN.replace("seed 7", "seed 7.5"))
    code, _, err = qlc("check", a, b)
    assert code == 1
    assert "in 2 files" in err


def test_json_format(tmp_path, qlc):
    path = write(tmp_path / "bad.qlc", "pipeline p {\n  seeds 7\n  budget 2 kj\n}\n")
    code, out, err = qlc("check", "--format", "json", path)
    assert code == 1
    assert err == ""
    got = json.loads(out)
    assert isinstance(got, list) and len(got) == 2
    keys = ["code", "severity", "message", "file", "line", "column", "end_line", "end_column", "label", "labels",
            "notes", "help"]
    assert all(list(d) == keys for d in got)
    where = {"line": 2, "column": 3, "end_line": 2, "end_column": 8}
    assert got[0] == {
        "code": "Q101", "severity": "error", "message": "unknown pipeline setting `seeds`", "file": str(path),
        **where, "label": "not a setting", "labels": [{"primary": True, "message": "not a setting", **where}],
        "notes": [], "help": "did you mean `seed`?",
    }
    assert (got[1]["code"], got[1]["line"], got[1]["column"], got[1]["end_column"]) == ("Q106", 3, 12, 14)


def test_json_format_without_a_place_and_when_clean(tmp_path, qlc):
    code, out, _ = qlc("check", "--format", "json", write(tmp_path / "empty.qlc", "// nothing\n"))
    [d] = json.loads(out)
    assert (code, d["code"], d["line"], d["column"], d["end_line"], d["end_column"]) == (1, "Q100", None, None, None, None)
    code, out, _ = qlc("check", "--format", "json", write(tmp_path / "ok.qlc", CLEAN))
    assert (code, json.loads(out)) == (0, [])


def test_json_format_warning_severity(tmp_path, qlc):
    code, out, _ = qlc("check", "--format", "json", write(tmp_path / "w.qlc", CLEAN.replace("    baseline kmeans\n", "")))
    [d] = json.loads(out)
    assert (code, d["code"], d["severity"]) == (0, "Q602", "warning")


def test_fmt_rewrites(tmp_path, qlc):
    path = write(tmp_path / "messy.qlc", MESSY)
    code, out, err = qlc("fmt", path)
    assert code == 0
    assert path.read_text(encoding="utf-8") == MESSY_FORMATTED
    assert err == f"reformatted {path}\n"
    code, out, err = qlc("fmt", path)
    assert (code, err) == (0, "")


def test_fmt_check_reports_and_leaves_files_alone(tmp_path, qlc):
    messy = write(tmp_path / "messy.qlc", MESSY)
    tidy = write(tmp_path / "tidy.qlc", MESSY_FORMATTED)
    code, _, err = qlc("fmt", "--check", tmp_path)
    assert code == 1
    assert err == f"would reformat {messy}\n"
    assert messy.read_text(encoding="utf-8") == MESSY
    code, _, err = qlc("fmt", "--check", tidy)
    assert (code, err) == (0, "1 file already formatted\n")  # success says so, not silence


def test_fmt_does_not_touch_a_file_that_does_not_parse(tmp_path, qlc):
    text = "pipeline p {\n  seed 7 8\n}\n"
    path = write(tmp_path / "bad.qlc", text)
    code, _, err = qlc("fmt", path)
    assert code == 1
    assert CODES.findall(err) == ["Q001"]
    assert path.read_text(encoding="utf-8") == text


def test_methods_lists_the_catalog(qlc):
    from qlang import catalog

    code, out, _ = qlc("methods")
    assert code == 0
    for name in [*catalog.STAGE_KINDS, *catalog.METHODS, *catalog.DATA, *catalog.MODELS]:
        assert re.search(rf"\b{name}\b", out), name


def test_methods_of_one_kind(qlc):
    code, out, _ = qlc("methods", "--kind", "deploy")
    assert code == 0
    assert "qaoa_pruning" in out and "kmeans" not in out


def test_methods_name(qlc):
    from qlang import catalog

    code, out, _ = qlc("methods", "quantum_kmeans")
    assert code == 0
    assert out.startswith("quantum_kmeans — method for `curate` stages")
    for p in catalog.METHODS["quantum_kmeans"].params:
        assert f"  {p.name}: {p.type_words()} = " in out
        assert p.range_words() in out
    assert "baselines: kmeans" in out
    code, out, _ = qlc("methods", "minilm")
    assert code == 0 and "batch_size" in out


def test_methods_unknown_name(qlc):
    code, out, err = qlc("methods", "quantum_kmean")
    assert (code, out) == (2, "")
    assert "did you mean `quantum_kmeans`?" in err
    code, _, err = qlc("methods", "zzzzzz")
    assert code == 2 and "zzzzzz" in err and "did you mean" not in err


def test_version(qlc):
    from qlang import __version__

    code, out, _ = qlc("--version")
    assert (code, out) == (0, f"qlc {__version__}\n")


def test_no_colour_unless_asked(tmp_path, qlc, monkeypatch):
    path = write(tmp_path / "bad.qlc", "pipeline p {\n  seeds 7\n}\n")
    _, _, err = qlc("check", path)
    assert "\x1b[" not in err  # captured stderr is not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, _, err = qlc("check", path)
    assert "\x1b[1;31merror[Q101]" in err
    monkeypatch.setenv("NO_COLOR", "1")
    _, _, err = qlc("check", path)
    assert "\x1b[" not in err


@pytest.mark.parametrize("command", [("check",), ("check", "--format", "json"), ("fmt",), ("fmt", "--check")])
def test_a_file_that_is_not_utf8_is_q005(tmp_path, qlc, command):
    path = tmp_path / "latin1.qlc"
    path.write_bytes("pipeline café {\n}\n".encode("latin-1"))
    code, out, err = qlc(*command, path)
    assert code == 1
    assert "Traceback" not in err
    assert "Q005" in out + err
    assert "is not UTF-8 text (byte 12)" in out + err


def test_a_byte_order_mark_is_accepted(tmp_path, qlc):
    path = tmp_path / "bom.qlc"
    path.write_bytes(b"\xef\xbb\xbf" + CLEAN.encode())
    code, _, err = qlc("check", path)
    assert (code, err) == (0, "1 file ok\n")


def test_json_carries_secondary_labels(tmp_path, qlc):
    path = write(tmp_path / "twice.qlc", "pipeline p {\n  seed 7\n  seed 8\n}\n")
    _, out, _ = qlc("check", "--format", "json", path)
    (d,) = json.loads(out)
    assert d["code"] == "Q206"
    assert [(lbl["primary"], lbl["message"], lbl["line"], lbl["column"]) for lbl in d["labels"]] == [
        (True, "set again here", 3, 3), (False, "first set here", 2, 3)]


def _readme_commands() -> list[list[str]]:
    """Every `qlc ...` line of the README's code blocks, comment removed, as argv."""
    import shlex
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh)?\n(.*?)```", readme, re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    commands = [shlex.split(line)[1:] for line in lines if line.startswith("qlc ")]
    # a shell redirection or pipe ends the command's own arguments
    return [next((argv[:i] for i, a in enumerate(argv) if a in ("<", ">", "|")), argv) for argv in commands]


def test_every_qlc_line_of_the_readme_parses():
    """A line pasted from the README must be a command qlc accepts (`[--check]` was not)."""
    from qlang.cli import build_parser

    commands = _readme_commands()
    assert len(commands) >= 10 and ["fmt", "--check", "specs/"] in commands
    for argv in commands:
        placeholders = [a for a in argv if a[:1] in "[<"]
        assert not placeholders, f"README: `qlc {' '.join(argv)}` has {placeholders}, which a shell passes on as-is"
        try:
            build_parser().parse_args(argv)
        except SystemExit:
            pytest.fail(f"README: `qlc {' '.join(argv)}` is not a command qlc accepts")
