"""A small backend-neutral circuit IR that the Qiskit and PennyLane emitters both lower.

Wire 0 is the most significant bit of every state, as in `qlang.runtime.protocol`.
Angles are tiny expression trees over the inputs `x` and weights `w`; `render()` gives Python
text that means the same thing in both targets' generated code (`pi`, `x`, `w` in scope).
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace


class Angle:
    """Base of angle expressions; `+ - *` (and unary `-`) build `BinOp` trees."""

    def render(self) -> str:
        raise NotImplementedError

    def leaves(self) -> Iterator[Angle]:
        yield self

    def shift_inputs(self, offset: int) -> Angle:
        return self

    def __add__(self, other: AngleLike) -> Angle:
        return BinOp("+", self, as_angle(other))

    def __radd__(self, other: AngleLike) -> Angle:
        return BinOp("+", as_angle(other), self)

    def __sub__(self, other: AngleLike) -> Angle:
        return BinOp("-", self, as_angle(other))

    def __rsub__(self, other: AngleLike) -> Angle:
        return BinOp("-", as_angle(other), self)

    def __mul__(self, other: AngleLike) -> Angle:
        return BinOp("*", self, as_angle(other))

    def __rmul__(self, other: AngleLike) -> Angle:
        return BinOp("*", as_angle(other), self)

    def __neg__(self) -> Angle:
        return BinOp("*", Const(-1.0), self)


AngleLike = Angle | float | int


@dataclass(frozen=True)
class Input(Angle):
    """x[index]: one input feature."""

    index: int

    def render(self) -> str:
        return f"x[{self.index}]"

    def shift_inputs(self, offset: int) -> Angle:
        return Input(self.index + offset)


@dataclass(frozen=True)
class Weight(Angle):
    """w[index]: one trainable weight."""

    index: int

    def render(self) -> str:
        return f"w[{self.index}]"


@dataclass(frozen=True)
class Const(Angle):
    value: float

    def render(self) -> str:
        return "pi" if self.value == math.pi else repr(float(self.value))

    def __neg__(self) -> Angle:
        return Const(-self.value)


@dataclass(frozen=True)
class BinOp(Angle):
    op: str  # "+" | "-" | "*"
    left: Angle
    right: Angle

    def __post_init__(self) -> None:
        if self.op not in ("+", "-", "*"):
            raise ValueError(f"unsupported angle operator {self.op!r}")

    def render(self) -> str:
        return f"({self.left.render()} {self.op} {self.right.render()})"

    def __neg__(self) -> Angle:
        if self.op == "*" and isinstance(self.left, Const):
            factor = -self.left.value
            return self.right if factor == 1.0 else BinOp("*", Const(factor), self.right)
        return super().__neg__()

    def leaves(self) -> Iterator[Angle]:
        yield from self.left.leaves()
        yield from self.right.leaves()

    def shift_inputs(self, offset: int) -> Angle:
        return BinOp(self.op, self.left.shift_inputs(offset), self.right.shift_inputs(offset))


PI = Const(math.pi)


def as_angle(value: AngleLike) -> Angle:
    if isinstance(value, Angle):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return Const(float(value))
    raise TypeError(f"not an angle: {value!r}")


# Gate name -> (number of wires, takes an angle). Definitions (identical on both targets):
# rx/ry/rz(t) = exp(-i t/2 P); rzz/rxx/ryy(t) = exp(-i t/2 P(x)P); s = diag(1, i); sdg = s^dagger;
# cnot/cz/cswap: first wire(s) control; everything else is the textbook matrix.
GATES: dict[str, tuple[int, bool]] = {
    "h": (1, False),
    "x": (1, False),
    "y": (1, False),
    "z": (1, False),
    "s": (1, False),
    "sdg": (1, False),
    "rx": (1, True),
    "ry": (1, True),
    "rz": (1, True),
    "rzz": (2, True),
    "rxx": (2, True),
    "ryy": (2, True),
    "cnot": (2, False),
    "cz": (2, False),
    "swap": (2, False),
    "cswap": (3, False),
}
_SELF_INVERSE = {"h", "x", "y", "z", "cnot", "cz", "swap", "cswap"}


@dataclass(frozen=True)
class Gate:
    name: str
    wires: tuple[int, ...]
    angle: Angle | None = None

    def __post_init__(self) -> None:
        if self.name not in GATES:
            raise ValueError(f"unknown gate {self.name!r}")
        arity, has_angle = GATES[self.name]
        object.__setattr__(self, "wires", tuple(self.wires))
        if len(self.wires) != arity or len(set(self.wires)) != arity:
            raise ValueError(f"{self.name} needs {arity} distinct wires, got {self.wires}")
        if has_angle != (self.angle is not None):
            raise ValueError(f"{self.name} {'needs' if has_angle else 'takes no'} angle")
        if self.angle is not None:
            object.__setattr__(self, "angle", as_angle(self.angle))

    def inverse(self) -> Gate:
        if self.name in _SELF_INVERSE:
            return self
        if self.name in ("s", "sdg"):
            return Gate("sdg" if self.name == "s" else "s", self.wires)
        assert self.angle is not None  # every gate outside the self-inverse and s/sdg ones has an angle
        return Gate(self.name, self.wires, -self.angle)

    def shift(self, wire_offset: int, input_offset: int) -> Gate:
        angle = None if self.angle is None else self.angle.shift_inputs(input_offset)
        return Gate(self.name, tuple(q + wire_offset for q in self.wires), angle)


@dataclass(frozen=True)
class AmplitudeEncoding:
    """Amplitude encoding of psi = x[start : start + 2**len(wires)] / norm (wires[0] is the most
    significant bit of the amplitude index; an all-zero slice is an error).

    As a unitary it is fixed to the real Householder reflection R = I - 2 v v^T / (v^T v),
    v = psi - e_0, so that every target agrees exactly: R swaps |0...0> and psi and is its own
    inverse. On fresh wires it is therefore plain state preparation (and is emitted as such);
    anywhere else it un-prepares psi, which is what `Circuit.inverse()` needs.
    """

    wires: tuple[int, ...]
    start: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "wires", tuple(self.wires))
        if not self.wires or len(set(self.wires)) != len(self.wires):
            raise ValueError(f"amplitude encoding needs distinct wires, got {self.wires}")
        if self.start < 0:
            raise ValueError("amplitude encoding start must be >= 0")

    @property
    def size(self) -> int:
        return 2 ** len(self.wires)

    def inverse(self) -> AmplitudeEncoding:
        return self

    def shift(self, wire_offset: int, input_offset: int) -> AmplitudeEncoding:
        return AmplitudeEncoding(tuple(q + wire_offset for q in self.wires), self.start + input_offset)


Op = Gate | AmplitudeEncoding


@dataclass(frozen=True)
class Circuit:
    name: str
    n_wires: int
    n_inputs: int
    n_weights: int
    ops: tuple[Op, ...]  # a list is accepted and stored as a tuple

    def __post_init__(self) -> None:
        object.__setattr__(self, "ops", tuple(self.ops))
        if self.n_wires < 1 or self.n_inputs < 0 or self.n_weights < 0:
            raise ValueError(f"{self.name}: bad sizes")
        for op in self.ops:
            if any(not 0 <= q < self.n_wires for q in op.wires):
                raise ValueError(f"{self.name}: wire out of range in {op}")
            if isinstance(op, AmplitudeEncoding):
                if op.start + op.size > self.n_inputs:
                    raise ValueError(f"{self.name}: {op} reads past input {self.n_inputs}")
            elif op.angle is not None:
                for leaf in op.angle.leaves():
                    if isinstance(leaf, Input) and not 0 <= leaf.index < self.n_inputs:
                        raise ValueError(f"{self.name}: x[{leaf.index}] out of range")
                    if isinstance(leaf, Weight) and not 0 <= leaf.index < self.n_weights:
                        raise ValueError(f"{self.name}: w[{leaf.index}] out of range")

    def describe(self) -> str:
        counts = Counter("amplitude" if isinstance(op, AmplitudeEncoding) else op.name for op in self.ops)
        gates = ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))
        return (
            f"{self.name}: {self.n_wires} wires, {self.n_inputs} inputs, "
            f"{self.n_weights} weights, {len(self.ops)} ops ({gates})"
        )

    def inverse(self, name: str | None = None) -> Circuit:
        """The adjoint circuit: ops reversed, angles negated (amplitude encodings are their own
        inverse, see `AmplitudeEncoding`)."""
        ops = tuple(op.inverse() for op in reversed(self.ops))
        return replace(self, name=name or f"{self.name}_dg", ops=ops)

    def shifted(self, wire_offset: int = 0, input_offset: int = 0) -> tuple[Op, ...]:
        """The ops moved to other wires / reading other inputs (for building wider circuits)."""
        return tuple(op.shift(wire_offset, input_offset) for op in self.ops)

    def compose(self, other: Circuit, name: str | None = None) -> Circuit:
        """`self` then `other` on the same wires, inputs and weights (sizes are the max)."""
        return Circuit(
            name or f"{self.name}_{other.name}",
            max(self.n_wires, other.n_wires),
            max(self.n_inputs, other.n_inputs),
            max(self.n_weights, other.n_weights),
            self.ops + other.ops,
        )
