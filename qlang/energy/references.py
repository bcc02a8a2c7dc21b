"""Reference points that reports set measured energy against (DESIGN.md §4; sources in docs/energy.md).

Values are kept in the unit their source uses; ``joules_low`` / ``joules_high`` / ``joules`` give SI.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

WH = 3600.0  # joules per watt-hour
MWH = 3.6e9  # joules per megawatt-hour


@dataclass(frozen=True)
class Reference:
    key: str
    label: str
    per: str  # what one unit of the reference is: "prompt", "token", "training run"
    low: float
    high: float
    unit: str  # the source's unit
    to_joules: float  # joules per unit
    source: str
    url: str
    note: str = ""

    @property
    def joules_low(self) -> float:
        return self.low * self.to_joules

    @property
    def joules_high(self) -> float:
        return self.high * self.to_joules

    @property
    def joules(self) -> float:
        """The central value (mid-point of the range)."""
        return 0.5 * (self.joules_low + self.joules_high)

    def ratio(self, joules: float) -> float:
        """How many of this reference ``joules`` amounts to."""
        return joules / self.joules

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "joules": self.joules, "joules_low": self.joules_low, "joules_high": self.joules_high}


REASONING_PROMPT = Reference(
    key="reasoning_prompt",
    label="one long prompt to the most energy-intensive reasoning models (o3, DeepSeek-R1)",
    per="prompt",
    low=29.0,
    high=33.0,
    unit="Wh",
    to_joules=WH,
    source='Jegham et al. 2025, "How Hungry is AI? Benchmarking Energy, Water, and Carbon Footprint '
    'of LLM Inference", arXiv:2505.09598',
    url="https://arxiv.org/abs/2505.09598",
    note="v1 reports over 33 Wh per long prompt for o3 and DeepSeek-R1; later versions over 29 Wh. "
    "Estimated from API latency and throughput with inferred hardware and datacentre PUE.",
)

LLAMA_8B_TOKEN = Reference(
    key="llama_8b_token",
    label="one generated token of Llama-3.1-8B on an NVIDIA H100",
    per="token",
    low=0.12,
    high=0.12,
    unit="J",
    to_joules=1.0,
    source="ML.ENERGY Leaderboard (Chung et al., The ML.ENERGY Benchmark), Llama-3.1-8B-Instruct on H100",
    url="https://ml.energy/leaderboard",
    note="GPU energy only, measured; varies with batch size, request mix and leaderboard version.",
)

GPT3_TRAINING = Reference(
    key="gpt3_training",
    label="training GPT-3 (175B) once",
    per="training run",
    low=1287.0,
    high=1287.0,
    unit="MWh",
    to_joules=MWH,
    source='Patterson et al. 2021, "Carbon Emissions and Large Neural Network Training", arXiv:2104.10350',
    url="https://arxiv.org/abs/2104.10350",
    note="Estimated from accelerator-hours, average power and datacentre PUE.",
)

REFERENCES: dict[str, Reference] = {r.key: r for r in (REASONING_PROMPT, LLAMA_8B_TOKEN, GPT3_TRAINING)}


def compare(joules: float) -> list[dict[str, Any]]:
    """``joules`` expressed as multiples of each reference point, for reports."""
    return [
        {"key": r.key, "label": r.label, "per": r.per, "ratio": r.ratio(joules), "source": r.source}
        for r in REFERENCES.values()
    ]
