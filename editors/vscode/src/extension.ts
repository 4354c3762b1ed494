/** The VS Code extension: starts the pol language server (bundled beside it) for .pol files. */
import type { ExtensionContext } from "vscode";
import { workspace } from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath("dist/server.cjs");
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ["--inspect=6009"] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "pol" }],
    synchronize: { fileEvents: workspace.createFileSystemWatcher("**/*.pol") },
    initializationOptions: { diagnosticsDelay: workspace.getConfiguration("pol").get<number>("diagnosticsDelay", 0) },
  };
  client = new LanguageClient("pol", "pol language server", serverOptions, clientOptions);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
