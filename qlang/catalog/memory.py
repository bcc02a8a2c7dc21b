"""Peak memory of one method run, estimated from its parameters and the data size before anything runs,
so that `qlc check` (Q405) and `qlc run` refuse a stage this machine cannot hold instead of the run dying
in the allocator (a 1.2 M-row `quantum_kmeans` once asked numpy for 22.6 TiB).

    peak = RUNTIME_BYTES + encoder + data + the method's largest arrays + simulator working set

All sizes in bytes. Each term, and the runtime code it follows:
- RUNTIME_BYTES: Python with numpy, scikit-learn and a target SDK imported, measured (ru_maxrss of a
  two-row `qlc run`); ENCODER_BYTES: torch and MiniLM, loaded when a data source has text.
- data: rows × width float64, twice (the loaded features and runtime.encoder.features_of's standardised
  copy); a text column is a 384-wide embedding.
- arrays: a fidelity kernel's Gram matrix (runtime.methods.kernel): exact, a complex rows × columns
  product and its modulus are alive at once (GRAM_EXACT_BYTES per entry), plus the kept
  column states; sampled, the pair indices, the stacked pair inputs and the result (gram_bytes).
  Few-shot training (`examples_per_class`) and anomaly splits shrink the rows as the cost models do.
- simulator: statevectors in chunks of at most CHUNK_AMPLITUDES amplitudes, or one statevector when that
  is larger (runtime.targets.batching), 16 bytes each, SIMULATOR_COPIES of a chunk alive at once.

Only what grows with the spec is modelled; small models and optimiser state are inside RUNTIME_BYTES."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

from qlang.catalog.costs import BUILTIN_ROWS, DEDUP_FRACTION, EMBEDDING, TUNING_ROWS, anomaly_split, training_rows

FLOAT = 8
AMPLITUDE = 16  # complex128
CHUNK_AMPLITUDES = 1 << 22  # runtime.targets.batching.MAX_CHUNK_AMPLITUDES
KEEP_AMPLITUDES = 1 << 24  # runtime.methods.kernel.KEEP_AMPLITUDES
SIMULATOR_COPIES = 4  # an assumption from one measurement: a 26-qubit run (1 GiB statevector) died at 4.7 GB
GRAM_EXACT_BYTES = 24  # |conj(A) B^T|^2: the complex product (16) and its modulus (8) are alive at once
RUNTIME_BYTES = 560 * 2**20  # measured: a 569-row, 10-qubit quantum_kmeans run peaks at 566 MiB, nearly all imports
ENCODER_BYTES = 300 * 2**20  # assumption: transformers and MiniLM's 90 MB of weights, when texts are not cached
BUILTIN_WIDTH = {"breast_cancer": 30, "wine": 13, "digits": 64, "vader_lexicon": EMBEDDING}
assert set(BUILTIN_WIDTH) >= set(BUILTIN_ROWS)


def data_width(source: dict) -> int:
    """Features a data source yields per row (a text column counts as its embedding)."""
    name, params = source["name"], source["params"]
    if name in BUILTIN_WIDTH:
        return BUILTIN_WIDTH[name]
    return (EMBEDDING if params.get("text") else 0) + len(params.get("features") or [])


def has_text(source: dict) -> bool:
    return source["name"] == "vader_lexicon" or bool(source["params"].get("text"))


def gram_bytes(rows: float, columns: float | None, qubits: int, shots, inputs: int) -> float:
    """One Gram matrix as runtime.methods.kernel computes it: rows × columns (columns None: symmetric)."""
    cols = rows if columns is None else columns
    if shots is None:
        kept = min(cols * 2**qubits, KEEP_AMPLITUDES) * AMPLITUDE
        return rows * cols * GRAM_EXACT_BYTES + kept
    pairs = rows * (rows - 1) / 2 if columns is None else rows * cols
    # pair indices (2 int64), stacked pair inputs (2 × inputs float64), frequencies, and the matrix
    return pairs * FLOAT * (2 + 2 * inputs + 1) + rows * cols * FLOAT


def simulator_bytes(qubits: int | None, rows: float) -> float:
    """The simulator's working set for batches of `rows` rows (runtime.targets.batching.chunks)."""
    if not qubits:
        return 0.0
    chunk = max(2.0**qubits, min(rows * 2.0**qubits, CHUNK_AMPLITUDES))
    return SIMULATOR_COPIES * AMPLITUDE * chunk


