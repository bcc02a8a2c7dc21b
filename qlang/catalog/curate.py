"""curate: data collection and cleaning."""

from typing import Any

from qlang.catalog.schema import (
    COSTS_AT,
    KERNEL_ROLES,
    QUBITS,
    SHOTS,
    Entry,
    p_enum,
    p_float,
    p_int,
)

ENCODING = p_enum("encoding", ("angle", "amplitude", "zz"), "angle", "how a data point becomes a quantum state")
BANDWIDTH = p_float(
    "bandwidth",
    None,
    0.0,
    10.0,
    "scales the encoded angles (kernel bandwidth); none = 1.0 for "
    "angle, 0.1 for zz, where 1.0 makes nearly every pair of states orthogonal",
    exclusive_min=True,
    nullable=True,
)
CLUSTERS = p_int("clusters", None, 2, 256, "number of clusters; none = the number of label classes", nullable=True)
N_INIT = p_int("n_init", 10, 1, 1000, "restarts; the best objective wins")
MAX_ITER = p_int("max_iter", 100, 1, 100_000, "iterations per restart")
RUN = "qlang.runtime.methods.curate:"
DEDUP = "qlang.runtime.methods.dedup:"
# run-time settings a spec cannot set. limit None: every row; n: a stratified subsample of n rows.
# kmeans sees the reduced features its quantum method would (a baseline inherits qubits and encoding from it);
# alone, these defaults apply. duplicates: near-duplicates injected per row, so precision and recall have a truth.
KMEANS_SETTINGS = {"qubits": 4, "encoding": "angle", "limit": None}
DEDUP_SETTINGS: dict[str, Any] = {"limit": None, "duplicates": 0.2}
THRESHOLD = p_float("threshold", 0.95, 0.0, 1.0, "similarity above which two items are duplicates")


def _encoded_qubits(params):
    return params.get("qubits")


ENTRIES = [
    Entry(
        "quantum_kmeans",
        "method",
        "Kernel k-means in a quantum feature space: the fidelity |<ψ(x)|ψ(y)>|² of encoded states is the "
        "similarity (exact, or estimated from compute–uncompute circuits with `shots`).",
        (
            CLUSTERS,
            ENCODING,
            QUBITS,
            p_int("reps", 2, 1, 16, "feature-map repetitions (zz encoding)"),
            BANDWIDTH,
            SHOTS,
            N_INIT,
            MAX_ITER,
        ),
        stage="curate",
        family="quantum",
        inputs=("dataset",),
        output="dataset",
        baselines=("kmeans",),
        metrics=("ari", "nmi", "objective", "kept_fraction"),
        qubits=_encoded_qubits,
        run=RUN + "quantum_kmeans",
        roles=KERNEL_ROLES,
        circuits="qlang.circuits.library:kmeans_circuits",
        cost=COSTS_AT + "quantum_kmeans",
        settings={"limit": None},
    ),
    Entry(
        "quantum_dedup",
        "method",
        "Near-duplicate removal: pairs whose state fidelity exceeds `threshold` are duplicates.",
        (THRESHOLD, ENCODING, QUBITS, BANDWIDTH, SHOTS),
        stage="curate",
        family="quantum",
        inputs=("dataset",),
        output="dataset",
        baselines=("cosine_dedup",),
        metrics=("precision", "recall", "f1", "kept_fraction"),
        primary="f1",
        qubits=_encoded_qubits,
        run=DEDUP + "quantum_dedup",
        roles=KERNEL_ROLES,
        circuits="qlang.circuits.library:kmeans_circuits",
        cost=COSTS_AT + "quantum_dedup",
        settings=DEDUP_SETTINGS,
    ),
    Entry(
        "kmeans",
        "method",
        "Lloyd's k-means (scikit-learn) on the same reduced features the quantum method sees.",
        (CLUSTERS, N_INIT, MAX_ITER),
        stage="curate",
        inputs=("dataset",),
        output="dataset",
        metrics=("ari", "nmi", "objective", "kept_fraction"),
        run=RUN + "kmeans",
        cost=COSTS_AT + "kmeans",
        settings=KMEANS_SETTINGS,
    ),
    Entry(
        "cosine_dedup",
        "method",
        "Near-duplicate removal by cosine similarity of embeddings above `threshold`.",
        (THRESHOLD,),
        stage="curate",
        inputs=("dataset",),
        output="dataset",
        metrics=("precision", "recall", "f1", "kept_fraction"),
        primary="f1",
        run=DEDUP + "cosine_dedup",
        cost=COSTS_AT + "cosine_dedup",
        settings={**DEDUP_SETTINGS, "qubits": 5, "encoding": "amplitude"},
    ),
]
