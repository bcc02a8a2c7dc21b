"""How fast is qlang's fidelity-kernel engine? An exact Gram matrix, N = 256 inputs, 8 qubits, ZZ feature map
(reps 2), on each target, against qiskit-machine-learning's kernels.

    python benchmarks/kernels.py [--repeat R] [--fqk-rows M] [--no-scaling] [--json]

- engine: `qlang.runtime.methods.kernel.exact_gram` through each target's executor (generated circuit code;
  one batched `states` call per tile, then one matrix product). Timed warm: the executor's one-off circuit
  compilation is reported separately as `compile_s`.
- FidelityStatevectorKernel: qiskit-machine-learning, one Statevector per input (the 2.7 s anchor of DESIGN §5).
- FidelityQuantumKernel: N(N-1)/2 compute-uncompute circuits through a sampler; timed on the first M inputs
  and scaled by the pair count (it would take many minutes on all 256).
- lower bound: the floating-point operations the Gram matrix needs, at this machine's measured peak rate
  (a large complex matrix product in numpy): N states of G gates each, a gate costing at least one complex
  multiply-add (8 flops) per amplitude, plus the N x N x 2^q complex products of the Gram matrix.
Every matrix is compared with FidelityStatevectorKernel's (max abs error). Timings are the min of R repeats,
taken in turn within each repeat in one process (the machine is shared: the min is the least disturbed run,
and taking turns spreads a busy spell over every contender).
Requires the `bench` extra (qiskit-machine-learning) and both targets.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np

N, QUBITS, REPS = 256, 8, 2
TARGETS = ("qiskit", "pennylane")


def executor(target: str, qubits: int):
    from qlang.circuits import emit_pennylane, emit_qiskit
    from qlang.circuits.library import stage_circuits
    from qlang.runtime.protocol import CircuitShape

    circuits = stage_circuits("quantum_kmeans", {"qubits": qubits, "encoding": "zz", "reps": REPS, "bandwidth": 1.0})
    fm = circuits["feature_map"]
    if target == "qiskit":
        from qlang.runtime.targets.qiskit import QiskitExecutor

        return QiskitExecutor({"feature_map": lambda: emit_qiskit.build(fm, "build_feature_map")})
    from qlang.runtime.targets.pennylane import PennyLaneExecutor

    body = emit_pennylane.build(fm, "body_feature_map")
    return PennyLaneExecutor({"feature_map": (body, CircuitShape(fm.n_wires, fm.n_inputs, fm.n_weights))})


def best_of(repeat: int, f) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - start)
    return best, out


def data(n: int, qubits: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.0, np.pi, (n, qubits))


def interleaved(repeat: int, runs: dict) -> tuple[dict[str, float], dict[str, object]]:
    """Min seconds and last result of each of `runs`, timed in turn within each repeat, so a busy spell of
    the machine slows every contender alike."""
    best, out = {k: np.inf for k in runs}, {}
    for _ in range(repeat):
        for key, f in runs.items():
            seconds, out[key] = best_of(1, f)
            best[key] = min(best[key], seconds)
    return best, out


def warm_engine(target: str, qubits: int):
    """(Gram function of x, compile seconds): the executor's one-off circuit compilation done."""
    from qlang.runtime.methods.kernel import exact_gram

    ex = executor(target, qubits)
    start = time.perf_counter()
    ex.states("feature_map", np.zeros((1, qubits)), None)
    return (lambda x: exact_gram(ex, "feature_map", x)), time.perf_counter() - start


def engine_time(target: str, x: np.ndarray, repeat: int) -> float:
    gram, _ = warm_engine(target, x.shape[1])
    return best_of(repeat, lambda: gram(x))[0]


def peak_flops(repeat: int) -> float:
    """Complex128 matrix-product rate of this machine (flops/s): 8 flops per complex multiply-add."""
    a = np.random.default_rng(0).normal(size=(1024, 1024)) * (1 + 1j)
    seconds, _ = best_of(repeat, lambda: a @ a)
    return 8 * 1024**3 / seconds


def gate_count(qubits: int) -> int:
    from qlang.circuits.library import zz_map

    return len(zz_map(qubits, REPS).ops)


