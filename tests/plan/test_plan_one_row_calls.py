"""A QAOA optimiser's evaluations are executor calls of one row each, priced per gate and per gate × amplitude
on each target (its simulator's cost there is per operation, not per amplitude), and about as many as COBYLA
makes, not its `maxiter` cap."""

import pytest

from qlang.catalog.costs import COBYLA_ITERATIONS_PER_ANGLE, COSTS, Work, one_row_calls, qaoa_ising_gates
from qlang.plan.prices import Prices

PRUNE = {"keep": 0.5, "units": 12, "qaoa_layers": 2, "shots": 2048, "mixer": "xy"}


def _prices(**tables) -> Prices:
    zero = {"pennylane": 0.0, "qiskit": 0.0}
    base = {"row_j": dict(zero), "call_j": dict(zero), "fit_j": 0.0, "kmeans_init_j": 0.0, "transpile_j": dict(zero),
            "angle_j": dict(zero), "call_gate_j": dict(zero), "call_gate_amp_j": dict(zero)}  # fmt: skip
    return Prices(0.0, 0.0, **{**base, **tables})


def test_one_row_calls_are_priced_per_gate_and_gate_amplitude_on_each_target():
    work = one_row_calls(10, 100, 6)
    assert (work.call_gates, work.call_gate_amps, work.executor_calls) == (1000, 1000 * 64, 10)
    prices = _prices(call_gate_j={"pennylane": 2.0, "qiskit": 1.0}, call_gate_amp_j={"pennylane": 0.5, "qiskit": 0.0})
    assert prices.joules(work, "pennylane") == 1000 * 2.0 + 64_000 * 0.5
    assert prices.joules(work, "qiskit") == 1000 * 1.0
    # their amplitude updates are in the per-call prices, not at the statevector kernel's price
    assert Prices(1.0, 0.0).joules(work, "qiskit") == pytest.approx(Prices(0.0, 0.0).joules(work, "qiskit"))


def test_one_row_calls_pay_their_gates_once_beside_a_batched_call():
    """A QAOA solve is a batched call of its candidates and one-row calls: the batched call pays PennyLane's
    per-gate price beyond the calibration circuit's gates, the one-row calls their own gates, and not both."""
    from qlang.catalog.costs import REFERENCE_GATES, _plus

    work = _plus(Work(circuit_rows=32, executor_calls=1, gates_per_call=500), one_row_calls(10, 500, 6))
    assert work.gates_per_call == 500 and work.row_calls == 10
    prices = _prices(call_j={"pennylane": 1.0, "qiskit": 1.0}, call_gate_j={"pennylane": 0.01, "qiskit": 0.0})
    batched = 1.0 + (500 - REFERENCE_GATES) * 0.01
    assert prices.joules(work, "pennylane") == pytest.approx(batched + 10 * 1.0 + 10 * 500 * 0.01)


def test_works_added_together_cost_what_they_cost_apart():
    """Adding works (a method and its set-up, a solve and its evaluations) keeps every call's per-gate price."""
    from qlang.catalog.costs import _plus

    prices = _prices(row_j={"pennylane": 0.1, "qiskit": 0.2}, call_j={"pennylane": 1.0, "qiskit": 3.0},
                     call_gate_j={"pennylane": 0.01, "qiskit": 0.02})  # fmt: skip
    works = [Work(circuit_rows=100, executor_calls=3, gates_per_call=100), Work(executor_calls=1, gates_per_call=500),
             Work(executor_calls=5), one_row_calls(7, 300, 8), Work(fits=3)]  # fmt: skip
    for a in works:
        for b in works:
            for target in ("pennylane", "qiskit"):
                apart = prices.joules(a, target) + prices.joules(b, target)
                assert prices.joules(_plus(a, b), target) == pytest.approx(apart), (a, b, target)


