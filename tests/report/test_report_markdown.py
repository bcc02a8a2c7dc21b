"""report.md from report.json through the templates: golden files, and the cases a smoke run does not show."""

import json
import os
from pathlib import Path

import pytest

from qlang.reporting import markdown
from qlang.reporting.model import Table

DATA = Path(__file__).parent / "data"
UPDATE = os.environ.get("QLANG_UPDATE_GOLDEN") == "1"


def _report(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["quickstart", "architect_hpo"])
def test_markdown_matches_golden(name):
    text = markdown(_report(name))
    golden = DATA / f"{name}.md"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_failed_stage_shows_its_message_and_a_fallback_labels_the_baseline():
    report = _report("quickstart")
    first, second = report["stages"]
    first.update(status="failed", message="error[Q701]: boom", method=None, baselines=[], energy={}, verdict=None)
    second.update(status="fallback", method=None, warnings=["`hybrid_qnn_head` used 11 J of its 10 J budget"])
    text = markdown(report)
    assert "## clusters (curate, from `words`) — failed\n\n```\nerror[Q701]: boom\n```\n" in text
    assert "| baseline | `logistic_regression` |" in text and "\n| method | `" not in text
    assert "⚠ `hybrid_qnn_head` used 11 J of its 10 J budget\n" in text


def test_table_rows_must_fit_the_header():
    with pytest.raises(ValueError):
        Table(("a", "b"), (("1",),))
    assert Table(("a", "b"), (("1", "2"),)).records() == [{"a": "1", "b": "2"}]
