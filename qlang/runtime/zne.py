"""Zero-noise extrapolation (ZNE) by global unitary folding, the same on both targets.

Folding: at an odd scale factor λ = 2k + 1 a circuit U runs as U (U† U)^k — U, then every gate of U
inverted in reverse order, then U again, k times (Giurgi-Tavares, Zeng, et al., "Digital zero noise
extrapolation for quantum error mitigation", IEEE QCE 2020: global folding). The folded circuit is the
same unitary with λ× the gates, so under a noise model that acts after every gate (qlang.runtime.noise)
it carries λ× the noise. Each target folds its own circuit (Qiskit: `fold`, PennyLane: the tape
transform in qlang/runtime/targets/pennylane_noisy.py), gate for gate the same sequence, so their
folded density matrices agree like their unfolded ones do. Only odd integer scales: no partial folds.

Extrapolation: the values measured at the scales λ_i (probabilities per basis state, or <Z_i>) are fitted
by a polynomial in λ and read at λ = 0. `richardson` fits the polynomial of degree S − 1 through all S
points (Richardson extrapolation; for λ = 1, 3, 5 the weights are 15/8, −10/8, 3/8); `linear` fits a line
by least squares. Either is a fixed linear combination Σ w_i·y_i with Σ w_i = 1, so extrapolated
probabilities still sum to 1 but may leave [0, 1]: they are clipped at 0 and renormalised (and
extrapolated <Z_i> clipped to [−1, 1]). The weights amplify shot noise: the variance of the estimate is
Σ w_i² times one scale's (5.2× for 1, 3, 5 with Richardson, 1.3× with `linear`).

Price: every circuit runs once per scale with the stage's shots, and a folded circuit is λ× as deep, so
ZNE multiplies circuits and shots by S and a circuit's gate time by Σ λ_i (qlang.plan.estimate prices
the folded circuits, transpiled with barriers between the folds so that no transpiler cancels U† U).
"""

from __future__ import annotations

import numpy as np

from qlang.catalog.mitigation import DEFAULT_SCALES, EXTRAPOLATIONS

__all__ = ["DEFAULT_SCALES", "EXTRAPOLATIONS", "check_scales", "clip_probabilities", "extrapolate", "fold"]


def check_scales(scales) -> tuple[int, ...]:
    """The scales as a tuple of distinct odd positive integers, at least two of them (ValueError else)."""
    out = tuple(int(s) for s in scales)
    if len(out) < 2 or len(set(out)) != len(out) or any(s < 1 or s % 2 == 0 for s in out):
        raise ValueError(f"ZNE scales must be at least two distinct odd integers ≥ 1, got {list(scales)}")
    return out


def extrapolation_weights(scales, method: str = "richardson") -> np.ndarray:
    """Weights w (S,) with Σ w_i y_i the fit of y(λ_i) read at λ = 0 (see the module's docstring)."""
    lam = np.asarray(check_scales(scales), dtype=float)
    if method not in EXTRAPOLATIONS:
        raise ValueError(f"unknown extrapolation {method!r}; one of {EXTRAPOLATIONS}")
    degree = len(lam) - 1 if method == "richardson" else 1
    return np.linalg.pinv(np.vander(lam, degree + 1, increasing=True))[0]


def extrapolate(values: np.ndarray, scales, method: str = "richardson") -> np.ndarray:
    """values (S, ...) measured at `scales` → their zero-noise estimate (...)."""
    return np.tensordot(extrapolation_weights(scales, method), np.asarray(values, dtype=float), axes=1)


def clip_probabilities(quasi: np.ndarray) -> np.ndarray:
    """Rows of `quasi` (B, 2**n) clipped at 0 and renormalised to sum to 1 (a row all ≤ 0 becomes uniform)."""
    out = np.clip(quasi, 0.0, None)
    total = out.sum(axis=1, keepdims=True)
    uniform = np.full_like(out, 1.0 / out.shape[1])
    return np.where(total > 0, out / np.where(total > 0, total, 1.0), uniform)


def fold(qc, scale: int, barriers: bool = False):
    """The Qiskit circuit `qc` (no measurements) folded globally to `scale` = 2k + 1: U (U† U)^k. With
    `barriers`, a barrier between the folds keeps a transpiler from cancelling them (for durations)."""
    if scale < 1 or scale % 2 == 0:
        raise ValueError(f"a fold's scale must be an odd integer ≥ 1, got {scale}")
    out = qc.copy()
    inverse = qc.inverse()
    for _ in range((scale - 1) // 2):
        for part in (inverse, qc):
            if barriers:
                out.barrier()
            out.compose(part, inplace=True)
    return out