def test_qaoa_pruning_prices_its_evaluations_as_one_row_calls_as_cobyla_makes_them():
    work = COSTS["qaoa_pruning"](PRUNE, 24, 10)
    gates = qaoa_ising_gates(12, 2, "xy", 6)
    single = 3 * min(60, COBYLA_ITERATIONS_PER_ANGLE * 4) + 1  # 3 restarts, then the final read-out
    assert work.call_gates == single * gates
    assert work.call_gate_amps == single * gates * 2**12
    assert work.amplitude_ops == 32 * gates * 2**12  # the 32 candidates, one batched call
    assert work.qpu_circuits["qaoa"] == 32 + single
    deeper = COSTS["qaoa_pruning"]({**PRUNE, "qaoa_layers": 4}, 24, 10)
    assert deeper.call_gates == (3 * 60 + 1) * qaoa_ising_gates(12, 4, "xy", 6)  # capped by maxiter


def test_fmqa_solves_price_their_one_row_calls_too():
    hpo = {"evaluations": 12, "objective": "logistic_regression", "space": "default", "qaoa_layers": 2, "shots": 1024}
    work = COSTS["quantum_hpo"](hpo, 24, 2)
    assert work.call_gates > 0 and work.call_gate_amps > work.call_gates


def test_calibration_fits_a_per_gate_price_that_predicts_a_qaoa_call():
    """The fit over a few QAOA circuits predicts, within a factor of 2, the measured cost of a call of a
    circuit outside the fit (12 qubits, 3 layers, XY mixer), on each target."""
    import numpy as np

    from qlang.circuits.library import qaoa_ising
    from qlang.energy.meter import Meter
    from qlang.plan.overheads import ONE_ROW_SHOTS, _executor, _joules, measure_one_row_calls

    meter = Meter(provider="model")
    circuit = qaoa_ising(10, 3, "xy", 5)
    gates = qaoa_ising_gates(10, 3, "xy", 5)
    rng = np.random.default_rng(1)
    x, w = rng.uniform(-1, 1, (1, circuit.n_inputs)), rng.uniform(0, np.pi, (1, circuit.n_weights))
    for target in ("pennylane", "qiskit"):
        executor, _ = _executor(target, circuit=circuit)
        per_gate, per_gate_amp = measure_one_row_calls(target, 0.0, meter, quick=True)
        assert per_gate >= 0 and per_gate_amp >= 0 and per_gate + per_gate_amp > 0
        executor.probs("m", x, w, shots=ONE_ROW_SHOTS)
        measured = _joules(meter, lambda ex=executor: ex.probs("m", x, w, shots=ONE_ROW_SHOTS), 3)
        predicted = gates * per_gate + gates * 2**10 * per_gate_amp
        assert 0.5 <= measured / predicted <= 2.0, (target, measured, predicted)


def test_a_pennylane_call_costs_per_gate_of_its_circuit_beside_the_calibrated_one():
    from qlang.catalog.costs import REFERENCE_GATES

    prices = _prices(call_j={"pennylane": 1.0, "qiskit": 1.0}, call_gate_j={"pennylane": 0.01, "qiskit": 0.01})
    calls = lambda gates: Work(executor_calls=10, gates_per_call=gates)  # noqa: E731
    assert prices.joules(calls(REFERENCE_GATES), "pennylane") == pytest.approx(10.0)
    assert prices.joules(calls(REFERENCE_GATES + 50), "pennylane") == pytest.approx(10 * 1.5)
    assert prices.joules(calls(REFERENCE_GATES - 20), "pennylane") == pytest.approx(10 * 0.8)
    assert prices.joules(Work(executor_calls=10), "pennylane") == pytest.approx(10.0)  # unknown: as calibrated
    assert prices.joules(calls(REFERENCE_GATES + 50), "qiskit") == pytest.approx(10.0)  # its gate costs are per row
    kernel = COSTS["zz_feature_map"]({"qubits": 4, "reps": 2, "bandwidth": 1.0, "folds": 3, "shots": None,
                                      "classifier": "svm"}, 24, 2)  # fmt: skip
    assert kernel.gates_per_call == 2 * (2 * 4 + 3 * 6)
