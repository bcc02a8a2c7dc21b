"""A noisy overlap Gram matrix from 2N density matrices instead of N(N-1)/2 (the Heisenberg picture).

A compute-uncompute circuit is a first part A(x) reading only the first k inputs, then a second part
B(y) reading only the rest (compute_uncompute: U(x) then U(y)†). On a noisy device every gate g is
followed by its channel N_g, and the probability of reading all zeros is

    k(x, y) = Tr[E · Φ_B(y)(Φ_A(x)(|0⟩⟨0|))] = Tr[ρ_x · σ_y],   ρ_x = Φ_A(x)(|0⟩⟨0|),   σ_y = Φ_B(y)†(E),

where E = ⊗_q diag(1 − r, r) is the POVM element of reading all zeros under the symmetric readout flip r
(itself a normalised product density matrix). For Φ_B = N_m∘G_m∘…∘N_1∘G_1 (G_i(ρ) = g_i ρ g_i†) the
adjoint is Φ_B† = G_1†∘N_1†∘…∘G_m†∘N_m†: start from E and walk B's gates from the LAST to the first,
applying each gate's channel adjoint first and then the gate's inverse. Depolarizing and phase damping are
Pauli channels (Hermitian Pauli Kraus operators), so N† = N, and Pauli channels commute, so their order
within one gate's noise does not matter. For compute_uncompute, B's gates walked backwards and inverted
are U(y)'s gates in forward order: σ_y is the feature map run on E with the noise BEFORE each gate.

So each row costs one density-matrix simulation per side (ρ for the N rows, σ for the M columns) and the
whole N×M matrix of exact probabilities is one matrix product, K = Re(vec(ρ) · vec(σ)^H) (σ Hermitian).
Shots are then drawn as the pairwise path does: the all-zeros count of a circuit is Binomial(shots, k).

Where the identity does not hold the executor keeps the pairwise path (`pairwise_reason`): amplitude
damping (not self-adjoint: its adjoint is not trace-preserving, so not a channel the simulators apply),
mitigation (readout needs every outcome's frequency, not the all-zeros one; zero-noise extrapolation folds
the whole circuit, which then no longer splits), and
circuits that do not split into an x part and a y part (amplitude encodings, which the executors bind row
by row, are refused too).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pairwise_reason(noise, mitigation: str, split: int | None) -> str | None:
    """Why an overlap Gram must be sampled circuit by circuit; None when the Heisenberg path is exact."""
    if noise.amplitude_damping > 0:
        return "amplitude damping is not self-adjoint"
    if mitigation != "none":
        return f"mitigation {mitigation!r} works circuit by circuit (readout on every outcome, zne on folds)"
    if split is None:
        return "the circuit is not a part reading x followed by a part reading y"
    return None


def split_point(reads: Sequence[set[int]], k: int) -> int | None:
    """Where a circuit whose instruction i reads the input columns `reads[i]` splits into a part reading only
    columns < k and a part reading only columns >= k (the first instruction that reads one of the latter);
    None when some instruction reads both sides, an x instruction follows a y one, or nothing reads y."""
    sides = []
    for columns in reads:
        side = {c >= k for c in columns}
        if len(side) > 1:
            return None
        sides.append(side.pop() if side else None)
    if True not in sides:
        return None
    first = sides.index(True)
    return None if False in sides[first:] else first


def readout_effect(n_wires: int, readout: float) -> np.ndarray:
    """E = ⊗_q diag(1 − r, r): the POVM element of reading all zeros, a (2**n, 2**n) density matrix."""
    diagonal: np.ndarray = np.ones(1)
    for _ in range(n_wires):
        diagonal = np.kron(diagonal, [1.0 - readout, readout])
    return np.diag(diagonal).astype(np.complex128)


def overlaps(rho: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Tr[ρ_i σ_j] for density matrices rho (N, d, d) and Hermitian sigma (M, d, d): (N, M), real."""
    a = rho.reshape(len(rho), -1)
    b = sigma.reshape(len(sigma), -1)
    return np.real(a @ b.conj().T)


def sample_zeros(probs: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
    """All-zeros frequencies of `shots` draws per probability in `probs` (any shape)."""
    return rng.binomial(shots, np.clip(probs, 0.0, 1.0)) / shots
