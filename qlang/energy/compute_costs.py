"""Joules per unit of compute on this machine: per statevector amplitude op and per FLOP, measured with the
meter by two kernels (half of ``qlc calibrate``; the fixed overheads are qlang/plan/overheads.py).

Two kernels, each run for at least ``min_seconds`` of wall time inside a meter window:

* a statevector kernel: random 1- and 2-qubit unitaries applied to a ``2**qubits`` complex128 state
  with numpy. One *amplitude op* is one amplitude rewritten by one gate, so every gate application
  counts ``2**qubits`` ops whatever its arity → ``joules_per_amplitude_op``;
* a FLOP kernel: float64 ``n × n`` matrix products, ``2 n³`` FLOPs each → ``joules_per_flop``.

The result is stored as JSON in ``$QLANG_CACHE/calibration.json`` (default
``~/.cache/qlang/calibration.json``). ``load_calibration()`` returns it, or the documented defaults
marked ``calibrated: false`` when there is none.

numpy is imported inside ``calibrate`` only.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform as _platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qlang.energy.meter import MODELED, Meter

SCHEMA = 1

#: Defaults used before ``qlc calibrate`` has run. Measured on the development machine (a 2-vCPU
#: AMD EPYC KVM guest, numpy 2.4, both kernels on one thread) with the CPU-time model at its
#: defaults (12 W/thread + 1.49 W ≈ 13.3 W), then rounded: the statevector kernel rewrote
#: ≈ 7e7 amplitudes/s at 20 qubits (≈ 1.8e-7 J each) and matmul ran ≈ 4.4e10 FLOP/s
#: (≈ 3.1e-10 J each). Order-of-magnitude figures for a machine that was never calibrated.
DEFAULT_JOULES_PER_AMPLITUDE_OP = 2e-7
DEFAULT_JOULES_PER_FLOP = 3e-10

DEFAULT_QUBITS = 20
DEFAULT_MATMUL_N = 1024
DEFAULT_MIN_SECONDS = 1.0


@dataclass(frozen=True)
class Calibration:
    joules_per_amplitude_op: float
    joules_per_flop: float
    provider: str
    provenance: str
    machine: dict[str, Any] = field(default_factory=dict)
    calibrated: bool = True
    # the measurements behind the two rates
    amplitude_ops: int = 0
    statevector_s: float = 0.0
    statevector_j: float = 0.0
    qubits: int = 0
    flops: int = 0
    matmul_s: float = 0.0
    matmul_j: float = 0.0
    matmul_n: int = 0
    created: str = ""  # UTC, ISO 8601
    schema: int = SCHEMA

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        cal = cls(**values)
        for f in ("joules_per_amplitude_op", "joules_per_flop"):
            v = getattr(cal, f)
            if not (isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 and v != float("inf")):
                raise ValueError(f"{f} must be a positive number, not {v!r}")
        return cal

    def simulation_joules(self, amplitude_ops: float) -> float:
        return amplitude_ops * self.joules_per_amplitude_op

    def classical_joules(self, flops: float) -> float:
        return flops * self.joules_per_flop


DEFAULT_CALIBRATION = Calibration(
    joules_per_amplitude_op=DEFAULT_JOULES_PER_AMPLITUDE_OP,
    joules_per_flop=DEFAULT_JOULES_PER_FLOP,
    provider="default",
    provenance=MODELED,
    machine={"note": "documented defaults; run `qlc calibrate` to measure this machine"},
    calibrated=False,
)


def calibration_path() -> Path:
    """``$QLANG_CACHE/calibration.json``, else ``~/.cache/qlang/calibration.json``."""
    root = os.environ.get("QLANG_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "qlang") / "calibration.json"


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "system": _platform.system(),
        "machine": _platform.machine(),
        "processor": _processor_name(),
        "cpu_count": os.cpu_count(),
        "python": _platform.python_version(),
    }
    try:
        info["usable_cpus"] = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        pass
    try:
        import numpy

        info["numpy"] = numpy.__version__
    except ImportError:  # pragma: no cover
        pass
    return info


def _processor_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return _platform.processor() or _platform.machine()


def _random_unitary(rng: Any, dim: int) -> Any:
    import numpy as np

    z = (rng.standard_normal((dim, dim)) + 1j * rng.standard_normal((dim, dim))) / np.sqrt(2)
    q, r = np.linalg.qr(z)
    d = np.diagonal(r)
    return q * (d / np.abs(d))


def _apply_1q(state: Any, n: int, gate: Any, q: int) -> Any:
    """Apply a 2×2 unitary to qubit q (little-endian: qubit 0 is the fastest-varying index)."""
    import numpy as np

    psi = state.reshape(1 << (n - q - 1), 2, 1 << q)
    a0, a1 = psi[:, 0, :], psi[:, 1, :]
    out = np.empty_like(psi)
    np.multiply(gate[0, 0], a0, out=out[:, 0, :])
    out[:, 0, :] += gate[0, 1] * a1
    np.multiply(gate[1, 0], a0, out=out[:, 1, :])
    out[:, 1, :] += gate[1, 1] * a1
    return out.reshape(-1)


def _apply_2q(state: Any, n: int, gate: Any, q1: int, q2: int) -> Any:
    """Apply a 4×4 unitary to qubits q1 < q2; the gate's index is 2·bit(q2) + bit(q1)."""
    import numpy as np

    psi = state.reshape(1 << (n - q2 - 1), 2, 1 << (q2 - q1 - 1), 2, 1 << q1)
    src = [psi[:, c >> 1, :, c & 1, :] for c in range(4)]
    out = np.empty_like(psi)
    for r in range(4):
        dst = out[:, r >> 1, :, r & 1, :]
        np.multiply(gate[r, 0], src[0], out=dst)
        for c in range(1, 4):
            dst += gate[r, c] * src[c]
    return out.reshape(-1)


