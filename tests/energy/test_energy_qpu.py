"""The QPU energy model: presets, the formula, and circuit durations on fake IBM backends."""

from __future__ import annotations

import importlib.util
import math

import pytest

from qlang.energy import qpu
from qlang.energy.qpu import (
    DEFAULT_SHOTS,
    PRESETS,
    QpuModelError,
    QpuPlatform,
    get_platform,
    qpu_energy,
    qpu_energy_breakdown,
)

# ---------------------------------------------------------------- presets and the formula


def test_presets():
    assert set(PRESETS) == {"superconducting", "trapped_ion", "neutral_atom"}
    sc, ion, atom = PRESETS["superconducting"], PRESETS["trapped_ion"], PRESETS["neutral_atom"]
    assert (sc.p_sys_w, sc.t_rep_s, sc.t_job_s) == (25_000.0, 250e-6, 2.0)
    assert (ion.p_sys_w, ion.t_job_s) == (10_000.0, 2.0)
    assert ion.t_rep_range_s == (1e-3, 10e-3)
    assert ion.t_rep_s == pytest.approx(math.sqrt(1e-3 * 10e-3))
    assert (atom.p_sys_w, atom.t_job_s) == (5_000.0, 2.0)
    assert atom.t_rep_range_s == (0.2, 1.0)
    assert atom.t_rep_s == pytest.approx(math.sqrt(0.2))
    for p in PRESETS.values():
        lo, hi = p.t_rep_range_s or (p.t_rep_s, p.t_rep_s)
        assert lo <= p.t_rep_s <= hi
        assert p.sources
    assert any("assumption" in a for a in ion.assumptions)  # 10 kW is labelled as an assumption


def test_platform_overrides():
    p = get_platform("superconducting", p_sys_w=15_000.0, t_job_s=0.0)
    assert (p.p_sys_w, p.t_job_s, p.t_rep_s) == (15_000.0, 0.0, 250e-6)
    assert PRESETS["superconducting"].p_sys_w == 25_000.0  # presets are untouched
    assert get_platform(p) is p
    assert isinstance(p, QpuPlatform)
    with pytest.raises(QpuModelError, match="unknown QPU platform"):
        get_platform("photonic")
    with pytest.raises(QpuModelError):
        get_platform("superconducting", p_sys_w=-1.0)


def test_energy_formula_by_hand():
    # E = P_sys × (T_job + Σ shots × (d + t_rep))
    circuits = [(2e-6, 1000), (5e-6, 200)]
    expected = 25_000 * (2.0 + 1000 * (2e-6 + 250e-6) + 200 * (5e-6 + 250e-6))
    assert qpu_energy(circuits, "superconducting") == pytest.approx(expected, rel=1e-12)
    b = qpu_energy_breakdown(circuits, "superconducting")
    assert (b.circuits, b.shots, b.jobs) == (2, 1200, 1)
    assert b.circuit_s == pytest.approx(1000 * 2e-6 + 200 * 5e-6)
    assert b.rep_s == pytest.approx(1200 * 250e-6)
    assert b.job_s == 2.0
    assert b.total_s == pytest.approx(b.job_s + b.circuit_s + b.rep_s)
    assert b.joules == pytest.approx(expected)
    assert b.wh == pytest.approx(expected / 3600)
    ion = 10_000 * (2.0 + 1000 * (2e-6 + math.sqrt(1e-5)) + 200 * (5e-6 + math.sqrt(1e-5)))
    assert qpu_energy(circuits, "trapped_ion") == pytest.approx(ion)
    assert qpu_energy([], "neutral_atom") == pytest.approx(5_000 * 2.0)  # an empty job still costs T_job
    assert qpu_energy(circuits, "superconducting", jobs=3) == pytest.approx(expected + 2 * 25_000 * 2.0)


def test_exact_simulation_circuits_are_charged_default_shots():
    assert DEFAULT_SHOTS == 1024
    b = qpu_energy_breakdown([(1e-6, None), (1e-6, 10)])
    assert b.shots == DEFAULT_SHOTS + 10
    assert b.default_shots_circuits == 1
    assert any(f"DEFAULT_SHOTS = {DEFAULT_SHOTS}" in n for n in b.notes)
    assert not any("DEFAULT_SHOTS" in n for n in qpu_energy_breakdown([(1e-6, 10)]).notes)


