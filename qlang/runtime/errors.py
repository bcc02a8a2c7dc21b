"""Errors the runtime reports to the user: a code, a place and a hint, never a traceback."""

from __future__ import annotations

# Runtime diagnostic codes.
FILE_NOT_FOUND = "Q701"
MALFORMED_ROW = "Q702"
MISSING_COLUMN = "Q703"
EMPTY_DATA = "Q704"
UNKNOWN_NAME = "Q705"  # data format, built-in dataset or method
BAD_PARAMETER = "Q706"  # a parameter value, or data that cannot serve the method
CIRCUIT_MISMATCH = "Q707"  # missing executor/circuit role, or a circuit of the wrong shape
MODEL_LOAD = "Q708"
MEMORY_SHORT = "Q405"  # the check's code: a stage's estimated peak memory is more than this machine has now
CANNOT_WRITE = "Q709"  # an output file or folder (report, compiled module) that cannot be written


class RuntimeDiagnostic(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        help: str | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.help = help

    def __reduce__(self):  # crosses process boundaries (process pool, Ray) with every field
        return (RuntimeDiagnostic, (self.code, self.message, self.file, self.line, self.column, self.help))

    @property
    def location(self) -> str:
        parts = [str(p) for p in (self.file, self.line, self.column) if p is not None]
        return ":".join(parts)

    def __str__(self) -> str:
        """The diagnostic as printed, control characters from the data or the spec escaped."""
        from qlang.diagnostics import escape

        where = f"{escape(self.location)}: " if self.location else ""
        text = f"{where}error[{self.code}]: {escape(self.message)}"
        if self.help:
            text += f"\n  help: {escape(self.help)}"
        return text
