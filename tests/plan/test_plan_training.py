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
