/**
 * A language client for tests: starts the pol language server as an editor does (a child process
 * speaking JSON-RPC over stdio) and keeps the diagnostics it publishes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface PublishedDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
  relatedInformation?: { location: { uri: string; range: unknown }; message: string }[];
}

export class TestClient {
  readonly connection: MessageConnection;
  private readonly child: ChildProcess;
  private readonly diagnostics = new Map<string, PublishedDiagnostic[]>();
  private waiters: { uri: string; version: number; resolve: (d: PublishedDiagnostic[]) => void }[] = [];
  private versions = new Map<string, number>();

  /** By default the server from its sources; `args` start another build of it (the bundled one). */
  constructor(args: readonly string[] = ["--import", "tsx", "packages/language-server/src/main.ts", "--stdio"]) {
    this.child = spawn(process.execPath, [...args], {
      cwd: repoRoot,
      stdio: ["pipe", "pipe", "inherit"],
    });
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification("textDocument/publishDiagnostics", (params: { uri: string; version?: number; diagnostics: PublishedDiagnostic[] }) => {
      this.diagnostics.set(params.uri, params.diagnostics);
      const isReady = (w: { uri: string; version: number }) => w.uri === params.uri && (params.version ?? Infinity) >= w.version;
      const ready = this.waiters.filter(isReady);
      this.waiters = this.waiters.filter((w) => !isReady(w));
      for (const w of ready) w.resolve(params.diagnostics);
    });
    this.connection.listen();
  }

  /** The server's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  async initialize(rootUri: string, initializationOptions?: Record<string, unknown>): Promise<{ capabilities: Record<string, unknown> }> {
    const result = await this.connection.sendRequest<{ capabilities: Record<string, unknown> }>("initialize", {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: "library" }],
      capabilities: {},
      initializationOptions,
    });
    await this.connection.sendNotification("initialized", {});
    return result;
  }

  /** The next diagnostics published for a document (for its version `version` or a later one). */
  nextDiagnostics(uri: string, version = 0): Promise<PublishedDiagnostic[]> {
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve }));
  }

  async open(uri: string, text: string): Promise<PublishedDiagnostic[]> {
    const next = this.nextDiagnostics(uri);
    this.versions.set(uri, 1);
    await this.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "pol", version: 1, text } });
    return next;
  }

  /** Replaces a range of an open document, as an editor does on a keystroke. */
  async edit(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): Promise<PublishedDiagnostic[]> {
    const next = this.nextDiagnostics(uri);
    await this.change(uri, range, text);
    return next;
  }

  /** Sends a change without waiting for diagnostics; returns the document's new version. */
  async change(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest<R>(method, params);
  }

  /** Shuts the server down; waits for it to exit (so that a CPU profile it writes on exit is written), at most 10 s. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      this.child.once("exit", () => resolve());
      setTimeout(resolve, 10_000).unref();
    });
    try {
      await this.connection.sendRequest("shutdown");
      await this.connection.sendNotification("exit");
      await exited;
    } finally {
      this.connection.dispose();
      this.child.kill();
    }
  }
}
