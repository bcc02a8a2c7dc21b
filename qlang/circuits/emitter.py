"""The emitter base: one loop over a circuit's ops and one `build()` for every target.

A target's emitter (qlang/circuits/emit_<target>.py, registered by its line in
`qlang.catalog.settings.DEVICES`) subclasses `Emitter` and gives only what differs: its imports, the
emitted function's parameters, its gate table (IR gate name -> the target's callee), and how it writes
a gate, an amplitude encoding, the lines before and after the ops, and what `build()` returns.
A gate missing from the table is an `UnsupportedGate` naming the target and the gate, never a bare
KeyError or a name passed through unchecked.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, ClassVar

from qlang.circuits.ir import AmplitudeEncoding, Circuit, Gate
from qlang.circuits.pysource import function


class UnsupportedGate(ValueError):
    """The circuit has a gate the target's emitter has no translation for."""

    def __init__(self, target: str, gate: str, supported: Mapping[str, str]):
        super().__init__(
            f"the {target} emitter has no translation for the gate {gate!r} "
            f"(it knows {', '.join(sorted(supported))}); add it to its GATES table"
        )
        self.target, self.gate = target, gate


class Emitter:
    """Emits `def NAME(PARAMS):` whose body builds or applies the circuit with the target's API."""

    target: ClassVar[str]
    IMPORTS: ClassVar[tuple[str, ...]]
    GATES: ClassVar[Mapping[str, str]]  # IR gate name -> the target's callee
    PARAMS: ClassVar[tuple[str, ...]] = ()
    DEFAULT_NAME: ClassVar[str] = "build"

    def prologue(self, circuit: Circuit, func_name: str) -> list[str]:
        return []

    def epilogue(self, circuit: Circuit) -> list[str]:
        return []

    def gate(self, op: Gate, callee: str) -> list[str]:
        raise NotImplementedError

    def amplitude(self, op: AmplitudeEncoding, first: bool) -> list[str]:
        raise NotImplementedError

    def built(self, function_: Any) -> Any:
        """What `build()` returns, given the emitted function."""
        return function_

    def op_lines(self, op: Gate | AmplitudeEncoding, first: bool) -> list[str]:
        if isinstance(op, AmplitudeEncoding):
            return self.amplitude(op, first)
        if op.name not in self.GATES:
            raise UnsupportedGate(self.target, op.name, self.GATES)
        return self.gate(op, self.GATES[op.name])

    def emit(self, circuit: Circuit, func_name: str) -> str:
        """The function's source: signature, docstring, the prologue, each op's lines, the epilogue."""
        body = self.prologue(circuit, func_name)
        for index, op in enumerate(circuit.ops):
            body += self.op_lines(op, first=index == 0)
        body += self.epilogue(circuit)
        return function(func_name, list(self.PARAMS), circuit.describe(), body)

    def build(self, circuit: Circuit, func_name: str | None = None) -> Any:
        """Exec the emitted source, as a generated module would, and return `built(the function)`."""
        name = func_name or self.DEFAULT_NAME
        namespace: dict = {}
        exec("\n".join(self.IMPORTS) + "\n\n\n" + self.emit(circuit, name), namespace)  # noqa: S102 (our own emitted code)
        return self.built(namespace[name])


def emitter(target: str) -> Emitter:
    """The registered target's emitter: `EMITTER` of qlang/circuits/emit_<target>.py."""
    from qlang.catalog.settings import TARGETS

    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; targets: {', '.join(TARGETS)}")
    return importlib.import_module(f"qlang.circuits.emit_{target}").EMITTER
