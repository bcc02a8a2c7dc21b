"""The projected quantum kernel (Huang et al., "Power of data in quantum machine learning", Nature
Communications 12, 2631, 2021): every row x becomes the one-qubit reduced density matrices rho_k(x) of its
encoded state, and

    k(x, x') = exp(-gamma * sum_k ||rho_k(x) - rho_k(x')||_F^2).

rho_k = (I + <X_k> X + <Y_k> Y + <Z_k> Z) / 2, so ||rho_k - rho_k'||_F^2 = (1/2) sum_P (<P_k> - <P_k>')^2:
the kernel needs only the 3n Pauli expectation values of each row, from three circuits (the feature map
measured in the Z, X and Y bases), n rows x 3 circuits instead of the fidelity kernel's n^2 / 2
compute-uncompute circuits on hardware. Bowles, Ahmed and Schuld ("Better than classical? The subtle art of
benchmarking quantum machine learning models", 2024) found it the strongest quantum model of their study.

This folder is the whole method: the catalog entries and the circuits here (light: the checks import them),
the cost models in `cost.py`, the implementation in `run.py` (imported only when a stage runs).
"""

from __future__ import annotations

from qlang.catalog.encode import BASELINES, FOLDS
from qlang.catalog.monitor import ALPHA, DRIFT, DRIFT_SETTINGS, PERMUTATIONS, WINDOW
from qlang.catalog.schema import QUBITS, SHOTS, Entry, p_enum, p_float, p_int

HERE = "qlang.methods.projected_quantum_kernel"
ROLES = ("feature_map", "x_basis", "y_basis")  # the map measured in Z, then in X, then in Y
REFERENCE = "Huang et al. 2021, Nat. Commun. 12, 2631, doi:10.1038/s41467-021-22539-9"

ENCODING = p_enum("encoding", ("zz", "angle"), "zz", "the feature map whose one-qubit marginals are compared")
REPS = p_int("reps", 2, 1, 16, "feature-map repetitions (zz encoding)")
BANDWIDTH = p_float(
    "bandwidth",
    None,
    0.0,
    10.0,
    "scales the encoded angles; none = 0.1 for zz (at 0.5 its marginals no longer separate breast-cancer "
    "classes: AUC 0.56 against 0.96), 1.0 for angle",
    exclusive_min=True,
    nullable=True,
)
GAMMA = p_float(
    "gamma",
    None,
    0.0,
    1000.0,
    "kernel width gamma, tuned ×0.25, ×1, ×4 with C as rbf_svm's; none = 1 / the mean projected distance "
    "of the training rows (scikit-learn's `scale` rule)",
    exclusive_min=True,
    nullable=True,
)


def _q(params):
    return params.get("qubits")


ENTRIES = [
    Entry(
        "projected_quantum_kernel",
        "method",
        "Projected quantum kernel (Huang et al. 2021): exp(-gamma sum_k ||rho_k(x) - rho_k(x')||_F^2) over the "
        "one-qubit reduced density matrices of the encoded states, in a precomputed-kernel SVM.",
        (QUBITS, ENCODING, REPS, BANDWIDTH, GAMMA, FOLDS, SHOTS),
        stage="encode",
        family="quantum",
        inputs=("dataset",),
        output="dataset",
        baselines=BASELINES,
        metrics=("qubits", "auc", "accuracy"),
        primary="auc",
        qubits=_q,
        reference=REFERENCE,
        run=f"{HERE}.run:projected_quantum_kernel",
        roles=ROLES,
        circuits=f"{HERE}:circuits",
        cost=f"{HERE}.cost:encode",
        settings={"limit": None, "C": 1.0},
    ),
    Entry(
        "projected_kernel_mmd",
        "method",
        "Drift detection: unbiased MMD² with the projected quantum kernel, permutation test on one pooled Gram "
        "matrix; the kernel width is tuned on reference rows like quantum_kernel_mmd's bandwidth.",
        (
            WINDOW,
            ALPHA,
            PERMUTATIONS,
            QUBITS,
            ENCODING,
            REPS,
            BANDWIDTH,
            SHOTS,
        ),
        stage="monitor",
        family="quantum",
        inputs=("dataset", "model"),
        output="report",
        baselines=("rbf_mmd", "ks_test"),
        metrics=DRIFT,
        primary="power",
        qubits=_q,
        reference=REFERENCE,
        run=f"{HERE}.run:projected_kernel_mmd",
        roles=ROLES,
        circuits=f"{HERE}:circuits",
        cost=f"{HERE}.cost:mmd",
        settings=DRIFT_SETTINGS,
    ),
]


def circuits(params) -> dict:
    """Roles "feature_map" (the encoding: ZZ map with `reps` or RY angle map, angles scaled by `bandwidth`, by
    default 0.1 for zz and 1.0 for angle),
    "x_basis" (then H on every wire) and "y_basis" (then S^dagger and H on every wire): <Z_i> of each is
    <Z_i>, <X_i> and <Y_i> of the encoded state."""
    from qlang.circuits.ir import Circuit, Gate
    from qlang.circuits.library import DEFAULT_BANDWIDTH, angle_map, zz_map

    q, encoding = params["qubits"], params.get("encoding", "zz")
    bandwidth = float(params.get("bandwidth") or DEFAULT_BANDWIDTH[encoding])
    if encoding == "zz":
        feature_map = zz_map(q, reps=params.get("reps", 2), bandwidth=bandwidth)
    else:
        feature_map = angle_map(q, scale=bandwidth)
    x_turn = [Gate("h", (i,)) for i in range(q)]
    y_turn = [g for i in range(q) for g in (Gate("sdg", (i,)), Gate("h", (i,)))]
    n = feature_map.n_inputs
    return {
        "feature_map": Circuit("feature_map", q, n, 0, feature_map.ops),
        "x_basis": Circuit("x_basis", q, n, 0, (*feature_map.ops, *x_turn)),
        "y_basis": Circuit("y_basis", q, n, 0, (*feature_map.ops, *y_turn)),
    }
