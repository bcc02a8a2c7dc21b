import numpy as np
import pytest

from qlang.runtime.data import Dataset, wine
from qlang.runtime.encoder import MiniLMEncoder, features_of


@pytest.mark.minilm
def test_embeddings_are_normalised_and_cached(tmp_path):
    encoder = MiniLMEncoder(cache_dir=tmp_path)
    texts = ["a wonderful day", "a terrible day", "wonderful"]
    first = encoder.encode(texts)
    assert first.shape == (3, 384)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert len(list(tmp_path.glob("*.npy"))) == 1
    assert np.array_equal(MiniLMEncoder(cache_dir=tmp_path).encode(texts), first)
    sims = first @ first.T
    assert sims[0, 2] > sims[1, 2]


def test_cache_hit_never_loads_the_model(tmp_path):
    encoder = MiniLMEncoder(cache_dir=tmp_path)
    stored = np.random.default_rng(0).normal(size=(2, 384)).astype(np.float32)
    np.save(tmp_path / f"{encoder.cache_key(['x', 'y'])}.npy", stored)
    assert np.array_equal(encoder.encode(["x", "y"]), stored)
    assert encoder._model is None
    assert encoder.cache_key(["x", "y"]) != encoder.cache_key(["xy"])


def test_numeric_features_are_standardised():
    x = features_of(wine())
    assert np.allclose(x.mean(axis=0), 0.0) and np.allclose(x.std(axis=0), 1.0)


def test_text_features_come_from_the_encoder(tmp_path):
    class Fake:
        def encode(self, texts):
            return np.ones((len(texts), 3), dtype=np.float32)

    data = Dataset(["a", "b"], None, np.array([0, 1]), ["n", "p"], "t", "test")
    assert features_of(data, Fake()).shape == (2, 3)
