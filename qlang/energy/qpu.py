"""QPU energy model: ``E = P_sys × (T_job + Σ_circuits shots × (d_circ + t_rep))``.

``P_sys`` is the wall power of the whole quantum computer (cryostat or vacuum and lasers, control
electronics, cooling), ``T_job`` a fixed per-job overhead (loading, compilation on the control
system, result transfer), ``d_circ`` the duration of one shot of a circuit on the device and
``t_rep`` the time between shots (reset / repetition delay). The presets and their sources are
documented in docs/energy.md; numbers that are assumptions say so in ``QpuPlatform.assumptions``.

``d_circ`` comes from transpiling the circuit onto a device model, a fake backend from
qiskit-ibm-runtime (calibration snapshots of real IBM devices, usable offline), and
``QuantumCircuit.estimate_duration(target)``: the longest path through the scheduled circuit using
the target's per-qubit gate durations.

This is the only module of qlang.energy that imports Qiskit, and only inside functions, so that
importing it costs nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

#: Shots charged for a circuit whose results came from an exact (statevector) simulation, which
#: needs no shots, when its QPU energy is estimated: the historical default of Qiskit's ``execute``
#: and of Aer, and the usual figure in tutorials. Every breakdown that used it says so in its notes.
DEFAULT_SHOTS = 1024

#: Fixed overhead per job, seconds (DESIGN.md §4).
DEFAULT_T_JOB_S = 2.0

#: Transpiler settings used for durations; fixed so that estimates are reproducible.
OPTIMIZATION_LEVEL = 1
SEED_TRANSPILER = 1234

#: Device-model names → qiskit-ibm-runtime fake backend classes.
BACKENDS: dict[str, str] = {
    "heron": "FakeFez",  # Heron r2, 156 qubits: sx 24 ns, cz 84–104 ns, readout 1.56 µs
    "heron_r2": "FakeFez",
    "heron_r1": "FakeTorino",  # Heron r1, 133 qubits
    "eagle": "FakeSherbrooke",  # Eagle r3, 127 qubits: sx 57 ns, ecr 341–882 ns, readout 1.22 µs
    "eagle_r3": "FakeSherbrooke",
}


class QpuModelError(ValueError):
    """The QPU model cannot estimate this (unknown platform or backend, unsupported circuit)."""


# ---------------------------------------------------------------- platforms


@dataclass(frozen=True)
class QpuPlatform:
    """A platform's parameters for the energy model. Any field can be overridden with ``replace``."""

    name: str
    p_sys_w: float  # wall power of the whole system, watts
    t_rep_s: float  # time between shots, seconds
    t_job_s: float = DEFAULT_T_JOB_S  # fixed overhead per job, seconds
    t_rep_range_s: tuple[float, float] | None = None  # the published range t_rep was chosen from
    duration_backend: str = "heron"  # device model for d_circ (only IBM superconducting models exist)
    sources: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for f in ("p_sys_w", "t_rep_s", "t_job_s"):
            v = getattr(self, f)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise QpuModelError(f"QpuPlatform.{f} must be a finite, non-negative number, not {v!r}")

    def replace(self, **changes: Any) -> QpuPlatform:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _central(lo: float, hi: float) -> float:
    """Geometric mean: the central value of a range that spans up to an order of magnitude."""
    return math.sqrt(lo * hi)


SUPERCONDUCTING = QpuPlatform(
    name="superconducting",
    p_sys_w=25_000.0,
    t_rep_s=250e-6,
    sources=(
        (
            "P_sys 25 kW: DESIGN.md §4; the order of magnitude vendors quote for a dilution-refrigerator "
            "system with its compressor, control electronics and cooling (D-Wave states about 25 kW for "
            "its superconducting annealers)"
        ),
        (
            "t_rep 250 µs: IBM's default repetition delay, `default_rep_delay` = 250 µs in the "
            "configuration of the qiskit-ibm-runtime fake backends (FakeFez, FakeSherbrooke)"
        ),
    ),
    assumptions=("P_sys is a whole-system figure and is charged in full while the job runs",),
)

