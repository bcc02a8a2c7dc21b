"""Pipeline-level sweeps of `device` and `shots`: which settings may be swept, each point checked as a single
value is (with its own span), and the device points the checked model carries."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, find, settings

import frontend_strategies as gen
from qlang.checks import check_text
from qlang.syntax import ast
from qlang.syntax.printer import print_spec

SPEC = """pipeline p {{
  {settings}
  data rows = breast_cancer(limit: 40)

  stage encode kernel {{
    method {method}
    baseline rbf_svm
  }}
}}
"""


def check(settings: str, method: str = "zz_feature_map(qubits: 4)"):
    text = SPEC.format(settings=settings, method=method)
    return text, check_text(text, "p.qlc")


def codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


def at(text: str, d) -> str:
    """The text a diagnostic (or a label, or a span) points at."""
    span = getattr(d, "span", d)
    return text[span.start : span.end]


def test_device_and_shots_sweeps_give_one_point_each_in_the_spec_order():
    _, r = check("device sweep(fake_fez, fake_torino)\n  shots sweep(256, 1024)")
    assert r.ok, r.diagnostics
    p = r.checked.pipelines[0]
    assert [(x.device, x.shots, x.device_qubits) for x in p.points] == [
        ("fake_fez", 256, 156),
        ("fake_fez", 1024, 156),
        ("fake_torino", 256, 133),
        ("fake_torino", 1024, 133),
    ]
    assert p.points[1].coords == {"device": "fake_fez", "shots": 1024}
    assert (p.device, p.shots, p.device_qubits) == ("fake_fez", 256, 156)  # the first point is the pipeline's own
    _, r = check("shots sweep(64, 32)\n  device sweep(fake_fez, fake_torino)")
    assert list(r.checked.pipelines[0].points[0].coords) == ["shots", "device"]


def test_a_point_gets_its_devices_own_shots_default():
    _, r = check('device sweep("default.qubit", fake_fez)')
    assert r.ok, r.diagnostics
    points = r.checked.pipelines[0].points
    assert [(x.device, x.shots, x.noisy) for x in points] == [("default.qubit", None, False), ("fake_fez", 4096, True)]
    assert [x.coords for x in points] == [{"device": "default.qubit"}, {"device": "fake_fez"}]


def test_a_pipeline_without_a_sweep_has_no_points():
    _, r = check("device fake_fez\n  shots 256")
    assert r.ok and r.checked.pipelines[0].points == []


@pytest.mark.parametrize(
    "setting",
    ["seed sweep(1, 2)", "repeat sweep(1, 2)", "target sweep(qiskit, pennylane)", "executor sweep(local, process)",
     "budget sweep(1 kJ, 2 kJ)", "noise sweep(readout(error: 0.1), readout(error: 0.2))"],
)  # fmt: skip
def test_other_pipeline_settings_cannot_be_swept(setting):
    text, r = check(setting)
    assert codes(r) == ["Q208"]
    d = r.diagnostics[0]
    assert d.message == f"`{setting.split()[0]}` cannot be swept"
    assert at(text, d).startswith("sweep(") and "`device` or `shots`" in (d.help or "")


def test_each_device_point_is_checked_with_its_own_span():
    text, r = check("device sweep(fake_fez, fake_fz, fake_fez)")
    assert codes(r) == ["Q205", "Q208"]
    unknown, repeated = r.diagnostics
    assert at(text, unknown) == "fake_fz" and "did you mean `fake_fez`" in unknown.help
    assert text.index("fake_fez)") == repeated.span.start and at(text, repeated.notes[0].span) == "fake_fez"


def test_each_shots_point_is_range_checked():
    text, r = check("shots sweep(256, 0, 256)")
    assert codes(r) == ["Q202", "Q208"]
    assert at(text, r.diagnostics[0]) == "0"


def test_a_stage_too_wide_for_one_device_point_names_both_numbers_and_that_point():
    text, r = check("device sweep(fake_fez, fake_athens)", "zz_feature_map(qubits: 6)")
    assert codes(r) == ["Q402"]
    d = r.diagnostics[0]
    assert "needs 6 qubits; the device `fake_athens` has 5" in d.message
    assert at(text, d.notes[0].span) == "fake_athens"


def test_a_statevector_method_is_refused_at_a_noisy_point_only():
    text = "pipeline p {\n  device sweep(%s)\n  data d = breast_cancer(limit: 40)\n  stage train t {\n    method qng(qubits: 2)\n    baseline adam\n  }\n}\n"
    r = check_text(text % '"default.qubit", "lightning.qubit"')
    assert r.ok, r.diagnostics
    noisy = text % '"default.qubit", fake_fez'
    r = check_text(noisy)
    assert codes(r) == ["Q403"]
    assert at(noisy, r.diagnostics[0].notes[0].span) == "fake_fez"


def test_shots_none_at_a_noisy_point_and_a_second_sweep_of_shots():
    text, r = check("device fake_fez\n  shots sweep(none, 256)")
    assert codes(r) == ["Q403"] and at(text, r.diagnostics[0]) == "none"
    text, r = check("shots sweep(64, 256)", "zz_feature_map(qubits: 2, shots: sweep(none, 32))")
    assert codes(r) == ["Q208"] and at(text, r.diagnostics[0]) == "sweep(none, 32)"


def test_mitigation_warns_at_an_exact_point_of_a_mixed_sweep():
    text = SPEC.format(settings='device sweep(fake_fez, "default.qubit")', method="zz_feature_map(qubits: 2)")
    text = text.replace("baseline rbf_svm", "baseline rbf_svm\n    mitigation readout")
    r = check_text(text)
    assert r.ok and codes(r) == ["Q404"]
    assert "exact device point `default.qubit`" in r.diagnostics[0].message


def test_the_valid_spec_strategy_draws_pipeline_level_sweeps():
    """The Hypothesis round trips (test_frontend_properties.py) see sweeps of `device` and `shots`."""

    def swept(tree: ast.Spec) -> set[str]:
        statements = tree.pipelines[0].statements
        return {s.key for s in statements if isinstance(s, ast.Setting) and isinstance(s.value, ast.Sweep)}

    quick = settings(database=None, max_examples=2000, suppress_health_check=list(HealthCheck))
    tree = find(gen.valid_trees(), lambda t: swept(t) >= {"device", "shots"}, settings=quick)
    result = check_text(print_spec(tree))
    assert result.ok and len(result.checked.pipelines[0].points) >= 2
