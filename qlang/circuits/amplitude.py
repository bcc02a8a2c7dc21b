"""Numeric helpers for `AmplitudeEncoding`, shared by both targets (and by PennyLane generated code)."""

from __future__ import annotations

import numpy as np


def normalise(rows: np.ndarray) -> np.ndarray:
    """Rows (..., d) scaled to unit norm; a zero row cannot be encoded."""
    rows = np.asarray(rows, dtype=np.float64)
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    if np.any(norms == 0.0):
        raise ValueError("amplitude encoding of an all-zero input row")
    return rows / norms


def amplitude_reflection(rows: np.ndarray) -> np.ndarray:
    """The real unitary R = I - 2 v v^T / (v^T v), v = psi - e_0, psi = normalise(row).

    R swaps |0...0> and psi and is its own inverse: the unitary of `AmplitudeEncoding`.
    Shape (..., d) -> (..., d, d); index 0 is |0...0>, wire 0 the most significant bit.
    """
    psi = normalise(rows)
    v = psi.copy()
    tail = np.sum(psi[..., 1:] ** 2, axis=-1)
    # psi_0 - 1 without cancellation when psi_0 is close to 1.
    v[..., 0] = np.where(psi[..., 0] > 0, -tail / (1.0 + np.abs(psi[..., 0])), psi[..., 0] - 1.0)
    vv = np.sum(v * v, axis=-1)[..., None, None]
    outer = v[..., :, None] * v[..., None, :]
    eye = np.eye(psi.shape[-1])
    # psi == e_0 gives v = 0: R is then the identity.
    return eye - np.divide(2.0 * outer, vv, out=np.zeros_like(outer), where=vv > 1e-300)
