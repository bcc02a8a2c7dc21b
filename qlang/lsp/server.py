"""`qlc lsp`: a language server over stdio (pygls), on the same `check_text` as `qlc check`.

Diagnostics are published on open and, debounced by DEBOUNCE_S, on change; each request reads the check
result of the document's latest text, computed once per version. Positions are converted between LSP's
UTF-16 columns and Python offsets by pygls' text document. No request may crash the server: a failure
inside a feature is logged and answered with nothing."""

from __future__ import annotations

import asyncio
import functools
import logging

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer

from qlang import __version__
from qlang.checks import Result, check_text
from qlang.diagnostics import Span
from qlang.lsp import features
from qlang.lsp.positions import Document
from qlang.syntax import ast, incremental
from qlang.syntax.parser import PARSE_CODES, parse
from qlang.syntax.printer import format_text

DEBOUNCE_S = 0.02  # a check of a 50-line spec takes about 10 ms: this only merges bursts of keystrokes
log = logging.getLogger(__name__)

_SEVERITY = {"error": t.DiagnosticSeverity.Error, "warning": t.DiagnosticSeverity.Warning}
_ITEM_KIND = {
    "keyword": t.CompletionItemKind.Keyword,
    "kind": t.CompletionItemKind.Class,
    "method": t.CompletionItemKind.Function,
    "source": t.CompletionItemKind.Function,
    "param": t.CompletionItemKind.Property,
    "value": t.CompletionItemKind.EnumMember,
    "unit": t.CompletionItemKind.Unit,
    "name": t.CompletionItemKind.Reference,
    "setting": t.CompletionItemKind.Field,
}
_SYMBOL_KIND = {
    "pipeline": t.SymbolKind.Module,
    "data": t.SymbolKind.Variable,
    "model": t.SymbolKind.Object,
    "stage": t.SymbolKind.Function,
    "setting": t.SymbolKind.Property,
}


class QlangServer(LanguageServer):
    def __init__(self):
        super().__init__("qlc", __version__)
        self.results: dict[str, tuple[Document, Result]] = {}  # uri → its latest version and check result
        self.pending: dict[str, asyncio.TimerHandle] = {}

    def result(self, uri: str) -> tuple[Document, Result]:
        """The document and the check result of its current text (computed at most once per version).

        When the previous version parsed clean, the new text is re-parsed from its tree where the edit
        allows (`incremental.reparse`): a keystroke in a large spec does not parse the whole file again."""
        doc = self.workspace.get_text_document(uri)
        cached = self.results.get(uri)
        if cached is not None and cached[0].version == doc.version and cached[0].source == doc.source:
            return cached
        current = Document(doc)
        parsed: tuple[ast.Spec | None, list] | None = None
        if cached is not None and cached[1].tree is not None and not _parse_diagnostics(cached[1]):
            try:
                tree = incremental.reparse(cached[0].source, cached[1].tree, current.source, parse)
            except Exception:  # a bug there costs a full parse, never the server
                log.exception("re-parsing %s failed", uri)
                tree = None
            parsed = (tree, []) if tree is not None else None
        self.results.pop(uri, None)  # the old tree may have been moved into the new one
        cached = (current, check_text(current.source, doc.path or uri, parsed=parsed))
        self.results[uri] = cached
        return cached

    def publish(self, uri: str) -> None:
        self.pending.pop(uri, None)
        try:
            doc, result = self.result(uri)
            diags = [to_lsp_diagnostic(doc, uri, d) for d in result.diagnostics]
        except Exception:  # a bug in the front end must not take the editor's server down
            log.exception("checking %s failed", uri)
            diags = []
        self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=diags))

    def schedule(self, uri: str) -> None:
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(DEBOUNCE_S, self.publish, uri)


def _parse_diagnostics(result: Result) -> list:
    """The diagnostics the parser made (syntax errors, bad escapes): a tree that has them is not re-parsed
    from."""
    return [d for d in result.diagnostics if d.code in PARSE_CODES]


def _range(doc, span: Span) -> t.Range:
    return t.Range(doc.client_position_at_offset(span.start), doc.client_position_at_offset(span.end))


def to_lsp_diagnostic(doc, uri: str, d) -> t.Diagnostic:
    span = d.span or Span(0, 0)
    message = d.message + (f"\nhelp: {d.help}" if d.help else "")
    related = [
        t.DiagnosticRelatedInformation(t.Location(uri, _range(doc, n.span)), n.message)
        for n in d.notes
        if n.span is not None
    ]
    return t.Diagnostic(
        range=_range(doc, span),
        message=message,
        severity=_SEVERITY[d.severity],
        code=d.code,
        source="qlc",
        related_information=related or None,
        data={"help": d.help, "label": d.label},
    )


