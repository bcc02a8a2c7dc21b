"""What a method receives (MethodContext) and what it returns (MethodResult)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qlang.runtime.errors import BAD_PARAMETER, CIRCUIT_MISMATCH, RuntimeDiagnostic
from qlang.runtime.protocol import CircuitShape, Executor


def _quiet(message: str) -> None:
    pass


@dataclass
class MethodContext:
    executor: Executor | None = None  # None for classical methods
    circuits: dict[str, str] = field(default_factory=dict)  # role -> circuit name registered on executor
    params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    progress: Callable[[str], None] = _quiet
    encoder: Any = None  # a MiniLMEncoder; None uses the process-wide default
    ran_with: dict[str, Any] | None = None  # what `settings` last returned: every parameter the method used

    def settings(self, method: str, knobs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The method's parameters: the catalog's defaults, then its run-time settings (what a spec cannot
        set: the entry's `settings`, or `knobs` when given), each overridden by params; keys the method does
        not know are ignored."""
        from qlang import catalog

        entry = catalog.METHODS[method]
        defaults = {p.name: p.default for p in entry.params}
        extra = entry.settings if knobs is None else knobs
        self.ran_with = {key: self.params.get(key, value) for key, value in {**defaults, **extra}.items()}
        return dict(self.ran_with)

    @property
    def quantum(self) -> Executor:
        """The executor a quantum method runs its circuits on (a diagnostic when none was given)."""
        if self.executor is None:
            raise RuntimeDiagnostic(CIRCUIT_MISMATCH, "a quantum method needs an executor, none was given")
        return self.executor

    def circuit(self, role: str) -> tuple[str, CircuitShape]:
        """The registered circuit name for `role` and its shape."""
        executor = self.quantum
        if role not in self.circuits:
            raise RuntimeDiagnostic(
                CIRCUIT_MISMATCH,
                f"no circuit for the role '{role}'",
                help=f"roles given: {', '.join(sorted(self.circuits)) or 'none'}",
            )
        name = self.circuits[role]
        return name, executor.shape(name)


@dataclass
class MethodResult:
    metrics: dict[str, float]
    output: Any  # passed downstream: a Dataset or a trained model
    info: dict[str, Any] = field(default_factory=dict)


def require(condition: bool, message: str, help: str | None = None) -> None:
    if not condition:
        raise RuntimeDiagnostic(BAD_PARAMETER, message, help=help)
