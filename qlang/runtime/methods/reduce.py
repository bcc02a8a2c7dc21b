"""Compress features to what a circuit's encoding takes: PCA, then a scaling per encoding."""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA

from qlang.runtime.methods.context import require

# How the PCA components become circuit inputs:
#   "angle"      min-max onto [0, pi] (fitted rows; other rows clipped)
#   "arctan"     z-scored, divided by `spread`, then arctan onto (-pi/2, pi/2): smooth, no clipping,
#                outliers saturate (a larger spread saturates later)
#   "amplitude"  min-max onto [0, 1], then rows normalised to length 1. Non-negative amplitudes: with
#                centred components x and -x would be one state, and the fidelity kernel blind to it.
SCALINGS = ("angle", "arctan", "amplitude")
ENCODINGS = ("angle", "zz", "amplitude")  # a kernel stage's `encoding` parameter


class Reducer:
    def __init__(self, dims: int, scaling: str, spread: float = 1.0):
        assert scaling in SCALINGS, scaling
        self.dims = dims
        self.scaling = scaling
        self.spread = float(spread)

    def fit(self, x: np.ndarray) -> Reducer:
        components = min(self.dims, *x.shape)
        self.pca = PCA(n_components=components, svd_solver="full").fit(x)
        z = self.pca.transform(x)
        if self.scaling in ("angle", "amplitude"):
            self.low, self.span = z.min(axis=0), np.ptp(z, axis=0)
        elif self.scaling == "arctan":
            self.mean, self.std = z.mean(axis=0), z.std(axis=0)
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        z = self.pca.transform(x)
        if self.scaling in ("angle", "amplitude"):
            z = np.clip((z - self.low) / np.where(self.span > 0, self.span, 1.0), 0.0, 1.0)
            z = np.pi * z if self.scaling == "angle" else z
        elif self.scaling == "arctan":
            z = np.arctan((z - self.mean) / np.where(self.std > 0, self.std, 1.0) / self.spread)
        # Fewer components than dims (tiny data, few features): the missing ones are constant zeros.
        z = np.hstack([z, np.zeros((len(z), self.dims - z.shape[1]))])
        if self.scaling == "amplitude":
            norms = np.linalg.norm(z, axis=1, keepdims=True)
            z = np.where(norms > 0, z / np.where(norms > 0, norms, 1.0), np.eye(1, self.dims))
        return z

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        return self.fit(x).transform(x)


def encoding_reducer(encoding: str, qubits: int) -> Reducer:
    """The reducer for a feature map of `qubits` qubits and `encoding` (checked): 2^qubits non-negative unit
    amplitudes for amplitude encoding, qubits angles in [0, pi] otherwise."""
    require(encoding in ENCODINGS, f"unknown encoding '{encoding}'", help=f"use one of {', '.join(ENCODINGS)}")
    require(int(qubits) >= 1, f"qubits must be at least 1, got {qubits}")
    qubits = int(qubits)
    return Reducer(2**qubits, "amplitude") if encoding == "amplitude" else Reducer(qubits, "angle")
