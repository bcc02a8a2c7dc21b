"""Generated circuit function names are injective: no two stages of a spec ever share a function.

Names once joined pipeline, stage and role with `_`, so pipeline `a_b` with stage `c` and pipeline `a`
with stage `b_c` both defined `a_b_c_feature_map`; the second definition silently replaced the first and
the run reported the other stage's numbers."""

from __future__ import annotations

import ast
import keyword
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qlang.build import compile_text
from qlang.codegen.model import identifier

ROLES = ("feature_map", "model", "overlap", "qaoa")
# the grammar's NAME; names over a tiny alphabet share pieces often, where joined names can collide
NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True) | st.from_regex(r"[a_][a_1]{0,3}", fullmatch=True)
RESTS = st.tuples(st.sampled_from(ROLES), st.none() | st.integers(0, 12)).map(
    lambda rp: (rp[0],) if rp[1] is None else (rp[0], f"p{rp[1]}")
)


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])  # a loaded machine is slow, not wrong
@given(NAMES, NAMES, NAMES, NAMES, RESTS)
def test_distinct_pipeline_and_stage_names_give_distinct_functions(p1, s1, p2, s2, rest):
    one, two = identifier(p1, s1, *rest), identifier(p2, s2, *rest)
    assert one.isidentifier() and not keyword.iskeyword(one)
    assert (one == two) == ((p1, s1) == (p2, s2))


@given(st.lists(st.tuples(NAMES, NAMES, RESTS), min_size=2, max_size=8, unique=True))
def test_a_module_never_defines_a_name_twice(circuits):
    names = [identifier(p, s, *rest) for p, s, rest in circuits]
    assert len(set(names)) == len(names)


def test_underscored_names_that_once_collided_stay_apart():
    assert identifier("a_b", "c", "feature_map") != identifier("a", "b_c", "feature_map")
    assert identifier("a_", "b", "model") != identifier("a", "_b", "model")
    assert identifier("quickstart", "clusters", "feature_map") == "quickstart_clusters_feature_map"


def test_the_generated_module_keeps_both_stages(tmp_path):
    spec = tmp_path / "clash.qlc"
    stage = "  stage curate {name} from d {{\n    method quantum_kmeans(clusters: 2, qubits: {q})\n    baseline kmeans\n  }}\n"
    spec.write_text(
        "pipeline a_b {\n  data d = wine(limit: 30)\n" + stage.format(name="c", q=3) + "}\n"
        "pipeline a {\n  data d = wine(limit: 30)\n" + stage.format(name="b_c", q=4) + "}\n",
        encoding="utf-8",
    )
    for target in ("pennylane", "qiskit"):
        compiled = compile_text(spec.read_text(encoding="utf-8"), spec, target, Path(tmp_path))
        assert compiled.source is not None
        tree = ast.parse(compiled.source)
        functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
        assert len(functions) == len(set(functions)), "a function is defined twice"
        bodies = next(
            node.value
            for node in tree.body
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) in ("BODIES", "BUILDERS")
        )
        by_key = {}
        for key, value in zip(bodies.keys, bodies.values):
            fn = value.elts[0] if isinstance(value, ast.Tuple) else value
            by_key[key.value] = fn.id
        assert by_key["a_b.c.feature_map"] != by_key["a.b_c.feature_map"]
        assert len(set(by_key.values())) == len(by_key)


def test_sweep_points_with_the_same_circuit_share_one_function(tmp_path):
    """`shots` does not change a circuit, `qubits` does: four points, two functions per role, and each
    point's key still reaches a circuit of its own width."""
    spec = tmp_path / "sweep.qlc"
    spec.write_text(
        "pipeline s {\n  data d = breast_cancer(limit: 40)\n  stage encode k from d {\n"
        "    method zz_feature_map(qubits: sweep(2, 3), shots: sweep(none, 256))\n    baseline rbf_svm\n  }\n}\n",
        encoding="utf-8",
    )
    for target in ("pennylane", "qiskit"):
        compiled = compile_text(spec.read_text(encoding="utf-8"), spec, target, Path(tmp_path))
        assert compiled.source is not None
        namespace: dict = {"__name__": "generated"}
        exec(compile(compiled.source, str(spec), "exec"), namespace)  # noqa: S102 - our own generated code
        table = namespace.get("BUILDERS") or {k: fn for k, (fn, _) in namespace["BODIES"].items()}
        functions = [n for n in ast.parse(compiled.source).body if isinstance(n, ast.FunctionDef)]
        circuit_functions = {f.name for f in functions if f.name.startswith("s_k_")}
        assert circuit_functions == {"s_k_feature_map_p0", "s_k_overlap_p0", "s_k_feature_map_p2", "s_k_overlap_p2"}
        assert table["s.k.feature_map@0"] is table["s.k.feature_map@1"]
        assert table["s.k.feature_map@2"] is table["s.k.feature_map@3"]
        assert table["s.k.feature_map@0"] is not table["s.k.feature_map@2"]
        if target == "pennylane":
            shapes = {k: shape.n_wires for k, (_, shape) in namespace["BODIES"].items()}
            assert [shapes[f"s.k.overlap@{i}"] for i in range(4)] == [2, 2, 3, 3]
        else:
            assert [table[f"s.k.overlap@{i}"]()[0].num_qubits for i in range(4)] == [2, 2, 3, 3]
