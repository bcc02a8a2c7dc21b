// The qlang extension: starts `qlc lsp` (configurable) and connects VS Code to it over stdio.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("qlang").get("server.command", ["qlc", "lsp"]);
  client = new LanguageClient(
    "qlang",
    "qlang language server",
    { command, args },
    { documentSelector: [{ scheme: "file", language: "qlang" }, { scheme: "untitled", language: "qlang" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
