"""QAOA on a QUBO through an executor's `qaoa_ising` circuit (`qlang.circuits.library.qaoa_ising`).

The circuit takes the Ising coefficients as inputs and (gamma, beta) as weights, so one compiled circuit
serves every problem of its size, and many parameter vectors run in one batched executor call. The
energy of a parameter vector is probs . f (exact probabilities, or frequencies from `shots` samples),
with f the QUBO value of every bitstring. The classical loop: `candidates` random parameter vectors in
one call, then COBYLA (scipy) from the best `restarts` of them. The answer is the best feasible
bitstring among `reads` samples of the final state; the solution keeps the final probabilities
(`probs`) and those samples (`samples`, bitstring indices).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.optimize import minimize

from qlang.circuits.library import ising_pairs
from qlang.runtime.protocol import Executor
from qlang.runtime.qubo.exact import optimum_mask
from qlang.runtime.qubo.model import QUBO, Solution, approximation_ratio, bits_of


def ising_inputs(qubo: QUBO) -> np.ndarray:
    """The circuit's input row: [h, J_ij for i < j], divided by the largest |coefficient| (so one range
    of gamma suits every problem)."""
    h, j, _ = qubo.ising()
    rows, cols = np.array(ising_pairs(qubo.n), dtype=np.int64).reshape(-1, 2).T  # the circuit's J order
    row = np.concatenate([h, j[rows, cols]])
    scale = np.abs(row).max()
    return row / scale if scale > 0 else row


class QAOASolver:
    def __init__(
        self,
        executor: Executor,
        circuit: str,
        shots: int | None = None,
        restarts: int = 3,
        candidates: int = 32,
        maxiter: int = 60,
        reads: int = 256,
        seed: int = 0,
    ):
        self.executor, self.circuit, self.shots = executor, circuit, shots
        self.restarts, self.candidates, self.maxiter, self.reads = restarts, candidates, maxiter, reads
        self.rng = np.random.default_rng(seed)
        shape = executor.shape(circuit)
        self.n, self.p, self.n_inputs = shape.n_wires, shape.n_weights // 2, shape.n_inputs
        if shape.n_inputs != self.n + self.n * (self.n - 1) // 2 or shape.n_weights != 2 * self.p:
            raise ValueError(f"circuit {circuit!r} is not a qaoa_ising circuit: {shape}")

    @classmethod
    def from_settings(cls, executor: Executor, circuit: str, settings: Mapping[str, Any], seed: int) -> QAOASolver:
        """A solver from a method's run-time settings (shots, restarts, candidates, maxiter, reads)."""
        return cls(
            executor,
            circuit,
            shots=settings["shots"],
            restarts=int(settings["restarts"]),
            candidates=int(settings["candidates"]),
            maxiter=int(settings["maxiter"]),
            reads=int(settings["reads"]),
            seed=seed,
        )

    def expected_values(self, qubo: QUBO, params: np.ndarray) -> np.ndarray:
        """Expected f for each row of params (B, 2p), in one executor call."""
        params = np.atleast_2d(params)
        return self.probs(qubo, params) @ qubo.energies()

    def probs(self, qubo: QUBO, params: np.ndarray, inputs: np.ndarray | None = None) -> np.ndarray:
        """Probabilities for each row of params (B, 2p); inputs: the QUBO's `ising_inputs`, if already at hand."""
        row = ising_inputs(qubo) if inputs is None else inputs
        x = np.broadcast_to(row, (len(params), self.n_inputs))
        return self.executor.probs(self.circuit, np.ascontiguousarray(x), params, shots=self.shots)

    def solve(self, qubo: QUBO) -> Solution:
        if qubo.n != self.n:
            raise ValueError(f"the QUBO has {qubo.n} variables, the circuit {self.n} wires")
        start = time.perf_counter()
        evaluations, spent = [0], [0.0]
        inputs = ising_inputs(qubo)
        energies = qubo.energies()

        def expected(params: np.ndarray) -> np.ndarray:
            return self.probs(qubo, np.atleast_2d(params), inputs) @ energies

        def energy(params: np.ndarray) -> float:
            evaluations[0] += 1
            tick = time.perf_counter()
            value = float(expected(params)[0])
            spent[0] += time.perf_counter() - tick
            return value

        low = np.zeros(2 * self.p)
        high = np.full(2 * self.p, np.pi)
        guesses = self.rng.uniform(low, high, (self.candidates, 2 * self.p))
        first = expected(guesses)
        best_params, best_energy = guesses[np.argmin(first)], float(first.min())
        for start_params in guesses[np.argsort(first)[: self.restarts]]:
            result = minimize(energy, start_params, method="COBYLA", options={"maxiter": self.maxiter, "rhobeg": 0.3})
            if result.fun < best_energy:
                best_params, best_energy = result.x, float(result.fun)
        probs = self.probs(qubo, best_params[None, :], inputs)[0]
        samples = self.rng.choice(len(probs), size=self.reads, p=probs / probs.sum())
        feasible = qubo.feasible()
        expected_value = float(probs @ energies)
        pick = np.where(feasible[samples], energies[samples], np.inf)
        best = samples[int(np.argmin(pick))] if np.isfinite(pick).any() else samples[int(np.argmin(energies[samples]))]
        info = {
            "p": self.p,
            "params": [float(v) for v in best_params],
            "expected_value": expected_value,
            "expected_ratio": approximation_ratio(qubo, expected_value),
            "p_optimum": float(probs[optimum_mask(qubo)].sum()),
            "feasibility": float(probs[feasible].sum()),
            "feasible": bool(feasible[best]),
            "evaluations": int(evaluations[0] + self.candidates),
            "executor_calls": int(evaluations[0] + 2),
            "seconds_per_evaluation": spent[0] / max(1, evaluations[0]),  # one parameter vector per call
            "shots": self.shots,
            "probabilities_from": "exact" if self.shots is None else f"{self.shots} shots",
        }
        x = bits_of(best, self.n)
        return Solution(x, float(energies[best]), "qaoa", time.perf_counter() - start, info, probs, samples)
