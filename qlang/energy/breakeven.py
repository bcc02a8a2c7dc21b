"""Break-even: how far the QPU is from paying off, in the QPU model's own terms.

The model (qlang.energy.qpu): one seed's quantum work is one job of circuits `(d_circ s, shots, count)`,
costing E = P_sys × (T_job + Σ count × shots × (d_circ + t_rep)). Against a classical energy E_c (joules per
seed, metered), each hardware parameter is solved for E = E_c with the others at the platform's preset:

    P_sys*  = E_c / (T_job + Σ c s (d + t_rep))
    t_rep*  = (E_c / P_sys − T_job − Σ c s d) / Σ c s            (None when negative: unreachable)
    shots*  = (E_c / P_sys − T_job) / Σ c (d + t_rep)            (every circuit at shots*; None below 1)

`crossings(quantum, classical)` finds every data size in [N_MIN, N_MAX] at which two energy curves E(N) cross,
and which side is cheaper from there (fixed costs can make the QPU cheaper over a middle range only): the
quantum curve from the cost model's QPU circuit counts at N, the classical one from the plan's estimate at N
scaled to what was metered at the run's size. `crossing` is the first from which the quantum side costs less."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qlang.energy.qpu import DEFAULT_SHOTS, QpuPlatform

N_MIN, N_MAX = 2, 10**7
BEYOND_MAX_DECADES = 30  # an extrapolated crossing past 10^30 rows is reported as none


@dataclass(frozen=True)
class BreakEven:
    """One platform against one classical energy; None where no value of the parameter breaks even."""

    platform: str
    qpu_j: float  # at the preset
    classical_j: float
    power_w: float
    t_rep_s: float | None
    shots: float | None

    def to_json(self) -> dict:
        return {
            "platform": self.platform,
            "qpu_j": self.qpu_j,
            "classical_j": self.classical_j,
            "qpu_over_classical": self.qpu_j / self.classical_j if self.classical_j else None,
            "power_w": self.power_w,
            "t_rep_s": self.t_rep_s,
            "shots": self.shots,
        }


def _terms(circuits: Sequence[tuple[float, int | None, float]]) -> tuple[float, float]:
    """(Σ c s, Σ c s d) with exact-simulation circuits at DEFAULT_SHOTS."""
    cs = sum(c * (DEFAULT_SHOTS if s is None else s) for _, s, c in circuits)
    csd = sum(c * (DEFAULT_SHOTS if s is None else s) * d for d, s, c in circuits)
    return cs, csd


def qpu_joules(circuits: Sequence[tuple[float, int | None, float]], platform: QpuPlatform) -> float:
    """One job of these circuits on the platform (the same arithmetic as qpu.qpu_energy_breakdown)."""
    cs, csd = _terms(circuits)
    return platform.p_sys_w * (platform.t_job_s + csd + cs * platform.t_rep_s)


def break_even(
    circuits: Sequence[tuple[float, int | None, float]], platform: QpuPlatform, classical_j: float
) -> BreakEven:
    """System power, repetition time and shots (one at a time) at which the job's energy equals classical_j."""
    if not classical_j > 0:
        raise ValueError(f"classical energy must be positive, got {classical_j}")
    cs, csd = _terms(circuits)
    seconds = platform.t_job_s + csd + cs * platform.t_rep_s
    budget_s = classical_j / platform.p_sys_w if platform.p_sys_w else math.inf
    t_rep = (budget_s - platform.t_job_s - csd) / cs if cs else None
    per_shot = sum(c * (d + platform.t_rep_s) for d, _, c in circuits)
    shots = (budget_s - platform.t_job_s) / per_shot if per_shot else None
    return BreakEven(
        platform=platform.name,
        qpu_j=platform.p_sys_w * seconds,
        classical_j=classical_j,
        power_w=classical_j / seconds,
        t_rep_s=t_rep if t_rep is not None and t_rep >= 0 else None,
        shots=shots if shots is not None and shots >= 1 else None,
    )