def _safe(default):
    """A feature that fails answers `default` (and logs why) instead of failing the request."""

    def wrap(fn):
        @functools.wraps(fn)
        def run(ls, params):
            try:
                return fn(ls, params)
            except Exception:  # see the module's contract
                log.exception("%s failed", fn.__name__)
                return default

        return run

    return wrap


server = QlangServer()


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: QlangServer, params: t.DidOpenTextDocumentParams):
    ls.publish(params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: QlangServer, params: t.DidChangeTextDocumentParams):
    ls.schedule(params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: QlangServer, params: t.DidCloseTextDocumentParams):
    uri = params.text_document.uri
    ls.results.pop(uri, None)
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(t.TEXT_DOCUMENT_HOVER)
@_safe(None)
def hover(ls: QlangServer, params: t.HoverParams):
    doc, result = ls.result(params.text_document.uri)
    found = features.hover(result, doc.offset_at_position(params.position))
    if found is None:
        return None
    text, span = found
    return t.Hover(t.MarkupContent(t.MarkupKind.Markdown, text), _range(doc, span))


@server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=[" ", "(", ",", ":"]))
@_safe(None)
def completion(ls: QlangServer, params: t.CompletionParams):
    doc, result = ls.result(params.text_document.uri)
    items = features.complete(result, doc.source, doc.offset_at_position(params.position))
    return t.CompletionList(
        is_incomplete=False,
        items=[
            t.CompletionItem(
                label=i.label,
                kind=_ITEM_KIND.get(i.kind),
                detail=i.detail or None,
                documentation=t.MarkupContent(t.MarkupKind.Markdown, i.doc) if i.doc else None,
                sort_text=i.sort or None,
            )
            for i in items
        ],
    )


@server.feature(t.TEXT_DOCUMENT_DEFINITION)
@_safe(None)
def definition(ls: QlangServer, params: t.DefinitionParams):
    doc, result = ls.result(params.text_document.uri)
    span = features.definition(result.tree, doc.offset_at_position(params.position))
    return t.Location(params.text_document.uri, _range(doc, span)) if span else None


@server.feature(t.TEXT_DOCUMENT_REFERENCES)
@_safe(None)
def references(ls: QlangServer, params: t.ReferenceParams):
    doc, result = ls.result(params.text_document.uri)
    offset = doc.offset_at_position(params.position)
    spans = features.references(result.tree, offset, params.context.include_declaration)
    return [t.Location(params.text_document.uri, _range(doc, s)) for s in spans]


def _symbol(doc, s: features.Symbol) -> t.DocumentSymbol:
    return t.DocumentSymbol(
        name=s.name,
        detail=s.detail or None,
        kind=_SYMBOL_KIND[s.kind],
        range=_range(doc, s.span),
        selection_range=_range(doc, s.name_span),
        children=[_symbol(doc, c) for c in s.children] or None,
    )


@server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
@_safe(None)
def document_symbol(ls: QlangServer, params: t.DocumentSymbolParams):
    doc, result = ls.result(params.text_document.uri)
    return [_symbol(doc, s) for s in features.symbols(result.tree)]


@server.feature(t.TEXT_DOCUMENT_FORMATTING)
@_safe(None)
def formatting(ls: QlangServer, params: t.DocumentFormattingParams):
    doc = Document(ls.workspace.get_text_document(params.text_document.uri))
    _, formatted = format_text(doc.source, doc.path or params.text_document.uri)
    if formatted is None or formatted == doc.source:
        return []
    return [t.TextEdit(_range(doc, Span(0, len(doc.source))), formatted)]


@server.feature(t.TEXT_DOCUMENT_CODE_ACTION, t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix]))
@_safe(None)
def code_action(ls: QlangServer, params: t.CodeActionParams):
    uri = params.text_document.uri
    doc, result = ls.result(uri)
    lo, hi = doc.offset_at_position(params.range.start), doc.offset_at_position(params.range.end)
    actions = []
    for span, replacement, title in features.quick_fixes(result):
        if span.start <= hi and lo <= span.end:
            edit = t.TextEdit(_range(doc, span), replacement)
            actions.append(
                t.CodeAction(title, kind=t.CodeActionKind.QuickFix, edit=t.WorkspaceEdit(changes={uri: [edit]}))
            )
    return actions


def main() -> int:
    server.start_io()
    return 0
