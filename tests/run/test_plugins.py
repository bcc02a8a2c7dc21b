"""Plug-ins: a package installed with pip registers a method through the entry-point group `qlang.methods`;
`qlc methods` names its origin, a spec runs it on both targets, and a plug-in that cannot load is warning
Q802, not a crash. The package is tests/plugins/example, installed (offline, no dependencies) into a
temporary folder that the commands find on PYTHONPATH, so the test venv stays as it was."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = """pipeline plugged {
  target pennylane
  seed 3

  data wine = wine(limit: 60)

  stage encode kernel from wine {
    method example_x_kernel(qubits: 3)
    baseline knn
  }
}
"""


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory):
    """The example plug-in, pip-installed into a folder of its own; returns that folder."""
    work = tmp_path_factory.mktemp("plugin")
    source = shutil.copytree(ROOT / "tests" / "plugins" / "example", work / "source")  # builds write here
    target = work / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index"]
    done = subprocess.run([*pip, "--target", str(target), str(source)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return target


def qlc(plugin_path: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin_path), str(ROOT)]), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "qlang.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, check=False)


def test_qlc_methods_names_the_plugin_and_the_one_left_out(plugin_path):
    done = qlc(plugin_path, "methods", "--kind", "encode")
    assert done.returncode == 0, done.stderr
    assert "example_x_kernel" in done.stdout and "[plug-in qlang-example-plugin]" in done.stdout
    one = qlc(plugin_path, "methods", "example_x_kernel")
    assert "from: the plug-in qlang-example-plugin" in one.stdout
    everything = qlc(plugin_path, "methods")
    assert "plug-ins left out" in everything.stdout
    assert "qlang-example-plugin (broken = qlang_example_plugin.missing:ENTRIES): ModuleNotFoundError" in (
        everything.stdout)


def test_a_broken_plugin_is_warning_q802_and_the_spec_still_checks(plugin_path, tmp_path):
    spec = tmp_path / "plugged.qlc"
    spec.write_text(SPEC, encoding="utf-8")
    done = qlc(plugin_path, "check", str(spec))
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("warning[Q802]") == 1 and "Traceback" not in done.stderr
    assert "the plug-in `qlang-example-plugin` was left out of the catalog" in done.stderr


def test_without_the_plugin_its_method_is_unknown(tmp_path):
    spec = tmp_path / "plugged.qlc"
    spec.write_text(SPEC, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "qlang.cli", "check", str(spec)], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert done.returncode == 1 and "error[Q103]" in done.stderr


def test_the_plugin_runs_from_a_spec_on_both_targets_and_they_agree(plugin_path, tmp_path):
    spec = tmp_path / "plugged.qlc"
    spec.write_text(SPEC, encoding="utf-8")
    accuracy = {}
    for target in ("pennylane", "qiskit"):
        out = tmp_path / target
        done = qlc(plugin_path, "run", str(spec), "--target", target, "--out", str(out), "--format", "json")
        assert done.returncode == 0, done.stderr
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        stage = report["stages"][0]
        assert report["status"] == "ok" and stage["status"] == "ok", stage
        assert stage["method"]["name"] == "example_x_kernel"
        accuracy[target] = stage["method"]["metrics"]["accuracy"]["mean"]
    # wine's three classes are far apart: an exact kernel of 3 reduced features classifies most rows
    assert accuracy["pennylane"] > 0.6
    assert accuracy["pennylane"] == pytest.approx(accuracy["qiskit"], abs=1e-9)
