"""Cost models of the projected quantum kernel: 3 circuits per row (the map measured in Z, X and Y), then
classical work on 3n-dimensional vectors; on a QPU, 3 circuits per row, each with its shots."""

from __future__ import annotations

from qlang.catalog.costs import (
    BANDWIDTHS,
    MMD_TRIALS,
    SETUP_CALLS,
    SETUP_FITS,
    TUNING_ROWS,
    Work,
    _gates_feature_map,
    _ops_feature_map,
    svm_fits_per_fold,
)


def _projections(p: dict, rows: float, calls: float) -> Work:
    q = p["qubits"]
    encoding, reps = p.get("encoding", "zz"), p.get("reps", 2)
    gates = _gates_feature_map(q, encoding, reps) + 2 * q  # + the basis turns
    return Work(
        circuit_rows=3 * rows,
        amplitude_ops=3 * rows * gates * 2**q,
        executor_calls=SETUP_CALLS + 3 * calls,
        gates_per_call=_ops_feature_map(q, encoding, reps) + 2 * q,
        flops=3 * rows * 2**q * q * 2,  # each <Z_i> from the probabilities
        shots=p.get("shots"),
        qpu_circuits={"feature_map": rows, "x_basis": rows, "y_basis": rows},
    )


def encode(p: dict, n: int, classes: int) -> Work:
    folds = p["folds"]
    work = _projections(p, n, 1)
    fits = svm_fits_per_fold(3)  # gamma x C, as rbf_svm (qlang.runtime.methods.encode.GAMMA_FACTORS)
    work.flops += n * n * 3 * p["qubits"] * 3 + folds * fits * (n * (folds - 1) / folds) ** 2 * 20
    work.fits = SETUP_FITS
    work.scored_fits = folds * fits
    return work


def mmd(p: dict, n: int, classes: int) -> Work:
    """The reference's first TUNING_ROWS rows projected once for gamma and once per candidate width, then every
    window's rows in one batch per circuit."""
    w2, trials, t = 2 * p["window"], p.get("trials", MMD_TRIALS), min(TUNING_ROWS, n // 2)
    rows = 2 * trials * w2 + (BANDWIDTHS + 1) * t
    work = _projections(p, rows, BANDWIDTHS + 2)
    work.flops += 2 * trials * (w2 * w2 * 3 * p["qubits"] * 3 + p["permutations"] * w2 * w2 * 2)
    work.flops += BANDWIDTHS * t**2 * 3
    work.fits = SETUP_FITS
    return work
