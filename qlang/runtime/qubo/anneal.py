"""Simulated annealing (dwave-samplers) on a QUBO; the cardinality constraint must already be a penalty
in the QUBO (annealing sees only f), and the best feasible read wins."""

from __future__ import annotations

import time

import numpy as np

from qlang.runtime.qubo.model import QUBO, Solution


def solve_annealing(qubo: QUBO, reads: int = 100, seed: int = 0, sweeps: int = 1000) -> Solution:
    from dwave.samplers import SimulatedAnnealingSampler

    start = time.perf_counter()
    q = {(i, i): float(qubo.linear[i]) for i in range(qubo.n)}
    rows, cols = np.nonzero(qubo.quadratic)
    q |= {(int(i), int(j)): float(qubo.quadratic[i, j]) for i, j in zip(rows, cols)}
    result = SimulatedAnnealingSampler().sample_qubo(
        q, num_reads=int(reads), num_sweeps=int(sweeps), seed=int(seed) % 2**32
    )
    order = np.argsort(np.asarray(result.variables))  # every variable has a (possibly zero) linear term
    samples = result.record.sample[:, order]
    samples = samples.astype(np.uint8)
    values = qubo.value(samples)
    feasible = np.array([qubo.is_feasible(s) for s in samples])
    pick = np.where(feasible, values, np.inf)
    best = int(np.argmin(pick)) if feasible.any() else int(np.argmin(values))
    return Solution(
        samples[best],
        float(values[best]),
        "annealing",
        time.perf_counter() - start,
        {
            "reads": int(reads),
            "feasibility": float(feasible.mean()),
            "feasible": bool(feasible[best]),
            "samples": samples,
        },
    )
