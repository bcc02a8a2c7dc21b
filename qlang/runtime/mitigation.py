"""Readout-error mitigation by tensored (local) calibration, the same on both targets.

Calibration: two circuits on the same noisy device as the stage — every qubit left in |0⟩, and every
qubit flipped to |1⟩ by an X gate — each measured with the stage's shots. Qubit q's confusion matrix
A_q[i, j] = P(q reads i | q prepared j) takes column j from the marginal of the circuit that prepared j
(Bravyi, Sheldon, Kandala, Mckay & Gambetta, "Mitigating measurement errors in multiqubit experiments",
PRA 103, 042605 (2021): the tensored model, as Qiskit Experiments' LocalReadoutMitigator uses it).

Mitigation applies ⊗_q A_q⁻¹ to measured frequencies (B, 2**n), wire 0 the most significant bit, and
projects each row, which may have negative entries, onto the nearest probability vector in the 2-norm
(Smolin, Gambetta & Smith, PRL 108, 070502 (2012)). A singular A_q (a qubit that reads at random) gets
its pseudo-inverse: that qubit's readout carries no information to recover.

The calibration's shots are measured shots like any other: the executor counts them (and so does the
QPU energy). The calibration's own noise (the X gates') is part of what it measures, as on hardware.
"""

from __future__ import annotations

import numpy as np

MITIGATIONS = ("none", "readout")  # the stage setting `mitigation`
CALIBRATION_CIRCUITS = 2  # per circuit width: all |0⟩, all |1⟩


def confusion_matrices(zeros: np.ndarray, ones: np.ndarray, n_wires: int) -> np.ndarray:
    """(n, 2, 2) per-wire confusion matrices from the frequencies (2**n,) measured after preparing all
    |0⟩ (`zeros`) and all |1⟩ (`ones`); column j of wire q is q's marginal after preparing j."""
    out = np.empty((n_wires, 2, 2))
    for j, freqs in enumerate((zeros, ones)):
        grid = np.asarray(freqs, dtype=float).reshape([2] * n_wires)
        for wire in range(n_wires):
            others = tuple(a for a in range(n_wires) if a != wire)
            out[wire, :, j] = grid.sum(axis=others) if others else grid
    return out


def apply_per_wire(probs: np.ndarray, matrices: np.ndarray) -> np.ndarray:
    """(B, 2**n) with matrix `matrices[q]` applied on wire q's index of every row."""
    n_wires = matrices.shape[0]
    out = probs.reshape(probs.shape[0], *([2] * n_wires))
    for wire in range(n_wires):
        out = np.moveaxis(np.tensordot(out, matrices[wire], axes=([wire + 1], [1])), -1, wire + 1)
    return out.reshape(probs.shape)


def nearest_probabilities(quasi: np.ndarray) -> np.ndarray:
    """Each row of `quasi` (sums to 1, may be negative) as the nearest probability vector in the 2-norm
    (Smolin, Gambetta & Smith 2012: zero the most negative entries, spreading their deficit evenly)."""
    out = np.empty_like(quasi)
    for r, row in enumerate(quasi):
        order = np.argsort(row)
        values = row[order].astype(float)
        deficit, n = 0.0, len(values)
        for i in range(n):
            if values[i] + deficit / (n - i) >= 0:
                values[i:] += deficit / (n - i)
                break
            deficit += values[i]
            values[i] = 0.0
        out[r, order] = values
    return out


def mitigate(freqs: np.ndarray, matrices: np.ndarray) -> np.ndarray:
    """Measured frequencies (B, 2**n) with the readout errors of `matrices` (n, 2, 2) undone."""
    inverses = np.array([np.linalg.pinv(m) for m in matrices])
    return nearest_probabilities(apply_per_wire(np.asarray(freqs, dtype=float), inverses))