def test_bad_inputs():
    with pytest.raises(QpuModelError):
        qpu_energy([(-1.0, 10)])
    with pytest.raises(QpuModelError):
        qpu_energy([(1e-6, 1.5)])
    with pytest.raises(QpuModelError):
        qpu_energy([(1e-6,)])


# ---------------------------------------------------------------- durations on the fake backends

needs_qiskit = pytest.mark.skipif(
    importlib.util.find_spec("qiskit") is None or importlib.util.find_spec("qiskit_ibm_runtime") is None,
    reason="needs qiskit and qiskit-ibm-runtime")


def bell(measure: bool = True):
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(2, 2 if measure else 0)
    qc.h(0)
    qc.cx(0, 1)
    if measure:
        qc.measure([0, 1], [0, 1])
    return qc


def longest_path_from_target(circ, target) -> float:
    """ASAP schedule by hand: each instruction starts when all its qubits and clbits are free."""
    free: dict[tuple[str, int], float] = {}
    for inst in circ.data:
        op = inst.operation
        qs = tuple(circ.find_bit(q).index for q in inst.qubits)
        wires = [("q", q) for q in qs] + [("c", circ.find_bit(c).index) for c in inst.clbits]
        if op.name == "barrier":
            duration = 0.0
        else:
            duration = target[op.name][qs].duration
        start = max((free.get(w, 0.0) for w in wires), default=0.0)
        for w in wires:
            free[w] = start + duration
    return max(free.values())


@needs_qiskit
@pytest.mark.parametrize("backend,fake", [("heron", "FakeFez"), ("eagle", "FakeSherbrooke")])
def test_bell_duration_matches_the_targets_gate_durations(backend, fake):
    import qiskit_ibm_runtime.fake_provider as fp

    dev = qpu.device_model(backend)
    assert type(dev) is getattr(fp, fake)
    transpiled, dev2, added = qpu.transpile_for_duration(bell(), backend)
    assert dev2 is dev and not added
    by_hand = longest_path_from_target(transpiled, dev.target)
    d = qpu.circuit_duration(bell(), backend)
    assert d == pytest.approx(by_hand, rel=1e-12)

    # the critical path holds one two-qubit gate and a readout, plus a few single-qubit gates
    two_q = "cz" if backend == "heron" else "ecr"
    qs = sorted({transpiled.find_bit(q).index for i in transpiled.data for q in i.qubits
                 if i.operation.name == two_q})
    gate_2q = max(p.duration for k, p in dev.target[two_q].items() if sorted(k) == qs)
    readout = max(dev.target["measure"][(q,)].duration for q in qs)
    sx = max(dev.target["sx"][(q,)].duration for q in qs)
    assert gate_2q + readout <= d <= gate_2q + readout + 4 * sx

    # and the energy of 1024 shots is the formula on that duration
    e = qpu_energy([(d, 1024)], "superconducting")
    assert e == pytest.approx(25_000 * (2.0 + 1024 * (d + 250e-6)))


@needs_qiskit
def test_heron_numbers_are_in_the_published_ranges():
    target = qpu.device_model("heron").target
    sx = {p.duration for p in target["sx"].values()}
    cz = [p.duration for p in target["cz"].values()]
    ro = {p.duration for p in target["measure"].values()}
    assert all(20e-9 <= x <= 40e-9 for x in sx)
    assert 60e-9 <= min(cz) and max(cz) <= 120e-9
    assert all(1.5e-6 <= x <= 2.7e-6 for x in ro)


@needs_qiskit
def test_measurements_are_added_when_absent():
    t = qpu.circuit_timing(bell(measure=False), "heron")
    assert t.added_measurements
    assert ("measure", 2) in t.ops
    assert t.duration_s == pytest.approx(qpu.circuit_duration(bell(), "heron"))
    # without measurements the estimate is gates only: far shorter than a readout
    bare = qpu.circuit_duration(bell(measure=False), "heron", add_measurements=False)
    assert 0 < bare < 0.5e-6


