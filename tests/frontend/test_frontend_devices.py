"""Devices: the front end's static list of fake backends matches the installed qiskit-ibm-runtime, and noisy
pipelines lower to the model the runtime reads."""

from __future__ import annotations

import pytest

from qlang.catalog.devices import FAKE_BACKENDS, NOISY_SHOTS
from qlang.checks import check_text


def test_static_list_matches_the_installed_fake_provider():
    pytest.importorskip("qiskit_ibm_runtime")
    from qlang.runtime.devices import catalog_source, fake_backends

    assert FAKE_BACKENDS == fake_backends(), (
        "qlang/catalog/devices.py is stale; replace FAKE_BACKENDS with the output of "
        "`python -m qlang.runtime.devices`:\n" + catalog_source()
    )


SPEC = """pipeline p {{
  {settings}
  data tumours = breast_cancer
  stage encode angle {{
    method angle_encoding(qubits: 4)
    baseline rbf_svm
  }}
}}"""


def _pipeline(settings: str, target: str | None = None):
    result = check_text(SPEC.format(settings=settings), target=target)
    assert result.ok, [d.message for d in result.diagnostics]
    return result.spec.pipelines[0]


def test_a_fake_backend_is_noisy_with_default_shots_on_both_targets():
    for target in ("pennylane", "qiskit"):
        p = _pipeline("device fake_fez", target)
        assert (p.device, p.device_qubits, p.noise, p.shots, p.noisy) == ("fake_fez", 156, None, NOISY_SHOTS, True)


def test_a_parametric_model_lowers_to_probabilities_and_picks_the_mixed_simulator():
    p = _pipeline("noise depolarizing(p1: 0.001, p2: 1%, readout: 2%) + amplitude_damping(0.0005)\n  shots 1000")
    assert p.device == "default.mixed" and p.shots == 1000 and p.device_qubits is None
    assert p.noise.model_dump() == {
        "p1": 0.001,
        "p2": 0.01,
        "amplitude_damping": 0.0005,
        "phase_damping": 0.0,
        "readout": 0.02,
    }
    assert _pipeline("noise readout(error: 3%)", "qiskit").device == "aer_simulator"


def test_an_exact_device_stays_exact_unless_shots_are_set():
    p = _pipeline("")
    assert (p.noisy, p.shots, p.noise) == (False, None, None)
    assert _pipeline("shots 512").shots == 512


@pytest.mark.parametrize(
    "settings, code",
    [
        ("device fake_athens\n  shots none", "Q403"),
        ("device fake_fez\n  noise readout(error: 1%)", "Q403"),
        ('device "default.mixed"', "Q403"),
        ("noise depolarizing(p1: 2 kJ)", "Q201"),
        ("noise depolarizing(p1: 1.5)", "Q202"),
        ("noise readout(error: 60%)", "Q202"),
        ("noise readout(error: 1%) + depolarizing(p1: 0.1, readout: 1%)", "Q206"),
        ("noise dephasing(gamma: 0.1)", "Q108"),
        ("device fake_fe", "Q205"),
    ],
)
def test_noise_and_device_mistakes(settings, code):
    result = check_text(SPEC.format(settings=settings))
    assert code in {d.code for d in result.errors}, [d.message for d in result.diagnostics]


@pytest.mark.parametrize(
    ("mitigation", "kept", "warned"),
    [("readout", "readout", False), ("readout + zne", "readout", True), ("zne", "none", True)],
)
def test_on_hardware_readout_mitigation_runs_and_zne_is_dropped_with_a_warning(mitigation, kept, warned):
    text = (
        SPEC.format(settings='target qiskit\n  device "ibm:fake_fez"')
        .replace("qubits: 4)", "qubits: 4)\n    mitigation " + mitigation)
    )
    result = check_text(text)
    assert result.ok, [d.message for d in result.diagnostics]
    q404 = [d for d in result.diagnostics if d.code == "Q404"]
    assert bool(q404) == warned and all("zero-noise extrapolation" in d.label for d in q404)
    stage = result.checked.pipelines[0].stages[0]
    assert stage.mitigation == kept
