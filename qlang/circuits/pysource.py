"""Black-style formatting of the few Python statements the circuit emitters write."""

from __future__ import annotations

from collections.abc import Sequence

from qlang.circuits.ir import Angle, BinOp

LINE_LENGTH = 88
INDENT = "    "

Arg = str | Angle


def _text(arg: Arg) -> str:
    return arg if isinstance(arg, str) else arg.render()


def expression(arg: Arg, indent: str, prefix: str = "", suffix: str = "") -> list[str]:
    """An argument on one line, or (as black does) a too-long operation split at its operator."""
    text = _text(arg)
    if len(indent + prefix + text + suffix) <= LINE_LENGTH or not isinstance(arg, BinOp):
        return [indent + prefix + text + suffix]
    inner = indent + INDENT
    return [
        indent + prefix + "(",
        *expression(arg.left, inner),
        *expression(arg.right, inner, prefix=arg.op + " "),
        indent + ")" + suffix,
    ]


def call(indent: str, callee: str, args: Sequence[Arg]) -> list[str]:
    """`callee(args)` on one line if it fits, else split the way black splits a call."""
    texts = [_text(arg) for arg in args]
    line = f"{indent}{callee}({', '.join(texts)})"
    if len(line) <= LINE_LENGTH:
        return [line]
    inner = indent + INDENT
    joined = inner + ", ".join(texts)
    if len(joined) <= LINE_LENGTH:
        return [f"{indent}{callee}(", joined, f"{indent})"]
    lines = [f"{indent}{callee}("]
    for arg in args:
        lines += expression(arg, inner, suffix=",")
    return lines + [f"{indent})"]


def function(name: str, params: Sequence[str], doc: str, body: Sequence[str]) -> str:
    """A module-level function: signature, one-line docstring, the body's statement lines."""
    lines = [f"def {name}({', '.join(params)}):", f'{INDENT}"""{doc}"""', *body]
    return "\n".join(lines) + "\n"


def wire_list(wires: Sequence[int]) -> str:
    return "[" + ", ".join(str(q) for q in wires) + "]"
