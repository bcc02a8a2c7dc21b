"""Units and dimensions. Every quantity is normalised to its dimension's base unit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dimension:
    name: str
    base: str  # the unit values are normalised to
    example: str


ENERGY = Dimension("energy", "J", "2 kJ")
TIME = Dimension("time", "s", "30 s")
CARBON = Dimension("carbon", "gCO2e", "5 gCO2e")
INTENSITY = Dimension("carbon intensity", "gCO2e/kWh", "380 gCO2e/kWh")
POWER = Dimension("power", "W", "25 kW")
PERCENT = Dimension("percent", "%", "50 %")

DIMENSIONS = {d.name: d for d in (ENERGY, TIME, CARBON, INTENSITY, POWER, PERCENT)}

# unit → (dimension, factor to the base unit). Percent normalises to a fraction.
UNITS: dict[str, tuple[Dimension, float]] = {
    "mJ": (ENERGY, 1e-3),
    "J": (ENERGY, 1.0),
    "kJ": (ENERGY, 1e3),
    "MJ": (ENERGY, 1e6),
    "GJ": (ENERGY, 1e9),
    "Wh": (ENERGY, 3600.0),
    "kWh": (ENERGY, 3.6e6),
    "MWh": (ENERGY, 3.6e9),
    "ns": (TIME, 1e-9),
    "us": (TIME, 1e-6),
    "µs": (TIME, 1e-6),
    "ms": (TIME, 1e-3),
    "s": (TIME, 1.0),
    "min": (TIME, 60.0),
    "h": (TIME, 3600.0),
    "gCO2e": (CARBON, 1.0),
    "kgCO2e": (CARBON, 1e3),
    "tCO2e": (CARBON, 1e6),
    "gCO2e/kWh": (INTENSITY, 1.0),
    "kgCO2e/kWh": (INTENSITY, 1e3),
    "W": (POWER, 1.0),
    "kW": (POWER, 1e3),
    "MW": (POWER, 1e6),
    "%": (PERCENT, 0.01),
}


def format_quantity(value: float, dim: Dimension) -> str:
    """A readable rendering of a normalised value, e.g. 2500 J → '2.5 kJ'."""
    if dim is ENERGY:
        for unit, f in (("GJ", 1e9), ("MJ", 1e6), ("kJ", 1e3), ("J", 1.0), ("mJ", 1e-3)):
            if abs(value) >= f or unit == "mJ" and value != 0:
                return f"{value / f:.3g} {unit}"
        return "0 J"
    if dim is PERCENT:
        return f"{value * 100:.3g} %"
    return f"{value:.3g} {dim.base}"


def format_energy(joules: float | None) -> str:
    """'2.5 kJ', or '—' when there is no value."""
    return "—" if joules is None else format_quantity(joules, ENERGY)
