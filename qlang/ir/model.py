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


class Zne(_Model):
    """Zero-noise extrapolation's settings: distinct odd scale factors (at least two) and the fit."""

    scales: list[int]
    extrapolation: Literal["richardson", "linear"] = "richardson"


class Stage(_Model):
    name: str
    kind: str
    input: str  # a data source or an earlier stage
    method: Method
    baselines: list[Method]
    budget_j: float | None
    on_over_budget: Literal["abort", "warn", "fallback"]
    qubits: int | None
    mitigation: Literal["none", "readout", "zne", "readout+zne"] = (
        "none"  # on a noisy device (qlang.catalog.mitigation)
    )
    zne: Zne | None = None  # with `zne` in `mitigation`: its scales and extrapolation (qlang.runtime.zne)
    choose: Call | None = None  # `choose cheapest(within: …)`: which candidate later stages read (None: the method)


class Noise(_Model):
    """A parametric noise model (qlang.catalog.noise): after every gate, depolarizing with p1 (one-qubit
    gate) or p2 (two-qubit gate) on the gate's qubits, then amplitude damping and phase damping on each
    qubit it touches; `readout` flips each measured bit. All are probabilities in [0, 1]."""

    p1: float = 0.0
    p2: float = 0.0
    amplitude_damping: float = 0.0
    phase_damping: float = 0.0
    readout: float = 0.0


class DevicePoint(_Model):
    """One point of a pipeline's sweep of `device` and `shots`: `coords` are the swept settings as the spec
    wrote them (`{"device": "fake_fez", "shots": 256}`), the rest what the pipeline runs with there."""

    coords: dict[str, Any]
    device: str
    device_qubits: int | None = None
    noise: Noise | None = None
    shots: int | None = None

    @property
    def noisy(self) -> bool:
        return self.noise is not None or self.device_qubits is not None or self.device.startswith("ibm:")


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
    executor: Literal["local", "process", "ray"] = "local"
    workers: int | None = None
    address: str | None = None
    noise: Noise | None = None  # a parametric model; a fake-backend device brings its own noise instead
    shots: int | None = None  # per circuit; set whenever the device is noisy
    device_qubits: int | None = None  # the device model's qubits; none for a simulator
    # a sweep of `device` and/or `shots`: every point, the first one also in the fields above; [] for none
    points: list[DevicePoint] = []

    @property
    def noisy(self) -> bool:
        return self.noise is not None or self.device_qubits is not None or self.device.startswith("ibm:")

    def device_points(self) -> list[DevicePoint]:
        """The pipeline's device points: its sweep's, or the one it has."""
        if self.points:
            return list(self.points)
        return [
            DevicePoint(
                coords={}, device=self.device, device_qubits=self.device_qubits, noise=self.noise, shots=self.shots
            )
        ]

    def at(self, point: DevicePoint) -> Pipeline:
        """The pipeline as it runs at one device point (nothing swept)."""
        fields = {"device": point.device, "device_qubits": point.device_qubits, "noise": point.noise}
        return self.model_copy(update={**fields, "shots": point.shots, "points": []})

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)


class Spec(_Model):
    pipelines: list[Pipeline]
