"""The example specs' comments agree with the catalog and the README: what runs, and how long it takes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qlang import catalog

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.qlc"))


def _comment_lines(path: Path) -> list[str]:
    return [line.split("//", 1)[1] for line in path.read_text(encoding="utf-8").splitlines() if "//" in line]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.name)
def test_a_method_said_not_to_run_does_not_run(spec):
    """`architect_hpo.qlc` said hybrid_layer did not run while `qlc methods` said it did."""
    for line in _comment_lines(spec):
        if re.search(r"\bnot run\b|\bdoes not run\b|\bdo not run\b", line):
            named = [w for w in re.findall(r"\w+", line) if w in catalog.METHODS]
            runnable = [w for w in named if catalog.METHODS[w].runnable]
            assert not runnable, f"{spec.name}: `{line.strip()}` but `qlc methods` runs {runnable}"


def test_the_quickstart_and_the_readme_give_one_run_time():
    """The README's figure for the main job (seconds on 2 cores) is the one quickstart.qlc gives."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    spec = " ".join(_comment_lines(ROOT / "specs" / "quickstart.qlc"))
    figure = re.search(r"about (\d+[–-]\d+ s) on 2 cores", readme)
    assert figure, "the README states the main job's run time as `about A–B s on 2 cores`"
    assert figure.group(1) in spec, f"quickstart.qlc should give the README's {figure.group(1)}"
    assert "minutes" not in spec
