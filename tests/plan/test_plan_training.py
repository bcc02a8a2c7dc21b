"""A training loop's differentiable passes are priced by what its target runs: a forward and backward pass
inside torch on PennyLane's exact devices (per gate-row and per pass, each device its own price), every row's
parameter-shift circuits elsewhere."""

import pytest

from qlang.catalog.costs import COSTS, Gradient, Work
from qlang.plan.prices import Prices

TRAIN = {"lr": 0.2, "iterations": 10, "target_loss": 0.3, "qubits": 4, "layers": 3, "regularization": 0.001}


def _prices(**tables) -> Prices:
    zero = {"pennylane": 0.0, "qiskit": 0.0}
    base = {"row_j": dict(zero), "call_j": dict(zero), "fit_j": 0.0, "kmeans_init_j": 0.0, "transpile_j": dict(zero),
                "angle_j": dict(zero), "gradient_gate_row_j": {}, "gradient_call_j": {}, "shift_row_j": {},
                "shift_call_j": {}}  # fmt: skip
    return Prices(0.0, 0.0, **{**base, **tables})


def test_a_device_that_differentiates_in_torch_prices_gate_rows_and_passes():
    g = Gradient(rows=10, calls=2, gates=48, qubits=4, weights=24)
    prices = _prices(gradient_gate_row_j={"pennylane:lightning.qubit": 1.0, "pennylane:default.qubit": 0.01},
                     gradient_call_j={"pennylane:lightning.qubit": 100.0, "pennylane:default.qubit": 7.0})  # fmt: skip
    assert prices.joules(Work(gradient=g), "pennylane", "lightning.qubit") == 10 * 48 * 1.0 + 2 * 100.0
    assert prices.joules(Work(gradient=g), "pennylane", "default.qubit") == pytest.approx(10 * 48 * 0.01 + 2 * 7.0)


def test_elsewhere_a_gradient_is_every_rows_shifted_circuits_in_one_call_per_pass():
    g = Gradient(rows=10, calls=2, gates=48, qubits=4, weights=24)
    prices = _prices(row_j={"pennylane": 0.0, "qiskit": 1.0}, call_j={"pennylane": 0.0, "qiskit": 5.0})
    assert g.shift_circuits == 10 * 49
    assert prices.joules(Work(gradient=g), "qiskit", "aer_simulator") == 10 * 49 * 1.0 + 2 * 5.0
    # a noisy PennyLane device has no torch path: its gradients are shifts too, at the target's row price
    noisy = _prices(row_j={"pennylane": 2.0, "qiskit": 0.0}, gradient_gate_row_j={"pennylane:default.qubit": 9.0},
                    gradient_call_j={"pennylane:default.qubit": 9.0})  # fmt: skip
    assert noisy.joules(Work(gradient=g), "pennylane", "fake_fez") == 10 * 49 * 2.0
    amplitude = Prices(1.0, 0.0, gradient_gate_row_j={}, gradient_call_j={}, row_j={"qiskit": 0.0},
                       call_j={"qiskit": 0.0}, shift_row_j={}, shift_call_j={})  # fmt: skip
    assert amplitude.joules(Work(gradient=g), "qiskit") == 10 * 49 * 48 * 2**4