@needs_qiskit
def test_durations_are_cached_by_structure():
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    qpu.clear_duration_cache()
    qpu.circuit_duration(bell(), "heron")
    other = bell()
    other.name = "another name, same structure"
    qpu.circuit_duration(other, "heron")
    info = qpu.duration_cache_info()
    assert (info["misses"], info["hits"], info["size"]) == (1, 1, 1)
    qpu.circuit_duration(bell(), "eagle")  # another device model is another entry
    assert qpu.duration_cache_info()["misses"] == 2

    a, b = QuantumCircuit(2), QuantumCircuit(2)
    a.rx(0.1, 0)
    b.rx(0.2, 0)
    assert qpu.circuit_key(a) != qpu.circuit_key(b)
    c = QuantumCircuit(2)
    c.rx(0.1, 1)
    assert qpu.circuit_key(a) != qpu.circuit_key(c)
    # two custom gates with one name but different bodies are different circuits
    body1, body2 = QuantumCircuit(2), QuantumCircuit(2)
    body1.cx(0, 1)
    body2.h(1)
    g1, g2 = body1.to_gate(), body2.to_gate()
    g1.name = g2.name = "block"
    c1, c2 = QuantumCircuit(2), QuantumCircuit(2)
    c1.append(g1, [0, 1])
    c2.append(g2, [0, 1])
    assert qpu.circuit_key(c1) != qpu.circuit_key(c2)
    theta = Parameter("theta")
    p = QuantumCircuit(2)
    p.rx(theta, 0)
    p.cx(0, 1)
    assert qpu.circuit_duration(p, "heron") > 0  # unbound parameters are fine


@needs_qiskit
def test_circuits_energy_and_unknown_backend():
    b = qpu.circuits_energy([(bell(), 100), (bell(), None)], "superconducting")
    d = qpu.circuit_duration(bell(), "heron")
    assert b.shots == 100 + DEFAULT_SHOTS and b.default_shots_circuits == 1
    assert b.joules == pytest.approx(25_000 * (2.0 + (100 + DEFAULT_SHOTS) * (d + 250e-6)))
    assert qpu.circuit_duration(bell(), "FakeMarrakesh") > 0
    assert qpu.circuit_duration(bell(), "marrakesh") == qpu.circuit_duration(bell(), "fake_marrakesh")
    with pytest.raises(QpuModelError, match="unknown device model"):
        qpu.circuit_duration(bell(), "sycamore")


def test_energy_formula_by_hand_with_circuit_counts():
    """(d, shots, count) stands for `count` circuits alike: every term scales with the count, and exact
    circuits (shots None) are charged DEFAULT_SHOTS each."""
    b = qpu_energy_breakdown([(2e-6, 1000, 7), (5e-6, None, 3)], "superconducting")
    shots = 7 * 1000 + 3 * 1024
    circuit_s = 7 * 1000 * 2e-6 + 3 * 1024 * 5e-6
    expected = 25_000 * (2.0 + circuit_s + shots * 250e-6)
    assert (b.circuits, b.shots, b.default_shots_circuits) == (10, shots, 3)
    assert b.circuit_s == pytest.approx(circuit_s, rel=1e-12)
    assert b.rep_s == pytest.approx(shots * 250e-6, rel=1e-12)
    assert b.joules == pytest.approx(expected, rel=1e-12)
    assert qpu_energy([(2e-6, 1000)] * 7) == pytest.approx(qpu_energy([(2e-6, 1000, 7)]), rel=1e-12)
    assert qpu_energy([(2e-6, 1000, 0)]) == pytest.approx(25_000 * 2.0)  # no circuits: only the job overhead


def test_presets_cannot_be_changed_in_place():
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        PRESETS["superconducting"].p_sys_w = 1.0  # type: ignore[misc]


@pytest.mark.parametrize("count", [-1, -0.5, float("nan"), float("inf"), "3"])
def test_bad_circuit_counts(count):
    with pytest.raises(QpuModelError, match="circuit count"):
        qpu_energy([(1e-6, 10, count)])


def test_parameters_are_keyed_to_12_decimals():
    # values that agree to 12 decimals share a cache key, values that differ before that do not
    assert qpu._param_key(0.2 + 4e-13) == qpu._param_key(0.2)
    assert qpu._param_key(complex(0.1, 0.2 + 4e-13)) == qpu._param_key(complex(0.1, 0.2))
    assert qpu._param_key(complex(0.1, 0.2 + 2e-12)) != qpu._param_key(complex(0.1, 0.2))
    assert qpu._param_key(complex(0.1 + 4e-13, 0.2)) == qpu._param_key(complex(0.1, 0.2))
    assert qpu._param_key(complex(0.1 + 2e-12, 0.2)) != qpu._param_key(complex(0.1, 0.2))


