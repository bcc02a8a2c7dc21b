"""Architect stages: hyperparameter search over a named space (`qlang.spaces`), every searcher with
the same budget of `evaluations` objective evaluations.

The objective is the stratified k-fold accuracy of the model named by `objective` (the finetune methods'
own `_cross_validate`), on the stage's data, with the configuration's parameters.

FMQA (`quantum_hpo`, `fmqa_exact`, `fmqa_annealing`): evaluate `initial` random configurations; then, until
the budget is spent, fit a factorisation machine (torch, L2-regularised) to the evaluated configurations'
binary encodings and negated standardised scores, turn it into a QUBO (its linear and pairwise terms, plus
the encoding's constraint penalty), solve it, and evaluate the best new feasible configuration among the
solver's answers (QAOA and annealing: their samples, ranked by the surrogate; exact: the ranking of every
configuration). When no answer is new, a random new configuration is evaluated (counted in `info`).
"""

from __future__ import annotations

import itertools

import numpy as np
import torch

from qlang.runtime.errors import BAD_PARAMETER, CIRCUIT_MISMATCH, RuntimeDiagnostic
from qlang.runtime.methods.context import MethodContext, MethodResult, require
from qlang.runtime.methods.finetune import single_threaded_torch
from qlang.runtime.qubo import QUBO, QAOASolver, solve_annealing
from qlang.runtime.qubo.model import approximation_ratio, bit_table
from qlang.spaces import Choice, space_of


class Encoding:
    """Configurations (one value index per choice) <-> bitstrings, and the constraint penalty as a QUBO."""

    def __init__(self, choices: tuple[Choice, ...]):
        self.choices = choices
        self.slices, start = [], 0
        for c in choices:
            self.slices.append(slice(start, start + c.bits))
            start += c.bits
        self.n = start
        self.configs = list(itertools.product(*(range(len(c.values)) for c in choices)))

    def encode(self, config: tuple[int, ...]) -> np.ndarray:
        bits = np.zeros(self.n, dtype=np.uint8)
        for c, part, v in zip(self.choices, self.slices, config):
            m = len(c.values)
            if m == 2:
                bits[part] = v
            elif c.ordinal:
                bits[part.start : part.start + v] = 1  # domain wall: v leading ones
            else:
                bits[part.start + v] = 1
        return bits

    def decode(self, bits: np.ndarray) -> tuple[int, ...] | None:
        """The configuration, or None where the bits break the encoding."""
        config = []
        for c, part in zip(self.choices, self.slices):
            b = np.asarray(bits[part]).astype(int)
            if len(c.values) == 2:
                config.append(int(b[0]))
            elif c.ordinal:
                v = int(b.sum())
                if not (b[:v] == 1).all():
                    return None
                config.append(v)
            else:
                if b.sum() != 1:
                    return None
                config.append(int(np.argmax(b)))
        return tuple(config)

    def params(self, config: tuple[int, ...]) -> dict:
        return {c.name: c.values[v] for c, v in zip(self.choices, config)}

    def penalty(self) -> tuple[np.ndarray, np.ndarray, float]:
        """(linear, quadratic, offset) of a QUBO that is 0 on valid bitstrings and at least 1 elsewhere."""
        linear, quadratic, offset = np.zeros(self.n), np.zeros((self.n, self.n)), 0.0
        for c, part in zip(self.choices, self.slices):
            idx = list(range(part.start, part.stop))
            if len(c.values) == 2:
                continue
            if c.ordinal:  # sum_t (1 - b_t) b_{t+1}: a 0 followed by a 1 breaks the wall
                for a, b in itertools.pairwise(idx):
                    linear[b] += 1.0
                    quadratic[a, b] -= 1.0
            else:  # (sum b - 1)^2
                linear[idx] -= 1.0
                for a, b in itertools.combinations(idx, 2):
                    quadratic[a, b] += 2.0
                offset += 1.0
        return linear, quadratic, offset


class FactorisationMachine:
    """y = w0 + sum_i w_i x_i + sum_{i<j} <v_i, v_j> x_i x_j, fitted by Adam with an L2 penalty."""

    def __init__(self, n: int, rank: int, l2: float, steps: int, seed):
        self.n, self.rank, self.l2, self.steps = n, rank, l2, steps
        self.generator = torch.Generator().manual_seed(int(np.random.default_rng(seed).integers(2**31)))

    def fit(self, x: np.ndarray, y: np.ndarray) -> FactorisationMachine:
        xt, yt = torch.from_numpy(x.astype(np.float64)), torch.from_numpy(y)
        self.w0 = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        self.w = torch.zeros(self.n, dtype=torch.float64, requires_grad=True)
        self.v = (0.1 * torch.randn(self.n, self.rank, dtype=torch.float64, generator=self.generator)).requires_grad_()
        optimiser = torch.optim.Adam([self.w0, self.w, self.v], lr=0.05)
        with single_threaded_torch():
            for _ in range(self.steps):
                optimiser.zero_grad()
                loss = ((self._predict(xt) - yt) ** 2).mean() + self.l2 * (self.w.pow(2).sum() + self.v.pow(2).sum())
                loss.backward()
                optimiser.step()
        return self

    def _predict(self, x: torch.Tensor) -> torch.Tensor:
        xv = x @ self.v
        pairs = 0.5 * (xv.pow(2) - (x.pow(2) @ self.v.pow(2))).sum(dim=1)
        return self.w0 + x @ self.w + pairs

    def qubo_terms(self) -> tuple[np.ndarray, np.ndarray, float]:
        v = self.v.detach().numpy()
        return self.w.detach().numpy().copy(), np.triu(v @ v.T, 1), float(self.w0.detach()[0])


