"""monitor: maintenance and monitoring — drift and anomalies."""

from typing import Any

from qlang.catalog.schema import (
    CIRCUITS_AT,
    COSTS_AT,
    KERNEL_ROLES,
    QUBITS,
    SHOTS,
    Entry,
    p_float,
    p_int,
)

WINDOW = p_int("window", 64, 4, 1_000_000, "samples per window")
ALPHA = p_float("alpha", 0.05, 0.0, 0.5, "test level", exclusive_min=True)
PERMUTATIONS = p_int("permutations", 200, 10, 100_000, "permutations")
NU = p_float("nu", 0.1, 0.0, 1.0, "outlier fraction bound", exclusive_min=True)
DRIFT = ("type1_error", "power")
ANOMALY = ("auroc", "average_precision")
RUN = "qlang.runtime.methods.monitor:"
# run-time settings: limit None uses every row; trials null and drifted windows each; shift the injected
# drift; contamination the anomalies' share of the test rows. A baseline alone reduces to `qubits` features
# (and uses `permutations`); beside its method it inherits the method's.
DRIFT_SETTINGS: dict[str, Any] = {"limit": None, "trials": 20, "shift": 0.25}
BASELINE_DRIFT_SETTINGS = {**DRIFT_SETTINGS, "qubits": 4, "permutations": 200}
ANOMALY_SETTINGS = {"limit": None, "contamination": 0.1}
QUANTUM_ANOMALY_SETTINGS = {**ANOMALY_SETTINGS, "bandwidth": 1.0}
BASELINE_ANOMALY_SETTINGS = {**ANOMALY_SETTINGS, "qubits": 4}


def _refs(name, circuits=""):
    return {"run": RUN + name, "cost": COSTS_AT + name, "roles": KERNEL_ROLES if circuits else (), "circuits": circuits}


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
            PERMUTATIONS,
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
        settings=DRIFT_SETTINGS,
        **_refs("quantum_kernel_mmd", CIRCUITS_AT + "angle_kernel_circuits"),
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
        settings=QUANTUM_ANOMALY_SETTINGS,
        **_refs("quantum_ocsvm", CIRCUITS_AT + "angle_kernel_circuits"),
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
        settings=BASELINE_DRIFT_SETTINGS,
        **_refs("rbf_mmd"),
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
        settings=BASELINE_DRIFT_SETTINGS,
        **_refs("ks_test"),
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
        settings=BASELINE_ANOMALY_SETTINGS,
        **_refs("rbf_ocsvm"),
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
        settings=BASELINE_ANOMALY_SETTINGS,
        **_refs("isolation_forest"),
    ),
]
