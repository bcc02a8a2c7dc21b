"""build_backend/tidy_setuptools.py: a build leaves no build/ or qlang.egg-info/ it made; ones already there stay.

(The real `pip install .` needs setuptools from the network in an isolated build, so this drives the
wrapper with a stand-in for setuptools' hook; `.ci/run` installs the package with the real one.)"""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _backend():
    pytest.importorskip("setuptools")
    spec = importlib.util.spec_from_file_location("tidy_setuptools", ROOT / "build_backend" / "tidy_setuptools.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pyproject_builds_with_the_tidy_backend():
    system = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    assert (system["build-backend"], system["backend-path"]) == ("tidy_setuptools", ["build_backend"])


def _messy_build(root: Path):
    def build(wheel_directory):
        (root / "build" / "lib").mkdir(parents=True, exist_ok=True)
        (root / "qlang.egg-info").mkdir(exist_ok=True)
        (root / "qlang.egg-info" / "PKG-INFO").write_text("Name: qlang\n", encoding="utf-8")
        return "qlang-0.1.0-py3-none-any.whl"

    return build


def test_what_the_build_made_is_removed(tmp_path):
    tidied = _backend().tidy(_messy_build(tmp_path), root=tmp_path)
    assert tidied("dist") == "qlang-0.1.0-py3-none-any.whl"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_what_was_there_before_is_kept(tmp_path):
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "mine.txt").write_text("a user's file", encoding="utf-8")
    tidied = _backend().tidy(_messy_build(tmp_path), root=tmp_path)
    tidied("dist")
    assert (tmp_path / "build" / "mine.txt").exists()  # not ours to delete
    assert not (tmp_path / "qlang.egg-info").exists()


def test_a_failed_build_is_tidied_too(tmp_path):
    def failing(wheel_directory):
        _messy_build(tmp_path)(wheel_directory)
        raise RuntimeError("compiler error")

    with pytest.raises(RuntimeError):
        _backend().tidy(failing, root=tmp_path)("dist")
    assert list(tmp_path.iterdir()) == []


def test_every_build_hook_is_tidied():
    backend = _backend()
    for hook in ("get_requires_for_build_wheel", "prepare_metadata_for_build_wheel", "build_wheel", "build_sdist"):
        assert getattr(backend, hook).__name__ == "tidied", hook
