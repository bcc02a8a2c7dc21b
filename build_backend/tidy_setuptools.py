"""setuptools' PEP 517 backend, leaving the checkout as it found it.

`pip install .` builds in the source tree, and setuptools writes its build tree (`build/`) and its
metadata (`qlang.egg-info/`) there and leaves them (pypa/setuptools#4198, open). Building a wheel or an
sdist here removes those two when the build made them; ones that were already there are kept. Editable
installs are left alone: they read their metadata from the checkout."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (every hook not wrapped here is setuptools' own)

DEBRIS = ("build", "qlang.egg-info")


def tidy(build: Callable[..., Any], root: Path | None = None) -> Callable[..., Any]:
    """`build`, then the DEBRIS under `root` (the working directory) that it created, removed."""

    def tidied(*args, **kwargs):
        base = Path.cwd() if root is None else root
        before = {name for name in DEBRIS if (base / name).exists()}
        try:
            return build(*args, **kwargs)
        finally:
            for name in DEBRIS:
                if name not in before and (base / name).is_dir():
                    shutil.rmtree(base / name, ignore_errors=True)

    return tidied


get_requires_for_build_wheel = tidy(_setuptools.get_requires_for_build_wheel)
get_requires_for_build_sdist = tidy(_setuptools.get_requires_for_build_sdist)
prepare_metadata_for_build_wheel = tidy(_setuptools.prepare_metadata_for_build_wheel)
build_wheel = tidy(_setuptools.build_wheel)
build_sdist = tidy(_setuptools.build_sdist)