def _inputs(p: dict) -> int:
    q = p.get("qubits") or 1
    return 2**q if p.get("encoding") == "amplitude" else q


def _kmeans(p: dict, n: int, classes: int) -> float:
    return gram_bytes(n, None, p["qubits"], p["shots"], _inputs(p))


def _encode(p: dict, n: int, classes: int) -> float:
    """The whole Gram matrix, then each fold's training block copied for scikit-learn's SVC."""
    train = n * (p["folds"] - 1) / p["folds"]
    return gram_bytes(n, None, p["qubits"], p["shots"], _inputs(p)) + train * n * FLOAT


def _quantum_dedup(p: dict, n: int, classes: int) -> float:
    m = n * (1 + DEDUP_FRACTION)
    return gram_bytes(m, None, p["qubits"], p["shots"], _inputs(p)) + m * m * FLOAT


def _cosine_dedup(p: dict, n: int, classes: int) -> float:
    m = n * (1 + DEDUP_FRACTION)
    return 2 * m * m * FLOAT  # the similarity matrix and its thresholded copy


def _ocsvm(p: dict, n: int, classes: int) -> float:
    train, test = anomaly_split(p, n, classes)
    q, shots = p["qubits"], p["shots"]
    return max(gram_bytes(train, None, q, shots, q), gram_bytes(test, train, q, shots, q)) + train * train * FLOAT