@dataclass(frozen=True)
class Growth:
    """Both sides' energy at sizes `n`, their log-log slopes over the last decade, and where they cross."""

    n: tuple[int, ...]
    quantum_j: tuple[float, ...]
    classical_j: tuple[float, ...]
    quantum_slope: float
    classical_slope: float
    crossings: tuple[tuple[int, bool], ...]  # every (N, quantum cheaper from N) where the sides swap

    @property
    def crossing_n(self) -> int | None:
        """The smallest N in [N_MIN, N_MAX] from which the quantum side costs less."""
        return _first_cheaper(self.crossings)

    @property
    def beyond_n(self) -> float | None:
        """Without a crossing up to N_MAX: where the last decade's power laws would meet if the classical side
        grows faster (an extrapolation, not a model value); None otherwise, or past 10^BEYOND_MAX_DECADES."""
        if self.crossing_n is not None or not self.classical_slope > self.quantum_slope:
            return None
        q, c = self.quantum_j[-1], self.classical_j[-1]
        if not (q > 0 and c > 0):
            return None
        decades = math.log10(self.n[-1]) + math.log10(q / c) / (self.classical_slope - self.quantum_slope)
        return 10.0**decades if decades <= BEYOND_MAX_DECADES else None

    def to_json(self) -> dict:
        return {
            "n": list(self.n),
            "quantum_j": list(self.quantum_j),
            "classical_j": list(self.classical_j),
            "quantum_slope": self.quantum_slope,
            "classical_slope": self.classical_slope,
            "crossing_n": self.crossing_n,
            "crossings": [{"n": n, "quantum_cheaper": cheaper} for n, cheaper in self.crossings],
            "beyond_n": self.beyond_n,
        }


def growth(quantum: Callable[[int], float], classical: Callable[[int], float], n: int) -> Growth:
    """Energies at n/10, n, 10n, 100n, 1000n and where quantum(N) first falls to classical(N) or below."""
    sizes = tuple(sorted({max(N_MIN, n // 10), n, 10 * n, 100 * n, 1000 * n}))
    q, c = tuple(quantum(m) for m in sizes), tuple(classical(m) for m in sizes)

    def slope(values: tuple[float, ...]) -> float:
        a, b = values[-2], values[-1]
        return math.log(b / a) / math.log(sizes[-1] / sizes[-2]) if a > 0 and b > 0 else float("nan")

    return Growth(sizes, q, c, slope(q), slope(c), crossings(quantum, classical))


def crossings(quantum: Callable[[int], float], classical: Callable[[int], float]) -> tuple[tuple[int, bool], ...]:
    """Every N in [N_MIN, N_MAX] where the cheaper side changes, with whether the quantum side (at or below the
    classical) is the cheaper one from N on; (N_MIN, True) first when it already is. Found on a geometric grid,
    then bisected (assumes at most one swap between grid points)."""
    grid = sorted({round(N_MIN * 1.5**k) for k in range(60) if N_MIN * 1.5**k <= N_MAX} | {N_MAX})
    below = [quantum(m) <= classical(m) for m in grid]
    swaps = [(N_MIN, True)] if below[0] else []
    for i in range(1, len(grid)):
        if below[i] == below[i - 1]:
            continue
        lo, hi = grid[i - 1], grid[i]  # on the old side at lo, on the new one at hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if (quantum(mid) <= classical(mid)) == below[i - 1] else (lo, mid)
        swaps.append((hi, below[i]))
    return tuple(swaps)


def crossing(quantum: Callable[[int], float], classical: Callable[[int], float]) -> int | None:
    """The smallest N in [N_MIN, N_MAX] from which quantum(N) <= classical(N); None when it never gets there."""
    return _first_cheaper(crossings(quantum, classical))


def _first_cheaper(swaps: tuple[tuple[int, bool], ...]) -> int | None:
    return next((n for n, quantum_cheaper in swaps if quantum_cheaper), None)
