"""Circuits as torch modules on both targets: gradients against finite differences, and one loss curve."""

import numpy as np
import pytest
import torch

from qlang.runtime.methods.torch_layer import CircuitLayer

TARGETS = ["pennylane", "qiskit"]
PARAMS = {"qubits": 3, "layers": 2}


def _loss(layer, x, readout, labels):
    return torch.nn.functional.cross_entropy(layer(x) @ readout, labels)


@pytest.mark.parametrize("target", TARGETS)
def test_gradients_match_finite_differences(real, target):
    layer = CircuitLayer(real(target, "hybrid_qnn_head", PARAMS), "model", seed=3)
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.uniform(-1.5, 1.5, (6, 3)))
    readout, labels = torch.tensor(rng.normal(size=(3, 2))), torch.tensor([0, 1, 1, 0, 1, 0])
    _loss(layer, x, readout, labels).backward()
    w0, eps = layer.weights.detach().clone(), 1e-5
    numeric = []
    with torch.no_grad():
        for k in range(len(w0)):
            values = []
            for sign in (1, -1):
                layer.weights.copy_(w0 + sign * eps * torch.eye(len(w0))[k])
                values.append(_loss(layer, x, readout, labels).item())
            numeric.append((values[0] - values[1]) / (2 * eps))
    assert np.allclose(layer.weights.grad.numpy(), numeric, atol=1e-6)


@pytest.mark.parametrize("target", TARGETS)
def test_forward_batches_inputs_and_matches_the_executor(real, target):
    executor = real(target, "hybrid_qnn_head", PARAMS)
    layer = CircuitLayer(executor, "model", seed=1)
    x = np.random.default_rng(2).uniform(-1, 1, (5, 3))
    z = layer(x)
    assert z.shape == (5, 3) and z.requires_grad
    assert np.allclose(z.detach().numpy(), executor.expvals("model", x, layer.weights.detach().numpy()), atol=1e-7)


def test_both_targets_train_along_the_same_loss_curve(real):
    """Exact simulators, the same seed and data: the Adam loss curves agree to 1e-6 (float64 round-off in two
    different simulators and differentiation methods, amplified a little by 10 optimiser steps)."""
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.uniform(-1.5, 1.5, (16, 3)))
    labels = torch.tensor(rng.integers(0, 2, 16))
    curves = []
    for target in TARGETS:
        torch.manual_seed(0)
        layer = CircuitLayer(real(target, "hybrid_qnn_head", PARAMS), "model", seed=5)
        readout = torch.nn.Parameter(torch.tensor(np.random.default_rng(1).normal(size=(3, 2))))
        optimiser = torch.optim.Adam([layer.weights, readout], lr=0.1)
        curve = []
        for _ in range(10):
            loss = _loss(layer, x, readout, labels)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            curve.append(loss.item())
        curves.append(curve)
    assert curves[0][-1] < curves[0][0]
    assert np.allclose(curves[0], curves[1], atol=1e-6)


@pytest.mark.parametrize("target", TARGETS)
def test_generated_module_exposes_its_circuits_as_torch_modules(target):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[2] / "generated" / f"quickstart.{target}.py"
    spec = importlib.util.spec_from_file_location(f"generated_quickstart_{target}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    layer = module.torch_module("quickstart.head.model")
    z = layer(np.zeros((3, 4)))
    z.sum().backward()
    assert z.shape == (3, 4) and layer.weights.grad.shape == (16,)


@pytest.mark.parametrize(
    ("target", "device", "expected"),
    [("pennylane", "default.qubit", "backprop"), ("pennylane", "lightning.qubit", "adjoint"),
     ("qiskit", None, "parameter-shift")],
)  # fmt: skip
def test_the_layer_reports_how_it_differentiates(real, target, device, expected):
    executor = real(target, "hybrid_qnn_head", PARAMS)
    if device is not None:
        executor.device = device  # read when the torch function is made
    assert CircuitLayer(executor, "model").differentiation == expected
