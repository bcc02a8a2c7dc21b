"""Black-style formatting of the few Python statements the circuit emitters write."""

from __future__ import annotations

from collections.abc import Sequence

LINE_LENGTH = 88
INDENT = "    "


def call(indent: str, callee: str, args: Sequence[str]) -> list[str]:
    """`callee(args)` on one line if it fits, else split the way black splits a call."""
    line = f"{indent}{callee}({', '.join(args)})"
    if len(line) <= LINE_LENGTH:
        return [line]
    inner = indent + INDENT
    joined = inner + ", ".join(args)
    if len(joined) <= LINE_LENGTH:
        return [f"{indent}{callee}(", joined, f"{indent})"]
    return [f"{indent}{callee}(", *(f"{inner}{arg}," for arg in args), f"{indent})"]


def function(name: str, params: Sequence[str], doc: str, body: Sequence[str]) -> str:
    """A module-level function: signature, one-line docstring, the body's statement lines."""
    lines = [f"def {name}({', '.join(params)}):", f'{INDENT}"""{doc}"""', *body]
    return "\n".join(lines) + "\n"


def wire_list(wires: Sequence[int]) -> str:
    return "[" + ", ".join(str(q) for q in wires) + "]"
