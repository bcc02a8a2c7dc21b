"""The registry: the runtime's method table, the circuit roles, the cost models and the stage circuits all
derive from catalog entries. Checked against things written independently of the entries: the tables as they
were written by hand before the registry, the generated modules in generated/, and the cost models' own
count of QPU circuits per role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qlang import catalog
from qlang.catalog.costs import COSTS, Work
from qlang.circuits.library import stage_circuits
from qlang.runtime.methods import METHODS, ROLES

ROOT = Path(__file__).resolve().parents[2]
KERNEL, MODEL, QAOA = ("feature_map", "overlap"), ("model",), ("qaoa",)

# The hand-written tables the registry replaced (runtime/methods/__init__.py before it): implementation by
# module, and circuit roles. A method added later is not listed here; the checks below still cover it.
WRITTEN = {
    "curate": ["quantum_kmeans", "kmeans"],
    "dedup": ["quantum_dedup", "cosine_dedup"],
    "finetune": ["hybrid_qnn_head", "logistic_regression", "svm", "mlp", "quantum_distillation"],
    "encode": ["amplitude_encoding", "angle_encoding", "zz_feature_map", "rbf_svm", "knn", "pca"],
    "monitor": ["quantum_kernel_mmd", "rbf_mmd", "ks_test", "quantum_ocsvm", "rbf_ocsvm", "isolation_forest"],
    "train": ["qng", "parameter_shift", "adam", "sgd"],
    "lowrank": ["quantum_inspired_lowrank", "truncated_svd"],
    "prune": ["qaoa_pruning", "annealing_pruning", "magnitude_pruning", "greedy_taylor", "int8_quantization"],
    "hpo": ["quantum_hpo", "random_search", "tpe", "fmqa_exact", "fmqa_annealing"],
    "layers": ["hybrid_layer", "dense_layer"],
}
WRITTEN_ROLES = {
    "quantum_kmeans": KERNEL, "hybrid_qnn_head": MODEL, "amplitude_encoding": KERNEL, "angle_encoding": KERNEL,
    "zz_feature_map": KERNEL, "quantum_dedup": KERNEL, "quantum_kernel_mmd": KERNEL, "quantum_ocsvm": KERNEL,
    "qng": MODEL, "parameter_shift": MODEL, "adam": MODEL, "sgd": MODEL, "quantum_distillation": MODEL,
    "qaoa_pruning": QAOA, "quantum_hpo": QAOA, "hybrid_layer": MODEL,
}
BUILTIN = [name for name, e in catalog.METHODS.items() if e.origin == "qlang"]


def defaults(name: str, **extra) -> dict:
    return {**{p.name: p.default for p in catalog.METHODS[name].params if not p.required}, **extra}


def test_the_written_tables_are_what_the_registry_derives():
    for module, names in WRITTEN.items():
        for name in names:
            fn = METHODS[name]
            assert f"{fn.__module__}:{fn.__name__}" == f"qlang.runtime.methods.{module}:{name}"
    assert {n: r for n, r in ROLES.items() if n in WRITTEN_ROLES} == WRITTEN_ROLES
    assert set(WRITTEN_ROLES) <= set(ROLES)


@pytest.mark.parametrize("name", BUILTIN)
def test_every_builtin_method_runs_and_is_priced(name):
    entry = catalog.METHODS[name]
    assert entry.runnable and name in METHODS and callable(METHODS[name])
    assert name in COSTS


@pytest.mark.parametrize("name", [n for n in BUILTIN if catalog.METHODS[n].circuits])
def test_stage_circuits_have_exactly_the_declared_roles(name):
    params = defaults(name, **({"qaoa_layers": 1, "units": 4} if name == "qaoa_pruning" else {}))
    circuits = stage_circuits(name, params)
    assert tuple(circuits) == catalog.METHODS[name].roles
    assert all(c.name == role for role, c in circuits.items())


@pytest.mark.parametrize("name", [n for n in BUILTIN if catalog.METHODS[n].is_quantum])
def test_the_cost_model_counts_qpu_circuits_only_for_declared_roles(name):
    """The cost models name their QPU circuits by role themselves: those names must be the entry's roles."""
    work = COSTS[name](defaults(name), 100, 2)
    assert isinstance(work, Work)
    if catalog.METHODS[name].roles:  # quantum_inspired_lowrank runs no circuit
        assert work.qpu_circuits and set(work.qpu_circuits) <= set(catalog.METHODS[name].roles)


def test_the_generated_modules_carry_the_roles_the_runner_asks_for():
    """generated/*.py were compiled from specs/ (and `qlc compile --check` keeps them so): the circuit keys
    of every quantum stage there are `<pipeline>.<stage>.<role>` for exactly the runner's roles (a swept
    stage has one per sweep point, `…<role>@<point>`)."""
    from qlang.checks import check_text

    seen = 0
    for spec in sorted((ROOT / "specs").glob("*.qlc")):
        source = (ROOT / "generated" / f"{spec.stem}.pennylane.py").read_text(encoding="utf-8")
        keys = set(re.findall(r"^    '([\w.@]+)': \(", source, re.M))
        result = check_text(spec.read_text(encoding="utf-8"), str(spec))
        for p in result.spec.pipelines:
            for s in p.stages:
                if catalog.METHODS[s.method.name].is_quantum and catalog.METHODS[s.method.name].circuits:
                    assert {k.split("@")[0] for k in keys if k.startswith(f"{p.name}.{s.name}.")} == {
                        f"{p.name}.{s.name}.{r}" for r in ROLES[s.method.name]}
                    seen += 1
    assert seen >= 10


def test_run_time_settings_are_what_the_runtime_reads():
    """Each method's settings, as the method sees them through its context: the entry's settings, with
    the parameters a stage gives winning."""
    from qlang.runtime.methods.context import MethodContext

    s = MethodContext(params={"trials": 3}).settings("quantum_kernel_mmd")
    assert s["trials"] == 3 and s["shift"] == 0.25 and s["window"] == 64
    assert "trials" not in {p.name for p in catalog.METHODS["quantum_kernel_mmd"].params}
