"""Fidelity kernel K(x, y) = |<psi(x)|psi(y)>|^2 through the Executor protocol.

Exact: statevectors from one `states` call per tile of rows, and K for a pair of tiles from one matrix
product, |conj(Psi_x) Psi_y^T|^2. A tile holds at most TILE_AMPLITUDES amplitudes; the other side's
states are kept whole when they fit in KEEP_AMPLITUDES, else recomputed per tile, so memory stays
bounded (beyond the N x M result) however many rows there are.
Sampled (`shots`): the all-zeros frequency of the compute-uncompute circuit U(y)^dagger U(x) on the
pair [x_i, y_j]; a symmetric Gram matrix estimates the upper triangle only (the diagonal is 1 by
construction) and is then projected onto the closest positive semidefinite matrix.
Bandwidth: `scale` multiplies the inputs before encoding (an angle map's bandwidth; for the ZZ map it
is qiskit-machine-learning's convention of scaling x).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable

import numpy as np
from threadpoolctl import ThreadpoolController

from qlang.runtime.errors import CIRCUIT_MISMATCH, RuntimeDiagnostic
from qlang.runtime.methods.context import MethodContext, _quiet, require
from qlang.runtime.protocol import Executor
from qlang.runtime.targets.batching import MAX_CHUNK_AMPLITUDES

PAIRS_PER_CALL = 4096  # rows per `probs` call when estimating from shots; bounds memory, not accuracy
TILE_AMPLITUDES = MAX_CHUNK_AMPLITUDES  # 64 MiB of complex128 states per `states` call
KEEP_AMPLITUDES = 1 << 24  # 256 MiB: the column side's states are kept whole up to this size


def tile_rows(n_wires: int) -> int:
    return max(1, TILE_AMPLITUDES >> n_wires)


def _states(executor: Executor, feature_map: str, x: np.ndarray) -> np.ndarray:
    """One `states` call with BLAS on one thread: a simulator's gate products are small, and on a busy
    machine two BLAS threads made PennyLane's broadcast simulation three times slower (0.22 s against
    0.07 s for 256 rows of 8 qubits)."""
    with _threadpools().limit(limits=1, user_api="blas"):
        return executor.states(feature_map, x, None)


@functools.lru_cache(maxsize=1)
def _threadpools() -> ThreadpoolController:
    """Made once: finding the loaded thread pools takes milliseconds, limiting them microseconds."""
    return ThreadpoolController()


def states(executor: Executor, feature_map: str, x: np.ndarray) -> np.ndarray:
    """Statevectors of every row, one `states` call per tile."""
    n_wires = executor.shape(feature_map).n_wires
    rows = tile_rows(n_wires)
    out = np.empty((len(x), 2**n_wires), dtype=np.complex128)
    for start in range(0, len(x), rows):
        out[start : start + rows] = _states(executor, feature_map, x[start : start + rows])
    return out


def gram_of_states(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.conj() @ b.T) ** 2


def offdiagonal_mean(gram: np.ndarray) -> float:
    """Mean of a square Gram matrix's off-diagonal entries; near 0, the kernel has concentrated (every
    pair nearly orthogonal)."""
    return float((gram.sum() - np.trace(gram)) / max(len(gram) * (len(gram) - 1), 1))


PREVIEW_ROWS = 32  # a report shows at most this many rows of a Gram matrix (32 x 32 values in report.json)


def gram_preview(gram: np.ndarray, labels: np.ndarray | None) -> dict:
    """At most PREVIEW_ROWS rows and columns of a square Gram matrix, evenly spaced over the rows sorted by
    label, values to 4 decimals: `{"rows": row indices, "labels": their labels, "values": matrix}`. Sorted by
    class, a kernel that separates the classes shows blocks along the diagonal."""
    n = len(gram)
    order = np.argsort(labels, kind="stable") if labels is not None else np.arange(n)
    rows = order[np.unique(np.linspace(0, n - 1, min(n, PREVIEW_ROWS)).round().astype(int))]
    return {
        "rows": [int(r) for r in rows],
        "labels": [int(labels[r]) for r in rows] if labels is not None else None,
        "values": np.round(gram[np.ix_(rows, rows)], 4).tolist(),
    }


def exact_gram(
    executor: Executor,
    feature_map: str,
    x: np.ndarray,
    y: np.ndarray | None = None,
    progress: Callable[[str], None] = _quiet,
) -> np.ndarray:
    """K(x, y) (K(x, x) when y is None) from statevectors, tile by tile."""
    n_wires = executor.shape(feature_map).n_wires
    rows = tile_rows(n_wires)
    columns = x if y is None else y
    kept = states(executor, feature_map, columns) if len(columns) << n_wires <= KEEP_AMPLITUDES else None
    if y is None and kept is not None:
        return gram_of_states(kept, kept)
    out = np.empty((len(x), len(columns)))
    for start in range(0, len(x), rows):
        a = _states(executor, feature_map, x[start : start + rows])
        if kept is not None:
            out[start : start + rows] = gram_of_states(a, kept)
            continue
        for col in range(0, len(columns), rows):
            out[start : start + rows, col : col + rows] = gram_of_states(
                a, _states(executor, feature_map, columns[col : col + rows])
            )
        progress(f"kernel: {min(start + rows, len(x))}/{len(x)} rows")
    return out


def sampled_gram(
    executor: Executor,
    overlap: str,
    x: np.ndarray,
    shots: int,
    progress: Callable[[str], None] = _quiet,
    y: np.ndarray | None = None,
) -> np.ndarray:
    """K(x, y) from the all-zeros frequency of compute-uncompute circuits on [x_i, y_j]; for y None,
    the upper triangle only (the diagonal is 1 by construction), mirrored. Not projected.
    A noisy executor whose `pairwise_reason` is None draws the frequencies from its Heisenberg-picture
    probabilities (qlang.runtime.heisenberg: N + M density matrices, not one per pair); every other
    executor samples the pairs' circuits."""
    columns = x if y is None else y
    if y is None:
        rows, cols = np.triu_indices(len(x), k=1)
    else:
        rows, cols = np.divmod(np.arange(len(x) * len(y)), len(y))
    if getattr(executor, "pairwise_reason", lambda _: "not a noisy executor")(overlap) is None:
        progress(f"kernel: {len(rows)} pairs from {len(x) + len(columns)} density matrices")
        zeros = executor.overlap_zeros(overlap, x, columns, rows, cols, shots)  # type: ignore[attr-defined]
    else:
        pairs = np.hstack([x[rows], columns[cols]])
        zeros = np.empty(len(pairs))
        for start in range(0, len(pairs), PAIRS_PER_CALL):
            stop = min(start + PAIRS_PER_CALL, len(pairs))
            zeros[start:stop] = executor.probs(overlap, pairs[start:stop], None, shots)[:, 0]
            progress(f"kernel: {stop}/{len(pairs)} pairs")
    if y is not None:
        return zeros.reshape(len(x), len(y))
    gram = np.eye(len(x))
    gram[rows, cols] = zeros
    gram[cols, rows] = zeros
    return gram


