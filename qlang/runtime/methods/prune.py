"""Deploy stages: prune the hidden units of a trained MLP head (choose k of its n units to keep), or quantize it.

The pruning QUBO over x_i = 1 (keep unit i), minimised:

    f(x) = - sum_i I_i x_i  +  alpha sum_{i<j} S_ij x_i x_j  +  lambda (sum_i x_i - k)^2

- I_i: first-order Taylor importance, the mean over calibration rows of |a_i dL/da_i| (a_i the unit's
  activation, L the cross-entropy), divided by its largest value;
- S_ij: activation redundancy, |Pearson correlation| of the two units' activations on the calibration rows;
- alpha = redundancy × mean(I): keeping two perfectly correlated units costs `redundancy` average units;
- lambda: the cardinality penalty, 1.1 × the most one unit can change the rest of f
  (max_i I_i + alpha sum_j S_ij), so every subset of the wrong size is worse than some subset of size k.
  QAOA with the XY mixer starts in, and never leaves, the subsets of size k, so its QUBO drops the penalty.

The rows the model was trained on (`TrainedClassifier.data`) are split in two, stratified: the calibration
half gives I and S and is the data of the one epoch of recovery training; accuracy is measured on the
other half. Both halves were seen by the finetune stage's refit, so the accuracies are in-sample; the
accuracy *drop* compares like with like. Latency and energy per inference: the pruned model classifies
each evaluation row on its own, `repeats` times over, in a meter window (joules as the meter's provider
reports them).
"""

from __future__ import annotations

import copy
import functools
import warnings

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from qlang.circuits.library import pruning_k
from qlang.runtime.data import Dataset
from qlang.runtime.encoder import features_of
from qlang.runtime.errors import BAD_PARAMETER, CIRCUIT_MISMATCH, RuntimeDiagnostic
from qlang.runtime.methods.context import MethodContext, MethodResult, require
from qlang.runtime.methods.finetune import MLPHead, TrainedClassifier, single_threaded_torch
from qlang.runtime.qubo import QUBO, QAOASolver, solve_annealing, solve_exact
from qlang.runtime.qubo.model import approximation_ratio

PENALTY_MARGIN = 1.1
MAX_EXACT_UNITS = 20


class PruningProblem:
    """A trained MLP head, its calibration and evaluation rows, and the pruning QUBO of its hidden units."""

    def __init__(self, ctx: MethodContext, method: str, model, s: dict, units_param: bool = True):
        self.model, self.head, data = _prunable(model, method)
        self.s, self.seed = s, ctx.seed
        self.n = self.head.linears[0].out_features
        if units_param and s.get("units") is not None:
            require(
                int(s["units"]) == self.n,
                f"{method}: units = {s['units']}, but the model has {self.n} hidden units",
                help=f"set units: {self.n} (every hidden unit is one binary variable)",
            )
        keep = float(s.get("keep", 0.5))
        require(0 < keep <= 1, f"keep must be in (0, 1], got {keep}")
        self.k = pruning_k(keep, self.n)
        x = self.model.reducer.transform(features_of(data, ctx.encoder))
        y = data.labels
        self.x_cal, self.y_cal, self.x_eval, self.y_eval = _split(x, y, float(s["calibration"]), ctx.seed)
        self.importance, self.activations = taylor_importance(self.head.model, self.x_cal, self.y_cal)
        self.base_accuracy = _accuracy(self.head, self.x_eval, self.y_eval)

    # the redundancy matrix and the QUBOs are built on first use (int8_quantization never uses them)
    @functools.cached_property
    def redundancy(self) -> np.ndarray:
        return activation_redundancy(self.activations)

    @functools.cached_property
    def _qubo(self) -> tuple[QUBO, QUBO, float, float]:
        return pruning_qubo(self.importance, self.redundancy, self.k, float(self.s["redundancy"]))

    @property
    def constrained(self) -> QUBO:
        return self._qubo[0]

    @property
    def penalised(self) -> QUBO:
        return self._qubo[1]

    @property
    def alpha(self) -> float:
        return self._qubo[2]

    @property
    def penalty(self) -> float:
        return self._qubo[3]

    def result(self, ctx: MethodContext, keep_mask: np.ndarray, info: dict, extra: dict | None = None) -> MethodResult:
        """Prune to the units in keep_mask, retrain one epoch, and measure."""
        keep_mask = repair(keep_mask, self.importance, self.k)
        kept = np.flatnonzero(keep_mask)
        pruned = prune_head(self.head, kept)
        removed = self.head.n_parameters - pruned.n_parameters
        drop = self.base_accuracy - _accuracy(pruned, self.x_eval, self.y_eval)
        recovered = recover(pruned, self.x_cal, self.y_cal)
        drop_recovered = self.base_accuracy - _accuracy(recovered, self.x_eval, self.y_eval)
        latency_ms, joules = inference_cost(recovered, self.x_eval, int(self.s["repeats"]))
        value = float(self.constrained.value(keep_mask))
        metrics = {
            "accuracy_drop": float(drop),
            "accuracy_drop_recovered": float(drop_recovered),
            "parameters_removed": float(removed),
            "latency_ms": latency_ms,
            "energy_per_inference": joules,
            **(extra or {}),
        }
        if self.n <= MAX_EXACT_UNITS:  # the approximation ratio needs the exact optimum
            exact = solve_exact(self.constrained)
            metrics["approximation_ratio"] = approximation_ratio(self.constrained, value)
            info = {**info, "exact_value": exact.value, "exact_units": np.flatnonzero(exact.x).tolist()}
        info = {
            **info,
            "kept_units": [int(i) for i in kept],
            "units": self.n,
            "k": self.k,
            "qubo_value": value,
            "base_accuracy": self.base_accuracy,
            "alpha": self.alpha,
            "penalty": self.penalty,
            "importance": [float(v) for v in self.importance],
            "parameters_before": self.head.n_parameters,
            "parameters_after": recovered.n_parameters,
            "accuracy_rows": len(self.y_eval),
            "calibration_rows": len(self.y_cal),
        }
        out = TrainedClassifier(self.model.reducer, recovered, self.model.label_names, self.model.data)
        return MethodResult(metrics, out, info)


