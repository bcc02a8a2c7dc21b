"""Named hyperparameter search spaces for architect stages, and the size of their binary encoding.

A space is, per objective model, a tuple of `Choice`s. Each is encoded in bits for the QUBO solvers:
an ordinal choice of m values as a domain wall (m - 1 bits, value v = v leading ones), a categorical one
one-hot (m bits), any choice of two values as one bit. Plain Python, below the catalog, the circuit library and
the runtime, which all size or search these spaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Choice:
    name: str  # the objective model's parameter
    values: tuple[Any, ...]
    ordinal: bool = True

    @property
    def bits(self) -> int:
        m = len(self.values)
        return 1 if m == 2 else m - 1 if self.ordinal else m


_C_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
_FEATURES = (2, 3, 4, 5, 6, 8)

SPACES: dict[str, dict[str, tuple[Choice, ...]]] = {
    "default": {
        # C on a log grid (8 values, 7 bits) x the PCA components the model sees (6 values, 5 bits): 48 configurations
        "logistic_regression": (Choice("C", _C_GRID[:8]), Choice("qubits", _FEATURES)),
        "svm": (Choice("C", _C_GRID[3:]), Choice("qubits", _FEATURES)),
        # width x learning rate x components: 4 x 4 x 4 = 64 configurations
        "mlp": (
            Choice("hidden", (4, 8, 16, 32)),
            Choice("lr", (0.003, 0.01, 0.03, 0.1)),
            Choice("qubits", (2, 4, 6, 8)),
        ),
    },
    # 3 bits (8 configurations) per objective: a QAOA a noisy device's density matrices can afford
    "small": {
        "logistic_regression": (Choice("C", (0.1, 1.0, 10.0)), Choice("qubits", (2, 4))),
        "svm": (Choice("C", (0.3, 3.0, 30.0)), Choice("qubits", (2, 4))),
        "mlp": (Choice("hidden", (4, 16)), Choice("lr", (0.01, 0.1)), Choice("qubits", (2, 4))),
    },
}


def space_of(name: str, objective: str) -> tuple[Choice, ...]:
    if name not in SPACES:
        raise ValueError(f"unknown search space {name!r}; known: {', '.join(sorted(SPACES))}")
    if objective not in SPACES[name]:
        raise ValueError(
            f"search space {name!r} has no entry for {objective!r}; it covers {', '.join(sorted(SPACES[name]))}"
        )
    return SPACES[name][objective]


def encoded_bits(name: str, objective: str) -> int:
    """Binary variables (one qubit each) of the space's encoding."""
    return sum(c.bits for c in space_of(name, objective))