def test_a_measured_shift_pass_prices_shifted_circuits_at_their_own_price():
    """Qiskit's exact simulator shares a row's encoding across its 2P + 1 shifted circuits: `qlc calibrate`
    measures a pass (per shifted circuit and per pass) on the reference circuit; a pass grows with its weight
    blocks, a shifted circuit 4x a qubit up to a plain row's price. A noisy device keeps the plain-row price."""
    from qlang.circuits.library import reuploading
    from qlang.plan.prices import SHIFT_REFERENCE_BLOCKS, SHIFT_REFERENCE_QUBITS

    reference = reuploading(4, 2)  # the circuit measure_shift_gradient measures on
    assert (SHIFT_REFERENCE_QUBITS, SHIFT_REFERENCE_BLOCKS) == (reference.n_wires, 2 * reference.n_weights + 1)
    prices = _prices(row_j={"pennylane": 0.0, "qiskit": 1.0}, call_j={"pennylane": 0.0, "qiskit": 5.0},
                     shift_row_j={"qiskit": 0.01}, shift_call_j={"qiskit": 3.0})  # fmt: skip
    g = Gradient(rows=10, calls=2, gates=32, qubits=4, weights=16)
    assert prices.joules(Work(gradient=g), "qiskit", "aer_simulator") == pytest.approx(10 * 33 * 0.01 + 2 * 3.0)
    deeper = Gradient(rows=10, calls=2, gates=48, qubits=4, weights=24)  # 49 weight blocks a pass
    assert prices.joules(Work(gradient=deeper), "qiskit") == pytest.approx(10 * 49 * 0.01 + 2 * 3.0 * 49 / 33)
    wider = Gradient(rows=10, calls=2, gates=40, qubits=5, weights=16)
    assert prices.joules(Work(gradient=wider), "qiskit") == pytest.approx(10 * 33 * 0.04 + 2 * 3.0)
    widest = Gradient(rows=10, calls=2, gates=40, qubits=8, weights=16)  # 0.01 x 4^4 > a plain row: the row's
    assert prices.joules(Work(gradient=widest), "qiskit") == pytest.approx(10 * 33 * 1.0 + 2 * 3.0)
    noisy = Gradient(rows=10, calls=2, gates=32, qubits=4, weights=16, density_matrix=4.0)
    assert prices.joules(Work(gradient=noisy), "qiskit", "fake_fez") == pytest.approx(10 * 33 * 1.0 + 2 * 5.0)



@pytest.mark.parametrize("method", ["qng", "parameter_shift"])
def test_the_training_cost_follows_rows_iterations_and_layers(method):
    def gradient(**changes) -> Gradient:
        g = COSTS[method]({**TRAIN, **changes}, 200, 2).gradient
        assert g is not None
        return g

    g = gradient()
    assert g.rows == (10 + 1) * 150 and g.calls == 11  # every step's pass over 75 % of the rows, and the last loss
    assert g.gates == 48 and g.weights == 24
    assert gradient(iterations=20).rows == 21 * 150
    assert gradient(layers=2).gate_rows == g.gate_rows * 2 / 3
    assert COSTS[method]({**TRAIN}, 400, 2).gradient.rows == 11 * 300


def test_qng_adds_its_metric_states_in_plain_calls():
    qng, plain = COSTS["qng"](TRAIN, 200, 2), COSTS["parameter_shift"](TRAIN, 200, 2)
    assert qng.circuit_rows - plain.circuit_rows == 10 * 32 * 25  # 32 metric rows x (P + 1) per step
    assert qng.executor_calls - plain.executor_calls == 10


def test_the_plan_prices_training_on_the_pipelines_device(tmp_path, monkeypatch):
    from qlang.checks import check_text
    from qlang.plan.estimate import estimate
    from qlang.plan.prices import load_prices

    monkeypatch.setenv("QLANG_CACHE", str(tmp_path))
    spec = ("pipeline p {{\n  target pennylane\n  device \"{device}\"\n  data d = breast_cancer(limit: 40)\n"
            "  stage train t {{\n    method parameter_shift(lr: 0.2, iterations: 5, target_loss: 0.3, qubits: 4,"
            " layers: 2)\n    baseline adam\n  }}\n}}\n")  # fmt: skip

    def stage_j(device: str) -> float:
        (pipeline,) = check_text(spec.format(device=device), "p.qlc").checked.pipelines
        return estimate(pipeline, load_prices()).stages[0].simulation_j

    prices = load_prices()
    lightning, default = stage_j("lightning.qubit"), stage_j("default.qubit")
    g = COSTS["parameter_shift"]({"iterations": 5, "qubits": 4, "layers": 2}, 40, 2).gradient
    passes = {d: g.gate_rows * prices.gradient_gate_row_j[f"pennylane:{d}"]
              + g.calls * prices.gradient_call_j[f"pennylane:{d}"] for d in ("lightning.qubit", "default.qubit")}  # fmt: skip
    rows = 10 * (prices.row_j["pennylane:lightning.qubit"] - prices.row_j["pennylane"])  # the 10 test rows' predictions
    assert lightning - default == pytest.approx(passes["lightning.qubit"] - passes["default.qubit"] + rows)


