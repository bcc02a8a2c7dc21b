"""QUBO problems and their solvers: exact enumeration, simulated annealing and QAOA."""

from qlang.runtime.qubo.anneal import solve_annealing
from qlang.runtime.qubo.exact import solve_exact
from qlang.runtime.qubo.model import QUBO, Solution
from qlang.runtime.qubo.qaoa import QAOASolver

__all__ = ["QUBO", "QAOASolver", "Solution", "solve_annealing", "solve_exact"]
