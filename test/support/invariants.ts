/**
 * What must hold for every compile, whatever the input: nothing throws, every diagnostic (and
 * every related note) points inside its file with integer, 1-based, self-consistent positions,
 * nothing is NaN, and every diagnostic renders.
 */
import { checkFilesIncrementally, compileText, type CompileResult } from "../../compiler/compile.js";
import type { CompileCache } from "../../compiler/compile-cache.js";
import { messages, renderDiagnostic, type Diagnostic } from "../../compiler/diagnostics.js";
import type { Span } from "../../compiler/ast.js";
import { lexPol, parsePol } from "../../grammar/parser.js";
import { nestingDiagnostic } from "../../compiler/nesting-limit.js";
import { terminalText } from "../../compiler/terminal-text.js";
import { countKnown } from "./counter.js";
import { relative } from "node:path";

/** Lines as the lexer counts them: \r\n, \r and \n each end a line (Chevrotain's default). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** 1-based line and column of an offset, with lines as the lexer counts them. */
export function positionOf(text: string, offset: number, starts = lineStarts(text)): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

/** Defects the fuzzer tolerates while they are open: none now. */
export const knownDefects = {} as const;

export interface Check {
  /** Broken invariants: each one a bug. */
  readonly problems: string[];
  /** Occurrences of knownDefects, by name. */
  readonly known: string[];
}

function describeSpan(s: Span): string {
  return `${s.file}:${s.line}:${s.column} [${s.start},${s.end}]`;
}

function nonFiniteNumbers(value: unknown, path: string, out: string[], seen = new Set<unknown>()): void {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) out.push(`${path} is ${value}`);
    return;
  }
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  for (const [k, v] of Object.entries(value)) nonFiniteNumbers(v, `${path}.${k}`, out, seen);
}

/**
 * What the checks of one result need of each source, worked out once per file rather than once
 * per diagnostic: a 1 MB file with a hundred diagnostics is then checked in time linear in its size.
 */
class SourceFacts {
  private readonly starts = new Map<string, number[]>();
  private readonly textual = new Map<string, boolean>();
  private all: string | undefined;

  constructor(private readonly result: CompileResult) {}

  lineStarts(file: string, text: string): number[] {
    let found = this.starts.get(file);
    if (!found) this.starts.set(file, (found = lineStarts(text)));
    return found;
  }

  /** A file that reads as text: no NUL, no byte that is not UTF-8. */
  readsAsText(file: string, text: string): boolean {
    let found = this.textual.get(file);
    if (found === undefined) this.textual.set(file, (found = !/[\u0000\ufffd]/.test(text)));
    return found;
  }

  /** Every source, joined: a word the rendering prints must come from one of them. */
  allText(): string {
    return (this.all ??= [...this.result.sources.values()].join("\n"));
  }
}

function checkSpan(span: Span, what: string, result: CompileResult, check: Check, d: Diagnostic, facts: SourceFacts): void {
  const { problems } = check;
  for (const key of ["line", "column", "start", "end"] as const) {
    if (!Number.isInteger(span[key])) problems.push(`${what}: ${key} is not an integer (${span[key]}) at ${describeSpan(span)}`);
  }
  if (typeof span.file !== "string" || span.file === "") problems.push(`${what}: no file`);
  const text = result.sources.get(span.file);
  if (text === undefined) {
    if (d.code !== "POL003") problems.push(`${what}: file ${span.file} is not among the sources`);
    return;
  }
  const starts = facts.lineStarts(span.file, text);
  if (span.line < 1 || span.line > starts.length + 1) problems.push(`${what}: line ${span.line} outside 1..${starts.length + 1} at ${describeSpan(span)}`);
  if (span.column < 1) problems.push(`${what}: column ${span.column} < 1 at ${describeSpan(span)}`);
  if (span.start < 0 || span.start > text.length) problems.push(`${what}: start ${span.start} outside 0..${text.length} at ${describeSpan(span)}`);
  if (span.end < span.start || span.end > text.length) problems.push(`${what}: end ${span.end} outside ${span.start}..${text.length} at ${describeSpan(span)}`);
  if (Number.isInteger(span.start) && span.start >= 0 && span.start <= text.length) {
    const at = positionOf(text, span.start, starts);
    if (at.line !== span.line || at.column !== span.column) {
      problems.push(`${what}: line:column ${span.line}:${span.column} does not match offset ${span.start}, which is ${at.line}:${at.column} (${describeSpan(span)})`);
    }
  }
}

