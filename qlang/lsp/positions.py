"""Offsets ↔ LSP positions for one version of a document, in time logarithmic in its size.

pygls' TextDocument splits the whole text into lines on every conversion, so publishing the diagnostics
of a file with thousands of them took time quadratic in its size. Here the lines and their start offsets
are computed once per version; a conversion is a binary search plus the work on one line. The answers
are pygls' own (the same lines, the same position codec for UTF-16 or UTF-8 columns)."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

from lsprotocol import types as t
from pygls.workspace import TextDocument
from pygls.workspace.text_document import ServerTextPosition


class Document:
    """A document's text at one version, with the conversions the server needs."""

    def __init__(self, doc: TextDocument):
        self.uri = doc.uri
        self.path = doc.path
        self.version = doc.version
        self.source = doc.source
        self.codec = doc.position_codec
        self.lines = tuple(self.source.splitlines(True))  # the lines pygls counts
        self.starts = [0, *accumulate(len(line) for line in self.lines)]

    def client_position_at_offset(self, offset: int) -> t.Position:
        """As TextDocument.client_position_at_offset."""
        if offset >= self.starts[-1]:  # beyond the last line
            return self.codec.position_to_client_units(self.lines, ServerTextPosition(len(self.lines), 0))
        row = bisect_right(self.starts, offset) - 1
        return self.codec.position_to_client_units(self.lines, ServerTextPosition(row, offset - self.starts[row]))

    def offset_at_position(self, position: t.Position) -> int:
        """As TextDocument.offset_at_position."""
        server = self.codec.position_from_client_units(self.lines, position)
        return server.character + self.starts[min(server.line, len(self.lines))]
