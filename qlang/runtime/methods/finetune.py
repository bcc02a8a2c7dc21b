"""Fine-tuning stages: a classification head on compressed features, quantum (data re-uploading circuit
plus a linear readout) or classical (logistic regression, RBF SVM, MLP), all scored by the same stratified k-fold.
Few-shot: `examples_per_class` keeps that many training rows per class in each fold (the baselines inherit it).
Distillation: `quantum_distillation` fits the hybrid head to a teacher's soft labels; an `mlp` baseline that
inherits `temperature` is the classical student of the same teacher.

Compression, fitted on each training fold only: PCA to `qubits` components, z-scored, then arctan onto
(-pi/2, pi/2) - the rotation angles of the circuit and the inputs of the baseline alike.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.special
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from qlang import catalog
from qlang.runtime.data import Dataset
from qlang.runtime.encoder import features_of
from qlang.runtime.errors import CIRCUIT_MISMATCH, RuntimeDiagnostic
from qlang.runtime.methods.context import MethodContext, MethodResult, require
from qlang.runtime.methods.reduce import Reducer
from qlang.runtime.methods.torch_layer import CircuitLayer
from qlang.runtime.protocol import Executor


@contextmanager
def single_threaded_torch():
    """Tensors here are tiny: torch's thread hand-offs cost far more than the arithmetic (a backward
    pass took 30 ms on two busy cores, 0.2 ms on one thread)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class QNNHead:
    """softmax(readout(<Z_i>(circuit(x; w)))), all trained by Adam; the circuit's gradient comes from its
    `CircuitLayer` (parameter shift in one batched call, or the target's own autograd)."""

    def __init__(self, executor: Executor, circuit: str, n_classes: int, settings: dict, seed, progress):
        shape = executor.shape(circuit)
        rng = np.random.default_rng(seed)
        self.layer = CircuitLayer(executor, circuit, rng.uniform(-np.pi, np.pi, shape.n_weights))
        self.readout = torch.tensor(rng.normal(0.0, 0.5, (shape.n_wires, n_classes)), requires_grad=True)
        self.bias = torch.zeros(n_classes, dtype=torch.float64, requires_grad=True)
        self.settings, self.rng, self.progress = settings, rng, progress
        self.loss_curve: list[float] = []  # the mean training loss of each epoch (report.html plots it)

    @property
    def n_parameters(self) -> int:
        return self.layer.weights.numel() + self.readout.numel() + self.bias.numel()

    def fit(self, x: np.ndarray, y: np.ndarray) -> QNNHead:
        epochs, batch = int(self.settings["epochs"]), self.settings["batch_size"] or len(x)
        optimiser = torch.optim.Adam([self.layer.weights, self.readout, self.bias], lr=float(self.settings["lr"]))
        targets = torch.from_numpy(y)
        with single_threaded_torch():
            self._train(x, targets, epochs, batch, optimiser)
        return self

    def _train(self, x: np.ndarray, targets: torch.Tensor, epochs: int, batch: int, optimiser) -> None:
        for epoch in range(epochs):
            order, losses = self.rng.permutation(len(x)), []
            for start in range(0, len(x), batch):
                rows = order[start : start + batch]
                loss = self.loss(x[rows], targets[rows])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                losses.append(loss.item() * len(rows))
            self.train_loss = sum(losses) / len(x)
            self.loss_curve.append(self.train_loss)
            if (epoch + 1) % 5 == 0 or epoch + 1 == epochs:
                self.progress(f"epoch {epoch + 1}/{epochs}: loss {self.train_loss:.4f}")

    def logits(self, x: np.ndarray) -> torch.Tensor:
        return self.layer(x) @ self.readout + self.bias

    def loss(self, x: np.ndarray, targets: torch.Tensor) -> torch.Tensor:
        """Cross-entropy with class labels (B,), or with a teacher's soft labels (B, classes) at the
        distillation temperature."""
        return soft_or_hard_loss(self.logits(x), targets, self.settings.get("temperature"))

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return torch.softmax(self.logits(x), dim=1).numpy()