class Search:
    """One searcher's run: the budget, the evaluated configurations and their scores, and the curve."""

    def __init__(self, ctx: MethodContext, method: str, data):
        self.s = ctx.settings(method)
        self.ctx, self.data, self.method = ctx, data, method
        objective = self.s["objective"]
        if objective not in ("logistic_regression", "svm", "mlp"):
            raise RuntimeDiagnostic(
                BAD_PARAMETER,
                f"objective {objective!r} cannot be searched in this version",
                help="use logistic_regression, svm or mlp",
            )
        try:
            self.encoding = Encoding(space_of(self.s["space"], objective))
        except ValueError as e:
            raise RuntimeDiagnostic(BAD_PARAMETER, str(e)) from None
        self.budget = int(self.s["evaluations"])
        require(self.budget >= 2, f"evaluations must be at least 2, got {self.budget}")
        require(
            self.budget <= len(self.encoding.configs),
            f"evaluations = {self.budget} exceeds the {len(self.encoding.configs)} configurations of the space",
            help=f"set evaluations to at most {len(self.encoding.configs)}",
        )
        self.rng = np.random.default_rng(ctx.seed)
        self.evaluated: list[tuple[int, ...]] = []
        self.scores: list[float] = []
        self._cache: dict[tuple[int, ...], float] = {}
        from qlang.runtime.methods import METHODS

        self._objective = METHODS[objective]

    @property
    def left(self) -> int:
        return self.budget - len(self.scores)

    def evaluate(self, config: tuple[int, ...]) -> float:
        """One evaluation of the budget (a repeated configuration still costs one)."""
        require(self.left > 0, "the evaluation budget is spent")
        if config not in self._cache:
            params = {
                **self.encoding.params(config),
                "folds": int(self.s["folds"]),
                "limit": self.s["limit"],
                "refit": False,
            }
            ctx = MethodContext(params=params, seed=self.ctx.seed, encoder=self.ctx.encoder)
            self._cache[config] = float(self._objective(ctx, self.data).metrics["accuracy"])
        self.evaluated.append(config)
        self.scores.append(self._cache[config])
        self.ctx.progress(
            f"{self.method}: evaluation {len(self.scores)}/{self.budget}: "
            f"{self.encoding.params(config)} -> {self.scores[-1]:.4f}"
        )
        return self.scores[-1]

    def random_new(self) -> tuple[int, ...]:
        fresh = [c for c in self.encoding.configs if c not in self._cache]
        return fresh[int(self.rng.integers(len(fresh)))]

    def initial(self) -> int:
        value = self.s["initial"]
        return min(self.budget, int(value) if value else max(2, self.budget // 4))

    def result(self, metrics: dict | None = None, info: dict | None = None) -> MethodResult:
        scores = np.array(self.scores)
        best = int(np.argmax(scores))
        config = self.evaluated[best]
        curve = np.maximum.accumulate(scores)
        out = {"best_score": float(scores[best]), "evaluations_to_best": float(best + 1), **(metrics or {})}
        return MethodResult(
            out,
            {"objective": self.s["objective"], **self.encoding.params(config)},
            {
                "curve": [float(v) for v in curve],
                "scores": [float(v) for v in scores],
                "configs": [self.encoding.params(c) for c in self.evaluated],
                "evaluations": len(self.scores),
                "space": self.s["space"],
                "bits": self.encoding.n,
                **(info or {}),
            },
        )


def random_search(ctx: MethodContext, data) -> MethodResult:
    search = Search(ctx, "random_search", data)
    while search.left:
        search.evaluate(search.random_new())
    return search.result()


def tpe(ctx: MethodContext, data) -> MethodResult:
    """optuna's TPE (seeded), its first `initial` trials random; every trial is one evaluation."""
    import optuna

    search = Search(ctx, "tpe", data)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=ctx.seed, n_startup_trials=search.initial())
    study = optuna.create_study(direction="maximize", sampler=sampler)

    def objective(trial) -> float:
        config = tuple(
            trial.suggest_int(c.name, 0, len(c.values) - 1)
            if c.ordinal
            else trial.suggest_categorical(c.name, list(range(len(c.values))))
            for c in search.encoding.choices
        )
        return search.evaluate(config)

    study.optimize(objective, n_trials=search.budget)
    return search.result()


def _fmqa(search: Search, solve) -> MethodResult:
    ctx, enc = search.ctx, search.encoding
    for _ in range(search.initial()):
        search.evaluate(search.random_new())
    penalty_linear, penalty_quadratic, penalty_offset = enc.penalty()
    ratios, fallbacks, solves_info = [], 0, []
    while search.left:
        x = np.array([enc.encode(c) for c in search.evaluated], dtype=np.float64)
        y = np.array(search.scores)
        y = -(y - y.mean()) / (y.std() if y.std() > 0 else 1.0)  # minimise: the negated standardised score
        fm = FactorisationMachine(
            enc.n,
            int(search.s["fm_rank"]),
            float(search.s["fm_l2"]),
            int(search.s["fm_steps"]),
            [ctx.seed, len(search.scores)],
        ).fit(x, y)
        linear, quadratic, offset = fm.qubo_terms()
        # lambda: more than one bit flip can change the surrogate, so every invalid bitstring is worse
        # than some valid one
        lam = 1.0 + float(np.max(np.abs(linear) + np.abs(quadratic).sum(0) + np.abs(quadratic).sum(1)))
        surrogate = QUBO(linear, quadratic, offset)
        qubo = QUBO(linear + lam * penalty_linear, quadratic + lam * penalty_quadratic, offset + lam * penalty_offset)
        candidates, info = solve(qubo, len(search.scores))
        feasible = [enc.decode(b) for b in candidates]
        ranked = sorted({c for c in feasible if c is not None}, key=lambda c: float(surrogate.value(enc.encode(c))))
        fresh = [c for c in ranked if c not in search._cache]
        if info.get("approximation_ratio") is not None:
            ratios.append(info["approximation_ratio"])
        solves_info.append(info)
        if fresh:
            search.evaluate(fresh[0])
        else:
            fallbacks += 1
            search.evaluate(search.random_new())
    metrics = {"approximation_ratio": float(np.mean(ratios))} if ratios else {}
    extra = {
        "random_fallbacks": fallbacks,
        "initial": search.initial(),
        "solves": len(solves_info),
        "approximation_ratios": ratios,
    }
    if solves_info and "p_optimum" in solves_info[0]:
        extra["p_optimum_mean"] = float(np.mean([i["p_optimum"] for i in solves_info]))
        extra["feasibility_mean"] = float(np.mean([i["feasibility"] for i in solves_info]))
        extra["qaoa_seconds_per_evaluation"] = float(np.mean([i["seconds_per_evaluation"] for i in solves_info]))
    return search.result(metrics, extra)


def quantum_hpo(ctx: MethodContext, data) -> MethodResult:
    search = Search(ctx, "quantum_hpo", data)  # checks the objective and the space
    s, enc = search.s, search.encoding
    name, shape = ctx.circuit("qaoa")
    bits = enc.n
    if shape.n_wires != bits:
        raise RuntimeDiagnostic(
            CIRCUIT_MISMATCH,
            f"circuit '{name}' has {shape.n_wires} wires, the space "
            f"{s['space']!r} of {s['objective']} encodes in {bits} bits",
        )
    ctx.quantum.reseed(ctx.seed)
    solver = QAOASolver.from_settings(ctx.quantum, name, s, ctx.seed)

    valid = np.array([enc.decode(b) is not None for b in bit_table(enc.n)])

    def solve(qubo: QUBO, step: int):
        solution = solver.solve(qubo)
        if solution.probs is None or solution.samples is None:
            raise ValueError("QAOASolver.solve returns its distribution and its draws")
        probs, samples = solution.probs, np.unique(solution.samples)  # no second executor call, no redraw
        info = {
            **solution.info,
            "approximation_ratio": approximation_ratio(qubo, solution.value),
            "feasibility": float(probs[valid].sum()),
        }  # probability of a valid encoding
        return bit_table(qubo.n)[samples], info

    return _fmqa(search, solve)


def fmqa_exact(ctx: MethodContext, data) -> MethodResult:
    def solve(qubo: QUBO, step: int):
        order = np.argsort(qubo.energies(), kind="stable")  # every bitstring, best first
        return bit_table(qubo.n)[order], {"approximation_ratio": 1.0}

    return _fmqa(Search(ctx, "fmqa_exact", data), solve)


def fmqa_annealing(ctx: MethodContext, data) -> MethodResult:
    search = Search(ctx, "fmqa_annealing", data)
    s = search.s

    def solve(qubo: QUBO, step: int):
        solution = solve_annealing(qubo, reads=int(s["anneal_reads"]), seed=ctx.seed * 1000 + step)
        return solution.info.pop("samples"), {"approximation_ratio": approximation_ratio(qubo, solution.value)}

    return _fmqa(search, solve)
