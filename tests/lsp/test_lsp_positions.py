"""The server's position conversions (qlang/lsp/positions.py) answer what pygls' TextDocument answers, for
every offset and both column encodings, on text with wide characters and every kind of line break."""

from __future__ import annotations

import pytest

pytest.importorskip("pygls")
from lsprotocol import types as t
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import PositionCodec

from qlang.lsp.positions import Document

TEXTS = [
    "",
    "x",
    "pipeline p {\n  seed 7\n}\n",
    'pipeline 数据 {\r\n  name "😀 é\u0301"\r\n\r\n}',
    "a\rb\u2028c\x85d\x0be\n\n😀😀\n",
]


@pytest.mark.parametrize("encoding", [t.PositionEncodingKind.Utf16, t.PositionEncodingKind.Utf8])
@pytest.mark.parametrize("text", TEXTS)
def test_conversions_match_pygls(text, encoding):
    pygls_doc = TextDocument("file:///x.qlc", text, version=1, position_codec=PositionCodec(encoding))
    ours = Document(pygls_doc)
    for offset in range(len(text) + 3):
        if not text:
            break  # pygls itself fails on an empty document (UnboundLocalError): see below
        expected = pygls_doc.client_position_at_offset(offset)
        assert ours.client_position_at_offset(offset) == expected, offset
    for line in range(len(pygls_doc.lines) + 2):
        for character in range(8):
            pos = t.Position(line, character)
            assert ours.offset_at_position(pos) == pygls_doc.offset_at_position(pos), pos


def test_an_empty_document_has_one_position():
    ours = Document(TextDocument("file:///x.qlc", "", version=1))
    assert ours.client_position_at_offset(0) == t.Position(0, 0)
