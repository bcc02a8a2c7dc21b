import numpy as np
import pytest

from qlang import catalog
from qlang.runtime.data import Dataset, wine
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.methods import METHODS, MethodContext
from qlang.runtime.methods.dedup import edit_text, inject_near_duplicates

ROLES = {"feature_map": "feature_map", "overlap": "overlap"}


def params_of(**more):
    return {p.name: p.default for p in catalog.METHODS["quantum_dedup"].params} | more


def test_injection_is_reproducible_and_edits_every_copy():
    texts = ["a very good day", "terrible", "not bad at all", "fine.", "Wonderful news"] * 4
    data = Dataset(texts, None, np.zeros(len(texts), dtype=int), ["x"], "t", "test")
    one, pairs = inject_near_duplicates(data, 0.5, seed=3)
    two, again = inject_near_duplicates(data, 0.5, seed=3)
    assert one.texts == two.texts and np.array_equal(pairs, again)
    assert len(one) == 30 and pairs.shape == (10, 2) and np.all(pairs[:, 1] >= 20)
    for original, copy in pairs:
        assert one.texts[copy] != one.texts[original]
    rng = np.random.default_rng(0)
    assert all(edit_text("same", rng) != "same" for _ in range(50))


def test_quantum_dedup_finds_injected_numeric_duplicates(double):
    ctx = MethodContext(double(qubits=3), ROLES, params_of(encoding="angle", qubits=3, threshold=0.995), seed=2)
    result = METHODS["quantum_dedup"](ctx, wine().sample(60, 0))
    assert result.metrics["recall"] > 0.8 and result.metrics["precision"] > 0.5
    assert len(result.output) == round(result.metrics["kept_fraction"] * 72)


@pytest.mark.parametrize("target", ["qiskit", "pennylane"])
def test_amplitude_fidelity_flags_the_pairs_cosine_flags_at_the_square_root(real, target):
    """Amplitude-encoded fidelity is the squared cosine similarity of the same (non-negative) features."""
    params = params_of(encoding="amplitude", qubits=2, threshold=0.98)
    data = wine().sample(40, 1)
    quantum = METHODS["quantum_dedup"](MethodContext(real(target, "quantum_dedup", params), ROLES, params, seed=4),
                                       data)
    cosine = METHODS["cosine_dedup"](MethodContext(params={**params, "threshold": 0.98**0.5}, seed=4), data)
    for key in ("precision", "recall", "pairs_flagged", "kept_fraction"):
        assert quantum.metrics[key] == pytest.approx(cosine.metrics[key], abs=1e-12)
    assert quantum.metrics["recall"] > 0.5


def test_bad_duplicates_fraction_is_a_diagnostic(double):
    ctx = MethodContext(double(qubits=3), ROLES, params_of(encoding="angle", qubits=3, duplicates=0.0))
    with pytest.raises(RuntimeDiagnostic) as caught:
        METHODS["quantum_dedup"](ctx, wine().sample(20, 0))
    assert caught.value.code == "Q706"


@pytest.mark.minilm
def test_text_near_duplicates_are_embedded_like_the_originals(double):
    from qlang.runtime.data import vader_lexicon
    from qlang.runtime.encoder import MiniLMEncoder
    from qlang.runtime.methods.dedup import _features

    encoder = MiniLMEncoder()
    words = vader_lexicon(limit=30, seed=0)
    injected, pairs = inject_near_duplicates(words, 0.2, seed=1)
    x = _features(MethodContext(encoder=encoder), words, injected)
    assert np.allclose(x, encoder.encode(injected.texts), atol=1e-5)
    ctx = MethodContext(double(qubits=3), ROLES, params_of(encoding="angle", qubits=3, threshold=0.99), seed=1,
                        encoder=encoder)
    assert 0.0 <= METHODS["quantum_dedup"](ctx, words).metrics["recall"] <= 1.0
