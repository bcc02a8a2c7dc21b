"""An energy meter with nested windows.

Providers, tried in this order unless one is forced:

``rapl``
    Linux powercap counters, ``/sys/class/powercap/intel-rapl:N/energy_uj`` (CPU *package* domains
    only; sub-domains and ``psys`` are skipped so nothing is counted twice). Counter wrap-around is
    corrected with ``max_energy_range_uj``. Unreadable counters (often root-only) are skipped.
    Provenance ``measured``. Whole-package energy: it includes other processes on the machine.
``nvml``
    NVIDIA's cumulative per-GPU energy counter, ``nvmlDeviceGetTotalEnergyConsumption`` (mJ),
    summed over all GPUs, from ``pynvml`` (the ``nvidia-ml-py`` package), imported lazily and
    used only if it imports and initialises. Provenance ``measured``. Whole-GPU energy.
``model``
    Always available: ``joules = cpu_s × cpu_watts_per_thread + wall_s × ram_watts`` where ``cpu_s``
    is the CPU time (user + system) of this process and its waited-for children. Provenance
    ``modeled``. Defaults and their sources are below and in docs/energy.md.

``QLANG_METER=model|rapl|nvml`` (or ``rapl+nvml``, the sum of both) forces a provider; so does the
``provider`` argument or ``provider = "..."`` in the config file. Watts for the model come from, in
order of precedence: the constructor arguments, ``QLANG_CPU_WATTS_PER_THREAD`` / ``QLANG_RAM_WATTS``,
the config file (``$QLANG_ENERGY_CONFIG``, else ``$XDG_CONFIG_HOME/qlang/energy.toml``, else
``~/.config/qlang/energy.toml``), then the defaults.

Readings are cheap and take no locks, so a signal handler may poll ``meter.joules()`` or
``window.reading()`` at any time. This module imports only the standard library.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NamedTuple, Self

_resource: Any
try:
    import resource as _resource
except ImportError:  # Windows
    _resource = None

MEASURED = "measured"
MODELED = "modeled"

#: Watts charged per second of CPU time (one busy hardware thread). Per-core TDP of server CPUs in
#: the Green Algorithms table (Lannelongue, Grealey & Inouye 2021, Adv. Sci. 8, 2100707; data file
#: TDP_cpu.csv) is mostly 7.5–14.4 W; desktop parts 8–24 W. 12 W is a central value for a core
#: at load. Hyper-threads sharing a core are each charged in full, which overestimates.
DEFAULT_CPU_WATTS_PER_THREAD = 12.0
#: Power draw of memory per GB, from the Green Algorithms reference values (memoryPower = 0.3725 W/GB).
RAM_WATTS_PER_GB = 0.3725
#: The memory charged by default (an assumption: a Python process with numpy, an SDK and torch).
DEFAULT_RAM_GB = 4.0
#: Watts charged per wall-clock second for memory: 0.3725 W/GB × 4 GB = 1.49 W.
DEFAULT_RAM_WATTS = RAM_WATTS_PER_GB * DEFAULT_RAM_GB

PROVIDERS = ("rapl", "nvml", "model")
RAPL_ROOT = "/sys/class/powercap"


class MeterError(ValueError):
    """A provider that was asked for is unavailable, or the configuration is invalid."""


class ProviderUnavailable(MeterError):
    """This provider cannot run here (no counters, no permission, no library)."""


@dataclass(frozen=True)
class Reading:
    """Energy, wall-clock and CPU time over an interval, with where the joules came from."""

    joules: float
    wall_s: float
    cpu_s: float
    provider: str
    provenance: str

    @property
    def watts(self) -> float:
        """Mean power over the interval (0 for an empty interval)."""
        return self.joules / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def wh(self) -> float:
        return self.joules / 3600.0

    def __add__(self, other: Reading) -> Reading:
        return Reading(
            self.joules + other.joules,
            self.wall_s + other.wall_s,
            self.cpu_s + other.cpu_s,
            self.provider,
            self.provenance,
        )

    def __sub__(self, other: Reading) -> Reading:
        return Reading(
            self.joules - other.joules,
            self.wall_s - other.wall_s,
            self.cpu_s - other.cpu_s,
            self.provider,
            self.provenance,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Sample(NamedTuple):
    wall: float  # seconds since the meter was created
    cpu: float  # CPU seconds since the meter was created
    joules: float  # joules since the meter was created


def _process_cpu_seconds() -> float:
    """User + system CPU time of this process (all threads, ns resolution) and its waited-for children."""
    own = time.process_time()
    if _resource is not None:
        ru = _resource.getrusage(_resource.RUSAGE_CHILDREN)
        return own + ru.ru_utime + ru.ru_stime
    t = os.times()  # 10 ms resolution on Linux, hence only a fallback
    return own + t.children_user + t.children_system


# ---------------------------------------------------------------- configuration


def config_path() -> Path:
    """Where the user configuration lives (the file need not exist)."""
    explicit = os.environ.get("QLANG_ENERGY_CONFIG")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME")
    root = Path(base) if base else Path.home() / ".config"
    return root / "qlang" / "energy.toml"


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """The ``[meter]`` settings (or top-level keys) of the energy config file; {} if there is none."""
    p = Path(path) if path is not None else config_path()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError:
        return {}
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MeterError(f"{p}: not valid TOML: {exc}") from None
    section = data.get("meter", data)
    if not isinstance(section, dict):
        raise MeterError(f"{p}: [meter] must be a table")
    return section


def _number(value: Any, what: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise MeterError(f"{what} must be a number of watts, not {value!r}") from None
    if not (x >= 0.0) or x == float("inf"):
        raise MeterError(f"{what} must be a finite, non-negative number of watts, not {value!r}")
    return x


def resolve_watts(
    cpu_watts_per_thread: float | None = None, ram_watts: float | None = None, config: dict[str, Any] | None = None
) -> tuple[float, float]:
    """(cpu_watts_per_thread, ram_watts): arguments, then environment, then config file, then defaults."""
    cfg = load_config() if config is None else config

    def pick(arg: float | None, env: str, key: str, default: float) -> float:
        if arg is not None:
            return _number(arg, key)
        if os.environ.get(env, "").strip():
            return _number(os.environ[env].strip(), env)
        if key in cfg:
            return _number(cfg[key], f"{key} in {config_path()}")
        return default

    return (
        pick(cpu_watts_per_thread, "QLANG_CPU_WATTS_PER_THREAD", "cpu_watts_per_thread", DEFAULT_CPU_WATTS_PER_THREAD),
        pick(ram_watts, "QLANG_RAM_WATTS", "ram_watts", DEFAULT_RAM_WATTS),
    )


# ---------------------------------------------------------------- providers
#
# A provider returns the joules spent since it was created. It is given the wall and CPU seconds
# of the same sample (the model needs them; counters ignore them). State is held in immutable
# tuples swapped in one assignment, so a reader interrupted by a signal handler that also reads
# leaves the state consistent (see RaplProvider.energy_j).


class ModelProvider:
    name = "model"
    provenance = MODELED

    def __init__(self, cpu_watts_per_thread: float, ram_watts: float):
        self.cpu_watts_per_thread = cpu_watts_per_thread
        self.ram_watts = ram_watts

    def energy_j(self, wall_s: float, cpu_s: float) -> float:
        return cpu_s * self.cpu_watts_per_thread + wall_s * self.ram_watts


class RaplProvider:
    """Sum of the RAPL package counters under ``root``, corrected for wrap-around."""

    name = "rapl"
    provenance = MEASURED

    def __init__(self, root: str | Path = RAPL_ROOT):
        domains: list[tuple[Path, int]] = []
        state: list[tuple[int, int]] = []  # per domain: (last raw µJ, accumulated µJ)
        base = Path(root)
        try:
            candidates = sorted(base.glob("intel-rapl:*"))
        except OSError:
            candidates = []
        for d in candidates:
            if d.name.count(":") != 1:  # intel-rapl:0:0 etc. are sub-domains of a package
                continue
            try:
                label = (d / "name").read_text().strip()
            except OSError:
                label = "package"
            if not label.startswith("package"):  # psys covers the package: counting it would double
                continue
            try:
                raw = int((d / "energy_uj").read_text())
            except (OSError, ValueError):
                continue  # unreadable (root-only since CVE-2020-8694) → skip
            try:
                max_range = int((d / "max_energy_range_uj").read_text())
            except (OSError, ValueError):
                max_range = 0
            domains.append((d / "energy_uj", max_range))
            state.append((raw, 0))
        if not domains:
            raise ProviderUnavailable(f"no readable RAPL package counters under {base}")
        self.domains = tuple(domains)
        self._state = tuple(state)

    def energy_j(self, wall_s: float = 0.0, cpu_s: float = 0.0) -> float:
        old = self._state
        new = []
        for (path, max_range), (last, acc) in zip(self.domains, old):
            try:
                raw = int(path.read_text())
            except (OSError, ValueError):
                new.append((last, acc))
                continue
            delta = raw - last
            if delta < 0:  # the counter wrapped (once, if polled often enough)
                delta += max_range if max_range > 0 else last
            new.append((raw, acc + delta))
        state = tuple(new)
        # One assignment: a concurrent reader sees either the old or the new state, and both are
        # self-consistent (raw and accumulated move together), so no lock is needed.
        self._state = state
        return sum(acc for _, acc in state) / 1e6


class NvmlProvider:
    """Sum of ``nvmlDeviceGetTotalEnergyConsumption`` (mJ) over all GPUs."""

    name = "nvml"
    provenance = MEASURED

    def __init__(self, nvml: Any = None):
        if nvml is None:
            try:
                import pynvml  # nvidia-ml-py; optional
            except Exception as exc:  # noqa: BLE001 (ImportError, or a broken install)
                raise ProviderUnavailable(f"pynvml is not importable: {exc}") from None
            nvml = pynvml
        self._nvml = nvml
        try:
            nvml.nvmlInit()
            count = int(nvml.nvmlDeviceGetCount())
            handles = tuple(nvml.nvmlDeviceGetHandleByIndex(i) for i in range(count))
            start = tuple(int(nvml.nvmlDeviceGetTotalEnergyConsumption(h)) for h in handles)
        except Exception as exc:  # noqa: BLE001 (NVMLError: no driver, no GPU, counter unsupported (pre-Volta))
            raise ProviderUnavailable(f"NVML energy counters unavailable: {exc}") from None
        if not handles:
            raise ProviderUnavailable("NVML found no GPUs")
        self.gpus = len(handles)
        self._handles = handles
        self._start = start
        self._last = 0.0

    def energy_j(self, wall_s: float = 0.0, cpu_s: float = 0.0) -> float:
        try:
            now = [int(self._nvml.nvmlDeviceGetTotalEnergyConsumption(h)) for h in self._handles]
        except Exception:  # noqa: BLE001 (a failed read keeps the last total: the counter never goes back)
            return self._last
        total = sum(n - s for n, s in zip(now, self._start)) / 1e3
        self._last = total
        return total


class SumProvider:
    """Several measured providers added together (``rapl+nvml``: CPU packages plus GPUs)."""

    provenance = MEASURED

    def __init__(self, parts: list[Any]):
        self.parts = tuple(parts)
        self.name = "+".join(p.name for p in parts)
        self.provenance = MEASURED if all(p.provenance == MEASURED for p in parts) else MODELED

    def energy_j(self, wall_s: float, cpu_s: float) -> float:
        return sum(p.energy_j(wall_s, cpu_s) for p in self.parts)


def make_provider(
    name: str | None = None,
    *,
    cpu_watts_per_thread: float | None = None,
    ram_watts: float | None = None,
    rapl_root: str | Path = RAPL_ROOT,
) -> Any:
    """Build a provider: ``name`` (or ``$QLANG_METER``, or the config's ``provider``) or the first that works."""
    config = load_config()
    chosen = (
        name or os.environ.get("QLANG_METER", "").strip() or str(config.get("provider", "")).strip() or "auto"
    ).lower()

    def build(part: str) -> Any:
        if part == "model":
            return ModelProvider(*resolve_watts(cpu_watts_per_thread, ram_watts, config))
        if part == "rapl":
            return RaplProvider(rapl_root)
        if part == "nvml":
            return NvmlProvider()
        raise MeterError(
            f"unknown energy meter provider {part!r}; expected one of "
            f"{', '.join(PROVIDERS)} (or 'auto', or a sum such as 'rapl+nvml')"
        )

    if chosen == "auto":
        for part in ("rapl", "nvml"):
            try:
                return build(part)
            except ProviderUnavailable:
                continue
        return build("model")
    parts = [p.strip() for p in chosen.split("+") if p.strip()]
    if not parts:
        raise MeterError(f"empty energy meter provider {chosen!r}")
    built = [build(p) for p in parts]  # a forced provider that cannot run raises ProviderUnavailable
    return built[0] if len(built) == 1 else SumProvider(built)


# ---------------------------------------------------------------- meter and windows


class Window:
    """An interval of a meter's life; a context manager. Windows opened inside it are its children."""

    def __init__(self, meter: Meter, name: str, parent: Window | None):
        self.meter = meter
        self.name = name
        self.parent = parent
        self.children: list[Window] = []
        self._start: _Sample | None = None
        self._end: _Sample | None = None

    # life cycle
    def __enter__(self) -> Self:
        if self._start is not None:
            raise RuntimeError(f"window {self.name!r} was already opened")
        self._start = self.meter._sample()
        if self.parent is not None:
            self.parent.children.append(self)
        else:
            self.meter.windows.append(self)
        self.meter._stack().append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self._end = self.meter._sample()
        stack = self.meter._stack()
        if stack and stack[-1] is self:
            stack.pop()
        elif self in stack:  # closed out of order: drop it and anything opened above it
            del stack[stack.index(self) :]

    def window(self, name: str) -> Window:
        """A child window of this one, whichever thread opens it."""
        return Window(self.meter, name, self)

    @property
    def open(self) -> bool:
        return self._start is not None and self._end is None

    @property
    def closed(self) -> bool:
        return self._end is not None

    # readings
    def reading(self) -> Reading:
        """Energy and time so far while open; the final values once closed (zero before opening)."""
        start = self._start
        if start is None:
            return Reading(0.0, 0.0, 0.0, self.meter.provider, self.meter.provenance)
        end = self._end if self._end is not None else self.meter._sample()
        return Reading(
            max(0.0, end.joules - start.joules),
            end.wall - start.wall,
            end.cpu - start.cpu,
            self.meter.provider,
            self.meter.provenance,
        )

    def children_reading(self) -> Reading:
        """The sum of this window's direct children."""
        total = Reading(0.0, 0.0, 0.0, self.meter.provider, self.meter.provenance)
        for child in list(self.children):
            total = total + child.reading()
        return total

    def overhead(self) -> Reading:
        """This window less its children: the parent's own share (never below zero).

        Sequential children never overlap, so this is ≥ 0 by construction; children that ran
        concurrently in other threads can add up to more than their parent, hence the clamp.
        """
        own = self.reading() - self.children_reading()
        return Reading(max(0.0, own.joules), max(0.0, own.wall_s), max(0.0, own.cpu_s), own.provider, own.provenance)

    def walk(self):
        """This window and all its descendants, depth first."""
        yield self
        for child in list(self.children):
            yield from child.walk()

    def to_dict(self) -> dict[str, Any]:
        r = self.reading()
        return {
            "name": self.name,
            **r.to_dict(),
            "closed": self.closed,
            "children": [c.to_dict() for c in list(self.children)],
        }

    def __repr__(self) -> str:
        r = self.reading()
        state = "closed" if self.closed else "open"
        return f"<Window {self.name!r} {state} {r.joules:.3f} J {r.wall_s:.3f} s {r.provenance}>"


class Meter:
    """Cumulative energy since creation, and nested windows over it.

    >>> m = Meter(provider="model")
    >>> with m.window("stage:x") as w:
    ...     with m.window("method") as inner:
    ...         pass
    >>> inner in w.children
    True
    """

    def __init__(
        self,
        provider: str | Any | None = None,
        cpu_watts_per_thread: float | None = None,
        ram_watts: float | None = None,
        *,
        rapl_root: str | Path = RAPL_ROOT,
    ):
        if provider is None or isinstance(provider, str):
            self._provider = make_provider(
                provider, cpu_watts_per_thread=cpu_watts_per_thread, ram_watts=ram_watts, rapl_root=rapl_root
            )
        else:  # a provider object (anything with name, provenance and energy_j)
            self._provider = provider
        self.provider: str = self._provider.name
        self.provenance: str = self._provider.provenance
        self.cpu_watts_per_thread: float | None = getattr(self._provider, "cpu_watts_per_thread", None)
        self.ram_watts: float | None = getattr(self._provider, "ram_watts", None)
        self.windows: list[Window] = []  # top-level windows
        self._local = threading.local()
        self._wall0 = time.perf_counter()
        self._cpu0 = _process_cpu_seconds()
        self._j0 = self._provider.energy_j(0.0, 0.0)

    def _stack(self) -> list[Window]:
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def _sample(self) -> _Sample:
        wall = time.perf_counter() - self._wall0
        cpu = _process_cpu_seconds() - self._cpu0
        return _Sample(wall, cpu, self._provider.energy_j(wall, cpu) - self._j0)

    def joules(self) -> float:
        """Joules since this meter was created."""
        return max(0.0, self._sample().joules)

    def reading(self) -> Reading:
        """Everything since this meter was created."""
        s = self._sample()
        return Reading(max(0.0, s.joules), s.wall, s.cpu, self.provider, self.provenance)

    def window(self, name: str, parent: Window | None = None) -> Window:
        """A window, child of ``parent`` or else of the innermost window open in this thread."""
        if parent is None:
            stack = self._stack()
            parent = stack[-1] if stack else None
        return Window(self, name, parent)

    def current(self) -> Window | None:
        """The innermost window open in this thread."""
        stack = self._stack()
        return stack[-1] if stack else None

    def describe(self) -> dict[str, Any]:
        """The provider and its settings, for reports."""
        out: dict[str, Any] = {"provider": self.provider, "provenance": self.provenance}
        if self.cpu_watts_per_thread is not None:
            out["cpu_watts_per_thread"] = self.cpu_watts_per_thread
            out["ram_watts"] = self.ram_watts
        return out

    def __repr__(self) -> str:
        return f"<Meter {self.provider} ({self.provenance})>"
