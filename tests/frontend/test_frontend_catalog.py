"""The catalog is consistent: what the checks and the docs read from it makes sense on its own."""

from __future__ import annotations

import pytest

from qlang import catalog
from qlang.catalog.settings import DEVICES, PIPELINE, STAGE, TARGETS
from qlang.checks.values import coerce

ENTRIES = [*catalog.METHODS.values(), *catalog.DATA.values(), *catalog.MODELS.values(), PIPELINE, STAGE]


@pytest.mark.parametrize("method", catalog.METHODS.values(), ids=list(catalog.METHODS))
def test_methods(method):
    assert method.stage in catalog.STAGE_KINDS
    assert method.inputs and method.output
    for name in method.baselines:
        baseline = catalog.METHODS.get(name)
        assert baseline is not None, f"{method.name}: unknown baseline {name}"
        assert baseline.stage == method.stage and not baseline.is_quantum


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.group}:{e.name}" for e in ENTRIES])
def test_parameters_and_defaults(entry):
    names = [p.name for p in entry.params]
    assert len(names) == len(set(names))
    for p in entry.params:
        if p.required or p.default is None:
            assert p.required or p.nullable or entry is STAGE  # a stage's `baseline` may be left out
            continue
        if p.type in ("int", "float"):
            low_ok = p.min is None or (p.default > p.min if p.exclusive_min else p.default >= p.min)
            assert low_ok and (p.max is None or p.default <= p.max), p
        if p.type == "enum":
            assert p.default in p.choices, p
        if p.type == "call":
            assert p.choices[0] in catalog.GROUPS


def test_targets_and_devices():
    assert set(DEVICES) == set(TARGETS) == set(PIPELINE.param("target").choices)
    assert PIPELINE.param("target").default in TARGETS


def test_every_method_is_documented():
    from qlang.catalog.docs import describe, listing, markdown

    text, md = listing(), markdown()
    for name in catalog.METHODS:
        assert name in text and f"`{name}`" in md
        assert describe(name)


def test_coerce_accepts_every_default_written_out():
    """Each int, float and enum default, written as a spec would write it, passes its own checks."""
    from qlang.diagnostics import Span
    from qlang.syntax import ast

    for entry in ENTRIES:
        for p in entry.params:
            if p.type in ("int", "float") and isinstance(p.default, (int, float)):
                value = ast.Number(p.default, repr(p.default), Span(0, 0))
            elif p.type == "enum" and not p.required:  # a nullable enum's default is `none`
                value = ast.Word(p.default, Span(0, 0)) if p.default is not None else ast.NoneValue(Span(0, 0))
            else:
                continue
            diags = []
            assert coerce(value, p, p.name, diags) == p.default and not diags, (entry.name, p.name, diags)


def test_generated_docs_are_fresh():
    """docs/methods.md and the stage-kinds table of docs/language.md are what the catalog generates."""
    from pathlib import Path

    from qlang.catalog.docs import language_md, markdown

    docs = Path(__file__).resolve().parents[2] / "docs"
    hint = "run `python -m qlang.catalog.docs` to regenerate"
    assert (docs / "methods.md").read_text(encoding="utf-8") == markdown(), hint
    text = (docs / "language.md").read_text(encoding="utf-8")
    assert language_md(text) == text, hint


def test_every_builtin_method_is_in_an_example_spec():
    from pathlib import Path

    from qlang.checks import check_text

    used = set()
    for spec in sorted((Path(__file__).resolve().parents[2] / "specs").glob("*.qlc")):
        result = check_text(spec.read_text(encoding="utf-8"), str(spec))
        for stage in (s for p in result.spec.pipelines for s in p.stages):
            used |= {stage.method.name, *(b.name for b in stage.baselines)}
    builtin = {name for name, e in catalog.METHODS.items() if e.origin == "qlang"}
    assert builtin - used == set()


def _checked(body: str, setting: str = ""):
    from qlang.checks import check_text

    return check_text(f"pipeline p {{\n{setting}  data words = vader_lexicon(limit: 160)\n"
                      f"  stage curate clusters {{\n    method {body}\n  }}\n}}\n")


def test_positional_arguments_fill_the_parameters_in_order():
    result = _checked("kmeans(3, 4)")
    assert result.diagnostics == []
    assert result.checked.pipelines[0].stages[0].method.params == {"clusters": 3, "n_init": 4, "max_iter": 100}


def test_a_negative_quantity_is_refused_and_a_sum_is_added_up():
    (d,) = _checked("kmeans(clusters: 2)", "  budget -1 kJ\n").diagnostics
    assert (d.code, d.message) == ("Q202", "`budget` cannot be negative")
    result = _checked("kmeans(clusters: 2)", "  budget 2 kJ + 500 J\n")
    assert result.diagnostics == [] and result.checked.pipelines[0].budget_j == 2500.0


def test_coerce_gives_the_written_strings_booleans_and_lists():
    from qlang.catalog.schema import Param
    from qlang.diagnostics import Span
    from qlang.syntax import ast

    s = Span(0, 0)
    diags: list = []
    assert coerce(ast.String("a.csv", '"a.csv"', s), Param("path", "string"), "path", diags) == "a.csv"
    assert coerce(ast.Bool(False, s), Param("flag", "bool"), "flag", diags) is False
    listed = ast.List([ast.String("x", '"x"', s), ast.String("y", '"y"', s)], s)
    assert coerce(listed, Param("features", "list", item="string"), "features", diags) == ["x", "y"]
    assert diags == []