def soft_or_hard_loss(logits: torch.Tensor, targets: torch.Tensor, temperature) -> torch.Tensor:
    if targets.ndim == 2:  # soft labels: match softmax(logits / T), scaled by T^2 as in Hinton et al.
        t = float(temperature or 1.0)
        return torch.nn.functional.cross_entropy(logits / t, targets) * t * t
    return torch.nn.functional.cross_entropy(logits, targets)


class LogisticHead:
    def __init__(self, settings: dict):
        self.model = LogisticRegression(C=float(settings["C"]), max_iter=int(settings["max_iter"]))

    @property
    def n_parameters(self) -> int:
        return self.model.coef_.size + self.model.intercept_.size

    def fit(self, x: np.ndarray, y: np.ndarray) -> LogisticHead:
        self.model.fit(x, y)
        probs = np.clip(self.model.predict_proba(x)[np.arange(len(y)), y], 1e-15, None)
        self.train_loss = float(-np.log(probs).mean())
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(x)


class SVMHead:
    """RBF support-vector classifier; its probabilities are one-hot predictions (only the argmax is used)."""

    def __init__(self, settings: dict):
        self.model = SVC(C=float(settings["C"]), kernel="rbf", gamma="scale")

    @property
    def n_parameters(self) -> int:  # dual coefficients, support vectors and intercepts
        return self.model.dual_coef_.size + self.model.support_vectors_.size + self.model.intercept_.size

    def fit(self, x: np.ndarray, y: np.ndarray) -> SVMHead:
        self.model.fit(x, y)
        self.train_loss = float(1.0 - self.model.score(x, y))  # training error: SVC minimises a hinge loss
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return np.eye(len(self.model.classes_))[self.model.predict(x)]


class MLPHead:
    """softmax(W2 tanh(W1 x + b1) + b2), trained by Adam on the cross-entropy in mini-batches.
    `model[0]` is the hidden layer whose units a deploy stage may prune."""

    def __init__(self, n_inputs: int, n_classes: int, settings: dict, seed):
        self.settings = settings
        self.rng = np.random.default_rng(seed)
        torch.manual_seed(int(self.rng.integers(2**31)))
        hidden = int(settings["hidden"])
        self.model = torch.nn.Sequential(
            torch.nn.Linear(n_inputs, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, n_classes)
        ).double()

    @property
    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    @property
    def linears(self) -> tuple[torch.nn.Linear, torch.nn.Linear]:
        """The hidden layer and the output layer (`model[0]` and `model[2]`)."""
        first, last = self.model[0], self.model[2]
        if not (isinstance(first, torch.nn.Linear) and isinstance(last, torch.nn.Linear)):
            raise TypeError(f"an MLP head is Linear, Tanh, Linear; this one is {self.model}")
        return first, last

    def fit(self, x: np.ndarray, y: np.ndarray) -> MLPHead:
        optimiser = torch.optim.Adam(self.model.parameters(), lr=float(self.settings["lr"]))
        inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
        batch = int(self.settings["batch_size"] or len(x))
        self.loss_curve = []  # the mean training loss of each epoch (report.html plots it)
        with single_threaded_torch():
            for _ in range(int(self.settings["epochs"])):
                order, losses = torch.from_numpy(self.rng.permutation(len(x))), []
                for start in range(0, len(x), batch):
                    rows = order[start : start + batch]
                    loss = soft_or_hard_loss(self.model(inputs[rows]), targets[rows], self.settings.get("temperature"))
                    optimiser.zero_grad()
                    loss.backward()
                    optimiser.step()
                    losses.append(loss.item() * len(rows))
                self.loss_curve.append(sum(losses) / len(x))
            with torch.no_grad():
                loss = soft_or_hard_loss(self.model(inputs), targets, self.settings.get("temperature"))
                self.train_loss = float(loss)
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        with torch.no_grad(), single_threaded_torch():
            return torch.softmax(self.model(torch.from_numpy(x)), dim=1).numpy()