TRAPPED_ION = QpuPlatform(
    name="trapped_ion",
    p_sys_w=10_000.0,
    t_rep_s=_central(1e-3, 10e-3),  # ≈ 3.16 ms
    t_rep_range_s=(1e-3, 10e-3),
    sources=("t_rep 1–10 ms per shot: ion cooling, state preparation and fluorescence readout (DESIGN.md §4)",),
    assumptions=(
        (
            "P_sys 10 kW is an assumption (no vendor publishes a measured wall power): lasers, vacuum, "
            "control electronics and room cooling"
        ),
        "t_rep is the geometric mean of the 1–10 ms range, ≈ 3.16 ms",
        (
            "d_circ is taken from an IBM superconducting device model; ion gates are slower "
            "(two-qubit gates ~100 µs), so deep circuits are underestimated"
        ),
    ),
)

NEUTRAL_ATOM = QpuPlatform(
    name="neutral_atom",
    p_sys_w=5_000.0,
    t_rep_s=_central(0.2, 1.0),  # ≈ 0.447 s
    t_rep_range_s=(0.2, 1.0),
    sources=("P_sys 5 kW and t_rep 0.2–1 s per shot (atom loading and imaging dominate): DESIGN.md §4",),
    assumptions=(
        "P_sys 5 kW is an order-of-magnitude figure for a rack-sized system, not a measurement",
        "t_rep is the geometric mean of the 0.2–1 s range, ≈ 0.447 s",
        "d_circ is taken from an IBM superconducting device model; it is negligible next to t_rep",
    ),
)

PRESETS: dict[str, QpuPlatform] = {p.name: p for p in (SUPERCONDUCTING, TRAPPED_ION, NEUTRAL_ATOM)}


def get_platform(spec: str | QpuPlatform = "superconducting", **overrides: Any) -> QpuPlatform:
    """A preset by name (or a platform as given), with fields overridden."""
    if isinstance(spec, QpuPlatform):
        base = spec
    else:
        try:
            base = PRESETS[spec]
        except KeyError:
            raise QpuModelError(f"unknown QPU platform {spec!r}; expected one of {', '.join(PRESETS)}") from None
    return base.replace(**overrides) if overrides else base


# ---------------------------------------------------------------- energy


@dataclass(frozen=True)
class QpuEnergy:
    """The terms of the model for one job."""

    platform: str
    p_sys_w: float
    t_job_s: float
    t_rep_s: float
    jobs: int
    circuits: float  # a plan's expected count may be fractional
    shots: float  # total over circuits
    circuit_s: float  # Σ shots × d_circ
    rep_s: float  # Σ shots × t_rep
    job_s: float  # jobs × T_job
    total_s: float
    joules: float
    default_shots_circuits: float = 0  # circuits charged DEFAULT_SHOTS
    notes: tuple[str, ...] = field(default=())

    @property
    def wh(self) -> float:
        return self.joules / 3600.0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def qpu_energy_breakdown(
    durations_and_shots: Iterable[tuple], platform: str | QpuPlatform = "superconducting", *, jobs: int = 1
) -> QpuEnergy:
    """The model's terms for circuits given as ``(d_circ seconds, shots)``, or ``(d_circ, shots, count)`` for
    ``count`` circuits alike; shots ``None`` → DEFAULT_SHOTS."""
    plat = get_platform(platform)
    if not (isinstance(jobs, int) and jobs >= 0):
        raise QpuModelError(f"jobs must be a non-negative integer, not {jobs!r}")
    circuits: float = 0  # counts may be fractional (an expected number of circuits)
    shots_total: float = 0
    circuit_s = 0.0
    defaulted: float = 0
    for item in durations_and_shots:
        try:
            d, shots, *rest = item
            (count,) = rest or (1,)
        except (TypeError, ValueError):
            raise QpuModelError(f"expected (duration_s, shots) or (duration_s, shots, count), got {item!r}") from None
        if not (isinstance(count, (int, float)) and math.isfinite(count) and count >= 0):
            raise QpuModelError(f"a circuit count must be a finite, non-negative number, not {count!r}")
        if shots is None:
            shots = DEFAULT_SHOTS
            defaulted += count
        d = float(d)
        if not (math.isfinite(d) and d >= 0):
            raise QpuModelError(f"circuit duration must be a finite, non-negative number of seconds, not {d!r}")
        if not (isinstance(shots, int) and shots >= 0):
            raise QpuModelError(f"shots must be a non-negative integer, not {shots!r}")
        circuits += count
        shots_total += shots * count
        circuit_s += shots * count * d
    rep_s = shots_total * plat.t_rep_s
    job_s = jobs * plat.t_job_s
    total_s = job_s + circuit_s + rep_s
    notes = []
    if defaulted:
        notes.append(f"{defaulted} exact-simulation circuit(s) charged DEFAULT_SHOTS = {DEFAULT_SHOTS} shots each")
    notes.extend(plat.assumptions)
    return QpuEnergy(
        platform=plat.name,
        p_sys_w=plat.p_sys_w,
        t_job_s=plat.t_job_s,
        t_rep_s=plat.t_rep_s,
        jobs=jobs,
        circuits=circuits,
        shots=shots_total,
        circuit_s=circuit_s,
        rep_s=rep_s,
        job_s=job_s,
        total_s=total_s,
        joules=plat.p_sys_w * total_s,
        default_shots_circuits=defaulted,
        notes=tuple(notes),
    )