/** Checks every diagnostic of a result; also renders each one. */
export function checkResult(result: CompileResult): Check {
  const check: Check = { problems: [], known: [] };
  const facts = new SourceFacts(result);
  result.diagnostics.forEach((d, i) => {
    const what = `diagnostic ${i} (${d.code} ${JSON.stringify(d.message).slice(0, 120)})`;
    if (!(d.code in messages)) check.problems.push(`${what}: unknown code`);
    if (d.severity !== "error" && d.severity !== "warning") check.problems.push(`${what}: severity ${d.severity}`);
    if (typeof d.message !== "string" || d.message.trim() === "") check.problems.push(`${what}: empty message`);
    const bad: string[] = [];
    nonFiniteNumbers(d, "diagnostic", bad);
    for (const b of bad) check.problems.push(`${what}: ${b}`);
    checkSpan(d.span, what, result, check, d, facts);
    (d.related ?? []).forEach((r, j) => checkSpan(r.span, `${what} related ${j}`, result, check, d, facts));
    let rendered: string;
    try {
      rendered = renderDiagnostic(d, result.sources);
    } catch (e) {
      check.problems.push(`${what}: renderDiagnostic threw ${(e as Error).stack ?? e}`);
      return;
    }
    const head = `${d.span.file}:${d.span.line}:${d.span.column}: ${d.severity} ${d.code}: `;
    if (!rendered.startsWith(head)) check.problems.push(`${what}: rendered as ${JSON.stringify(rendered.slice(0, 120))}, expected to start with ${JSON.stringify(head)}`);
    const frameProblem = checkFrame(d, rendered, result, facts);
    if (frameProblem) check.problems.push(`${what}: ${frameProblem}`);
    for (const word of ["undefined", "NaN", "[object Object]"]) {
      if (rendered.includes(word) && !facts.allText().includes(word)) check.problems.push(`${what}: rendered text contains '${word}': ${JSON.stringify(rendered.slice(0, 300))}`);
    }
  });
  return check;
}

/** The text of a 1-based line, without its line break, with lines as the lexer counts them. */
export function lineText(text: string, line: number, starts = lineStarts(text)): string | undefined {
  if (line < 1 || line > starts.length) return undefined;
  const from = starts[line - 1];
  const to = line < starts.length ? starts[line] : text.length;
  return text.slice(from, to).replace(/\r\n$|\r$|\n$/, "");
}

/**
 * The rendered code frame must quote the line the diagnostic is on, its control characters
 * escaped; a file that is not a `.pol` file, or does not read as text, is never quoted.
 */
function checkFrame(d: Diagnostic, rendered: string, result: CompileResult, facts: SourceFacts): string | undefined {
  const text = result.sources.get(d.span.file);
  if (text === undefined || !Number.isInteger(d.span.line)) return undefined;
  const lines = rendered.split("\n");
  const source = lines.find((l) => l.startsWith(`${d.span.line} | `));
  if (!d.span.file.endsWith(".pol") || !facts.readsAsText(d.span.file, text)) return source === undefined ? undefined : `the rendered diagnostic quotes ${d.span.file}, which is not a .pol file that reads as text`;
  const raw = lineText(text, d.span.line, facts.lineStarts(d.span.file, text));
  if (raw === undefined || raw.length > 200) return undefined;
  const expected = terminalText(raw);
  if (source === undefined) return `the rendered diagnostic quotes no source line (line ${d.span.line} is ${JSON.stringify(expected.slice(0, 80))})`;
  const quoted = source.slice(`${d.span.line} | `.length);
  if (quoted !== expected) return `the rendered diagnostic quotes ${JSON.stringify(quoted.slice(0, 80))} as line ${d.span.line}, which is ${JSON.stringify(expected.slice(0, 80))}`;
  return undefined;
}

