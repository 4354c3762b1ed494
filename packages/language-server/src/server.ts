/**
 * The pol language server. It checks the workspace's library with the compiler itself (open
 * documents as the editor has them, other files from disk), publishes the compiler's diagnostics,
 * and answers requests from the checker's record of what each name means. After an edit only the
 * edited document is parsed and checked again, and the documents importing it only when what it
 * declares changed (compiler/compile-cache.ts); requests made while a change is pending wait for
 * it to be checked.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  DiagnosticSeverity,
  ErrorCodes,
  ResponseError,
  SymbolKind,
  TextDocuments,
  TextDocumentSyncKind,
  type CompletionItem,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type Location,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import type * as A from "../../../compiler/ast.js";
import type { IncrementalOptions, IncrementalResult } from "../../../compiler/compile.js";
import { builtinNames, builtinTypes } from "../../../compiler/scope.js";
import { reservedWords } from "../../../grammar/tokens.js";
import { formatPol, PolSyntaxError, resolvePrintWidth } from "../../prettier-plugin-pol/src/index.js";
import type { NameRange, Target } from "./analysis.js";
import { completionsAt } from "./completion.js";
import { Workspace } from "./workspace.js";

/** What the client may set in `initializationOptions`. */
export interface ServerOptions {
  /**
   * How long to wait after a change before checking, in ms. By default (0) a change is checked as
   * soon as the changes already received are read, so a burst of them is checked once.
   */
  readonly diagnosticsDelay?: number;
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  let roots: string[] = [];
  let base = process.cwd();
  let settleMs = 0;
  const workspace = new Workspace();
  /** The library's files on disk (absolute), found by walking the workspace folders. */
  let onDiskFiles: string[] | undefined;
  /** Documents changed since the last check. */
  const changed = new Set<string>();
  /** The next check: after a change, or of importers left pending by the last one. */
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  /** The diagnostics last published, by URI, as JSON. */
  const published = new Map<string, string>();
  const onDisk = new Map<string, TextDocument>();
  /** Files read from disk, kept while their modification time and size stay the same. */
  const diskTexts = new Map<string, { mtimeMs: number; size: number; text: string }>();

  const uriOf = (display: string) => pathToFileURL(resolve(base, display)).href;
  const displayOf = (uri: string) => {
    const absolute = fileURLToPath(uri);
    return relative(base, absolute) || absolute;
  };
  /** The text a position refers to: the open document, or the file as compiled. */
  const documentFor = (display: string): TextDocument => {
    const uri = uriOf(display);
    const open = documents.get(uri);
    if (open) return open;
    let cached = onDisk.get(display);
    const text = workspace.latest?.sources.get(display) ?? "";
    if (!cached || cached.getText() !== text) {
      cached = TextDocument.create(uri, "pol", 0, text);
      onDisk.set(display, cached);
    }
    return cached;
  };
  const rangeOf = (range: NameRange): Range => {
    const doc = documentFor(range.file);
    return { start: doc.positionAt(range.start), end: doc.positionAt(range.end) };
  };
  const read = (absolute: string): string | undefined => {
    const open = documents.get(pathToFileURL(absolute).href);
    if (open) return open.getText();
    try {
      const stat = statSync(absolute);
      const known = diskTexts.get(absolute);
      if (known && known.mtimeMs === stat.mtimeMs && known.size === stat.size) return known.text;
      const text = readFileSync(absolute, "utf8");
      diskTexts.set(absolute, { mtimeMs: stat.mtimeMs, size: stat.size, text });
      return text;
    } catch {
      diskTexts.delete(absolute);
      return undefined;
    }
  };

  function libraryFiles(): string[] {
    if (!onDiskFiles) {
      const found: string[] = [];
      const walk = (dir: string) => {
        let names: string[];
        try {
          names = readdirSync(dir).sort();
        } catch {
          return;
        }
        for (const name of names) {
          if (name.startsWith(".") || name === "node_modules") continue;
          const path = join(dir, name);
          try {
            if (statSync(path).isDirectory()) walk(path);
            else if (name.endsWith(".pol")) found.push(path);
          } catch {
            // A file removed while walking is simply not part of the library.
          }
        }
      };
      for (const root of roots) walk(root);
      onDiskFiles = found;
    }
    const all = new Set(onDiskFiles);
    for (const doc of documents.all()) if (doc.uri.startsWith("file:") && doc.uri.endsWith(".pol")) all.add(fileURLToPath(doc.uri));
    return [...all];
  }

