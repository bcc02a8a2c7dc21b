"""Few-shot heads on the example data (VADER words, MiniLM embeddings) and the encoder circuit."""

import numpy as np
import pytest

from qlang.circuits.library import encoded_reuploading, reuploading
from qlang.runtime.data import breast_cancer, vader_lexicon
from qlang.runtime.errors import RuntimeDiagnostic
from qlang.runtime.methods import METHODS, MethodContext
from qlang.runtime.methods.finetune import _few_shot

FEW = {"qubits": 4, "layers": 2, "encoder_layers": 1, "epochs": 30, "lr": 0.05, "batch_size": 8, "folds": 3,
       "examples_per_class": 8, "refit": False}


def test_encoder_blocks_grow_their_entanglement_range():
    circuit = encoded_reuploading(4, 3, 2)
    cnots = [op.wires for op in circuit.ops if op.name == "cnot"][:12]
    assert cnots[:4] == [(0, 1), (1, 2), (2, 3), (3, 0)]
    assert cnots[4:8] == [(0, 2), (1, 3), (2, 0), (3, 1)]
    assert cnots[8:12] == [(0, 3), (1, 0), (2, 1), (3, 2)]
    assert circuit.n_weights == 3 * 4 + 2 * 2 * 4 and circuit.n_inputs == 4
    assert encoded_reuploading(4, 0, 2) == reuploading(4, 2)


@pytest.mark.parametrize("target", ["pennylane", "qiskit"])
def test_encoder_circuit_agrees_on_both_targets(real, target):
    params = {"qubits": 3, "layers": 1, "encoder_layers": 2}
    rng = np.random.default_rng(0)
    x, w = rng.uniform(-1, 1, (4, 3)), rng.uniform(-np.pi, np.pi, 2 * 3 + 2 * 3)
    reference = real("pennylane", "hybrid_qnn_head", params).expvals("model", x, w)
    assert np.allclose(real(target, "hybrid_qnn_head", params).expvals("model", x, w), reference, atol=1e-8)


def test_few_shot_keeps_k_rows_per_class_in_every_fold():
    y = np.array([0] * 30 + [1] * 12 + [2] * 9)
    rows = np.arange(2, 51, 2)
    kept = _few_shot(rows, y, 3, np.random.default_rng(0))
    assert set(kept) <= set(rows) and np.bincount(y[kept]).tolist() == [3, 3, 3]
    params = {"qubits": 3, "folds": 3, "examples_per_class": 5, "refit": False, "limit": 90}
    few = METHODS["logistic_regression"](MethodContext(params=params, seed=0), breast_cancer()).metrics
    full = METHODS["logistic_regression"](MethodContext(params={**params, "examples_per_class": None}, seed=0),
                                          breast_cancer()).metrics
    assert few["train_loss_final"] != pytest.approx(full["train_loss_final"])  # fitted on 10 rows, not 60
    with pytest.raises(RuntimeDiagnostic, match="examples_per_class"):
        METHODS["logistic_regression"](MethodContext(params={**params, "examples_per_class": 500}), breast_cancer())


@pytest.mark.minilm
def test_few_shot_hybrid_head_beats_chance_on_vader_words(real):
    """8 words per class to train on; chance is 0.5 on the balanced test folds."""
    data = vader_lexicon(min_abs=2.0, limit=96, seed=0)
    ctx = MethodContext(real("pennylane", "hybrid_qnn_head", FEW), {"model": "model"}, FEW, seed=0)
    result = METHODS["hybrid_qnn_head"](ctx, data)
    assert result.metrics["accuracy"] > 0.65
    assert result.metrics["n_parameters"] == 4 + 16 + 4 * 2 + 2


def test_the_reference_head_reads_every_dimension():
    params = {"qubits": 3, "folds": 3, "examples_per_class": 5, "refit": False, "limit": 90, "compress": False}
    ctx = MethodContext(params=params, seed=0)
    result = METHODS["logistic_regression"](ctx, breast_cancer())
    assert result.metrics["n_parameters"] == 30 + 1  # 30 features and an intercept, not 3 components
    assert ctx.ran_with["qubits"] is None and ctx.ran_with["examples_per_class"] == 5