class Head(Protocol):
    """What a TrainedClassifier needs of its head: class probabilities, (rows, classes), of compressed rows."""

    def predict_proba(self, x: np.ndarray) -> np.ndarray: ...


@dataclass
class TrainedClassifier:
    """The stage's output: compression plus head, applied to features from `features_of`; `data` is what
    it was trained on (a later stage, such as pruning, calibrates and re-trains on it)."""

    reducer: Reducer
    head: Head
    label_names: list[str]
    data: Dataset | None = None

    def predict(self, features: np.ndarray) -> np.ndarray:
        return self.head.predict_proba(self.reducer.transform(features)).argmax(axis=1)


def quantum_head(ctx: MethodContext, s: dict):
    """The stage's "model" circuit, checked against the compression width and the training settings, and a
    `make(n_classes, seed)` factory of `QNNHead`s on it: (shape, make)."""
    name, shape = ctx.circuit("model")
    if shape.n_inputs != int(s["qubits"]):
        raise RuntimeDiagnostic(
            CIRCUIT_MISMATCH,
            f"circuit '{name}' takes {shape.n_inputs} inputs, the stage compresses to qubits = {s['qubits']}",
        )
    require(int(s["epochs"]) >= 1 and float(s["lr"]) > 0, "epochs must be at least 1 and lr positive")

    def make(n_classes: int, seed) -> QNNHead:
        return QNNHead(ctx.quantum, name, n_classes, s, seed, ctx.progress)

    return shape, make


