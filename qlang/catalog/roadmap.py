"""What the literature expects of quantum methods per stage kind: the horizon at which they may matter and
their expected impact, from Flöther, Mikolon and Longobardi (2025), as tabled in DESIGN.md §6. Reports set
it beside what a run measured; `qlc methods` prints it per stage kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SOURCE = "Flöther, Mikolon and Longobardi 2025"
HORIZONS = {"near-term": "1–3 years", "mid-term": "3–7 years", "long-term": "7+ years"}


@dataclass(frozen=True)
class Expectation:
    horizon: Literal["near-term", "mid-term", "long-term"]
    impact: Literal["low", "medium", "high"]

    def __post_init__(self) -> None:
        if self.horizon not in HORIZONS:
            raise ValueError(f"unknown horizon {self.horizon!r}")

    def words(self) -> str:
        """`expected near-term (1–3 years), high impact (Flöther, Mikolon and Longobardi 2025)`."""
        return f"expected {self.horizon} ({HORIZONS[self.horizon]}), {self.impact} impact ({SOURCE})"

    def to_json(self) -> dict:
        return {"horizon": self.horizon, "years": HORIZONS[self.horizon], "impact": self.impact, "source": SOURCE}


ROADMAP: dict[str, Expectation] = {
    "curate": Expectation("mid-term", "low"),
    "encode": Expectation("long-term", "low"),
    "architect": Expectation("mid-term", "high"),
    "train": Expectation("mid-term", "medium"),
    "finetune": Expectation("near-term", "high"),
    "deploy": Expectation("near-term", "medium"),
    "monitor": Expectation("mid-term", "medium"),
}