def qpu_energy(
    durations_and_shots: Iterable[tuple[float, int | None]],
    platform: str | QpuPlatform = "superconducting",
    *,
    jobs: int = 1,
) -> float:
    """Joules for one job (or ``jobs`` jobs) running the given circuits: ``P_sys × (T_job + Σ shots × (d + t_rep))``."""
    return qpu_energy_breakdown(durations_and_shots, platform, jobs=jobs).joules


# ---------------------------------------------------------------- circuit durations


@dataclass(frozen=True)
class CircuitTiming:
    """One shot of a circuit transpiled onto a device model."""

    duration_s: float
    backend: str  # the fake backend's name, e.g. "fake_fez"
    qubits: int  # qubits the circuit acts on
    depth: int  # transpiled depth
    two_qubit_gates: int
    ops: tuple[tuple[str, int], ...]  # transpiled operation counts
    added_measurements: bool  # measure_all was added because the circuit measured nothing


@functools.cache
def _fake_backend(name: str) -> Any:
    try:
        import qiskit_ibm_runtime.fake_provider as fp
    except ImportError as exc:
        raise QpuModelError(f"circuit durations need qiskit-ibm-runtime (pip install 'qlang[qiskit]'): {exc}") from None
    key = name.strip()
    cls_name = BACKENDS.get(key.lower())
    if cls_name is None:  # "FakeMarrakesh", "fake_marrakesh" or "marrakesh"
        bare = key.lower().removeprefix("fake").strip("_")
        cls_name = next((n for n in dir(fp) if n.startswith("Fake") and n[4:].lower() in (bare, bare + "v2")), None)
    cls = getattr(fp, cls_name, None) if cls_name else None
    if cls is None:
        raise QpuModelError(
            f"unknown device model {name!r}; use one of {', '.join(BACKENDS)} "
            "or a qiskit-ibm-runtime fake backend name such as FakeMarrakesh"
        )
    return cls()


def device_model(backend: str | Any = "heron") -> Any:
    """The fake backend for a device-model name (instances are made once and shared)."""
    return _fake_backend(backend) if isinstance(backend, str) else backend


def _param_key(p: Any) -> Any:
    from qiskit.circuit import QuantumCircuit

    if isinstance(p, QuantumCircuit):  # control-flow blocks
        return ("circuit", _structure(p))
    if isinstance(p, bool):
        return repr(p)
    if isinstance(p, (int, float)):
        return repr(round(float(p), 12))
    if isinstance(p, complex):
        return repr(complex(round(p.real, 12), round(p.imag, 12)))
    try:
        import numpy as np

        if isinstance(p, np.ndarray):
            return ("array", p.shape, hashlib.sha256(np.ascontiguousarray(p).tobytes()).hexdigest())
        if isinstance(p, np.number):
            return repr(round(float(p), 12))
    except ImportError:  # pragma: no cover
        pass
    return str(p)  # Parameter, ParameterExpression and anything else


@functools.lru_cache(maxsize=1)
def _standard_names() -> frozenset[str]:
    from qiskit.circuit.library import get_standard_gate_name_mapping

    return frozenset(get_standard_gate_name_mapping())


@functools.lru_cache(maxsize=1)
def _generic_types() -> tuple[type, ...]:
    from qiskit.circuit import Gate, Instruction

    return (Gate, Instruction)


def _structure(qc: Any) -> tuple:
    """Everything about a circuit that can change its transpiled duration (not its name or phase)."""
    items = []
    for inst in qc.data:
        op = inst.operation
        entry: tuple = (
            op.name,
            op.num_qubits,
            op.num_clbits,
            tuple(qc.find_bit(q).index for q in inst.qubits),
            tuple(qc.find_bit(c).index for c in inst.clbits),
            tuple(_param_key(p) for p in getattr(op, "params", ())),
        )
        if op.name not in _standard_names() and type(op) in _generic_types():
            # a custom gate (``to_gate()``, an appended sub-circuit): two may share a name, so its
            # body counts. Library classes are identified by name and parameters (synthesising a
            # UnitaryGate's definition just to key the cache would be wasteful).
            definition = op.definition
            if definition is not None:
                entry += (_structure(definition),)
        items.append(entry)
    return (qc.num_qubits, qc.num_clbits, tuple(items))