/** Whether the lexer or the parser rejects the text: then the compiler must report an error. */
export function isSyntacticallyBroken(text: string): boolean {
  // Nested past the limit, the text is refused before parsing (POL032), and parsing it here could exhaust the stack.
  const lexed = lexPol(text);
  if (nestingDiagnostic(lexed.tokens, "") !== undefined) return true;
  const parsed = parsePol(text, lexed);
  return parsed.lexErrors.length > 0 || parsed.parseErrors.length > 0;
}

export interface Outcome {
  readonly result: CompileResult;
  readonly check: Check;
  readonly ms: number;
}

/**
 * Compiles and checks every invariant; throws (for fast-check to shrink) with the input and the
 * problems when one fails. `entry` is the file of interest; `mustFail` says the input is known
 * to be broken. With `cache` (the fuzzer's, one per thread), the check is the editor's incremental
 * one (compiler/compile-cache.ts, which test/compile/incremental.test.ts holds to a compile from
 * scratch): a file is parsed again only when its text changed, and checked again when it or what
 * its imports declare changed (`fresh`: always). An error-free library is then compiled whole,
 * lowering included, unless `lower` is false.
 */
export function compileAndCheck(files: Record<string, string>, entry: string, options: { mustFail?: boolean; cache?: CompileCache; fresh?: ReadonlySet<string>; lower?: boolean } = {}): Outcome {
  const started = performance.now();
  let result: CompileResult;
  let broken: boolean | undefined;
  try {
    if (options.cache) {
      const root = "/virtual";
      const byPath = new Map(Object.entries(files));
      const checked = checkFilesIncrementally([entry], (absolute) => byPath.get(relative(root, absolute)), root, options.cache, { fresh: options.fresh });
      const parsed = options.cache.parsed.get(entry);
      // The compile's own parse of the entry: nested past the limit (not parsed), or with lexing or parsing errors.
      if (parsed) broken = parsed.parsed === undefined || parsed.parsed.lexErrors.length > 0 || parsed.parsed.parseErrors.length > 0;
      result = options.lower === false || checked.diagnostics.some((d) => d.severity === "error") ? checked : compileText(files, [entry]);
    } else result = compileText(files, [entry]);
  } catch (e) {
    throw new Error(`compileText threw: ${(e as Error).stack?.split("\n").slice(0, 6).join("\n") ?? e}\ninput ${entry}: ${preview(files[entry])}`);
  }
  const ms = performance.now() - started;
  const check = checkResult(result);
  countKnown(check.known);
  const text = files[entry];
  broken = options.mustFail || (broken ?? isSyntacticallyBroken(text));
  const errorsHere = result.diagnostics.filter((d) => d.severity === "error" && d.span.file === entry);
  if (broken && errorsHere.length === 0) check.problems.push(`the text is broken but ${entry} has no error (all diagnostics: ${result.diagnostics.map((d) => d.code).join(", ") || "none"})`);
  if (check.problems.length > 0) {
    throw new Error(`${check.problems.length} problem(s):\n  ${check.problems.slice(0, 8).join("\n  ")}\ninput ${entry}: ${preview(text)}`);
  }
  return { result, check, ms };
}

export function preview(text: string | undefined): string {
  if (text === undefined) return "(missing)";
  return text.length > 600 ? `${JSON.stringify(text.slice(0, 300))} … ${JSON.stringify(text.slice(-300))} (${text.length} chars)` : JSON.stringify(text);
}
