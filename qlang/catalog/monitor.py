"""monitor: maintenance and monitoring — drift and anomalies."""

from qlang.catalog.schema import QUBITS, SHOTS, Entry, p_float, p_int

WINDOW = p_int("window", 64, 4, 1_000_000, "samples per window")
ALPHA = p_float("alpha", 0.05, 0.0, 0.5, "test level", exclusive_min=True)
NU = p_float("nu", 0.1, 0.0, 1.0, "outlier fraction bound", exclusive_min=True)
DRIFT = ("type1_error", "power")
ANOMALY = ("auroc", "average_precision")


def _q(params):
    return params.get("qubits")


ENTRIES = [
    Entry(
        "quantum_kernel_mmd",
        "method",
        "Drift detection: unbiased MMD² with a fidelity kernel, permutation test on one pooled Gram matrix.",
        (
            WINDOW,
            ALPHA,
            p_int("permutations", 200, 10, 100_000, "permutations"),
            QUBITS,
            p_float("bandwidth", 1.0, 0.0, 10.0, "kernel bandwidth", exclusive_min=True),
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
        runnable=True,
    ),
    Entry(
        "quantum_ocsvm",
        "method",
        "One-class SVM on a fidelity kernel.",
        (NU, QUBITS, SHOTS),
        stage="monitor",
        family="quantum",
        inputs=("dataset", "model"),
        output="report",
        baselines=("rbf_ocsvm", "isolation_forest"),
        metrics=ANOMALY,
        qubits=_q,
        runnable=True,
    ),
    Entry(
        "rbf_mmd",
        "method",
        "MMD² with an RBF kernel (median heuristic).",
        (WINDOW, ALPHA),
        stage="monitor",
        inputs=("dataset", "model"),
        output="report",
        metrics=DRIFT,
        primary="power",
        runnable=True,
    ),
    Entry(
        "ks_test",
        "method",
        "Per-feature Kolmogorov–Smirnov tests, Bonferroni-corrected.",
        (WINDOW, ALPHA),
        stage="monitor",
        inputs=("dataset", "model"),
        output="report",
        metrics=DRIFT,
        primary="power",
        runnable=True,
    ),
    Entry(
        "rbf_ocsvm",
        "method",
        "One-class SVM with an RBF kernel.",
        (NU,),
        stage="monitor",
        inputs=("dataset", "model"),
        output="report",
        metrics=ANOMALY,
        runnable=True,
    ),
    Entry(
        "isolation_forest",
        "method",
        "Isolation forest.",
        (p_int("n_estimators", 100, 1, 10_000, "trees"),),
        stage="monitor",
        inputs=("dataset", "model"),
        output="report",
        metrics=ANOMALY,
        runnable=True,
    ),
]
