"""String literals: the escapes qlang knows, both ways."""

from __future__ import annotations

import re

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "0": "\0"}
_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]{1,6}\}|.)", re.DOTALL)


class BadEscape(ValueError):
    def __init__(self, offset: int, text: str):
        super().__init__(text)
        self.offset = offset  # offset of the backslash inside the literal (quotes included)
        self.text = text


def unquote(raw: str) -> str:
    """The value of a literal such as `"a\\"b"`; raises BadEscape on an unknown escape."""

    def sub(m: re.Match) -> str:
        body = m.group(1)
        if body in ESCAPES:
            return ESCAPES[body]
        if body.startswith("u{"):
            code = int(body[2:-1], 16)
            if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                return chr(code)
        raise BadEscape(m.start() + 1, m.group(0))

    return _ESCAPE.sub(sub, raw[1:-1])


def quote(value: str) -> str:
    out = []
    for ch in value:
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\0":
            out.append("\\0")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
