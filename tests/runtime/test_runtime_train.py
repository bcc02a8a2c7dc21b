import numpy as np
import pytest

from qlang.runtime.data import breast_cancer
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.methods import METHODS, MethodContext
from qlang.runtime.methods.train import fubini_study_metric

PARAMS = {"qubits": 2, "layers": 2, "lr": 0.2, "iterations": 4, "target_loss": 0.0, "regularization": 1e-3,
          "momentum": 0.9, "limit": 40, "metric_rows": 8}
TARGETS = ["pennylane", "qiskit"]


@pytest.mark.parametrize("target", TARGETS)
def test_metric_is_the_fidelity_curvature(real, target):
    """1 - |<psi(w)|psi(w + d)>|^2 = d^T G d + O(d^3) for the full Fubini-Study metric G (one block)."""
    executor = real(target, "qng", {"qubits": 2, "layers": 2})
    rng = np.random.default_rng(0)
    x, w = rng.uniform(-1, 1, (1, 2)), rng.uniform(-np.pi, np.pi, 8)
    metric = fubini_study_metric(executor, "model", x, w, block=8)
    psi = executor.states("model", x, w)[0]
    eps = 1e-3
    for direction in [np.eye(8)[0], np.eye(8)[5], rng.normal(size=8)]:
        d = eps * direction
        fidelity = abs(np.vdot(psi, executor.states("model", x, w + d)[0])) ** 2
        assert np.isclose(1 - fidelity, d @ metric @ d, rtol=1e-2, atol=1e-9)
    block = fubini_study_metric(executor, "model", x, w, block=4)
    assert np.allclose(block[:4, 4:], 0) and np.allclose(block[:4, :4], metric[:4, :4])


@pytest.mark.parametrize("method", ["qng", "parameter_shift", "adam", "sgd"])
def test_every_optimiser_lowers_the_loss_and_counts_circuits(real, method):
    ctx = MethodContext(real("pennylane", "qng", PARAMS), {"model": "model"}, PARAMS, seed=1)
    result = METHODS[method](ctx, breast_cancer())
    curve, m = result.info["loss_curve"], result.metrics
    assert len(curve) == 5 and curve[-1] < curve[0]
    per_gradient = 30 * (2 * 8 + 1)  # 30 training rows (75 % of 40), forward + two shifts of 8 weights
    metric = 4 * 8 * (8 + 1) if method == "qng" else 0
    assert m["circuits_to_target"] == 4 * per_gradient + metric
    assert m["iterations_to_target"] == 4 and m["reached_target"] == 0.0
    assert m["n_parameters"] == 8 + 2 * 2 + 2


def test_qng_follows_the_same_curve_on_both_targets(real):
    curves = [METHODS["qng"](MethodContext(real(t, "qng", PARAMS), {"model": "model"}, PARAMS, seed=3),
                             breast_cancer()).info["loss_curve"] for t in TARGETS]
    assert np.allclose(curves[0], curves[1], atol=1e-6)


def test_stops_at_the_target_loss(real):
    params = {**PARAMS, "target_loss": 10.0}
    result = METHODS["adam"](MethodContext(real("qiskit", "qng", params), {"model": "model"}, params), breast_cancer())
    assert result.metrics["iterations_to_target"] == 0 and result.metrics["reached_target"] == 1.0
    assert result.metrics["circuits_to_target"] == 0


def test_a_noisy_device_and_missing_circuits_are_diagnosed(real):
    """qng reads statevectors (the check refuses it on a noisy device: Q403); if it gets there anyway, the
    run says so. parameter_shift trains the same model from the noisy device's sampled expectation values."""
    from qlang.runtime.noise import NoiseModel
    from qlang.runtime.targets.qiskit_noisy import NoisyQiskitExecutor

    exact = real("qiskit", "qng", PARAMS)
    noisy = NoisyQiskitExecutor({"model": exact._builders["model"]}, NoiseModel(p1=0.01, p2=0.05), shots=64)
    with pytest.raises(RuntimeDiagnostic, match="statevector"):
        METHODS["qng"](MethodContext(noisy, {"model": "model"}, PARAMS), breast_cancer())
    result = METHODS["parameter_shift"](MethodContext(noisy, {"model": "model"}, PARAMS), breast_cancer())
    assert noisy.shots_spent > 0 and np.isfinite(result.metrics["final_loss"])
    with pytest.raises(RuntimeDiagnostic, match="baseline of qng"):
        METHODS["adam"](MethodContext(real("qiskit", "qng", PARAMS), {"model": "other"}, PARAMS), breast_cancer())
