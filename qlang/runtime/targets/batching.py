"""Batch handling shared by the target executors: argument checks, chunking, readout helpers."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from qlang.runtime.protocol import CircuitShape

# Rows per chunk are chosen so one chunk's states hold at most this many amplitudes (64 MiB).
MAX_CHUNK_AMPLITUDES = 1 << 22


def batch_arrays(shape: CircuitShape, x: np.ndarray | None, w: np.ndarray | None) -> tuple[int, np.ndarray, np.ndarray]:
    """Checked float64 copies: x as (B, n_inputs); w as (B, n_weights) or shared (n_weights,).

    B comes from x, else from a 2-D w, else is 1.
    """
    sizes = []
    if x is None:
        if shape.n_inputs:
            raise ValueError(f"circuit needs {shape.n_inputs} inputs, got x=None")
    else:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != shape.n_inputs:
            raise ValueError(f"x must have shape (B, {shape.n_inputs}), got {x.shape}")
        sizes.append(x.shape[0])
    if w is None:
        if shape.n_weights:
            raise ValueError(f"circuit needs {shape.n_weights} weights, got w=None")
        w = np.zeros(0)
    else:
        w = np.asarray(w, dtype=np.float64)
        if w.ndim not in (1, 2) or w.shape[-1] != shape.n_weights:
            raise ValueError(f"w must have shape (B, {shape.n_weights}) or ({shape.n_weights},), got {w.shape}")
        if w.ndim == 2:
            sizes.append(w.shape[0])
    if len(set(sizes)) > 1:
        raise ValueError(f"x and w disagree on the batch size: {sizes}")
    batch = sizes[0] if sizes else 1
    if x is None:
        x = np.zeros((batch, 0))
    return batch, x, w


def chunks(batch: int, n_wires: int) -> Iterator[slice]:
    """Row slices that keep each chunk's states under MAX_CHUNK_AMPLITUDES."""
    size = max(1, MAX_CHUNK_AMPLITUDES >> n_wires)
    for start in range(0, batch, size):
        yield slice(start, min(start + size, batch))


def weight_rows(w: np.ndarray, rows: slice) -> np.ndarray:
    """The chunk's weights: rows of a 2-D w, or the shared 1-D w itself."""
    return w[rows] if w.ndim == 2 else w


def z_expvals(probs: np.ndarray, n_wires: int) -> np.ndarray:
    """<Z_i> per wire from probabilities (B, 2**n), wire 0 the most significant bit."""
    batch = probs.shape[0]
    out = np.empty((batch, n_wires))
    for i in range(n_wires):
        split = probs.reshape(batch, 2**i, 2, 2 ** (n_wires - i - 1)).sum(axis=(1, 3))
        out[:, i] = split[:, 0] - split[:, 1]
    return out


def reversed_bits(n_wires: int) -> np.ndarray:
    """Index permutation between little-endian (Qiskit) and wire-0-first order (it is an involution)."""
    index = np.arange(2**n_wires)
    out = np.zeros_like(index)
    for bit in range(n_wires):
        out |= ((index >> bit) & 1) << (n_wires - 1 - bit)
    return out
