/**
 * Every message the compiler can give, in one catalogue with stable codes, and the one
 * diagnostic shape that every phase reports through. Nothing in the compiler throws at the user.
 */
import type { Span } from "./ast.js";
import { closestName } from "../runtime/closest-name.js";
import { terminalText } from "./terminal-text.js";
import { catalogue, type DiagnosticCode } from "./diagnostics-catalogue.js";

/** Each code's short name (the catalogue, compiler/diagnostics-catalogue.ts, has its severity and meaning). */
export const messages = Object.fromEntries(Object.entries(catalogue).map(([code, entry]) => [code, entry.name])) as { readonly [C in DiagnosticCode]: string };

export type { DiagnosticCode };

export interface Related {
  readonly message: string;
  readonly span: Span;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: "error" | "warning";
  readonly message: string;
  readonly span: Span;
  readonly related?: readonly Related[];
  readonly hint?: string;
  /** On the "too many errors" line: how many were left out. */
  readonly omitted?: number;
}

/** How many errors a run found, counting those left out after the cap. */
export function errorCount(diagnostics: readonly Diagnostic[]): number {
  return diagnostics.reduce((n, d) => (d.code === "POL030" ? n + (d.omitted ?? 0) : d.severity === "error" ? n + 1 : n), 0);
}

export const maxDiagnostics = 100;

export function error(code: DiagnosticCode, span: Span, message: string, extra: { hint?: string; related?: Related[] } = {}): Diagnostic {
  return { code, severity: "error", message, span, ...extra };
}

/** Sorted by file and position; repeats at one position dropped; capped with a closing line. */
export function finalizeDiagnostics(all: readonly Diagnostic[]): Diagnostic[] {
  const sorted = [...all].sort(
    (a, b) => a.span.file.localeCompare(b.span.file) || a.span.start - b.span.start || a.code.localeCompare(b.code),
  );
  const seen = new Set<string>();
  const unique: Diagnostic[] = [];
  for (const d of sorted) {
    const key = `${d.span.file}:${d.span.start}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(d);
  }
  if (unique.length <= maxDiagnostics) return unique;
  const kept = unique.slice(0, maxDiagnostics);
  const last = kept[kept.length - 1];
  const omitted = unique.length - maxDiagnostics;
  kept.push({ ...error("POL030", last.span, `too many errors: ${omitted} more not shown; fix these and check again`), omitted });
  return kept;
}

/** `file:line:col: error POL011: message`, the source line, and a caret under the place. */
export function renderDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, string>): string {
  const lines = [`${d.span.file}:${d.span.line}:${d.span.column}: ${d.severity} ${d.code}: ${d.message}`];
  lines.push(...codeFrame(d.span, sources));
  if (d.hint) lines.push(`  = ${d.hint}`);
  for (const r of d.related ?? []) {
    lines.push(`  ${r.span.file}:${r.span.line}:${r.span.column}: ${r.message}`);
  }
  return lines.join("\n");
}

/**
 * Whether a file may be quoted in a code frame: a `.pol` file that reads as text (no NUL, no
 * byte that is not UTF-8). Anything else (an import of `/proc/self/environ`, a binary file) is
 * named with its line and column, never shown.
 */
function quotable(file: string, text: string): boolean {
  return file.endsWith(".pol") && !/[\u0000\ufffd]/.test(text);
}

/** A source as its code frames read it: whether it may be quoted, and where each line starts and ends. */
interface FramedSource {
  readonly text: string;
  readonly quotable: boolean;
  /** Offsets: the start of line n at 2n - 2, its end (before the line break) at 2n - 1; none for a file that is not quoted. */
  readonly lines: readonly number[];
}

/**
 * Each source's lines, found once for all the diagnostics of a compile rather than once for each:
 * a 1 MB file with a hundred errors is read once. Kept for as long as the compile's sources are.
 */
const framedSources = new WeakMap<ReadonlyMap<string, string>, Map<string, FramedSource>>();

function framedSource(file: string, text: string, sources: ReadonlyMap<string, string>): FramedSource {
  let byFile = framedSources.get(sources);
  if (!byFile) framedSources.set(sources, (byFile = new Map()));
  const found = byFile.get(file);
  // A caller may give a file a new text in the same map (as an editor does): then it is read again.
  if (found?.text === text) return found;
  const lines: number[] = [];
  const readable = quotable(file, text);
  if (readable) {
    // Lines end as the lexer counts them: \n, \r\n or a lone \r.
    const ends = /\r\n|\r|\n/g;
    let start = 0;
    for (let m = ends.exec(text); m !== null; m = ends.exec(text)) {
      lines.push(start, m.index);
      start = m.index + m[0].length;
    }
    lines.push(start, text.length);
  }
  const framed = { text, quotable: readable, lines };
  byFile.set(file, framed);
  return framed;
}

function codeFrame(span: Span, sources: ReadonlyMap<string, string>): string[] {
  const text = sources.get(span.file);
  if (text === undefined) return [];
  const framed = framedSource(span.file, text, sources);
  if (!framed.quotable || !Number.isInteger(span.line) || span.line < 1 || 2 * span.line > framed.lines.length) return [];
  const lineText = text.slice(framed.lines[2 * span.line - 2], framed.lines[2 * span.line - 1]);
  const gutter = String(span.line);
  const shown = lineText.length > 200 ? lineText.slice(Math.max(0, span.column - 80), span.column + 120) : lineText;
  const caretColumn = lineText.length > 200 ? Math.min(span.column - 1, 80) : span.column - 1;
  const width = Math.max(1, Math.min(span.end - span.start, shown.length - caretColumn));
  // Control characters are shown escaped (terminal-text.ts), and the caret stays under its place.
  const before = terminalText(shown.slice(0, Math.max(0, caretColumn)));
  const marked = terminalText(shown.slice(Math.max(0, caretColumn), Math.max(0, caretColumn) + width));
  const after = terminalText(shown.slice(Math.max(0, caretColumn) + width));
  return [
    `${" ".repeat(gutter.length)} |`,
    `${gutter} | ${before}${marked}${after}`,
    `${" ".repeat(gutter.length)} | ${" ".repeat(before.length)}${"^".repeat(Math.max(1, marked.length))}`,
  ];
}

/** The closest known name, for "did you mean …?". */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  return closestName(name, candidates);
}