  /** Checks the library (with the cache), publishes what changed, and checks later what it left pending. */
  function analyze(options: IncrementalOptions = {}, mustPublish: ReadonlySet<string> = new Set()): IncrementalResult {
    const first = workspace.latest === undefined;
    const result = workspace.analyze(libraryFiles(), read, base, first ? {} : options);
    publishDiagnostics(result, first ? new Set(result.files.keys()) : mustPublish);
    if (result.pending.size > 0) scheduleCheck(0);
    return result;
  }

  function publishDiagnostics(result: IncrementalResult, mustPublish: ReadonlySet<string>): void {
    const byFile = new Map<string, LspDiagnostic[]>();
    for (const file of result.sources.keys()) byFile.set(file, []);
    for (const d of result.diagnostics) {
      const list = byFile.get(d.span.file) ?? [];
      byFile.set(d.span.file, list);
      list.push({
        range: rangeOf(d.span),
        severity: d.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
        code: d.code,
        source: "polc",
        message: d.hint ? `${d.message}\n${d.hint}` : d.message,
        relatedInformation: d.related?.map((r) => ({ location: { uri: uriOf(r.span.file), range: rangeOf(r.span) }, message: r.message })),
      });
    }
    const now = new Set<string>();
    for (const [file, diagnostics] of byFile) {
      const uri = uriOf(file);
      now.add(uri);
      const json = JSON.stringify(diagnostics);
      if (published.get(uri) === json && !mustPublish.has(file)) continue;
      published.set(uri, json);
      void connection.sendDiagnostics({ uri, diagnostics, version: documents.get(uri)?.version });
    }
    for (const uri of published.keys()) {
      if (!now.has(uri)) {
        published.delete(uri);
        void connection.sendDiagnostics({ uri, diagnostics: [] });
      }
    }
  }

  /** Checks the documents changed since the last check (their importers only if what they declare changed; those later). */
  function checkChanges(): void {
    cancelCheck();
    if (workspace.latest === undefined) {
      changed.clear();
      analyze();
      return;
    }
    const edited = new Set(changed);
    changed.clear();
    // With no change, this is the check of what the last one left pending.
    analyze(edited.size > 0 ? { only: edited } : {}, edited);
  }

  function cancelCheck(): void {
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = undefined;
    immediate = undefined;
  }

  /**
   * Checks after `delay` ms; with none, once the changes already received have been read. The
   * connection reads one message per turn of the event loop, so the check waits one more turn,
   * and a change read in it moves the check after itself.
   */
  function scheduleCheck(delay: number): void {
    cancelCheck();
    if (delay > 0) timer = setTimeout(checkChanges, delay);
    else immediate = setImmediate(() => (immediate = setImmediate(checkChanges)));
  }

  /** Brings the analysis up to date with the documents (a request does not wait for the timer). */
  const settle = () => {
    if (workspace.latest === undefined || changed.size > 0) checkChanges();
  };
  /** The analysis that answers for a file: checked again first if its index is not current. */
  const ensureCurrent = (display: string): IncrementalResult => {
    settle();
    if (!workspace.isCurrent(display) && workspace.latest!.files.has(display)) analyze({ fresh: new Set([display]), only: new Set([display]) });
    return workspace.latest!;
  };
  /** The whole library, for references and rename. */
  const wholeLibrary = (): IncrementalResult => {
    settle();
    const stale = workspace.staleFiles();
    if (stale.size > 0) analyze({ fresh: stale });
    return workspace.latest!;
  };
  const schedule = (uri: string) => {
    changed.add(displayOf(uri));
    scheduleCheck(settleMs);
  };

