"""`qlc check -` and `qlc fmt -` read standard input; -q/-v on every command; `methods --format json`."""

import io
import json
import sys

import pytest

from qlang.cli import build_parser, main

MESSY = "pipeline p {\ndata d = wine(limit: 30)\nstage curate c {\nmethod kmeans(clusters: 2)\n}\n}\n"


def _stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def test_check_reads_stdin(monkeypatch, capsys):
    _stdin(monkeypatch, MESSY.replace("kmeans", "kmean"))
    assert main(["check", "-"]) == 1
    err = capsys.readouterr().err
    assert "error[Q103]" in err and "--> <stdin>:4:8" in err


def test_fmt_reads_stdin_and_writes_stdout(monkeypatch, capsys):
    _stdin(monkeypatch, MESSY)
    assert main(["fmt", "-"]) == 0
    formatted = capsys.readouterr().out
    assert formatted.startswith("pipeline p {\n  data d = wine(limit: 30)\n")
    _stdin(monkeypatch, MESSY)
    assert main(["fmt", "-", "--check"]) == 1
    _stdin(monkeypatch, formatted)
    assert main(["fmt", "-", "--check"]) == 0


def test_every_command_takes_quiet_and_verbose():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        options = {o for a in sub._actions for o in a.option_strings}
        assert {"-q", "-v"} <= options, name


def test_quiet_drops_notes_but_not_errors(capsys, tmp_path):
    spec = tmp_path / "p.qlc"
    spec.write_text(MESSY, encoding="utf-8")
    assert main(["check", "-q", str(spec)]) == 0
    assert capsys.readouterr().err == ""
    assert main(["-q", "check", str(tmp_path / "missing.qlc")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["quantum_kmeans"], ["--kind", "monitor"], []])
def test_methods_as_json(args, capsys):
    assert main(["methods", "--format", "json", *args]) == 0
    data = json.loads(capsys.readouterr().out)
    entries = data if isinstance(data, list) else [data]
    assert entries and all({"name", "params", "family", "runnable"} <= set(e) for e in entries)
    if args == ["quantum_kmeans"]:
        assert data["stage"] == "curate" and data["primary_metric"] == "ari"
        assert {p["name"] for p in data["params"]} >= {"clusters", "encoding", "qubits"}
    if args[:1] == ["--kind"]:
        assert {e["stage"] for e in entries} == {"monitor"}