def lower_bound_s(n: int, qubits: int, flops_per_s: float) -> float:
    amplitudes = 2**qubits
    return (n * gate_count(qubits) * amplitudes * 8 + n * n * amplitudes * 8) / flops_per_s


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="timings are the min of this many runs")
    ap.add_argument("--fqk-rows", type=int, default=24, help="inputs FidelityQuantumKernel is timed on")
    ap.add_argument("--no-scaling", action="store_true", help="skip the N and qubit sweeps")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    from qiskit.circuit.library import zz_feature_map
    from qiskit_machine_learning.kernels import FidelityQuantumKernel, FidelityStatevectorKernel

    x = data(N, QUBITS)
    fm = zz_feature_map(QUBITS, reps=REPS)
    engines = {t: warm_engine(t, QUBITS) for t in TARGETS}
    compile_s = {t: engines[t][1] for t in TARGETS}
    runs = {"fsk": lambda: FidelityStatevectorKernel(feature_map=fm).evaluate(x)}
    runs |= {t: (lambda g=engines[t][0]: g(x)) for t in TARGETS}
    seconds, grams = interleaved(args.repeat, runs)
    fsk_s, reference = seconds["fsk"], grams["fsk"]
    engine = {t: seconds[t] for t in TARGETS}
    m = args.fqk_rows
    fqk_subset_s, fqk_gram = best_of(1, lambda: FidelityQuantumKernel(feature_map=fm).evaluate(x[:m]))
    fqk_s = fqk_subset_s * (N * (N - 1) / 2) / (m * (m - 1) / 2)
    errors = {"fidelity_quantum_kernel": float(np.abs(fqk_gram - reference[:m, :m]).max())}
    errors |= {t: float(np.abs(grams[t] - reference).max()) for t in TARGETS}
    bound = lower_bound_s(N, QUBITS, peak_flops(args.repeat))
    result = {
        "n": N, "qubits": QUBITS, "reps": REPS, "gates": gate_count(QUBITS),
        "seconds": {"fidelity_statevector_kernel": fsk_s, "fidelity_quantum_kernel_scaled": fqk_s,
                    "fidelity_quantum_kernel_subset": fqk_subset_s, "fqk_rows": m, **engine},
        "compile_s": compile_s,
        "lower_bound_s": bound,
        "speedup_vs_fidelity_statevector_kernel": {t: fsk_s / engine[t] for t in TARGETS},
        "speedup_vs_fidelity_quantum_kernel": {t: fqk_s / engine[t] for t in TARGETS},
        "ratio_to_lower_bound": {t: engine[t] / bound for t in TARGETS},
        "max_abs_error": max(errors.values()),
        "max_abs_error_by_kernel": errors,
    }
    if not args.no_scaling:
        result["scaling_n"] = {t: {n: engine_time(t, data(n, QUBITS), args.repeat) for n in (64, 128, 256, 512, 1024)}
                               for t in TARGETS}
        result["scaling_qubits"] = {t: {q: engine_time(t, data(N, q), args.repeat) for q in (4, 6, 8, 10, 12)}
                                    for t in TARGETS}
    print(json.dumps(result) if args.json else table(result))
    return 0


def table(r: dict) -> str:
    s = r["seconds"]
    lines = [f"Gram matrix: N={r['n']}, {r['qubits']} qubits, ZZ feature map reps {r['reps']} ({r['gates']} gates), exact",
             "", f"{'kernel':<44}{'seconds':>10}{'speed-up':>10}{'max |err|':>12}",
             f"{'FidelityStatevectorKernel':<44}{s['fidelity_statevector_kernel']:>10.4f}{'':>10}{0:>12.1e}",
             f"{'FidelityQuantumKernel (' + str(s['fqk_rows']) + ' rows, scaled)':<44}"
             f"{s['fidelity_quantum_kernel_scaled']:>10.1f}{'':>10}"
             f"{r['max_abs_error_by_kernel']['fidelity_quantum_kernel']:>12.1e}"]
    for t in TARGETS:
        lines.append(f"{'qlang engine, ' + t:<44}{s[t]:>10.4f}{r['speedup_vs_fidelity_statevector_kernel'][t]:>9.1f}x"
                     f"{r['max_abs_error_by_kernel'][t]:>12.1e}")
    lines.append(f"{'lower bound from the operation count':<44}{r['lower_bound_s']:>10.4f}")
    lines += ["", "engine / lower bound: " + ", ".join(f"{t} {r['ratio_to_lower_bound'][t]:.1f}x" for t in TARGETS),
              "engine vs FidelityQuantumKernel: " + ", ".join(
                  f"{t} {r['speedup_vs_fidelity_quantum_kernel'][t]:.0f}x" for t in TARGETS),
              "one-off circuit compilation (not in the timings): " + ", ".join(
                  f"{t} {r['compile_s'][t]:.2f} s" for t in TARGETS)]
    for key, label in (("scaling_n", "N (8 qubits)"), ("scaling_qubits", "qubits (N=256)")):
        if key in r:
            sizes = list(next(iter(r[key].values())))
            lines += ["", f"{'seconds by ' + label:<28}" + "".join(f"{k:>9}" for k in sizes)]
            lines += [f"{t:<28}" + "".join(f"{r[key][t][k]:>9.4f}" for k in sizes) for t in TARGETS]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