def _mmd(p: dict, n: int, classes: int) -> float:
    """The pooled window's Gram (2 × window rows), the tuning Grams, and on an exact simulator every
    window's states from one call."""
    q, w2, shots = p["qubits"], 2 * p["window"], p["shots"]
    grams = max(gram_bytes(w2, None, q, shots, q), gram_bytes(min(TUNING_ROWS, n // 2), None, q, shots, q))
    pooled = 2 * p.get("trials", 1) * w2 * 2**q * AMPLITUDE if shots is None else 0.0
    return grams + pooled


def _knn(p: dict, n: int, classes: int) -> float:
    return min(n * n * FLOAT, 2**30)  # scikit-learn's pairwise distances, chunked to its 1 GiB working memory


def _rbf_svm(p: dict, n: int, classes: int) -> float:
    return min(n * n * FLOAT, 200 * 2**20)  # libsvm's kernel cache (SVC cache_size=200 MB) bounds it


def _training(p: dict, n: int, classes: int) -> float:
    """A trained head's largest training set (few-shot rows when `examples_per_class` is set), its inputs
    and activations in float64, three copies (inputs, gradients, the optimiser's batch)."""
    rows = max(training_rows(p, n, classes)) if "folds" in p else n
    width = max(p.get("qubits") or 4, p.get("hidden") or 0, p.get("units") or 0)
    return 3 * rows * width * FLOAT


# method → the bytes of its largest arrays alive at once (beyond data, simulator and runtime); a method
# not named here holds nothing that grows faster than its data
ARRAYS: dict[str, Callable[[dict, int, int], float]] = {
    "quantum_kmeans": _kmeans,
    "amplitude_encoding": _encode,
    "angle_encoding": _encode,
    "zz_feature_map": _encode,
    "projected_quantum_kernel": _encode,
    "quantum_dedup": _quantum_dedup,
    "cosine_dedup": _cosine_dedup,
    "quantum_ocsvm": _ocsvm,
    "quantum_kernel_mmd": _mmd,
    "projected_kernel_mmd": _mmd,
    "knn": _knn,
    "rbf_svm": _rbf_svm,
    "hybrid_qnn_head": _training,
    "quantum_distillation": _training,
    "hybrid_layer": _training,
    "dense_layer": _training,
    "mlp": _training,
    "logistic_regression": _training,
    "svm": _training,
}


def method_bytes(name: str, params: dict, rows: int, classes: int, qubits: int | None) -> float:
    """The method's own arrays and the simulator's working set on `rows` rows (no runtime, no data)."""
    arrays = ARRAYS.get(name)
    own = 0.0
    if arrays is not None:
        try:
            own = arrays(params, rows, classes)
        except (KeyError, TypeError):  # a plug-in's parameters under a known name: count no arrays
            own = 0.0
    return own + simulator_bytes(qubits, rows)


def data_bytes(rows: int, width: int) -> float:
    return 2.0 * rows * width * FLOAT


def runtime_bytes(texts: bool) -> float:
    return RUNTIME_BYTES + (ENCODER_BYTES if texts else 0)


def format_bytes(n: float) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{math.ceil(n / 2**10):,} KiB"


@dataclass(frozen=True)
class StagePeak:
    """A stage's estimated peak: `bytes` in all, on `rows` rows, the largest of its method's sweep points and
    its baselines (`widest` names which)."""

    name: str
    rows: int
    qubits: int | None
    bytes: float
    widest: str
    simulator: float = 0.0  # of `bytes`, the widest candidate's statevectors (the rest: runtime, data, arrays)


def stage_peaks(pipeline, spec_dir=None) -> list[StagePeak]:
    """Every stage's estimated peak memory (an ir.Pipeline; files are counted, not loaded). A stage's rows
    are its input's: a source's (after `limit`), or the stage it reads from."""
    from qlang.catalog.calls import REFERENCES
    from qlang.catalog.costs import data_rows
    from qlang.catalog.devices import with_shots
    from qlang.sweep import points

    sources = {d.name: d.source.model_dump() for d in pipeline.data}
    sizes = {name: (*data_rows(src, spec_dir), data_width(src)) for name, src in sources.items()}
    base = runtime_bytes(any(has_text(src) for src in sources.values()))
    peaks = []
    for s in pipeline.stages:
        rows, classes, width = sizes.get(s.input, (1, 2, 0))
        sizes[s.name] = (rows, classes, width)
        candidates = [(s.method.name, p, s.method.family) for p in points(s.method.params, s.method.sweep)]
        for b in s.baselines:
            candidates += [(b.name, {**s.method.params, **p}, b.family) for p in points(b.params, b.sweep)]
        reference = REFERENCES.get(s.method.name)
        if reference is not None:
            candidates.append((reference["name"], {**s.method.params, **reference["params"]}, "classical"))
        sized = []
        shots_points = list(dict.fromkeys(p.shots for p in pipeline.device_points()))  # a sweep's: its widest
        for (name, params, family), shots in itertools.product(candidates, shots_points):
            params = with_shots(params, shots) if shots is not None else params
            qubits = (params.get("qubits") or s.qubits) if family == "quantum" else None
            sized.append((method_bytes(name, params, rows, classes, qubits), name, simulator_bytes(qubits, rows)))
        own, widest, states = max(sized, default=(0.0, s.method.name, 0.0))
        peaks.append(StagePeak(s.name, rows, s.qubits, base + data_bytes(rows, width) + own, widest, states))
    return peaks


def available_bytes() -> int:
    """Memory this machine can give a run now: QLANG_AVAILABLE_BYTES when set, else QLANG_MEMORY_BYTES (the
    machine size Q401 assumes), else the kernel's MemAvailable (free memory plus reclaimable caches), else
    the physical memory. A value that is not a whole number of bytes is ignored."""
    import os

    for name in ("QLANG_AVAILABLE_BYTES", "QLANG_MEMORY_BYTES"):
        override = os.environ.get(name, "").strip()
        if override.isdigit():
            return int(override)
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30
