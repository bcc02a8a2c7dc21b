"""QUBO solvers head to head: QAOA (p = 1..3, both targets) vs simulated annealing vs exact enumeration.

    python benchmarks/qubo.py [--sizes 8 12 16] [--seeds 2] [--layers 1 2 3] [--targets qiskit pennylane]
                              [--kinds random pruning] [--no-anchor] [--json] [--save FILE | --load FILE]

Problems: dense random QUBOs (Q_ij ~ N(0, 1)), and pruning QUBOs of a tanh MLP head trained on digits with
n hidden units, keep n/2 (`qlang.runtime.methods.prune`: Taylor importance, activation redundancy, the
cardinality penalty). QAOA runs with the X mixer on the penalised QUBO, and on pruning problems also with
the XY mixer from a Dicke state on the constrained one. Per problem size and solver: approximation ratio
of the returned bitstring ((f_max - f) / (f_max - f_min) over feasible bitstrings; 1 = optimal), P(optimum)
(QAOA: probability of the optimal bitstrings in the final state; annealing: fraction of reads), wall time
per solve, and for QAOA the time per energy evaluation inside its optimiser loop.

The anchor (issue 6, on a 2-core machine, dense random 12 variables): enumeration 5 ms; dwave-samplers
annealing (100 reads) 18 ms; qiskit-optimization MinimumEigenOptimizer(QAOA) p = 2 with Aer's SamplerV2 and
a preset pass manager: 51 evaluations in 1.7 s, 33 ms each. The evaluation section times qlang's QAOA
energy at p = 2 on that problem, one parameter vector per call (as COBYLA asks) and 64 per batched call,
and reruns the anchor's qiskit-optimization solve here when that package is installed (`bench` extra).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qlang.circuits import emit_pennylane, emit_qiskit  # noqa: E402
from qlang.circuits.library import qaoa_ising  # noqa: E402
from qlang.runtime.protocol import CircuitShape  # noqa: E402
from qlang.runtime.qubo import QUBO, QAOASolver, solve_annealing, solve_exact  # noqa: E402
from qlang.runtime.qubo.exact import optimum_mask  # noqa: E402
from qlang.runtime.qubo.model import approximation_ratio  # noqa: E402

ANCHOR_MS = {"exact": 5.0, "annealing": 18.0, "qaoa_evaluation": 33.0}
PENNYLANE_DEVICE = "lightning.qubit"


def executor(target: str, n: int, p: int, mixer: str = "x", k: int | None = None):
    from qlang.runtime.targets.pennylane import PennyLaneExecutor
    from qlang.runtime.targets.qiskit import QiskitExecutor

    c = qaoa_ising(n, p, mixer, k)
    if target == "qiskit":
        return QiskitExecutor({"q": lambda: emit_qiskit.build(c)})
    body = emit_pennylane.build(c)
    return PennyLaneExecutor({"q": (body, CircuitShape(c.n_wires, c.n_inputs, c.n_weights))}, device=PENNYLANE_DEVICE)


def random_qubo(n: int, seed: int) -> QUBO:
    return QUBO.from_matrix(np.random.default_rng(seed).normal(size=(n, n)))


def pruning_qubos(n: int, seed: int) -> tuple[QUBO, QUBO]:
    """(penalised, constrained) pruning QUBOs of an MLP head with n hidden units trained on digits."""
    from qlang.runtime.data import builtin_dataset
    from qlang.runtime.methods import METHODS, MethodContext
    from qlang.catalog.deploy import SETTINGS as PRUNE_SETTINGS
    from qlang.runtime.methods.prune import PruningProblem

    params = {"hidden": n, "epochs": 40, "folds": 2, "limit": 400, "qubits": 8, "refit": True}
    model = METHODS["mlp"](MethodContext(params=params, seed=seed), builtin_dataset("digits")).output
    ctx = MethodContext(params={"keep": 0.5, "units": n}, seed=seed)
    problem = PruningProblem(ctx, "annealing_pruning", model, {**PRUNE_SETTINGS, "keep": 0.5, "units": n})
    return problem.penalised, problem.constrained


def row(solver: str, qubo: QUBO, x: np.ndarray, wall_s: float, p_optimum: float, **extra) -> dict:
    value = float(qubo.value(x))
    return {"solver": solver, "approximation_ratio": approximation_ratio(qubo, value) if qubo.is_feasible(x) else None,
            "feasible": bool(qubo.is_feasible(x)), "p_optimum": p_optimum, "wall_s": wall_s, **extra}


def solve_all(qubo: QUBO, layers, targets, seed: int, mixer: str = "x", constrained: QUBO | None = None) -> list[dict]:
    """Every solver on one problem. `constrained`: the same problem with the constraint as a constraint."""
    rows = []
    exact = solve_exact(qubo)
    rows.append(row("exact", qubo, exact.x, exact.wall_s, 1.0))
    anneal = solve_annealing(qubo, reads=100, seed=seed)
    samples = anneal.info.pop("samples")
    hits = optimum_mask(qubo)[np.array([int("".join(map(str, s)), 2) for s in samples])].mean()
    rows.append(row("annealing", qubo, anneal.x, anneal.wall_s, float(hits)))
    for target in targets:
        for p in layers:
            problem = constrained if mixer == "xy" else qubo
            k = problem.cardinality if mixer == "xy" else None
            ex = executor(target, qubo.n, p, mixer, k)
            solution = QAOASolver(ex, "q", seed=seed).solve(problem)
            i = solution.info
            rows.append(row(f"qaoa_{mixer}_p{p}_{target}", qubo, solution.x, solution.wall_s, i["p_optimum"],
                            expected_ratio=i["expected_ratio"], feasibility=i["feasibility"],
                            evaluations=i["evaluations"], ms_per_evaluation=1000 * i["seconds_per_evaluation"]))
    return rows


def aggregate(rows: list[dict]) -> dict:
    out = {}
    for solver in dict.fromkeys(r["solver"] for r in rows):
        rs = [r for r in rows if r["solver"] == solver]
        entry = {"runs": len(rs)}
        for key in ("approximation_ratio", "p_optimum", "wall_s", "expected_ratio", "feasibility", "ms_per_evaluation"):
            values = [r[key] for r in rs if r.get(key) is not None]
            if values:
                entry[key] = float(np.mean(values))
                entry[key + "_std"] = float(np.std(values))
        entry["optimal_runs"] = sum(1 for r in rs if (r["approximation_ratio"] or 0) > 1 - 1e-9)
        out[solver] = entry
    return out


def evaluation_speed(targets, repeats: int = 20) -> dict:
    """ms per QAOA energy evaluation, dense random 12 variables, p = 2: one vector per call and 64 per call."""
    qubo = random_qubo(12, 0)
    rng = np.random.default_rng(0)
    out = {}
    for target in targets:
        solver = QAOASolver(executor(target, 12, 2), "q")
        solver.expected_values(qubo, rng.uniform(0, np.pi, 4))  # build and transpile once
        start = time.perf_counter()
        for _ in range(repeats):
            solver.expected_values(qubo, rng.uniform(0, np.pi, 4))
        single = 1000 * (time.perf_counter() - start) / repeats
        start = time.perf_counter()
        solver.expected_values(qubo, rng.uniform(0, np.pi, (64, 4)))
        batched = 1000 * (time.perf_counter() - start) / 64
        device = "aer_simulator" if target == "qiskit" else PENNYLANE_DEVICE
        out[target] = {"device": device, "ms_per_evaluation": single, "ms_per_evaluation_batched_64": batched}
    return out


def qiskit_optimization_anchor() -> dict | None:
    """The issue's anchor rerun here: MinimumEigenOptimizer(QAOA(Aer SamplerV2, COBYLA, reps=2)) with a preset
    pass manager on the same dense random 12-variable QUBO. None when qiskit-optimization is missing."""
    try:
        from qiskit.transpiler import generate_preset_pass_manager
        from qiskit_aer import AerSimulator
        from qiskit_aer.primitives import SamplerV2
        from qiskit_optimization import QuadraticProgram
        from qiskit_optimization.algorithms import MinimumEigenOptimizer
        from qiskit_optimization.minimum_eigensolvers import QAOA
        from qiskit_optimization.optimizers import COBYLA
    except ImportError:
        return None
    qubo = random_qubo(12, 0)
    program = QuadraticProgram()
    for i in range(12):
        program.binary_var(f"x{i}")
    quadratic = {(f"x{i}", f"x{j}"): float(qubo.quadratic[i, j]) for i in range(12) for j in range(i + 1, 12)}
    program.minimize(constant=qubo.offset, linear=[float(v) for v in qubo.linear], quadratic=quadratic)
    calls = [0]

    def count(*_):
        calls[0] += 1

    pass_manager = generate_preset_pass_manager(optimization_level=1, backend=AerSimulator())
    qaoa = QAOA(SamplerV2(seed=0), COBYLA(), reps=2, pass_manager=pass_manager, callback=count,
                initial_point=np.full(4, 0.5))
    start = time.perf_counter()
    result = MinimumEigenOptimizer(qaoa).solve(program)
    wall = time.perf_counter() - start
    exact = solve_exact(qubo)
    return {"wall_s": wall, "evaluations": calls[0], "ms_per_evaluation": 1000 * wall / max(1, calls[0]),
            "optimal": bool(abs(result.fval - exact.value) < 1e-6)}


def run(args) -> dict:
    """The evaluation speed and the anchor first (on a quiet machine), then every size; with --save the
    results so far are written after each size."""
    results = {"sizes": {}, "anchor_ms": ANCHOR_MS, "pennylane_device": PENNYLANE_DEVICE}
    results["evaluation_12_p2"] = evaluation_speed(args.targets)
    if not args.no_anchor:
        results["qiskit_optimization_anchor"] = qiskit_optimization_anchor()
    for n in args.sizes:
        per_kind = {}
        for kind in args.kinds:
            rows = []
            for seed in range(args.seeds):
                if kind == "random":
                    rows += solve_all(random_qubo(n, seed), args.layers, args.targets, seed)
                else:
                    penalised, constrained = pruning_qubos(n, seed)
                    rows += solve_all(penalised, args.layers, args.targets, seed)
                    rows += [r for r in solve_all(penalised, args.layers, args.targets, seed, "xy", constrained)
                             if r["solver"].startswith("qaoa_")]
                print(f"n={n} {kind} seed {seed} done", file=sys.stderr)
            per_kind[kind] = aggregate(rows)
        results["sizes"][str(n)] = per_kind
        if args.save:
            args.save.write_text(json.dumps(results), encoding="utf-8")
    return results


def table(results: dict) -> str:
    lines = []
    for n, kinds in results["sizes"].items():
        for kind, solvers in kinds.items():
            lines.append(f"\n{kind} QUBO, n = {n} ({next(iter(solvers.values()))['runs']} seeds)")
            lines.append(f"{'solver':<26} {'approx ratio':>13} {'P(optimum)':>11} {'optimal':>8} "
                         f"{'wall/solve':>11} {'ms/eval':>8} {'feasible':>9}")
            for solver, e in solvers.items():
                ratio = f"{e.get('approximation_ratio', float('nan')):.3f}"
                lines.append(f"{solver:<26} {ratio:>13} {e['p_optimum']:>11.3f} {e['optimal_runs']:>5}/{e['runs']:<2} "
                             f"{e['wall_s'] * 1000:>9.1f}ms "
                             f"{e.get('ms_per_evaluation', float('nan')):>8.2f} {e.get('feasibility', 1.0):>9.3f}")
    lines.append("\nQAOA energy evaluation, dense random 12 variables, p = 2 (anchor: Aer via qiskit-optimization "
                 f"{ANCHOR_MS['qaoa_evaluation']:.0f} ms)")
    for target, e in results["evaluation_12_p2"].items():
        lines.append(f"  qlang {target:<10} ({e['device']}): {e['ms_per_evaluation']:.2f} ms per evaluation "
                     f"(one per call), {e['ms_per_evaluation_batched_64']:.2f} ms batched (64 per call)")
    anchor = results.get("qiskit_optimization_anchor")
    if anchor:
        lines.append(f"  qiskit-optimization MinimumEigenOptimizer(QAOA), here: {anchor['evaluations']} evaluations in "
                     f"{anchor['wall_s']:.2f} s = {anchor['ms_per_evaluation']:.1f} ms each, optimal: {anchor['optimal']}")
    elif "qiskit_optimization_anchor" in results:
        lines.append("  qiskit-optimization is not installed (pip install .[bench]): anchor not rerun here")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[8, 12, 16])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--layers", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--targets", nargs="+", default=["qiskit", "pennylane"], choices=["qiskit", "pennylane"])
    ap.add_argument("--kinds", nargs="+", default=["random", "pruning"], choices=["random", "pruning"])
    ap.add_argument("--no-anchor", action="store_true", help="skip rerunning the qiskit-optimization anchor")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    ap.add_argument("--save", type=Path, help="also write the JSON object to this file")
    ap.add_argument("--load", type=Path, help="print the results saved by --save instead of running")
    args = ap.parse_args()
    results = json.loads(args.load.read_text(encoding="utf-8")) if args.load else run(args)
    if args.save:
        args.save.write_text(json.dumps(results), encoding="utf-8")
    print(json.dumps(results) if args.json else table(results))


if __name__ == "__main__":
    main()
