"""Packaging: every package is listed in pyproject.toml, and the grammar ships as `qlang.grammar`."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_package_is_listed():
    listed = set(_setuptools()["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "qlang").rglob("__init__.py")}
    missing = sorted(found - listed)
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"


def test_the_grammar_is_package_data():
    setuptools = _setuptools()
    assert "qlang.grammar" in setuptools["packages"]
    assert setuptools["package-dir"]["qlang.grammar"] == "grammar"
    assert "*.lark" in setuptools["package-data"]["qlang.grammar"]


def test_the_installed_package_finds_the_grammar_through_importlib_resources(tmp_path):
    """Run where the source tree is not on sys.path, so the installed qlang (and qlang.grammar) is used."""
    import subprocess
    import sys

    code = ("from importlib import resources; from qlang.syntax.parser import grammar_text; "
            "text = (resources.files('qlang.grammar') / 'qlang.lark').read_text(encoding='utf-8'); "
            "assert grammar_text() == text; print(text)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.rstrip("\n") == (ROOT / "grammar" / "qlang.lark").read_text(encoding="utf-8").rstrip("\n")
