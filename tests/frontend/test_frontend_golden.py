"""Golden diagnostics: one bad spec per diagnostic code in tests/frontend/diagnostics/, each beside the text
`qlc check` prints for it. QLANG_UPDATE_GOLDEN=1 rewrites the .txt files."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent / "diagnostics"
CASES = sorted(HERE.glob("*.qlc"))
CODE = re.compile(r'"(Q\d{3})"')
SHOWN = re.compile(r"^(error|warning)\[(Q\d{3})\]", re.M)
# Codes from Q700 on come from the runtime and from compilation, not from `qlc check`.
CHECK_CODES = re.compile(r"Q[0-6]\d\d")


def codes_in_source() -> set[str]:
    return {c for f in (ROOT / "qlang").rglob("*.py") for c in CODE.findall(f.read_text(encoding="utf-8"))}


ENV = re.compile(r"^// checked with (QLANG_[A-Z_]+)=(\d+)", re.M)  # a case's machine, where it matters


@pytest.mark.parametrize("spec", CASES, ids=[c.stem for c in CASES])
def test_golden(spec: Path, qlc, monkeypatch):
    rel = spec.relative_to(ROOT).as_posix()
    for name, value in ENV.findall(spec.read_bytes().decode("utf-8", "replace")):
        monkeypatch.setenv(name, value)
    code, out, err = qlc("check", rel)
    golden = spec.with_suffix(".txt")
    if os.environ.get("QLANG_UPDATE_GOLDEN"):
        golden.write_text(err, encoding="utf-8")
    assert err == golden.read_text(encoding="utf-8")
    assert out == ""
    want = spec.name[:4]
    shown = SHOWN.findall(err)
    assert {c for _, c in shown} == {want}, "each golden spec triggers exactly its own code"
    assert code == (1 if any(sev == "error" for sev, _ in shown) else 0)


def test_every_code_has_a_golden_case():
    covered = {c.name[:4] for c in CASES}
    missing = sorted(c for c in codes_in_source() if CHECK_CODES.fullmatch(c) and c not in covered)
    assert not missing, f"add tests/frontend/diagnostics/<CODE>_<name>.qlc for {missing}"


def test_every_golden_case_is_a_real_code():
    assert {c.name[:4] for c in CASES} <= codes_in_source()


def test_docs_document_every_code():
    doc = ROOT / "docs" / "diagnostics.md"
    if not doc.exists():
        pytest.skip("docs/diagnostics.md is not written yet")
    text = doc.read_text(encoding="utf-8")
    missing = sorted(c for c in codes_in_source() if c not in text)
    assert not missing, f"docs/diagnostics.md does not mention {missing}"
