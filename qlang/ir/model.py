"""The validated model of a spec: names resolved, defaults filled, units normalised (J, s, g, fraction)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Call(_Model):
    """A catalog entry with its parameters, defaults filled in."""

    name: str
    params: dict[str, Any]


class Method(Call):
    """`params` holds a swept parameter at its first point; `sweep` lists each swept parameter's points
    (qlang.sweep.points expands the grid)."""

    family: Literal["quantum", "classical", "quantum-inspired"]
    sweep: dict[str, list[Any]] = {}


class DataSource(_Model):
    name: str
    source: Call
    modality: Literal["text", "numeric", "any"]


class ModelDecl(_Model):
    name: str
    model: Call


class Stage(_Model):
    name: str
    kind: str
    input: str  # a data source or an earlier stage
    method: Method
    baselines: list[Method]
    budget_j: float | None
    on_over_budget: Literal["abort", "warn", "fallback"]
    qubits: int | None


class Pipeline(_Model):
    name: str
    target: Literal["pennylane", "qiskit"]
    device: str
    seed: int
    repeat: int
    budget_j: float | None
    qpu: str
    grid_g_per_kwh: float
    data: list[DataSource]
    models: list[ModelDecl]
    stages: list[Stage]  # in an order where every stage comes after its input

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)


class Spec(_Model):
    pipelines: list[Pipeline]