def test_a_hybrid_head_trains_by_differentiable_passes_and_predicts_in_plain_calls():
    params = {"qubits": 4, "layers": 2, "epochs": 3, "folds": 2, "batch_size": 8, "refit": True}
    work = COSTS["hybrid_qnn_head"](params, 24, 2)
    g = work.gradient
    assert g is not None and (g.gates, g.qubits, g.weights) == (32, 4, 16)
    assert g.rows == 3 * (12 + 12 + 24)  # epochs x the rows of each fold's training part and the refit
    assert g.calls == 3 * (2 + 2 + 3)  # epochs x mini-batches of 8
    assert work.torch_steps == g.calls
    assert work.circuit_rows == 24  # every row predicted once
    assert work.qpu_circuits["model"] == g.shift_circuits + 24
    # on default.qubit a pass is priced inside torch, elsewhere as its rows' shifted circuits
    prices = _prices(gradient_gate_row_j={"pennylane:default.qubit": 0.0}, gradient_call_j={"pennylane:default.qubit": 1.0},
                     row_j={"pennylane": 0.0, "qiskit": 0.001})  # fmt: skip
    assert prices.gradient_joules(g, "pennylane", "default.qubit") == g.calls
    assert prices.gradient_joules(g, "qiskit", "aer_simulator") == pytest.approx(g.shift_circuits * 0.001)


def test_the_plan_counts_a_method_with_the_settings_it_runs_with():
    """A method runs with its catalog settings under its parameters (MethodContext.settings): hybrid_layer
    trains no refit, dense_layer and mlp train in batches of 32. The plan's work is that, not a cost model's
    fallback (a refit, one full batch per epoch)."""
    from qlang.ir import model as ir
    from qlang.plan.estimate import stage_work

    def work(name: str, family: str, **params):
        return stage_work(ir.Method(name=name, params=params, family=family), 100, 3)

    layer = work("hybrid_layer", "quantum", qubits=4, layers=2, epochs=3, folds=5)
    assert layer is not None and layer.gradient is not None
    assert layer.gradient.rows == 3 * 5 * 80  # five folds' training parts, no refit
    dense = work("dense_layer", "classical", qubits=4, layers=2, epochs=3, folds=5)
    assert dense is not None and dense.torch_steps == 5 * (3 * 3 + 1)  # 80 rows in batches of 32, then the model
    mlp = work("mlp", "classical", hidden=12, epochs=3, folds=5)
    assert mlp is not None and mlp.torch_steps == 5 * (3 * 3 + 1) + (3 * 4 + 1)  # and the refit's 100 rows


def test_a_baseline_that_trains_its_method_s_model_pays_that_model_s_set_up():
    """adam and sgd train the stage method's circuits in tasks of their own, and each task's Qiskit executor
    transpiles its templates and cuts its segments again: the baseline pays that set-up, as its method does."""
    from qlang.ir import model as ir
    from qlang.plan.estimate import stage_work

    method = ir.Method(name="parameter_shift", params=TRAIN, family="quantum")
    own = stage_work(method, 100, 2)
    assert own is not None and own.transpiles > 0
    for name in ("adam", "sgd"):
        baseline = ir.Method(name=name, params={}, family="classical")
        trained = stage_work(baseline, 100, 2, TRAIN, "parameter_shift")
        assert trained is not None and (trained.transpiles, trained.segments) == (own.transpiles, own.segments)
        assert trained.angle_expressions == own.angle_expressions
    rbf = stage_work(ir.Method(name="rbf_svm", params={}, family="classical"), 100, 2, {"qubits": 4, "folds": 3},
                     "zz_feature_map")  # fmt: skip
    assert rbf is not None and rbf.transpiles == 0  # a classical baseline runs no circuit