def statevector_kernel(qubits: int, min_seconds: float, seed: int = 0) -> tuple[int, Any]:
    """Apply random gates for at least ``min_seconds``; returns (amplitude ops, final state)."""
    import numpy as np

    if qubits < 2:
        raise ValueError("the statevector kernel needs at least 2 qubits")
    rng = np.random.default_rng(seed)
    dim = 1 << qubits
    state = np.zeros(dim, dtype=np.complex128)
    state[0] = 1.0
    one = [_random_unitary(rng, 2) for _ in range(8)]
    two = [_random_unitary(rng, 4) for _ in range(8)]
    ops = 0
    t0 = time.perf_counter()
    i = 0
    while True:  # alternate 1- and 2-qubit gates on random qubits
        q = int(rng.integers(qubits))
        if i % 2:
            state = _apply_1q(state, qubits, one[i % 8], q)
        else:
            q2 = int(rng.integers(qubits - 1))
            q2 = q2 + (q2 >= q)
            a, b = sorted((q, q2))
            state = _apply_2q(state, qubits, two[i % 8], a, b)
        ops += dim
        i += 1
        if time.perf_counter() - t0 >= min_seconds:
            return ops, state


def matmul_kernel(n: int, min_seconds: float, seed: int = 0) -> int:
    """float64 n×n matrix products for at least ``min_seconds``; returns FLOPs (2 n³ per product)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n))
    b = rng.standard_normal((n, n)) / n
    flops = 0
    t0 = time.perf_counter()
    while True:
        a = a @ b
        flops += 2 * n**3
        if time.perf_counter() - t0 >= min_seconds:
            return flops


def calibrate(
    meter: Meter | None = None,
    *,
    min_seconds: float = DEFAULT_MIN_SECONDS,
    qubits: int = DEFAULT_QUBITS,
    matmul_n: int = DEFAULT_MATMUL_N,
    seed: int = 0,
    save: bool = True,
    path: str | Path | None = None,
) -> Calibration:
    """Measure joules per amplitude op and per FLOP with ``meter``; store the result unless ``save=False``."""
    meter = meter or Meter()
    # warm-up: allocate, fault pages in, load BLAS, outside the windows
    statevector_kernel(qubits, 0.0, seed)
    matmul_kernel(matmul_n, 0.0, seed)
    with meter.window("calibrate") as outer:
        with meter.window("calibrate:statevector") as sv:
            amp_ops, _ = statevector_kernel(qubits, min_seconds, seed)
        with meter.window("calibrate:matmul") as mm:
            flops = matmul_kernel(matmul_n, min_seconds, seed)
    del outer
    rsv, rmm = sv.reading(), mm.reading()
    if rsv.joules <= 0 or rmm.joules <= 0:
        raise RuntimeError(
            f"the {meter.provider} meter read no energy during calibration "
            f"(statevector {rsv.joules} J, matmul {rmm.joules} J); try a longer min_seconds"
        )
    cal = Calibration(
        joules_per_amplitude_op=rsv.joules / amp_ops,
        joules_per_flop=rmm.joules / flops,
        provider=meter.provider,
        provenance=meter.provenance,
        machine={**machine_info(), **meter.describe()},
        calibrated=True,
        amplitude_ops=amp_ops,
        statevector_s=rsv.wall_s,
        statevector_j=rsv.joules,
        qubits=qubits,
        flops=flops,
        matmul_s=rmm.wall_s,
        matmul_j=rmm.joules,
        matmul_n=matmul_n,
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
    if save:
        save_calibration(cal, path)
    return cal


def save_calibration(cal: Calibration, path: str | Path | None = None) -> Path:
    """Write atomically (a temporary file, then rename)."""
    p = Path(path) if path is not None else calibration_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(cal.to_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, p)
    return p


def load_calibration(path: str | Path | None = None) -> Calibration:
    """The stored calibration, or DEFAULT_CALIBRATION (``calibrated: false``) if none is readable."""
    p = Path(path) if path is not None else calibration_path()
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            return DEFAULT_CALIBRATION
        return Calibration.from_dict(data)
    except (OSError, ValueError, TypeError):
        return DEFAULT_CALIBRATION
