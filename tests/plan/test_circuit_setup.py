"""The Qiskit executor's one-off work per circuit (qlang.circuits.setup), counted from the IR, is what the
executor really does, and the plan prices it per task."""

import numpy as np
import pytest

from qlang.catalog.costs import Work, used_roles, with_circuit_setup
from qlang.circuits.library import stage_circuits
from qlang.circuits.setup import Setup, qiskit_setup, segments
from qlang.plan.prices import Prices

CASES = [
    ("quantum_kmeans", {"qubits": 4, "encoding": "angle", "reps": 2}, "feature_map"),
    ("quantum_kmeans", {"qubits": 4, "encoding": "angle", "reps": 2}, "overlap"),
    ("zz_feature_map", {"qubits": 3, "reps": 2}, "feature_map"),
    ("zz_feature_map", {"qubits": 8, "reps": 1}, "feature_map"),  # too wide to cut into segments
    ("amplitude_encoding", {"qubits": 2}, "overlap"),  # bound row by row: nothing transpiled ahead
    ("hybrid_qnn_head", {"qubits": 3, "layers": 2}, "model"),
    ("projected_quantum_kernel", {"qubits": 3, "reps": 1}, "y_basis"),
]


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "sampled"])
@pytest.mark.parametrize("method,params,role", CASES, ids=[f"{m}-{r}-{p.get('qubits')}" for m, p, r in CASES])
def test_counts_are_what_the_qiskit_executor_does(method, params, role, exact, monkeypatch):
    pytest.importorskip("qiskit_aer")
    import sympy

    import qlang.runtime.targets.qiskit as target
    import qlang.runtime.targets.segments as cut
    from qlang.circuits import emit_qiskit

    circuit = stage_circuits(method, params)[role]
    done = Setup()

    def counting(name, real):
        def call(*args, **kwargs):
            nonlocal done
            done = Setup(done.transpiles + (name == "t"), done.angle_expressions + (name == "l"), done.segments + (name == "s"))
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(target, "transpile", counting("t", target.transpile))
    monkeypatch.setattr(cut, "transpile", counting("s", cut.transpile))
    monkeypatch.setattr(sympy, "lambdify", counting("l", sympy.lambdify))
    executor = target.QiskitExecutor({"m": lambda: emit_qiskit.build(circuit)})
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 1.5, (6, circuit.n_inputs))  # positive: amplitude encodings need a nonzero slice
    w = rng.uniform(-1, 1, (6, circuit.n_weights)) if circuit.n_weights else None
    executor.probs("m", x, w, None if exact else 16)
    executor.probs("m", x, w, None if exact else 16)  # the second call prepares nothing more
    assert done == qiskit_setup(circuit, exact)


def test_segments_follow_what_each_gate_reads():
    assert segments(stage_circuits("hybrid_qnn_head", {"qubits": 3, "layers": 2})["model"]) == 4  # x w x w
    assert segments(stage_circuits("angle_encoding", {"qubits": 3})["feature_map"]) == 1


def test_a_task_pays_the_set_up_of_the_circuits_its_method_uses():
    kmeans = {"qubits": 4, "encoding": "angle", "reps": 2, "shots": None}
    assert used_roles(["feature_map", "overlap"], kmeans) == ["feature_map"]
    assert used_roles(["feature_map", "overlap"], {**kmeans, "shots": 64}) == ["overlap"]
    assert used_roles(["model"], {"shots": 64}) == ["model"]
    exact = with_circuit_setup(Work(circuit_rows=10), "quantum_kmeans", kmeans)
    assert (exact.transpiles, exact.segments, exact.angle_expressions) == (3, 1, 0)  # three templates, one segment
    sampled = with_circuit_setup(Work(circuit_rows=10), "quantum_kmeans", {**kmeans, "shots": 64})
    assert (sampled.transpiles, sampled.segments, sampled.angle_expressions) == (3, 0, 4)  # the overlap's x - y
    assert with_circuit_setup(Work(), "quantum_kmeans", kmeans).transpiles == 0  # no circuits run, none prepared
    assert with_circuit_setup(Work(flops=5.0), "kmeans", {}).transpiles == 0


def test_the_set_up_is_priced_on_qiskit_only():
    prices = Prices(0.0, 0.0, row_j={"qiskit": 0.0, "pennylane": 0.0}, call_j={"qiskit": 0.0, "pennylane": 0.0},
                    fit_j=0.0, kmeans_init_j=0.0, transpile_j={"qiskit": 2.0, "pennylane": 0.0},
                    angle_j={"qiskit": 0.5, "pennylane": 0.0}, segment_j={"qiskit": 1.5, "pennylane": 0.0})  # fmt: skip
    work = Work(transpiles=7, angle_expressions=4, segments=2)
    assert prices.joules(work, "qiskit") == 7 * 2.0 + 4 * 0.5 + 2 * 1.5
    assert prices.joules(work, "pennylane") == 0.0


def test_the_plan_charges_each_seed_its_set_up(tmp_path, monkeypatch):
    from qlang.checks import check_text
    from qlang.plan.estimate import estimate

    monkeypatch.setenv("QLANG_CACHE", str(tmp_path))
    spec = ("pipeline p {\n  target qiskit\n  repeat 3\n  data d = breast_cancer(limit: 20)\n  stage curate c {\n"
            "    method quantum_kmeans(clusters: 2, qubits: 4)\n  }\n}\n")  # fmt: skip
    (pipeline,) = check_text(spec, "p.qlc").checked.pipelines
    free = Prices(0.0, 0.0, row_j={"qiskit": 0.0}, call_j={"qiskit": 0.0}, fit_j=0.0, kmeans_init_j=0.0,
                  transpile_j={"qiskit": 0.0}, angle_j={"qiskit": 0.0}, segment_j={"qiskit": 0.0})  # fmt: skip
    priced = Prices(0.0, 0.0, row_j={"qiskit": 0.0}, call_j={"qiskit": 0.0}, fit_j=0.0, kmeans_init_j=0.0,
                    transpile_j={"qiskit": 1.0}, angle_j={"qiskit": 0.0}, segment_j={"qiskit": 0.5})  # fmt: skip
    (a,), (b,) = estimate(pipeline, free).stages, estimate(pipeline, priced).stages
    assert b.simulation_j - a.simulation_j == pytest.approx(3 * (3 + 0.5))  # three seeds: three templates, a segment
