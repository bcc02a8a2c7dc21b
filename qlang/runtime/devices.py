"""Device models at run time: qiskit-ibm-runtime's fake backends, and the noise a device brings.

`fake_backends()` lists the installed fake provider (name → qubits); `qlang.catalog.devices` keeps a
static copy for the front end, and `python -m qlang.runtime.devices` prints it afresh.
"""

from __future__ import annotations

import warnings
from functools import cache


@cache
def fake_backend(name: str):
    """The fake backend `name` (e.g. "fake_fez") of qiskit-ibm-runtime's fake provider: only its class is
    instantiated (each class names its backend), not the provider, which builds all of them (seconds of CPU
    a run's first noisy stage paid); and it is the QPU model's instance (qlang.energy.qpu.device_model), whose
    calibration target the plan has already built when it priced the circuits."""
    from qiskit_ibm_runtime import fake_provider
    from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2

    from qlang.energy.qpu import QpuModelError, device_model

    try:  # the instance the plan transpiled onto for circuit durations: its calibration is already read
        shared = device_model(name)
        if shared.name == name:
            return shared
    except QpuModelError:
        pass
    with warnings.catch_warnings():  # some fake devices warn that their error values are not typical
        warnings.simplefilter("ignore")
        for cls in vars(fake_provider).values():
            if isinstance(cls, type) and issubclass(cls, FakeBackendV2) and getattr(cls, "backend_name", None) == name:
                return cls()
        for backend in fake_provider.FakeProviderForBackendV2().backends():  # a class that names itself otherwise
            if backend.name == name:
                return backend
    raise KeyError(f"no fake backend {name!r}")


def fake_backends() -> dict[str, int]:
    """Every fake backend of the installed qiskit-ibm-runtime: name → qubits, sorted by name."""
    from qiskit_ibm_runtime import fake_provider

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        backends = fake_provider.FakeProviderForBackendV2().backends()
    return dict(sorted((b.name, int(b.num_qubits)) for b in backends))


def catalog_source() -> str:
    """The text of `FAKE_BACKENDS` for qlang/catalog/devices.py."""
    rows = "".join(f"    {name!r}: {n},\n" for name, n in fake_backends().items())
    return "FAKE_BACKENDS: dict[str, int] = {\n" + rows + "}\n"


if __name__ == "__main__":
    print(catalog_source(), end="")