@needs_qiskit
def test_symbolic_parameters_are_part_of_the_key():
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    theta, phi = Parameter("theta"), Parameter("phi")
    keys = set()
    for angle in (theta, phi, 2 * theta):
        qc = QuantumCircuit(1)
        qc.rx(angle, 0)
        keys.add(qpu.circuit_key(qc))
    assert len(keys) == 3


@needs_qiskit
def test_library_gates_are_keyed_without_synthesising_their_definition(monkeypatch):
    import numpy as np
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import UnitaryGate

    def refuse(self):
        raise AssertionError("circuit_key synthesised a library gate's definition")

    monkeypatch.setattr(UnitaryGate, "_define", refuse)
    qc = QuantumCircuit(1)
    qc.append(UnitaryGate(np.array([[0, 1], [1, 0]])), [0])
    other = QuantumCircuit(1)
    other.append(UnitaryGate(np.eye(2)), [0])
    assert qpu.circuit_key(qc) != qpu.circuit_key(other)  # told apart by the matrix, not the body


@needs_qiskit
def test_timing_counts_the_transpiled_two_qubit_gates():
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.barrier()
    qc.cx(1, 2)
    t = qpu.circuit_timing(qc, "heron")  # Heron's two-qubit gate is CZ: one per CX, the 3-qubit barrier not counted
    assert t.two_qubit_gates == dict(t.ops)["cz"] == 2
    assert t.qubits == 3


def test_zero_is_a_valid_value_for_every_term():
    platform = get_platform("superconducting", p_sys_w=0.0, t_rep_s=0.0, t_job_s=0.0)
    assert platform.p_sys_w == platform.t_rep_s == platform.t_job_s == 0.0
    b = qpu_energy_breakdown([(0.0, 0, 0), (0.0, 0)], "superconducting", jobs=0)
    assert (b.circuits, b.shots, b.jobs, b.total_s, b.joules) == (1, 0, 0, 0.0, 0.0)
    # no jobs: only the shots are charged
    assert qpu_energy([(2e-6, 1000)], jobs=0) == pytest.approx(25_000 * 1000 * (2e-6 + 250e-6))


@pytest.mark.parametrize("field", ["p_sys_w", "t_rep_s", "t_job_s"])
@pytest.mark.parametrize("value", [-1.0, float("nan"), float("inf"), "1"])
def test_bad_platform_values(field, value):
    with pytest.raises(QpuModelError, match=field):
        get_platform("superconducting", **{field: value})


@pytest.mark.parametrize("jobs", [-1, 1.0, None])
def test_bad_job_counts(jobs):
    with pytest.raises(QpuModelError, match="jobs"):
        qpu_energy([(1e-6, 10)], jobs=jobs)


@pytest.mark.parametrize("item", [(float("nan"), 10), (float("inf"), 10), (1e-6, -1), (1e-6, 10.0)])
def test_bad_durations_and_shots(item):
    with pytest.raises(QpuModelError):
        qpu_energy([item])


def test_breakdowns_and_platforms_are_frozen_records_with_dicts():
    import dataclasses

    b = qpu_energy_breakdown([(2e-6, 1000)])
    assert b.to_dict()["joules"] == b.joules and b.to_dict()["circuits"] == 1
    assert PRESETS["neutral_atom"].to_dict()["t_rep_range_s"] == (0.2, 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.joules = 0.0  # type: ignore[misc]


@needs_qiskit
def test_the_duration_cache_evicts_the_oldest_entry(monkeypatch):
    from qiskit import QuantumCircuit

    monkeypatch.setattr(qpu, "_CACHE_SIZE", 1)
    qpu.clear_duration_cache()
    one, two = QuantumCircuit(1), QuantumCircuit(1)
    one.x(0)
    two.h(0)
    qpu.circuit_duration(one, "heron")
    qpu.circuit_duration(two, "heron")
    qpu.circuit_duration(two, "heron")
    assert qpu.duration_cache_info() == {"hits": 1, "misses": 2, "size": 1, "maxsize": 1}
    qpu.circuit_duration(one, "heron")  # evicted: transpiled again
    assert qpu.duration_cache_info()["misses"] == 3
    qpu.clear_duration_cache()
    assert qpu.duration_cache_info() == {"hits": 0, "misses": 0, "size": 0, "maxsize": 1}
