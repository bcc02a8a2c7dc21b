"""The runtime needs no planner: a run reports the estimates it is handed (`qlc run` makes the plan), so no
module a run loads imports qlang.plan, at import time or inside a function."""

import ast
import subprocess
import sys
from pathlib import Path

QLANG = Path(__file__).resolve().parents[2] / "qlang"
# what a run loads: the runtime, and the energy model it calls after a noisy stage
RUNTIME = [*sorted((QLANG / "runtime").rglob("*.py")), QLANG / "energy" / "qpu_ran.py", QLANG / "energy" / "qpu_circuits.py"]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_runtime_module_imports_the_planner_anywhere_in_it():
    offenders = {str(p.relative_to(QLANG)): sorted(n for n in _imports(p) if n.startswith("qlang.plan"))
                 for p in RUNTIME}  # fmt: skip
    assert {p: names for p, names in offenders.items() if names} == {}


def test_importing_the_runtime_loads_no_planner():
    code = (
        "import importlib, pkgutil, sys\n"
        "import qlang.runtime, qlang.energy.qpu_ran\n"
        "for m in pkgutil.walk_packages(qlang.runtime.__path__, 'qlang.runtime.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.startswith('qlang.plan')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_plan_becomes_the_report_estimates():
    from qlang.runtime.runner import stage_estimates

    plan = {"seeds": 2, "calibrated": True, "stages": [{
        "name": "s", "simulation_j": 4.0, "baseline_j": 1.0, "qpu_j": None, "qpu_note": None, "qpu_workload": None,
        "qpu_platform": None, "qpu_by_platform_j": None, "rows": 24, "baselines_j": {"kmeans": 1.0},
        "curves": None, "peak_bytes": 10.0}]}  # fmt: skip
    (s,) = stage_estimates(plan).values()
    assert s["estimated_j"] == 4.0 and s["estimated_baseline_j"] == 1.0 and s["calibrated"] is True
    assert s["estimated_baselines_j"] == {"kmeans": 0.5}  # per seed, as the report compares one seed's energy
    assert stage_estimates(None) == {}