  /** The declaration whose name is under the cursor. */
  const targetAt = (uri: string, position: { line: number; character: number }) => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    ensureCurrent(displayOf(uri));
    return workspace.occurrenceAt(displayOf(uri), doc.offsetAt(position));
  };
  const locationOf = (range: NameRange): Location => ({ uri: uriOf(range.file), range: rangeOf(range) });
  const declarationRange = (target: Target): NameRange => ({ file: target.decl.nameSpan.file, start: target.decl.nameSpan.start, end: target.decl.nameSpan.end });

  connection.onInitialize((params) => {
    const options = (params.initializationOptions ?? {}) as ServerOptions;
    if (typeof options.diagnosticsDelay === "number" && options.diagnosticsDelay >= 0) settleMs = options.diagnosticsDelay;
    const folders = params.workspaceFolders?.map((f) => fileURLToPath(f.uri)) ?? (params.rootUri ? [fileURLToPath(params.rootUri)] : []);
    roots = folders;
    base = folders[0] ?? process.cwd();
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        completionProvider: { triggerCharacters: ["."] },
        renameProvider: { prepareProvider: true },
        documentFormattingProvider: true,
        documentSymbolProvider: true,
      },
      serverInfo: { name: "pol-language-server", version: "0.1.0" },
    };
  });

  documents.onDidChangeContent(({ document }) => schedule(document.uri));
  documents.onDidClose(({ document }) => schedule(document.uri));
  connection.onDidChangeWatchedFiles(({ changes }) => {
    // A file created or deleted changes what the library holds: walk the folders again.
    onDiskFiles = undefined;
    for (const change of changes) {
      diskTexts.delete(fileURLToPath(change.uri));
      schedule(change.uri);
    }
  });

  connection.onHover(({ textDocument, position }) => {
    const occurrence = targetAt(textDocument.uri, position);
    if (!occurrence) return null;
    return { contents: { kind: "markdown", value: workspace.describe(occurrence.target, displayOf(textDocument.uri)) }, range: rangeOf(occurrence.range) };
  });

  connection.onDefinition(({ textDocument, position }) => {
    const occurrence = targetAt(textDocument.uri, position);
    if (occurrence) return locationOf(declarationRange(occurrence.target));
    // On an import, the imported file.
    const display = displayOf(textDocument.uri);
    const doc = documents.get(textDocument.uri);
    const offset = doc?.offsetAt(position) ?? -1;
    settle();
    const imported = workspace.latest!
      .files.get(display)
      ?.imports.find((imp) => imp.path && imp.span.start <= offset && offset <= imp.span.end);
    if (!imported?.path) return null;
    const start = { line: 0, character: 0 };
    return { uri: pathToFileURL(resolve(base, display, "..", imported.path)).href, range: { start, end: start } };
  });

  connection.onReferences(({ textDocument, position, context }) => {
    wholeLibrary();
    const occurrence = targetAt(textDocument.uri, position);
    if (!occurrence) return [];
    return workspace
      .occurrencesOf(occurrence.target)
      .filter((o) => context.includeDeclaration || !o.declaration)
      .map((o) => locationOf(o.range));
  });

  connection.onPrepareRename(({ textDocument, position }) => {
    const occurrence = targetAt(textDocument.uri, position);
    if (!occurrence) return null;
    return { range: rangeOf(occurrence.range), placeholder: occurrence.target.decl.name };
  });

  connection.onRenameRequest(({ textDocument, position, newName }): WorkspaceEdit => {
    const library = wholeLibrary();
    const occurrence = targetAt(textDocument.uri, position);
    if (!occurrence) throw new ResponseError(ErrorCodes.InvalidRequest, "there is no fact, definition or other declared name here to rename");
    const target = occurrence.target;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName)) {
      throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is not a name: use letters, digits and _, starting with a letter or _`);
    }
    if (reservedWords.includes(newName)) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is a word of the language and cannot be a name`);
    const topLevel = target.kind !== "field" && target.kind !== "param" && target.kind !== "entry" && !(target.kind === "fact" || target.kind === "group" ? target.path.includes(".") : false);
    if (topLevel && ([...builtinNames, ...builtinTypes] as readonly string[]).includes(newName)) {
      throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is a name the language reserves; choose another`);
    }
    if (topLevel) {
      for (const scope of library.scopes.values()) {
        const clash = scope.get(newName);
        if (clash && [...scope.values()].some((e) => e.decl === target.decl)) {
          throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is already declared in ${clash.decl.nameSpan.file}:${clash.decl.nameSpan.line}`);
        }
      }
    }
    if (!topLevel && (target.kind === "fact" || target.kind === "group")) {
      // A fact of a group: its siblings are the names it must not take.
      const parent = target.path.split(".").slice(0, -1);
      const group = library.scopes.get(target.decl.nameSpan.file)?.get(parent[0]);
      let members = group?.kind === "group" ? group.members : undefined;
      for (const segment of parent.slice(1)) {
        const next = members?.get(segment);
        members = next?.kind === "group" ? next.members : undefined;
      }
      if (members?.has(newName)) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is already declared in group '${parent.join(".")}'`);
    }
    const changes: Record<string, TextEdit[]> = {};
    for (const o of workspace.occurrencesOf(target)) (changes[uriOf(o.range.file)] ??= []).push({ range: rangeOf(o.range), newText: newName });
    return { changes };
  });

  connection.onDocumentFormatting(async ({ textDocument }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return null;
    const text = doc.getText();
    const file = fileURLToPath(textDocument.uri);
    let formatted: string;
    try {
      formatted = await formatPol(text, { filepath: file, printWidth: await resolvePrintWidth(file) });
    } catch (e) {
      // The diagnostics already show why a file with syntax errors cannot be formatted.
      if (e instanceof PolSyntaxError) return null;
      throw e;
    }
    if (formatted === text) return [];
    return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(text.length) }, newText: formatted }];
  });

  connection.onDocumentSymbol(({ textDocument }) => {
    const display = displayOf(textDocument.uri);
    settle();
    const file = workspace.latest!.files.get(display);
    return file ? outline(file, (span) => rangeOf(span)) : [];
  });

  connection.onCompletion(({ textDocument, position }): CompletionItem[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const display = displayOf(textDocument.uri);
    const result = ensureCurrent(display);
    const offset = doc.offsetAt(position);
    return completionsAt(result.scopes.get(display) ?? new Map(), workspace, doc.getText().slice(0, offset));
  });

  documents.listen(connection);
}

/** The outline: declarations, policies and overlays with their sections, pathways and criteria. */
export function outline(file: A.PolFile, rangeOf: (span: A.Span) => Range): DocumentSymbol[] {
  const symbol = (name: string, detail: string | undefined, kind: SymbolKind, span: A.Span, nameSpan: A.Span, children: DocumentSymbol[] = []): DocumentSymbol => ({
    name: name || "(unnamed)",
    detail,
    kind,
    range: rangeOf(span),
    selectionRange: rangeOf(nameSpan),
    children,
  });
  const items = (list: readonly A.Item[]): DocumentSymbol[] =>
    list.flatMap((item): DocumentSymbol[] => {
      switch (item.kind) {
        case "Requirement":
          return [requirement(item)];
        case "GroupBody":
          return items(item.items);
        case "Note":
          return item.name && item.nameSpan ? [symbol(item.name, item.text, SymbolKind.Boolean, item.span, item.nameSpan)] : [];
        case "Use":
          return [];
      }
    });
  const requirement = (r: A.RequirementDecl): DocumentSymbol =>
    symbol(r.name, r.wording, r.role === "pathway" ? SymbolKind.Module : SymbolKind.Boolean, r.span, r.nameSpan, r.body.kind === "GroupBody" ? items(r.body.items) : []);
  const member = (m: A.FactDecl | A.GroupDecl): DocumentSymbol =>
    m.kind === "Fact" ? symbol(m.name, m.doc, SymbolKind.Field, m.span, m.nameSpan) : symbol(m.name, m.doc, SymbolKind.Namespace, m.span, m.nameSpan, m.members.map(member));
  const sectionSymbols = (sections: readonly A.Section[]) =>
    sections.map((s) => symbol(`${s.sectionKind} "${s.title}"`, undefined, SymbolKind.Package, s.span, s.span, items(s.items)));
  const declarations = file.declarations.map((d): DocumentSymbol => {
    switch (d.kind) {
      case "Fact":
      case "Group":
        return member(d);
      case "Enum":
        return symbol(d.name, d.doc, SymbolKind.Enum, d.span, d.nameSpan, d.members.map((m) => symbol(m.name, m.label, SymbolKind.EnumMember, m.span, m.nameSpan)));
      case "Record":
        return symbol(d.name, d.doc, SymbolKind.Struct, d.span, d.nameSpan, d.fields.map((f) => symbol(f.name, f.doc, SymbolKind.Field, f.span, f.nameSpan)));
      case "Extend":
        return symbol(`extend record ${d.name}`, undefined, SymbolKind.Struct, d.span, d.nameSpan, d.fields.map((f) => symbol(f.name, f.doc, SymbolKind.Field, f.span, f.nameSpan)));
      case "Define":
        return symbol(d.name, d.wording, SymbolKind.Function, d.span, d.nameSpan);
      case "Requirement":
        return requirement(d);
    }
  });
  const services = (list: readonly A.ServiceDecl[]) => list.map((l) => symbol(l.name, l.wording, SymbolKind.Interface, l.span, l.nameSpan, sectionSymbols(l.sections)));
  const body = (d: A.PolicyDecl | A.OverlayDecl) =>
    [...sectionSymbols(d.sections), ...services(d.services)].sort((a, b) => a.range.start.line - b.range.start.line);
  const policies = file.policies.map((p) => symbol(p.name, p.title, SymbolKind.Class, p.span, p.nameSpan, body(p)));
  const overlays = file.overlays.map((o) => symbol(o.name, o.title, SymbolKind.Class, o.span, o.nameSpan, body(o)));
  return [...declarations, ...policies, ...overlays].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

