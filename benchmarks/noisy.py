"""How fast is qlang's noisy fidelity kernel? A Gram matrix from sampled compute-uncompute circuits, N = 64
inputs, 6 qubits, ZZ feature map (reps 2), under fake_fez's noise (qlang.runtime.noise.from_backend: median
calibration as depolarizing after every gate plus readout flips), 1,024 shots per circuit, on each target,
against qiskit-machine-learning's FidelityQuantumKernel over an Aer SamplerV2 with the same channels
(an Aer NoiseModel: depolarizing p1 after every one-qubit gate, p2 after every cx, the same readout error).

    python benchmarks/noisy.py [--n N] [--json]

- qlang: `qlang.runtime.methods.kernel.sampled_gram` through each target's noisy executor, in the Heisenberg
  picture (qlang.runtime.heisenberg): the exact probability of reading all zeros from the circuit of the pair
  (x, y) is Tr[rho_x sigma_y], rho_x the noisy feature map on |0><0|, sigma_y the adjoint of the noisy
  uncompute half applied to the readout's all-zeros effect. So N + N density-matrix simulations (not one per
  pair, N(N-1)/2) and one matrix product give every pair's exact probability, and each pair's all-zeros count
  is then drawn as Binomial(1,024, k) from a seeded generator: the distribution that sampling the pair's
  circuit gives, not a cheaper approximation of it. The executors still count N(N-1)/2 circuits x 1,024
  shots (what a QPU runs; `circuits_counted`). Qiskit simulates with Aer's density-matrix method (the
  effect as an initial density matrix); PennyLane with its mixed-state simulator
  (qml.devices.qubit_mixed.simulate, what default.mixed runs) in torch on one thread, the depolarizing
  channel applied in its closed form (qlang.runtime.targets.pennylane_depolarizing). Timed warm; the
  one-off circuit preparation (a 3-input Gram) is reported apart as compile_s.
- FidelityQuantumKernel: N(N-1)/2 circuits through Aer's SamplerV2 with the noise model, density-matrix
  method, every circuit sampled: the same work qlang did before the Heisenberg path (about 1x on Qiskit).
- gram_max_abs_difference: the largest entry difference between qlang's and the anchor's Gram matrices; with
  1,024 shots one entry's standard deviation is at most 0.5/sqrt(1024) ≈ 0.016 per side.
- density_matrix_agreement: the largest difference between the two targets' density matrices under a
  parametric model (depolarizing, amplitude and phase damping) on 16 compute-uncompute pairs;
  heisenberg_agreement: between the two targets' Heisenberg probabilities (N x N) under that model without
  amplitude damping (which the Heisenberg path does not take).
The machine's load moves every figure: run it on an idle machine for numbers to compare.
Requires the `bench` extra (qiskit-machine-learning) and both targets.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np

QUBITS, REPS, SHOTS = 6, 2, 1024
TARGETS = ("qiskit", "pennylane")
PARAMETRIC = {"p1": 0.002, "p2": 0.02, "amplitude_damping": 0.001, "phase_damping": 0.002, "readout": 0.02}


def executor(target: str, noise, seed: int = 0):
    from qlang.circuits import emit_pennylane, emit_qiskit
    from qlang.circuits.library import compute_uncompute, zz_map
    from qlang.runtime.protocol import CircuitShape

    overlap = compute_uncompute(zz_map(QUBITS, REPS))
    if target == "qiskit":
        from qlang.runtime.targets.qiskit import executor as make

        return make(
            {"overlap": lambda: emit_qiskit.build(overlap, "build_overlap")}, "aer_simulator", seed, noise, SHOTS
        )
    from qlang.runtime.targets.pennylane import executor as make

    body = emit_pennylane.build(overlap, "body_overlap")
    shape = CircuitShape(overlap.n_wires, overlap.n_inputs, overlap.n_weights)
    return make({"overlap": (body, shape)}, "default.mixed", seed, noise, SHOTS)


def aer_noise_model(noise):
    """The same channels as an Aer NoiseModel, on the gates of Qiskit's zz_feature_map (h, p, cx)."""
    from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error

    model = NoiseModel()
    model.add_all_qubit_quantum_error(depolarizing_error(noise.p1, 1), ["h", "p", "rz", "u"])
    model.add_all_qubit_quantum_error(depolarizing_error(noise.p2, 2), ["cx"])
    r = noise.readout
    model.add_all_qubit_readout_error(ReadoutError([[1 - r, r], [r, 1 - r]]))
    return model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=64, help="inputs")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    from qiskit.circuit.library import zz_feature_map
    from qiskit_aer import AerSimulator
    from qiskit_aer.primitives import SamplerV2
    from qiskit_machine_learning.kernels import FidelityQuantumKernel
    from qiskit_machine_learning.state_fidelities import ComputeUncompute

    from qlang.runtime.methods.kernel import sampled_gram
    from qlang.runtime.noise import NoiseModel, from_backend

    noise = from_backend("fake_fez")
    x = np.random.default_rng(0).uniform(0.0, np.pi, (args.n, QUBITS))
    seconds, compile_s, grams = {}, {}, {}
    counted = {}
    for target in TARGETS:
        ex = executor(target, noise)
        start = time.perf_counter()
        sampled_gram(ex, "overlap", x[:3], SHOTS)
        compile_s[target] = time.perf_counter() - start
        ex.reseed(0)
        before = ex.circuits_run, ex.shots_spent
        start = time.perf_counter()
        grams[target] = sampled_gram(ex, "overlap", x, SHOTS)
        seconds[target] = time.perf_counter() - start
        counted[target] = {
            "circuits": ex.circuits_run - before[0],
            "shots": ex.shots_spent - before[1],
            "pairwise_reason": ex.pairwise_reason("overlap"),
        }

    sampler = SamplerV2(
        default_shots=SHOTS,
        seed=0,
        options={"backend_options": {"noise_model": aer_noise_model(noise), "method": "density_matrix"}},
    )
    del AerSimulator
    fqk = FidelityQuantumKernel(feature_map=zz_feature_map(QUBITS, reps=REPS), fidelity=ComputeUncompute(sampler))
    start = time.perf_counter()
    anchor = fqk.evaluate(x)
    seconds["fidelity_quantum_kernel"] = time.perf_counter() - start

    model = NoiseModel(**PARAMETRIC)
    half = min(16, args.n // 2)
    pairs = np.hstack([x[:half], x[half : 2 * half]])
    rho = {t: executor(t, model).densities("overlap", pairs, None) for t in TARGETS}
    damping_free = NoiseModel(**{**PARAMETRIC, "amplitude_damping": 0.0})
    heisenberg = {t: executor(t, damping_free).overlap_probabilities("overlap", x[:half], x[:half]) for t in TARGETS}
    result = {
        "n": args.n,
        "qubits": QUBITS,
        "reps": REPS,
        "shots": SHOTS,
        "noise": noise.describe(),
        "seconds": seconds,
        "compile_s": compile_s,
        "speedup_vs_fidelity_quantum_kernel": {t: seconds["fidelity_quantum_kernel"] / seconds[t] for t in TARGETS},
        "gram_max_abs_difference": {t: float(np.abs(grams[t] - anchor).max()) for t in TARGETS},
        "gram_max_abs_difference_between_targets": float(np.abs(grams["qiskit"] - grams["pennylane"]).max()),
        "one_entry_std_bound": 0.5 / np.sqrt(SHOTS),
        "circuits_counted": counted,
        "density_matrix_agreement": float(np.abs(rho["qiskit"] - rho["pennylane"]).max()),
        "heisenberg_agreement": float(np.abs(heisenberg["qiskit"] - heisenberg["pennylane"]).max()),
        "parametric_model": PARAMETRIC,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for key, value in result.items():
        print(f"{key:42} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