def _prunable(model, method: str) -> tuple[TrainedClassifier, MLPHead, Dataset]:
    if isinstance(model, TrainedClassifier) and isinstance(model.head, MLPHead) and model.data is not None:
        return model, model.head, model.data
    what = type(model.head).__name__ if isinstance(model, TrainedClassifier) else type(model).__name__
    raise RuntimeDiagnostic(
        BAD_PARAMETER,
        f"{method} needs a trained model with prunable hidden units; its input is a {what}",
        help="read the model of a finetune stage that runs `mlp` (e.g. `stage deploy prune from classifier`)",
    )


def _split(x, y, calibration: float, seed: int):
    require(0 < calibration < 1, f"calibration must be in (0, 1), got {calibration}")
    require(len(y) >= 4, f"pruning needs at least 4 rows of the model's data, it has {len(y)}")
    counts = np.bincount(y)
    stratify = y if counts[counts > 0].min() >= 2 else None
    cal, ev = train_test_split(np.arange(len(y)), train_size=calibration, random_state=seed, stratify=stratify)
    return x[cal], y[cal], x[ev], y[ev]


def taylor_importance(net: torch.nn.Sequential, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(I, activations): I_i = mean |a_i dL/da_i| over the rows, scaled to max 1; activations (rows, units)."""
    with single_threaded_torch():
        hidden = net[1](net[0](torch.from_numpy(x)))
        hidden.retain_grad()
        loss = torch.nn.functional.cross_entropy(net[2](hidden), torch.from_numpy(y), reduction="sum")
        net.zero_grad()
        loss.backward()
        net.zero_grad()
    importance = (hidden * hidden.grad).abs().mean(dim=0).detach().numpy()
    top = importance.max()
    return (importance / top if top > 0 else np.ones_like(importance)), hidden.detach().numpy()


def activation_redundancy(activations: np.ndarray) -> np.ndarray:
    """|Pearson correlation| between units' activations (0 for a constant unit), zero diagonal."""
    centred = activations - activations.mean(axis=0)
    norms = np.linalg.norm(centred, axis=0)
    safe = np.where(norms > 1e-12, norms, 1.0)
    s = np.abs((centred.T @ centred) / np.outer(safe, safe))
    s[(norms <= 1e-12)[:, None] | (norms <= 1e-12)[None, :]] = 0.0
    np.fill_diagonal(s, 0.0)
    return np.clip(s, 0.0, 1.0)


def pruning_qubo(importance: np.ndarray, redundancy: np.ndarray, k: int, weight: float):
    """(constrained, penalised, alpha, lambda): the QUBO with the cardinality constraint as a constraint
    (for QAOA's XY mixer and for exact enumeration), and with it as a penalty (for X-mixer QAOA and annealing)."""
    n = len(importance)
    alpha = weight * float(importance.mean())
    quadratic = alpha * np.triu(redundancy, 1)
    constrained = QUBO(-importance, quadratic, 0.0, cardinality=k)
    penalty = PENALTY_MARGIN * float((importance + alpha * redundancy.sum(axis=1)).max())
    linear = -importance + penalty * (1 - 2 * k)
    penalised = QUBO(linear, quadratic + 2 * penalty * np.triu(np.ones((n, n)), 1), penalty * k * k, cardinality=k)
    return constrained, penalised, alpha, penalty


def repair(mask: np.ndarray, importance: np.ndarray, k: int) -> np.ndarray:
    """A keep-mask of exactly k units: drop the least important kept units, or add the most important others."""
    mask = np.asarray(mask).astype(bool).copy()
    order = np.argsort(-importance, kind="stable")
    while mask.sum() > k:
        mask[next(i for i in order[::-1] if mask[i])] = False
    while mask.sum() < k:
        mask[next(i for i in order if not mask[i])] = True
    return mask


def prune_head(head: MLPHead, kept: np.ndarray) -> MLPHead:
    """A copy of the head with only the hidden units `kept` (their incoming rows and outgoing columns)."""
    first, last = head.linears
    idx = torch.as_tensor(np.asarray(kept, dtype=np.int64))
    new_first = torch.nn.Linear(first.in_features, len(kept)).double()
    new_last = torch.nn.Linear(len(kept), last.out_features).double()
    with torch.no_grad():
        new_first.weight.copy_(first.weight[idx])
        new_first.bias.copy_(first.bias[idx])
        new_last.weight.copy_(last.weight[:, idx])
        new_last.bias.copy_(last.bias)
    pruned = copy.copy(head)
    pruned.model = torch.nn.Sequential(new_first, torch.nn.Tanh(), new_last)
    pruned.settings = {**head.settings, "hidden": len(kept)}
    pruned.rng = copy.deepcopy(head.rng)
    return pruned


def recover(head: MLPHead, x: np.ndarray, y: np.ndarray) -> MLPHead:
    """One epoch of the head's own training (Adam, its lr and batch size) on the calibration rows."""
    out = copy.copy(head)
    out.model = copy.deepcopy(head.model)
    out.settings = {**head.settings, "epochs": 1}
    return out.fit(x, y)


def _accuracy(head, x: np.ndarray, y: np.ndarray) -> float:
    return float((head.predict_proba(x).argmax(axis=1) == y).mean())


@functools.cache
def _meter():
    """One meter for every measurement (building one reads the config and probes RAPL and NVML)."""
    from qlang.energy.meter import Meter

    return Meter()


def inference_cost(head, x: np.ndarray, repeats: int) -> tuple[float, float]:
    """(milliseconds, joules) per inference: every evaluation row classified on its own (one request, one
    row), `repeats` times over, in a meter window."""
    rows = [x[i : i + 1] for i in range(len(x))]
    head.predict_proba(rows[0])  # warm-up
    meter = _meter()
    with meter.window("inference") as window:
        for _ in range(max(1, repeats)):
            for row in rows:
                head.predict_proba(row)
    reading = window.reading()
    count = max(1, repeats) * len(rows)
    return 1000.0 * reading.wall_s / count, reading.joules / count


def _settings(ctx: MethodContext, method: str) -> dict:
    return ctx.settings(method)


def qaoa_pruning(ctx: MethodContext, model) -> MethodResult:
    s = _settings(ctx, "qaoa_pruning")
    problem = PruningProblem(ctx, "qaoa_pruning", model, s)
    name, shape = ctx.circuit("qaoa")
    if shape.n_wires != problem.n:
        raise RuntimeDiagnostic(
            CIRCUIT_MISMATCH,
            f"circuit '{name}' has {shape.n_wires} wires, the model {problem.n} hidden units",
            help=f"set units: {problem.n}",
        )
    mixer = s.get("mixer", "xy")
    qubo = problem.constrained if mixer == "xy" else problem.penalised
    ctx.quantum.reseed(ctx.seed)
    solver = QAOASolver.from_settings(ctx.quantum, name, s, ctx.seed)
    ctx.progress(f"QAOA p={solver.p} ({mixer} mixer) on {problem.n} units, keep {problem.k}")
    solution = solver.solve(qubo)
    extra = {"p_optimum": solution.info["p_optimum"], "feasibility": solution.info["feasibility"]}
    return problem.result(
        ctx,
        solution.x,
        {
            "solver": "qaoa",
            "mixer": mixer,
            "repaired": not solution.feasible,
            "qaoa": solution.info,
            "solve_s": solution.wall_s,
        },
        extra,
    )


def annealing_pruning(ctx: MethodContext, model) -> MethodResult:
    s = _settings(ctx, "annealing_pruning")
    problem = PruningProblem(ctx, "annealing_pruning", model, s)
    solution = solve_annealing(problem.penalised, reads=int(s["reads"]), seed=ctx.seed)
    return problem.result(
        ctx,
        solution.x,
        {
            "solver": "annealing",
            "repaired": not solution.feasible,
            "reads": int(s["reads"]),
            "solve_s": solution.wall_s,
        },
    )


def magnitude_pruning(ctx: MethodContext, model) -> MethodResult:
    s = _settings(ctx, "magnitude_pruning")
    problem = PruningProblem(ctx, "magnitude_pruning", model, s)
    first, last = problem.head.linears
    with torch.no_grad():
        norms = torch.sqrt(first.weight.pow(2).sum(1) + first.bias.pow(2) + last.weight.pow(2).sum(0)).numpy()
    keep = np.zeros(problem.n, dtype=bool)
    keep[np.argsort(-norms, kind="stable")[: problem.k]] = True
    return problem.result(ctx, keep, {"solver": "magnitude", "norms": [float(v) for v in norms]})


def greedy_taylor(ctx: MethodContext, model) -> MethodResult:
    """Remove the least important unit, recompute the Taylor importance of the rest, repeat until k remain."""
    s = _settings(ctx, "greedy_taylor")
    problem = PruningProblem(ctx, "greedy_taylor", model, s)
    kept = list(range(problem.n))
    while len(kept) > problem.k:
        importance, _ = taylor_importance(prune_head(problem.head, np.array(kept)).model, problem.x_cal, problem.y_cal)
        kept.pop(int(np.argmin(importance)))
    keep = np.zeros(problem.n, dtype=bool)
    keep[kept] = True
    return problem.result(ctx, keep, {"solver": "greedy_taylor"})


class QuantizedHead:
    """An MLP head after torch dynamic int8 quantization of its Linear layers (float32 activations)."""

    def __init__(self, head: MLPHead):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated in favour of torchao
            self.model = torch.ao.quantization.quantize_dynamic(
                copy.deepcopy(head.model).float(), {torch.nn.Linear}, dtype=torch.qint8
            )
        self.n_parameters = head.n_parameters  # the same parameters, stored in 8 bits

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        with torch.no_grad(), single_threaded_torch(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.softmax(self.model(torch.from_numpy(np.asarray(x, dtype=np.float32))), dim=1).double().numpy()


def int8_quantization(ctx: MethodContext, model) -> MethodResult:
    """No unit is removed: every weight is stored in 8 bits. There is no recovery training (the int8 weights
    are not trained), so the recovered drop equals the drop."""
    s = _settings(ctx, "int8_quantization")
    problem = PruningProblem(ctx, "int8_quantization", model, s, units_param=False)
    quantized = QuantizedHead(problem.head)
    drop = problem.base_accuracy - _accuracy(quantized, problem.x_eval, problem.y_eval)
    latency_ms, joules = inference_cost(quantized, problem.x_eval, int(s["repeats"]))
    base_latency, _ = inference_cost(problem.head, problem.x_eval, int(s["repeats"]))
    metrics = {
        "accuracy_drop": float(drop),
        "accuracy_drop_recovered": float(drop),
        "parameters_removed": 0.0,
        "latency_ms": latency_ms,
        "energy_per_inference": joules,
    }
    weights = sum(layer.weight.numel() for layer in problem.head.linears)
    biases = problem.head.n_parameters - weights
    info = {
        "base_accuracy": problem.base_accuracy,
        "unquantized_latency_ms": base_latency,
        "parameter_bytes_before": 8 * problem.head.n_parameters,
        "parameter_bytes_after": weights + 4 * biases,
        "note": "weights int8, activations float32 (dynamic quantization); biases stay float32",
    }
    out = TrainedClassifier(problem.model.reducer, quantized, problem.model.label_names, problem.model.data)
    return MethodResult(metrics, out, info)