def nearest_psd(gram: np.ndarray) -> np.ndarray:
    """The closest positive semidefinite matrix in Frobenius norm: symmetrise, clip negative eigenvalues."""
    symmetric = (gram + gram.T) / 2.0
    values, vectors = np.linalg.eigh(symmetric)
    return (vectors * np.clip(values, 0.0, None)) @ vectors.T


def check_inputs(name: str, circuit_inputs: int, needed: int) -> None:
    if circuit_inputs != needed:
        raise RuntimeDiagnostic(
            CIRCUIT_MISMATCH,
            f"circuit '{name}' takes {circuit_inputs} inputs, the reduced data has {needed}",
            help="the circuit and the stage must agree on qubits and encoding",
        )


class FidelityKernel:
    """A method's fidelity kernel: its `feature_map` circuit when exact, its `overlap` circuit with
    `shots`; inputs multiplied by `scale` (the bandwidth) before encoding."""

    def __init__(self, ctx: MethodContext, shots: int | None, scale: float = 1.0):
        require(shots is None or int(shots) >= 1, f"shots must be a positive count, got {shots}")
        self.ctx, self.shots, self.scale = ctx, None if shots is None else int(shots), float(scale)
        self.name, shape = ctx.circuit("feature_map" if shots is None else "overlap")
        self.inputs = shape.n_inputs if shots is None else shape.n_inputs // 2
        if shots is not None:
            ctx.quantum.reseed(ctx.seed)

    @property
    def label(self) -> str:
        return "exact" if self.shots is None else f"{self.shots} shots"

    def with_scale(self, scale: float) -> FidelityKernel:
        other = copy.copy(self)
        other.scale = float(scale)
        return other

    def _scaled(self, x: np.ndarray) -> np.ndarray:
        check_inputs(self.name, self.inputs, x.shape[1])
        return x * self.scale if self.scale != 1.0 else x

    def states(self, x: np.ndarray) -> np.ndarray:
        """Statevectors (exact kernels only): Grams of subsets then cost one matrix product each."""
        assert self.shots is None
        return states(self.ctx.quantum, self.name, self._scaled(x))

    def __call__(self, x: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
        x = self._scaled(x)
        y = None if y is None else self._scaled(y)
        if self.shots is None:
            return exact_gram(self.ctx.quantum, self.name, x, y, self.ctx.progress)
        gram = sampled_gram(self.ctx.quantum, self.name, x, self.shots, self.ctx.progress, y)
        return nearest_psd(gram) if y is None else gram
