"""What a catalog entry is: a method, baseline, data source, model or optimizer, and its parameters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from qlang.units import Dimension


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

Ref = str | Callable[..., Any]  # "package.module:function", or the function itself

ParamType = Literal["int", "float", "bool", "string", "enum", "quantity", "call", "list"]
Family = Literal["quantum", "classical", "quantum-inspired"]
Artifact = Literal["dataset", "model", "config", "report"]

STAGE_KINDS: dict[str, str] = {
    "curate": "data collection and cleaning",
    "encode": "pre-processing and encoding",
    "architect": "initialisation and architecture",
    "train": "the core training loop",
    "finetune": "fine-tuning and distillation",
    "deploy": "inference and deployment",
    "monitor": "maintenance and monitoring",
}


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType
    default: Any = REQUIRED
    doc: str = ""
    min: float | None = None
    max: float | None = None
    exclusive_min: bool = False
    choices: tuple[str, ...] = ()  # enum words, or for "call" the catalog group whose entries are allowed
    dimension: Dimension | None = None
    nullable: bool = False  # accepts `none`
    item: ParamType | None = None  # element type of a list

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def type_words(self) -> str:
        if self.type == "enum":
            words = " | ".join(self.choices)
        elif self.type == "quantity":
            words = self.dimension.name if self.dimension else "quantity"
        elif self.type == "call":
            words = " | ".join(f"{c}(...)" for c in self.choices)
        elif self.type == "list":
            words = f"list of {self.item}"
        else:
            words = self.type
        return words + (" | none" if self.nullable else "")

    def range_words(self) -> str:
        if self.min is None and self.max is None:
            return ""
        lo = "" if self.min is None else f"{number_words(self.min)} {'<' if self.exclusive_min else '≤'} "
        hi = "" if self.max is None else f" ≤ {number_words(self.max)}"
        return f"{lo}{self.name}{hi}"


def number_words(x: float) -> str:
    """A bound or a value as people write it: whole numbers in full (2147483647, not 2.14748e+09)."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


@dataclass(frozen=True)
class Entry:
    """A method, a baseline, a data source, a model or an optimizer."""

    name: str
    group: Literal["method", "data", "model", "optimizer", "noise", "choice", "mitigation"]
    summary: str
    params: tuple[Param, ...] = ()
    stage: str | None = None  # for methods: the stage kind
    family: Family = "classical"
    inputs: tuple[Artifact, ...] = ()
    output: Artifact | None = None
    baselines: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    primary: str | None = None  # the metric that decides "which wins"; none = the first of `metrics`
    higher_is_better: bool = True  # the direction of the primary metric
    qubits: Callable[[dict[str, Any]], int | None] | None = field(default=None, compare=False)
    modality: Literal["text", "numeric", "any"] | None = None  # for data sources
    reference: str = ""
    # What running a method takes. References are "module:function" strings (or the function itself),
    # resolved by qlang.catalog.registry.resolve only when used, so the checks import nothing heavy.
    run: Ref = ""  # (ctx: MethodContext, data) -> MethodResult; empty: checked, not runnable in this version
    roles: tuple[str, ...] = ()  # circuit roles the method asks its executor for
    circuits: Ref = ""  # (params) -> {role: Circuit}: the stage's circuits when this is the stage's method
    cost: Ref = ""  # (params, rows, classes) -> qlang.catalog.costs.Work: what `qlc plan` prices
    settings: Mapping[str, Any] = field(default_factory=dict, compare=False)  # run-time settings no spec sets
    origin: str = "qlang"  # "qlang", or the distribution of the plug-in that registered it
    # needs the simulator's statevectors (not only measurements): refused on a noisy device at check time (Q403)
    statevector_only: bool = False

    @property
    def runnable(self) -> bool:
        """A method runs when it names its implementation; data sources and models always load."""
        return bool(self.run) if self.group == "method" else True

    @property
    def primary_metric(self) -> str | None:
        return self.primary or next(iter(self.metrics), None)

    def param(self, name: str) -> Param | None:
        for p in self.params:
            if p.name == name:
                return p
        return None

    @property
    def is_quantum(self) -> bool:
        return self.family == "quantum"


# --- small constructors that keep the catalog readable ------------------------------------------


def p_int(name, default=REQUIRED, lo=None, hi=None, doc="", nullable=False) -> Param:
    return Param(name, "int", default, doc, lo, hi, nullable=nullable)


def p_float(name, default=REQUIRED, lo=None, hi=None, doc="", exclusive_min=False, nullable=False) -> Param:
    return Param(name, "float", default, doc, lo, hi, exclusive_min=exclusive_min, nullable=nullable)


def p_enum(name, choices, default=REQUIRED, doc="") -> Param:
    return Param(name, "enum", default, doc, choices=tuple(choices))


def p_bool(name, default=REQUIRED, doc="") -> Param:
    return Param(name, "bool", default, doc)


def p_str(name, default=REQUIRED, doc="", nullable=False) -> Param:
    return Param(name, "string", default, doc, nullable=nullable)


def p_qty(name, dimension, default=REQUIRED, doc="", lo=None, nullable=False) -> Param:
    return Param(name, "quantity", default, doc, lo, dimension=dimension, nullable=nullable)


def p_call(name, group, default=REQUIRED, doc="") -> Param:
    return Param(name, "call", default, doc, choices=(group,))


def p_list(name, item, default=REQUIRED, doc="", nullable=False) -> Param:
    return Param(name, "list", default, doc, item=item, nullable=nullable)


KERNEL_ROLES = ("feature_map", "overlap")  # a state map and its compute-uncompute overlap
MODEL_ROLES = ("model",)  # a variational model
QAOA_ROLES = ("qaoa",)  # a QAOA circuit for Ising costs given as inputs
COSTS_AT = "qlang.catalog.costs:"
CIRCUITS_AT = "qlang.circuits.library:"


SHOTS = p_int("shots", None, 1, 10_000_000, "measurement shots per circuit; none = exact simulation", nullable=True)
QUBITS = p_int("qubits", 4, 1, 40, "qubits of the feature map or ansatz")
SEED_NOTE = "Seeds come from the pipeline's `seed` and `repeat`."
