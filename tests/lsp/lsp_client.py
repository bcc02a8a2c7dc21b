"""A real LSP client over stdio (pygls' LanguageClient) driving `qlc lsp` in a subprocess, with a synchronous
face for tests and benchmarks: every call runs on the session's own event loop."""

from __future__ import annotations

import asyncio
import sys
from collections import defaultdict

from lsprotocol import types as t
from pygls.lsp.client import LanguageClient


class Session:
    """One `qlc lsp` process and a client talking to it."""

    def __init__(self, timeout: float = 60.0):
        self.loop = asyncio.new_event_loop()
        self.timeout = timeout
        self.client = LanguageClient("qlang-tests", "1")
        self.published: dict[str, asyncio.Queue] = defaultdict(asyncio.Queue)
        self.versions: dict[str, int] = {}

        @self.client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _published(params: t.PublishDiagnosticsParams):
            self.published[params.uri].put_nowait(params.diagnostics)

        self.run(self.client.start_io(sys.executable, "-m", "qlang.cli", "lsp"))
        self.capabilities = self.run(
            self.client.initialize_async(t.InitializeParams(capabilities=t.ClientCapabilities(), process_id=None))
        ).capabilities
        self.client.initialized(t.InitializedParams())

    def run(self, coro):
        return self.loop.run_until_complete(asyncio.wait_for(coro, self.timeout))

    def open(self, uri: str, text: str) -> list[t.Diagnostic]:
        """Open a document; the diagnostics the server publishes for it."""
        self.versions[uri] = 1
        self.client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(uri, "qlang", 1, text)))
        return self.diagnostics(uri)

    def change(self, uri: str, text: str, wait: bool = True) -> list[t.Diagnostic] | None:
        """Replace the whole text; the diagnostics published after the change (unless `wait` is False)."""
        self.versions[uri] += 1
        self.client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                t.VersionedTextDocumentIdentifier(version=self.versions[uri], uri=uri),
                [t.TextDocumentContentChangeWholeDocument(text)],
            )
        )
        return self.diagnostics(uri) if wait else None

    def diagnostics(self, uri: str) -> list[t.Diagnostic]:
        return self.run(self.published[uri].get())

    def request(self, name: str, params):
        """`name` is a LanguageClient method such as "text_document_hover_async"."""
        return self.run(getattr(self.client, name)(params))

    def close(self) -> None:
        try:
            self.run(self.client.shutdown_async(None))
            self.client.exit(None)
            self.run(self.client.stop())
        finally:
            self.loop.close()

    def alive(self) -> bool:
        return not self.client.stopped and self.client._server is not None and self.client._server.returncode is None