def hybrid_qnn_head(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("hybrid_qnn_head")
    shape, make = quantum_head(ctx, s)
    return _cross_validate(ctx, data, s, make, {"quantum_weights": shape.n_weights, "wires": shape.n_wires})


def logistic_regression(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("logistic_regression")
    if not s["compress"]:
        ctx.ran_with = s = {**s, "qubits": None}  # it reads every dimension
    return _cross_validate(ctx, data, s, lambda n_classes, seed: LogisticHead(s), {})


def svm(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("svm")
    return _cross_validate(ctx, data, s, lambda n_classes, seed: SVMHead(s), {})


def mlp(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("mlp")
    require(int(s["hidden"]) >= 1 and int(s["epochs"]) >= 1, "hidden and epochs must be at least 1")
    qubits = int(s["qubits"])
    make = lambda n_classes, seed: MLPHead(qubits, n_classes, s, seed)
    if s["temperature"] is not None:  # the classical student of a distillation stage: the same teacher
        teacher_c = ctx.params.get("teacher_C", catalog.METHODS["quantum_distillation"].settings["teacher_C"])
        return _distilled(ctx, data, {**s, "teacher_C": teacher_c}, make, {"hidden": int(s["hidden"])})
    return _cross_validate(ctx, data, s, make, {"hidden": int(s["hidden"])})


def quantum_distillation(ctx: MethodContext, data) -> MethodResult:
    """The hybrid head as a student of a teacher: logistic regression on the full features (every dimension,
    not the compressed `qubits`), fitted on each training fold; the student matches its soft labels at
    `temperature`. The classical student of equal size is the `mlp` baseline, which inherits `temperature`."""
    s = ctx.settings("quantum_distillation")
    shape, make = quantum_head(ctx, s)
    return _distilled(ctx, data, s, make, {"quantum_weights": shape.n_weights, "wires": shape.n_wires})


def _distilled(ctx: MethodContext, data, s: dict, make, info: dict) -> MethodResult:
    data = getattr(data, "data", None) or data  # a model from an earlier stage: the rows it was trained on
    teacher_accuracy = []

    def soft_labels(x_train, y_train, x_test, y_test):
        teacher = make_pipeline(StandardScaler(), LogisticRegression(C=float(s["teacher_C"]), max_iter=2000))
        teacher.fit(x_train, y_train)
        teacher_accuracy.append(teacher.score(x_test, y_test) if x_test is not None else np.nan)
        return scipy.special.softmax(teacher.predict_log_proba(x_train) / float(s["temperature"]), axis=1)

    result = _cross_validate(ctx, data, s, make, info, targets=soft_labels)
    result.metrics["teacher_accuracy"] = float(np.nanmean(teacher_accuracy[: int(s["folds"])]))
    return result


def _few_shot(rows: np.ndarray, y: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k rows of every class drawn from `rows`."""
    counts = np.bincount(y[rows], minlength=int(y.max()) + 1)
    require(
        counts.min() >= k,
        f"examples_per_class = {k}, but a training fold has only {counts.min()} rows of its rarest class",
        help="lower examples_per_class, use fewer folds or more rows",
    )
    return np.sort(np.concatenate([rng.choice(rows[y[rows] == c], k, replace=False) for c in range(len(counts))]))


def _reducer(s: dict):
    """The compression every head shares (PCA to `qubits`, arctan), or, with `compress` false, the full
    features z-scored."""
    if s.get("compress", True):
        return Reducer(int(s["qubits"]), "arctan")
    return make_pipeline(StandardScaler())


def _cross_validate(ctx: MethodContext, data: Dataset, s: dict, make, info: dict, targets=None) -> MethodResult:
    """Stratified k-fold scores of `make(n_classes, seed)` heads. `targets(x_train, y_train, x_test, y_test)`,
    when given, returns what the head fits instead of the labels (a teacher's soft labels); its inputs are the
    full features (x_test None for the refit)."""
    fit_to = targets or (lambda x_train, y_train, x_test, y_test: y_train)
    folds = int(s["folds"])
    data = data.sample(s["limit"], ctx.seed)
    require(data.n_classes >= 2, "classification needs at least two classes")
    smallest = int(np.bincount(data.labels, minlength=data.n_classes).min())
    require(folds >= 2, f"folds must be at least 2, got {folds}")
    require(smallest >= folds, f"{folds} folds need every class {folds} times; the rarest has {smallest} rows")
    x, y = features_of(data, ctx.encoder), data.labels
    splits = StratifiedKFold(folds, shuffle=True, random_state=ctx.seed).split(x, y)
    accuracy, f1, losses, curves = [], [], [], []
    few = s.get("examples_per_class")
    rng = np.random.default_rng([ctx.seed, 3])
    for fold, (train, test) in enumerate(splits):
        ctx.progress(f"fold {fold + 1}/{folds}")
        if few is not None:
            train = _few_shot(train, y, int(few), rng)
        reducer = _reducer(s).fit(x[train])
        fitted = fit_to(x[train], y[train], x[test], y[test])
        head = make(data.n_classes, [ctx.seed, fold]).fit(reducer.transform(x[train]), fitted)
        predicted = head.predict_proba(reducer.transform(x[test])).argmax(axis=1)
        accuracy.append(accuracy_score(y[test], predicted))
        f1.append(f1_score(y[test], predicted, average="macro"))
        losses.append(head.train_loss)
        curves.append(getattr(head, "loss_curve", None))
    output = None
    if s["refit"]:
        ctx.progress("refit on all rows")
        rows = np.arange(len(y)) if few is None else _few_shot(np.arange(len(y)), y, int(few), rng)
        reducer = _reducer(s).fit(x[rows])
        fitted = fit_to(x[rows], y[rows], None, None)
        head = make(data.n_classes, [ctx.seed, folds]).fit(reducer.transform(x[rows]), fitted)
        output = TrainedClassifier(reducer, head, data.label_names, data)
    metrics = {
        "accuracy": float(np.mean(accuracy)),
        "accuracy_std": float(np.std(accuracy)),
        "f1": float(np.mean(f1)),
        "n_parameters": float(head.n_parameters),
        "train_loss_final": float(np.mean(losses)),
        "n": float(len(data)),
    }
    info = {**info, "folds": folds, "fold_accuracy": [float(a) for a in accuracy]}
    if all(curves):  # heads trained by epochs: the training loss per epoch, mean over folds
        info["loss_curve"] = [float(v) for v in np.mean(np.array(curves, dtype=float), axis=0)]
    return MethodResult(metrics, output, info)