def circuit_key(qc: Any) -> str:
    """A digest of the circuit's structure: gates, their qubits and parameters, in order."""
    return hashlib.sha256(repr(_structure(qc)).encode()).hexdigest()


def _measures(qc: Any) -> bool:
    return any(inst.operation.name == "measure" for inst in qc.data)


def transpile_for_duration(
    qc: Any, backend: str | Any = "heron", *, add_measurements: bool = True
) -> tuple[Any, Any, bool]:
    """(transpiled circuit, fake backend, measurements added) as used for durations.

    A circuit that measures nothing is given ``measure_all`` first (a shot on hardware ends in a
    readout, which dominates short circuits: 1.2–2.6 µs against tens of ns per gate).
    """
    from qiskit import transpile

    dev = device_model(backend)
    added = False
    if add_measurements and not _measures(qc):
        qc = qc.copy()
        qc.measure_all(add_bits=True)
        added = True
    out = transpile(qc, dev, optimization_level=OPTIMIZATION_LEVEL, seed_transpiler=SEED_TRANSPILER)
    return out, dev, added


_CACHE_SIZE = 4096
_cache: OrderedDict[tuple, CircuitTiming] = OrderedDict()
_cache_lock = threading.Lock()
_cache_stats = {"hits": 0, "misses": 0}


def circuit_timing(qc: Any, backend: str | Any = "heron", *, add_measurements: bool = True) -> CircuitTiming:
    """Transpile ``qc`` onto the device model and estimate one shot's duration; cached by structure."""
    dev = device_model(backend)
    key = (dev.name, add_measurements, circuit_key(qc))
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            _cache_stats["hits"] += 1
            return hit
        _cache_stats["misses"] += 1
    out, dev, added = transpile_for_duration(qc, dev, add_measurements=add_measurements)
    try:
        duration = float(out.estimate_duration(dev.target, unit="s"))
    except Exception as exc:  # noqa: BLE001 (control flow, parameterised delays, missing durations)
        raise QpuModelError(f"cannot estimate the duration of {qc.name!r} on {dev.name}: {exc}") from None
    active = {
        out.find_bit(q).index
        for inst in out.data
        for q in inst.qubits
        if inst.operation.name not in ("barrier", "delay")
    }
    counts = out.count_ops()
    timing = CircuitTiming(
        duration_s=duration,
        backend=dev.name,
        qubits=len(active),
        depth=out.depth(),
        two_qubit_gates=sum(
            1 for inst in out.data if inst.operation.num_qubits == 2 and inst.operation.name not in ("barrier",)
        ),
        ops=tuple(sorted((str(k), int(v)) for k, v in counts.items())),
        added_measurements=added,
    )
    with _cache_lock:
        _cache[key] = timing
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return timing


def circuit_duration(qc: Any, backend: str | Any = "heron", *, add_measurements: bool = True) -> float:
    """Seconds for one shot of ``qc`` on the device model (``"heron"``, ``"eagle"`` or a fake backend name)."""
    return circuit_timing(qc, backend, add_measurements=add_measurements).duration_s


def duration_cache_info() -> dict[str, int]:
    with _cache_lock:
        return {
            "hits": _cache_stats["hits"],
            "misses": _cache_stats["misses"],
            "size": len(_cache),
            "maxsize": _CACHE_SIZE,
        }


def clear_duration_cache() -> None:
    with _cache_lock:
        _cache.clear()
        _cache_stats["hits"] = _cache_stats["misses"] = 0


def circuits_energy(
    circuits: Iterable[tuple[Any, int | None]], platform: str | QpuPlatform = "superconducting", *, jobs: int = 1
) -> QpuEnergy:
    """The breakdown for ``(QuantumCircuit, shots)`` pairs, durations from the platform's device model."""
    plat = get_platform(platform)
    pairs = [(circuit_duration(qc, plat.duration_backend), shots) for qc, shots in circuits]
    return qpu_energy_breakdown(pairs, plat, jobs=jobs)
