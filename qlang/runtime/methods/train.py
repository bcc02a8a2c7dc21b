"""Training stages: four optimisers on ONE hybrid model and loss, counted in iterations and circuits.

Model: features compressed to `qubits` angles (PCA, z-score, arctan; fitted on the training split), a data
re-uploading circuit as a `CircuitLayer` (<Z_i> per wire), a linear readout, softmax; loss: full-batch
cross-entropy on the training split (75 %, stratified; the other 25 % gives `test_accuracy`).
Every method starts from the same initial weights for a given seed and stops when the loss reaches
`target_loss` (or after `iterations` steps: then `reached_target` is 0 and the counts are the totals).

- `qng`: quantum natural gradient on the circuit weights, w <- w - lr (G + reg I)^-1 grad, G the
  block-diagonal (per re-uploading layer) Fubini-Study metric averaged over `metric_rows` training rows;
  the readout takes plain gradient steps with the same lr.
- `parameter_shift`: plain gradient descent on every parameter, parameter-shift gradients.
- `adam`, `sgd` (with momentum): torch's optimisers on the same model and gradients.

Circuits are counted as a QPU would run them: a gradient step costs n_train x (2P + 1) circuits (the
forward pass and both shifts of each of the P weights), whatever the simulator used to get the exact
gradient; a metric estimate costs metric_rows x (P + 1) circuits (see `fubini_study_metric`).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from qlang.runtime.data import Dataset
from qlang.runtime.encoder import features_of
from qlang.runtime.errors import CIRCUIT_MISMATCH, RuntimeDiagnostic
from qlang.runtime.methods.context import MethodContext, MethodResult, require
from qlang.runtime.methods.finetune import TrainedClassifier, single_threaded_torch
from qlang.runtime.methods.reduce import Reducer
from qlang.runtime.methods.torch_layer import CircuitLayer
from qlang.runtime.protocol import Executor

# Runtime-only knobs. qubits and layers: what adam and sgd read from their method (they inherit its params).


def fubini_study_metric(executor: Executor, circuit: str, x: np.ndarray, w: np.ndarray, block: int) -> np.ndarray:
    """The block-diagonal Fubini-Study metric G (P, P) of the circuit's state, averaged over the rows of x.

    Each weight enters one rotation exp(-i w P / 2), so d|psi>/dw_k = |psi(w + pi e_k)> / 2 exactly; the
    metric Re(<d_k psi|d_l psi> - <d_k psi|psi><psi|d_l psi>) comes from the states at w and at the P
    shifted points, for all rows in ONE batched `states` call. Blocks: consecutive runs of `block` weights
    (one re-uploading layer each); entries between blocks are zeroed.
    """
    n_weights, n_rows = len(w), len(x)
    points = np.vstack([w[None, :], w + np.pi * np.eye(n_weights)])
    states = executor.states(circuit, np.tile(x, (len(points), 1)), np.repeat(points, n_rows, axis=0))
    states = states.reshape(len(points), n_rows, -1)
    psi, dpsi = states[0], 0.5 * states[1:]
    overlap = np.einsum("pmd,qmd->mpq", dpsi.conj(), dpsi)
    berry = np.einsum("pmd,md->mp", dpsi.conj(), psi)
    metric = (overlap - berry[:, :, None] * berry.conj()[:, None, :]).real.mean(axis=0)
    layer_of = np.arange(n_weights) // block
    return np.where(layer_of[:, None] == layer_of[None, :], metric, 0.0)


class HybridModel(torch.nn.Module):
    """logits = readout(<Z_i>(circuit(x; w))); `predict_proba` makes it a head of a TrainedClassifier."""

    def __init__(self, layer: CircuitLayer, n_classes: int, seed):
        super().__init__()
        self.layer = layer
        generator = torch.Generator().manual_seed(int(np.random.default_rng(seed).integers(2**31)))
        n_wires = layer.shape.n_wires
        self.readout = torch.nn.Linear(n_wires, n_classes).double()
        with torch.no_grad():
            self.readout.weight.copy_(torch.randn(n_classes, n_wires, generator=generator, dtype=torch.float64) * 0.5)
            self.readout.bias.zero_()

    def forward(self, x) -> torch.Tensor:
        return self.readout(self.layer(x))

    @property
    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return torch.softmax(self(x), dim=1).numpy()


def qng(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("qng")
    require(float(s["regularization"]) >= 0, "regularization must not be negative")
    require(int(s["metric_rows"]) >= 1, "metric_rows must be at least 1")
    return _train(ctx, data, s, "qng")


def parameter_shift(ctx: MethodContext, data: Dataset) -> MethodResult:
    return _train(ctx, data, ctx.settings("parameter_shift"), "parameter_shift")


def adam(ctx: MethodContext, data: Dataset) -> MethodResult:
    return _train(ctx, data, ctx.settings("adam"), "adam")


def sgd(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("sgd")
    require(0.0 <= float(s["momentum"]) < 1.0, "momentum must be in [0, 1)")
    return _train(ctx, data, s, "sgd")


def _model_circuit(ctx: MethodContext, s: dict, method: str):
    try:
        name, shape = ctx.circuit("model")
    except KeyError:
        raise RuntimeDiagnostic(
            CIRCUIT_MISMATCH,
            f"`{method}` trains the hybrid model of its stage's method, and this stage has none",
            help="use it as a baseline of qng or parameter_shift",
        ) from None
    if shape.n_inputs != int(s["qubits"]) or shape.n_weights != 2 * int(s["qubits"]) * int(s["layers"]):
        raise RuntimeDiagnostic(
            CIRCUIT_MISMATCH,
            f"circuit '{name}' has {shape.n_inputs} inputs and {shape.n_weights} weights; the stage asks for "
            f"qubits = {s['qubits']}, layers = {s['layers']}",
        )
    return name, shape


def _train(ctx: MethodContext, data: Dataset, s: dict, method: str) -> MethodResult:
    iterations, target = int(s["iterations"]), float(s["target_loss"])
    name, shape = _model_circuit(ctx, s, method)
    data = data.sample(s["limit"], ctx.seed)
    require(data.n_classes >= 2, "classification needs at least two classes")
    n_test = int(np.ceil(float(s["test_size"]) * len(data)))
    require(
        min(n_test, len(data) - n_test) >= data.n_classes and np.bincount(data.labels).min() >= 2,
        f"{len(data)} rows are too few for a stratified {float(s['test_size']):.0%} test split over "
        f"{data.n_classes} classes",
        help="use more rows (`limit` on the data source)",
    )
    x, y = features_of(data, ctx.encoder), data.labels
    train, test = train_test_split(
        np.arange(len(y)), test_size=float(s["test_size"]), stratify=y, random_state=ctx.seed
    )
    reducer = Reducer(int(s["qubits"]), "arctan").fit(x[train])
    x_train, x_test = reducer.transform(x[train]), reducer.transform(x[test])
    y_train = torch.from_numpy(y[train])

    rng = np.random.default_rng([ctx.seed, 1])
    model = HybridModel(
        CircuitLayer(ctx.quantum, name, rng.uniform(-np.pi, np.pi, shape.n_weights)), data.n_classes, [ctx.seed, 2]
    )
    step = _stepper(method, model, s, ctx, name, x_train, rng)
    per_gradient = len(train) * (2 * shape.n_weights + 1)
    losses: list[float] = []
    circuits = reached = 0
    with single_threaded_torch():
        for iteration in range(iterations + 1):
            loss = torch.nn.functional.cross_entropy(model(x_train), y_train)
            losses.append(loss.item())
            if loss.item() <= target:
                reached = 1
                break
            if iteration == iterations:
                break
            model.zero_grad()
            loss.backward()
            circuits += per_gradient + step()
            if (iteration + 1) % 10 == 0:
                ctx.progress(f"{method} step {iteration + 1}/{iterations}: loss {loss.item():.4f}")
    accuracy = float((model.predict_proba(x_test).argmax(axis=1) == y[test]).mean())
    metrics = {
        "iterations_to_target": float(len(losses) - 1),
        "circuits_to_target": float(circuits),
        "final_loss": losses[-1],
        "reached_target": float(reached),
        "test_accuracy": accuracy,
        "n_parameters": float(model.n_parameters),
        "n": float(len(data)),
    }
    output = TrainedClassifier(reducer, model, data.label_names, data)
    info = {"loss_curve": losses, "differentiation": model.layer.differentiation, "circuits_per_gradient": per_gradient}
    return MethodResult(metrics, output, info)


def _stepper(method: str, model: HybridModel, s: dict, ctx: MethodContext, circuit: str, x_train, rng):
    """A function that updates the parameters from their .grad and returns the extra circuits it ran."""
    lr = float(s["lr"])
    params = list(model.parameters())
    optimiser: torch.optim.Optimizer | None
    if method == "adam":
        optimiser = torch.optim.Adam(params, lr=lr)
    elif method == "sgd":
        optimiser = torch.optim.SGD(params, lr=lr, momentum=float(s["momentum"]))
    else:
        optimiser = None
    if optimiser is not None:
        return lambda: optimiser.step() or 0

    weights = model.layer.weights
    block = 2 * int(s["qubits"])
    rows = min(int(s["metric_rows"]), len(x_train))

    def descend() -> int:
        extra = 0
        with torch.no_grad():
            for p in params:
                grad = p.grad
                if grad is None:  # a parameter the loss does not reach
                    continue
                if p is weights and method == "qng":
                    sample = x_train[rng.choice(len(x_train), rows, replace=False)]
                    w = weights.detach().numpy()
                    metric = fubini_study_metric(ctx.quantum, circuit, sample, w, block)
                    metric += float(s["regularization"]) * np.eye(len(w))
                    p.sub_(lr * torch.from_numpy(np.linalg.solve(metric, grad.numpy())))
                    extra = rows * (len(w) + 1)
                else:
                    p.sub_(lr * grad)
        return extra

    return descend
