"""Break-even figures plugged back into the QPU model give the classical energy; what-if re-prices a plan."""

import pytest

from qlang.energy.breakeven import break_even, crossing, growth, qpu_joules
from qlang.energy.qpu import PRESETS, qpu_energy_breakdown
from qlang.plan.estimate import what_if

# one seed of a kernel stage: 12,720 overlap circuits of 3 µs at 1024 shots, and 160 of 1 µs at 100 shots
WORKLOAD = [(3e-6, None, 12720.0), (1e-6, 100, 160.0)]


@pytest.mark.parametrize("platform", sorted(PRESETS))
@pytest.mark.parametrize("classical_j", [2.5, 40.0, 5e6])
def test_break_even_parameters_reproduce_the_classical_energy(platform, classical_j):
    preset = PRESETS[platform]
    b = break_even(WORKLOAD, preset, classical_j)
    assert b.qpu_j == pytest.approx(qpu_energy_breakdown([(d, s, int(c)) for d, s, c in WORKLOAD], preset).joules)
    assert qpu_joules(WORKLOAD, preset.replace(p_sys_w=b.power_w)) == pytest.approx(classical_j)
    if b.t_rep_s is None:  # even t_rep = 0 costs more than the classical energy
        assert qpu_joules(WORKLOAD, preset.replace(t_rep_s=0.0)) > classical_j
    else:
        assert qpu_joules(WORKLOAD, preset.replace(t_rep_s=b.t_rep_s)) == pytest.approx(classical_j)
    one_shot = [(d, 1, c) for d, _, c in WORKLOAD]
    if b.shots is None:  # one shot per circuit already costs more
        assert qpu_joules(one_shot, preset) > classical_j
    else:
        at = [(d, b.shots, c) for d, _, c in WORKLOAD]  # fractional shots: the model is linear in them
        assert qpu_joules(at, preset) == pytest.approx(classical_j)


def test_a_generous_classical_energy_is_reachable_on_every_axis():
    b = break_even(WORKLOAD, PRESETS["superconducting"], 1e9)  # above the preset's 82.5 MJ
    assert b.t_rep_s is not None and b.shots is not None and b.power_w > PRESETS["superconducting"].p_sys_w


def test_crossing_finds_where_the_cheaper_growth_wins():
    quantum = lambda n: 1e4 * n  # noqa: E731  linear, large constant
    classical = lambda n: 0.5 * n**2  # noqa: E731  quadratic
    n = crossing(quantum, classical)
    assert n == 20_000 and quantum(n) <= classical(n) and quantum(n - 1) > classical(n - 1)
    assert crossing(classical, quantum) == 2  # already cheaper at the smallest size
    assert crossing(lambda n: 10.0 * n**2, lambda n: n**2) is None  # never
    g = growth(quantum, classical, 100)
    assert g.quantum_slope == pytest.approx(1.0) and g.classical_slope == pytest.approx(2.0)
    assert g.crossing_n == 20_000


def test_what_if_reads_units_and_refuses_nonsense():
    assert what_if("qpu.power=5kW,qpu.t_rep=20us") == {"p_sys_w": 5000.0, "t_rep_s": pytest.approx(2e-5)}
    assert what_if("qpu.t_job=1.5s") == {"t_job_s": 1.5}
    assert what_if("") == {}
    for bad in ("qpu.power=5", "qpu.power=5 kJ", "qpu.volts=3V"):
        with pytest.raises(ValueError):
            what_if(bad)


def test_plan_what_if_reprices_the_qpu_column(capsys):
    import json
    from pathlib import Path

    from qlang.cli import main

    pytest.importorskip("qiskit")
    spec = str(Path(__file__).resolve().parents[2] / "specs" / "quickstart.qlc")
    assert main(["plan", spec, "--format", "json"]) == 0
    preset = json.loads(capsys.readouterr().out)["stages"]
    assert main(["plan", spec, "--format", "json", "--what-if", "qpu.power=5kW,qpu.t_rep=20us"]) == 0
    plan = json.loads(capsys.readouterr().out)
    cheaper, seeds = plan["stages"], plan["seeds"]
    assert seeds == 3
    for a, b in zip(preset, cheaper):
        assert b["qpu_platform"]["p_sys_w"] == 5000.0 and b["qpu_platform"]["t_rep_s"] == pytest.approx(2e-5)
        assert b["qpu_j"] == pytest.approx(seeds * qpu_joules(b["qpu_workload"], PRESETS["superconducting"].replace(
            p_sys_w=5000.0, t_rep_s=2e-5)))  # one job per seed
        assert b["qpu_j"] < a["qpu_j"] / 5
    assert main(["plan", spec, "--what-if", "qpu.power=lots"]) == 2


def test_every_crossing_is_found_when_the_sides_swap_more_than_once():
    """A fixed cost on the quantum side and a faster growth: cheaper over a middle range of sizes only."""
    from qlang.energy.breakeven import crossings
    from qlang.plan.render import crossing_words

    quantum = lambda n: 100 + 1e-3 * n**2  # noqa: E731  cheaper from 113 (112.77 <= 113) to 887
    classical = lambda n: float(n)  # noqa: E731
    assert crossings(quantum, classical) == ((113, True), (888, False))
    assert crossing(quantum, classical) == 113
    assert crossings(classical, quantum) == ((2, True), (113, False), (888, True))
    g = growth(quantum, classical, 100).to_json()
    assert g["crossings"] == [{"n": 113, "quantum_cheaper": True}, {"n": 888, "quantum_cheaper": False}]
    assert crossing_words(g) == "cross more than once: QPU cheaper from N = 113, classical cheaper from N = 888"
    assert crossing_words(growth(lambda n: 1e4 * n, lambda n: 0.5 * n**2, 100).to_json()) == "cross at N = 20,000"
