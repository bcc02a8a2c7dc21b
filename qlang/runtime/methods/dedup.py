"""Near-duplicate removal, scored on near-duplicates the runtime injects: quantum (state fidelity above a
threshold) or classical (cosine similarity above a threshold), on the same reduced features.

Injection (reproducible from the seed): a fraction of the rows each gain an edited copy, appended after the
originals. Text: one to three paraphrase-like edits (swap two adjacent words, drop a word, repeat a word,
change the case, add or remove punctuation); numbers: Gaussian noise of NOISE standard deviations per
feature. The injected (original, copy) pairs are the ground truth; any other pair flagged counts as a false
positive, including pairs of rows that were alike before injection.
Removal: rows in order, each kept unless it is a duplicate of a row already kept.
Metrics: precision, recall and F1 of the flagged pairs; kept_fraction = rows kept / rows after injection
(a perfect run keeps 1 / (1 + duplicates)).
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from qlang.runtime.data import Dataset
from qlang.runtime.encoder import MiniLMEncoder, features_of
from qlang.runtime.methods.context import MethodContext, MethodResult, require
from qlang.runtime.methods.kernel import FidelityKernel
from qlang.runtime.methods.reduce import encoding_reducer

NOISE = 0.02


def quantum_dedup(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("quantum_dedup")
    data, x, truth = _prepare(ctx, data, s)
    kernel = FidelityKernel(ctx, s["shots"])
    ctx.progress(f"kernel: {len(x)} rows, {kernel.label}")
    return _result(data, kernel(x), float(s["threshold"]), truth, {"kernel": kernel.label, "inputs": x.shape[1]})


def cosine_dedup(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("cosine_dedup")
    data, x, truth = _prepare(ctx, data, s)
    unit = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return _result(data, unit @ unit.T, float(s["threshold"]), truth, {"inputs": x.shape[1]})


def inject_near_duplicates(data: Dataset, fraction: float, seed: int) -> tuple[Dataset, np.ndarray]:
    """The data with an edited copy of round(fraction * N) rows appended, and the (original, copy) pairs."""
    rng = np.random.default_rng(seed)
    n = len(data)
    originals = np.sort(rng.choice(n, size=min(n, round(fraction * n)), replace=False))
    pairs = np.stack([originals, n + np.arange(len(originals))], axis=1)
    texts = features = None
    if data.texts is not None:
        texts = list(data.texts) + [edit_text(data.texts[i], rng) for i in originals]
    if data.features is not None:
        x = np.asarray(data.features, dtype=np.float64)
        noise = rng.normal(0.0, NOISE, (len(originals), x.shape[1])) * x.std(axis=0)
        features = np.vstack([x, x[originals] + noise])
    labels = np.concatenate([data.labels, data.labels[originals]])
    return replace(data, texts=texts, features=features, labels=labels, clusters=None), pairs


def edit_text(text: str, rng: np.random.Generator) -> str:
    """One to three paraphrase-like edits; never returns the text unchanged."""
    out = text
    for _ in range(int(rng.integers(1, 4))):
        out = EDITS[int(rng.integers(len(EDITS)))](out, rng)
    return out if out != text else text + "!"


def _swap(text, rng):
    words = text.split()
    if len(words) < 2:
        return text
    i = int(rng.integers(len(words) - 1))
    words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def _drop(text, rng):
    words = text.split()
    if len(words) < 2:
        return text
    del words[int(rng.integers(len(words)))]
    return " ".join(words)


def _repeat(text, rng):
    words = text.split() or [text]
    i = int(rng.integers(len(words)))
    return " ".join(words[: i + 1] + [words[i]] + words[i + 1 :])


def _case(text, rng):
    return (str.upper, str.lower, str.title, str.capitalize)[int(rng.integers(4))](text)


def _punctuation(text, rng):
    stripped = re.sub(r"[.!?,;]+$", "", text)
    if stripped != text:
        return stripped
    return text + ".!?,"[int(rng.integers(4))]


EDITS = (_swap, _drop, _repeat, _case, _punctuation)


def _prepare(ctx: MethodContext, data: Dataset, s: dict) -> tuple[Dataset, np.ndarray, np.ndarray]:
    reducer = encoding_reducer(s["encoding"], s["qubits"])
    require(0.0 < float(s["duplicates"]) <= 1.0, f"duplicates must be a fraction in (0, 1], got {s['duplicates']}")
    original = data.sample(s["limit"], ctx.seed)
    data, truth = inject_near_duplicates(original, float(s["duplicates"]), ctx.seed)
    require(len(truth) >= 1, "too few rows to inject a near-duplicate", help="use more rows")
    return data, reducer.fit_transform(_features(ctx, original, data)), truth


def _features(ctx: MethodContext, original: Dataset, injected: Dataset) -> np.ndarray:
    """Texts: the originals' embeddings (the runner embedded the source before any stage) and the copies'
    embedded afresh by every method, so a method and its baseline pay alike (through the encoder's cache
    whichever ran second would get them free)."""
    if injected.texts is None or injected.features is not None:
        return features_of(injected, ctx.encoder)
    encoder = ctx.encoder or MiniLMEncoder()
    copies = encoder.model.encode(
        injected.texts[len(original) :],
        batch_size=encoder.batch_size,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    return np.vstack([features_of(original, ctx.encoder), np.asarray(copies, dtype=np.float64)])


def _result(data: Dataset, similarity: np.ndarray, threshold: float, truth: np.ndarray, info: dict) -> MethodResult:
    n = len(data)
    rows, cols = np.triu_indices(n, k=1)
    flagged = similarity[rows, cols] >= threshold
    found = set(zip(rows[flagged].tolist(), cols[flagged].tolist()))
    true = set(map(tuple, truth.tolist()))
    hits = len(found & true)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(true)
    duplicate = similarity >= threshold
    kept: list[int] = []
    for i in range(n):
        if not kept or not duplicate[i, kept].any():
            kept.append(i)
    metrics = {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "kept_fraction": len(kept) / n,
        "pairs_flagged": float(len(found)),
    }
    return MethodResult(metrics, data.subset(np.array(kept)), {**info, "injected": len(true), "rows": n})
