/**
 * Lexer and parser errors as diagnostics: one for each mistake, at the mistake. The parser words
 * each error as it meets it (grammar/syntax-messages.ts); here the echoes of one mistake are
 * dropped, and a misspelt word of the language or a word in a name's place is named as such.
 */
import { EOF, type CstNode, type IRecognitionException, type IToken } from "chevrotain";
import type * as C from "../grammar/cst.generated.js";
import type { ParseOutput } from "../grammar/parser.js";
import { clip, foundWord } from "../grammar/syntax-messages.js";
import { Identifier } from "../grammar/tokens.js";
import { closestName } from "../runtime/closest-name.js";
import type { Span } from "./ast.js";
import { error, type Diagnostic, type DiagnosticCode } from "./diagnostics.js";

/** The codes of the lexer's and parser's own errors: a part they spoil keeps them, and drops the checker's. */
export const syntaxCodes: ReadonlySet<DiagnosticCode> = new Set(["POL001", "POL002", "POL006", "POL007", "POL008", "POL009", "POL075"]);

/**
 * The parts of a file that a syntax error spoils: each top-level declaration, or each member of
 * a policy or overlay. Only the first syntax error in a part is reported, and the checker's
 * complaints about a spoilt part are dropped: they are nearly always echoes of the first error.
 * A word of the language in a name's place spoils its whole declaration (see `misnamed`).
 * Sorted by start; found in time linear in the file (a run of stray tokens makes as many parts
 * as tokens).
 */
export function spoiltParts(parsed: ParseOutput): [number, number][] {
  let found = spoiltOf.get(parsed);
  if (found) return found;
  if (parsed.parseErrors.length === 0 && parsed.lexErrors.length === 0) return []; // nothing is spoilt: skip walking the file
  const units: CstNode[] = [];
  const file = parsed.cst as C.FileCstNode;
  for (const imp of file.children.importDecl ?? []) units.push(imp);
  for (const top of file.children.topItem ?? []) {
    const decl = top.children.policyDecl?.[0] ?? top.children.overlayDecl?.[0];
    if (decl) units.push(...(decl.children.policyMember ?? []));
    else units.push(top);
  }
  const ranges = units.map((u) => tokenRange(u)).filter((r): r is [number, number] => r !== undefined);
  ranges.sort((a, b) => a[0] - b[0]);
  // Tokens that recovery skipped after a part belong to it: an error there spoils it.
  for (let i = 0; i + 1 < ranges.length; i++) ranges[i][1] = Math.max(ranges[i][1], ranges[i + 1][0] - 1);
  const errorOffsets = sortedNumbers(spoilingOffsets(parsed));
  const spoilt = ranges.filter(([start, end]) => {
    const i = firstAtLeast(errorOffsets, start);
    return i < errorOffsets.length && errorOffsets[i] <= end;
  });
  found = [...spoilt, ...misnamed(parsed).map((m) => m.declaration), ...blocksLeft(parsed).map((b) => b.spoilt)].sort((a, b) => a[0] - b[0]);
  spoiltOf.set(parsed, found);
  return found;
}

/**
 * The offsets whose part a syntax error spoils: each error's own token (the last token, for a file
 * cut short), each character the lexer could not read, and the token before each error: the
 * mistake lies between the two (a word left out, or one too many).
 */
function spoilingOffsets(parsed: ParseOutput): number[] {
  const { tokens } = parsed;
  const offsets = parsed.lexErrors.map((e) => e.offset);
  for (const e of parsed.parseErrors) {
    const at = Number.isNaN(e.token.startOffset) ? tokens.length : firstTokenAtLeast(tokens, e.token.startOffset);
    if (at < tokens.length) offsets.push(tokens[at].startOffset);
    if (at > 0) offsets.push(tokens[at - 1].startOffset);
  }
  return offsets;
}

/** Whether the token at an index is a word that starts something new, first on its line. */
function startsFresh(tokens: readonly IToken[], at: number): boolean {
  const token = tokens[at];
  return freshStarts.has(token.tokenType.name) && (at === 0 || tokens[at - 1].endLine! < token.startLine!);
}

const spoiltOf = new WeakMap<ParseOutput, [number, number][]>();
const reachOf = new WeakMap<ParseOutput, RangeReach>();

/** Whether an offset of the file lies in a part that a syntax error spoils. */
export function inSpoiltPart(parsed: ParseOutput, offset: number): boolean {
  const parts = spoiltParts(parsed);
  let reach = reachOf.get(parsed);
  if (!reach) reachOf.set(parsed, (reach = rangeReach(parts)));
  return insideRanges(parts, offset, reach);
}

/** Whether an offset lies in one of the ranges (sorted by start; they may overlap): a binary search over the starts. */
function insideRanges(ranges: readonly (readonly [number, number])[], offset: number, reach: RangeReach = rangeReach(ranges)): boolean {
  // The last range starting at or before the offset, and the furthest end of any range up to it.
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid][0] <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && reach[lo - 1] >= offset;
}

/** For ranges sorted by start: the furthest end among the first i + 1 ranges, for each i. */
type RangeReach = readonly number[];

function rangeReach(ranges: readonly (readonly [number, number])[]): RangeReach {
  const reach: number[] = new Array(ranges.length);
  let furthest = -Infinity;
  for (let i = 0; i < ranges.length; i++) reach[i] = furthest = Math.max(furthest, ranges[i][1]);
  return reach;
}

function sortedNumbers(values: number[]): number[] {
  return values.sort((a, b) => a - b);
}

/** The index of the first value at least `x` in a sorted list (its length when none is). */
function firstAtLeast(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The words that start a top-level declaration: where a declaration spoilt by a misnamed word ends. */
const declarationStarts: ReadonlySet<string> = new Set(["Import", "Policy", "Overlay", "Fact", "Group", "Enum", "Record", "Define", "Criterion"]);

/**
 * Words that, first on their line, start something new: a declaration, a member of a policy or a
 * bullet. A syntax error after one of them is a mistake of its own; one before the next of them
 * is part of the same mistake (a guideline sentence pasted without quotes is one mistake).
 */
const freshStarts: ReadonlySet<string> = new Set([
  ...declarationStarts,
  "Pathway",
  "Use",
  "Note",
  "Indications",
  "Requirements",
  "Exclusions",
  "Contraindications",
  "Notes",
  "Cpt",
  "Effective",
  "Applies",
  "References",
  "History",
]);

/** A word of the language (a keyword), as the lexer read it. */
function isWord(token: IToken): boolean {
  return token.tokenType !== Identifier && /^[A-Za-z_][A-Za-z0-9_]*$/.test(token.image);
}

/** After a name of these rules, these tokens: a word before one of them stands where the name goes. */
const afterName: ReadonlyMap<string, readonly string[]> = new Map([
  ["recordDecl", ["Colon"]],
  ["fieldDecl", ["Colon"]],
  ["enumDecl", ["Comma", "RCurly", "StringLiteral"]],
  ["enumMember", ["Comma", "RCurly", "StringLiteral"]],
  ["paramList", ["Colon"]],
  ["param", ["Colon"]],
]);

interface Misnamed {
  readonly error: IRecognitionException;
  /** From the start of the declaration the word stands in to the end of it, as offsets. */
  readonly declaration: [number, number];
  /** The offset of the next declaration, where the parser is back on track; undefined when none follows. */
  readonly next: number | undefined;
}

const misnamedOf = new WeakMap<ParseOutput, Misnamed[]>();

/**
 * The syntax errors that are a word of the language where a name goes (`fact in: boolean`,
 * `enum choice { none, some }`). The parser reads such a word as the start of whatever it starts,
 * so the rest of the declaration would give errors of its own, and the checker complaints about
 * what the parser made of it: all of those are echoes. Each declaration (a top-level one, from
 * its first word to the next declaration's) is reported once, as the word used as a name.
 * Sorted by offset.
 */
function misnamed(parsed: ParseOutput): Misnamed[] {
  let found = misnamedOf.get(parsed);
  if (found) return found;
  found = [];
  misnamedOf.set(parsed, found);
  if (parsed.parseErrors.length === 0) return found;
  const tokens = parsed.tokens;
  // Whether each token starts a declaration (at brace depth 0), and the nearest such token at or
  // before it and after it, so that each declaration's bounds are found in constant time.
  const starts: boolean[] = new Array(tokens.length);
  let d = 0;
  for (let i = 0; i < tokens.length; i++) {
    const name = tokens[i].tokenType.name;
    starts[i] = d === 0 && declarationStarts.has(name);
    if (name === "LCurly") d++;
    else if (name === "RCurly") d = Math.max(0, d - 1);
  }
  const previousStart: number[] = new Array(tokens.length);
  for (let i = 0, last = 0; i < tokens.length; i++) previousStart[i] = last = starts[i] ? i : last;
  const nextStart: number[] = new Array(tokens.length + 1);
  nextStart[tokens.length] = tokens.length;
  for (let i = tokens.length - 1; i >= 0; i--) nextStart[i] = starts[i] ? i : nextStart[i + 1];
  const index = new Map(tokens.map((t, i) => [t.startOffset, i]));
  const errors = parsed.parseErrors.filter((e) => !Number.isNaN(e.token.startOffset)).sort((a, b) => a.token.startOffset - b.token.startOffset);
  for (const e of errors) {
    const at = index.get(e.token.startOffset);
    if (at === undefined || !isWord(tokens[at]) || tokens[at] !== e.token) continue;
    const rule = e.context?.ruleStack?.[e.context.ruleStack.length - 1] ?? "file";
    const next = tokens[at + 1]?.tokenType.name;
    if (parsed.expectations.get(e)?.expected !== "a name" && !(next !== undefined && afterName.get(rule)?.includes(next))) continue;
    const last = found[found.length - 1];
    if (last && e.token.startOffset >= last.declaration[0] && e.token.startOffset <= last.declaration[1]) continue;
    const first = at > 0 ? previousStart[at - 1] : 0;
    const end = nextStart[at + 1];
    const start = tokens[first].startOffset;
    const lastToken = tokens[end - 1];
    found.push({ error: e, declaration: [start, lastToken.endOffset ?? lastToken.startOffset], next: end < tokens.length ? tokens[end].startOffset : undefined });
  }
  return found;
}

interface BlockLeft {
  /** The error that made the parser leave the block. */
  readonly cause: IRecognitionException;
  /** From that error to the '}' that really closes the block, as offsets. */
  readonly spoilt: [number, number];
}

const blocksLeftOf = new WeakMap<ParseOutput, BlockLeft[]>();

/**
 * Where recovery left a `{ … }` block early. A mistake inside a block (`critrion`, `3 monts`) can
 * make the parser give up on the block: what follows in it is then read as top-level
 * declarations, and the block's own `}` "closes nothing". When the file's braces balance, every
 * `}` closes something, so such an error is an echo of the mistake before it: everything from
 * that mistake to this `}` was read out of place, and the errors and checker complaints there
 * are dropped.
 */
export function blocksLeft(parsed: ParseOutput): BlockLeft[] {
  let found = blocksLeftOf.get(parsed);
  if (found) return found;
  found = [];
  let depth = 0;
  let balanced = true;
  for (const t of parsed.tokens) {
    if (t.tokenType.name === "LCurly") depth++;
    else if (t.tokenType.name === "RCurly" && --depth < 0) balanced = false;
  }
  if (balanced && depth === 0) {
    const errors = parsed.parseErrors.filter((e) => !Number.isNaN(e.token.startOffset)).sort((a, b) => a.token.startOffset - b.token.startOffset);
    let cause: IRecognitionException | undefined;
    for (const e of errors) {
      if (e.token.tokenType.name === "RCurly" && closesNothing(e)) {
        if (cause) found.push({ cause, spoilt: [cause.token.startOffset, e.token.startOffset] });
      } else cause = e;
    }
  }
  blocksLeftOf.set(parsed, found);
  return found;
}

/**
 * Errors at the top level of the file (the parser wanted a declaration) that follow another
 * error with no declaration starting a line between them. A mistake inside a policy (an extra
 * '}', a doubled word, a deleted `overlay`) can make the parser leave the policy early, whatever
 * the braces add up to; what it then reads of the policy (`history {`, `note "…"`, its closing
 * '}') is out of place only because of that mistake.
 */
function outOfPlaceAfterBlockError(parsed: ParseOutput): Set<IRecognitionException> {
  const echoes = new Set<IRecognitionException>();
  if (parsed.parseErrors.length < 2) return echoes;
  const declarations: number[] = [];
  let previousLine = 0;
  for (const t of parsed.tokens) {
    const line = t.startLine ?? 0;
    // `criterion` also starts a bullet inside a policy: only the words that start nothing else count.
    if (line !== previousLine && declarationStarts.has(t.tokenType.name) && t.tokenType.name !== "Criterion") declarations.push(t.startOffset);
    previousLine = line;
  }
  const errors = parsed.parseErrors.filter((e) => !Number.isNaN(e.token.startOffset)).sort((a, b) => a.token.startOffset - b.token.startOffset);
  let previous: number | undefined;
  for (const e of errors) {
    const offset = e.token.startOffset;
    if (closesNothing(e) && previous !== undefined && firstAtLeast(declarations, previous + 1) === firstAtLeast(declarations, offset + 1)) echoes.add(e);
    previous = offset;
  }
  return echoes;
}

/** Whether an error is a '}' where the file expects a declaration: it closes no block the parser has open. */
function closesNothing(e: IRecognitionException): boolean {
  const rule = e.context?.ruleStack?.[e.context.ruleStack.length - 1] ?? "file";
  return e.name === "NotAllInputParsedException" || rule === "file" || rule === "topItem";
}

/** The first and last offsets of a part's tokens, as the parser recorded them on the node. */
function tokenRange(node: CstNode): [number, number] | undefined {
  const start = node.location?.startOffset ?? NaN;
  const end = node.location?.endOffset ?? NaN;
  return Number.isNaN(start) || Number.isNaN(end) ? undefined : [start, end];
}

/** A syntax error as found, before the echoes of one mistake are dropped. */
interface Found {
  readonly offset: number;
  readonly diagnostic: Diagnostic;
}

export function syntaxDiagnostics(parsed: ParseOutput, file: string, text: string): Diagnostic[] {
  const found: Found[] = [];
  const endSpan = endOf(text, file);
  for (const e of parsed.lexErrors) {
    const character = text.slice(e.offset, e.offset + e.length);
    const shown = character.length > 20 ? `${character.slice(0, 20)}…` : character;
    const hint = character.startsWith('"') ? "a quoted text must end with \" on the same line" : undefined;
    found.push({
      offset: e.offset,
      diagnostic: error("POL001", { file, start: e.offset, end: e.offset + Math.max(1, Math.min(e.length, 40)), line: e.line, column: e.column }, `unexpected ${e.length > 1 ? "characters" : "character"} ${JSON.stringify(shown)}`, { hint }),
    });
  }
  // A bad character (an unterminated quote, say) makes the parser trip over what follows it on
  // the same line: those follow-on errors are dropped, the lexer's error says it all.
  const lexedLines = new Map<number, number>();
  for (const e of parsed.lexErrors) lexedLines.set(e.line, Math.min(lexedLines.get(e.line) ?? Infinity, e.offset));
  const parts = spoiltParts(parsed);
  const partReach = rangeReach(parts);
  const partStarts = parts.map((p) => p[0]);
  const misnamedWords = misnamed(parsed);
  const misnamedByError = new Map(misnamedWords.map((m) => [m.error, m]));
  const misnamedOffsets = misnamedWords.map((m) => m.error.token.startOffset);
  const misnamedAtEnd = misnamedWords.some((m) => m.next === undefined);
  const reported = new Set<number>();
  const left = blocksLeft(parsed);
  const leftCauses = new Set(left.map((b) => b.cause));
  const leftRanges = left.map((b) => b.spoilt).sort((a, b) => a[0] - b[0]);
  const leftReach = rangeReach(leftRanges);
  const echoesOfLeftBlocks = outOfPlaceAfterBlockError(parsed);
  for (const e of parsed.parseErrors) {
    // Inside a block the parser left early, only the mistake that made it leave counts.
    if (!leftCauses.has(e) && !Number.isNaN(e.token.startOffset) && insideRanges(leftRanges, e.token.startOffset, leftReach)) continue;
    if (echoesOfLeftBlocks.has(e)) continue;
    const line = e.token.startLine;
    const atEnd = Number.isNaN(e.token.startOffset);
    if (line !== undefined && !Number.isNaN(line) && lexedLines.has(line) && e.token.startOffset >= lexedLines.get(line)!) continue;
    // After a word used as a name, the rest of its declaration, up to the first token of the next one, only echoes it.
    const misnamedWord = misnamedByError.get(e);
    if (!misnamedWord) {
      let echo: boolean;
      if (atEnd) echo = misnamedAtEnd;
      else {
        const before = firstAtLeast(misnamedOffsets, e.token.startOffset) - 1;
        const m = before >= 0 ? misnamedWords[before] : undefined;
        echo = m !== undefined && (m.next === undefined || e.token.startOffset <= m.next);
      }
      if (echo) continue;
    }
    const part = atEnd ? -1 : partOf(parts, partStarts, partReach, e.token.startOffset);
    if (part >= 0 && reported.has(part)) continue;
    if (part >= 0) reported.add(part);
    found.push({ offset: atEnd ? text.length : e.token.startOffset, diagnostic: parseDiagnostic(e, file, endSpan, parsed.tokens, misnamedWord !== undefined, parsed) });
  }
  return oneForEachMistake(found, parsed.tokens);
}

/** The index of a part holding the offset (the latest starting at or before it), or -1. */
function partOf(parts: readonly [number, number][], starts: readonly number[], reach: RangeReach, offset: number): number {
  if (!insideRanges(parts, offset, reach)) return -1;
  let i = firstAtLeast(starts, offset + 1) - 1;
  while (i >= 0 && parts[i][1] < offset) i--;
  return i;
}

/**
 * One diagnostic for each mistake: of the syntax errors before the next fresh start (a
 * declaration's or a section's first word, first on its line), only the first is kept. A pasted
 * paragraph or a run of stray tokens is one mistake, however many tokens the parser trips over.
 */
function oneForEachMistake(found: Found[], tokens: readonly IToken[]): Diagnostic[] {
  found.sort((a, b) => a.offset - b.offset);
  const fresh: number[] = [];
  let previousLine = 0;
  for (const t of tokens) {
    const line = t.startLine ?? 0;
    if (line !== previousLine && freshStarts.has(t.tokenType.name)) fresh.push(t.startOffset);
    previousLine = line;
  }
  const kept: Diagnostic[] = [];
  let last: number | undefined;
  for (const f of found) {
    // A fresh start after the last kept error and at or before this one: a new mistake.
    if (last === undefined || firstAtLeast(fresh, last + 1) < firstAtLeast(fresh, f.offset + 1)) {
      kept.push(f.diagnostic);
      last = f.offset;
    }
  }
  return kept;
}

function parseDiagnostic(e: IRecognitionException, file: string, endSpan: Span, tokens: IToken[], misnamedWord: boolean, parsed: ParseOutput): Diagnostic {
  const token = e.token;
  const atEnd = token.tokenType?.name === "EOF" || Number.isNaN(token.startOffset);
  const span: Span = atEnd
    ? lastTokenEnd(tokens, file) ?? endSpan
    : { file, start: token.startOffset, end: (token.endOffset ?? token.startOffset) + 1, line: token.startLine ?? 1, column: token.startColumn ?? 1 };
  if (misnamedWord) {
    return error("POL009", span, `expected a name, but found ${foundWord(token)}`, {
      hint: `'${token.image}' is a word of the language and cannot be a name; choose another, like ${token.image}_value`,
    });
  }
  const meant = atEnd ? undefined : meantWord(token, tokens);
  if (meant) {
    const at = meant.at;
    const where: Span = at ? { file, start: at.startOffset, end: (at.endOffset ?? at.startOffset) + 1, line: at.startLine ?? 1, column: at.startColumn ?? 1 } : span;
    return error(meant.code, where, meant.message, { hint: `did you mean '${meant.word}'?` });
  }
  // The message is the parser's own, worded by grammar/syntax-messages.ts when it met the error.
  const redundant = parsed.expectations.get(e)?.redundant ?? e.name === "NotAllInputParsedException";
  return error("POL002", span, e.message, { hint: redundant && token.image === "}" ? "this '}' closes nothing; check the braces above" : undefined });
}

/** The kinds of a policy's sections, as a line starts them. */
const sectionKinds = ["indications", "requirements", "exclusions", "contraindications", "notes", "advisories"];

/** Duration units, as an author writes them after a number. */
const unitWords = ["days", "weeks", "months", "years", "hours", "minutes", "day", "week", "month", "year", "hour", "minute"];

/** The words that start a declaration, a member of a policy, a section or a bullet: what a line starts with. */
const startingWords = [
  "import",
  "policy",
  "overlay",
  "fact",
  "group",
  "enum",
  "record",
  "define",
  "criterion",
  "pathway",
  "use",
  "note",
  "indications",
  "requirements",
  "exclusions",
  "contraindications",
  "notes",
  "advisories",
  "cpt",
  "effective",
  "applies",
  "references",
  "history",
];

/**
 * A misspelt word of the language where the parser tripped: a name after a number that is close
 * to a unit (`3 monts`), or a name first on its line that is close to a word starting a
 * declaration, section or bullet (`critrion`). A name the author declared is not a keyword, so
 * an exact match is never a misspelling.
 */
function meantWord(token: IToken, tokens: readonly IToken[]): { code: "POL006" | "POL007" | "POL008"; message: string; word: string; at?: IToken } | undefined {
  const at = indexOfToken(tokens, token);
  if (at < 0) return undefined;
  const before = at > 0 ? tokens[at - 1] : undefined;
  // `requirments "Title" {`: read as a property until its '{'.
  if (token.tokenType.name === "LCurly" && at >= 2 && before?.tokenType.name === "StringLiteral") {
    const word = tokens[at - 2];
    const first = at < 3 || tokens[at - 3].endLine !== word.startLine;
    const kind = word.tokenType === Identifier && first ? closestName(word.image, sectionKinds) : undefined;
    return kind ? { code: "POL007", message: `unknown section kind '${clip(word.image)}'`, word: kind, at: word } : undefined;
  }
  if (token.tokenType !== Identifier) return undefined;
  if (before && before.tokenType.name === "NumberLiteral" && before.startLine === token.startLine) {
    const unit = closestName(token.image, unitWords);
    if (unit) return { code: "POL008", message: `expected a unit after ${before.image} (days, weeks, months, years, hours or minutes), but found '${clip(token.image)}'`, word: unit };
  }
  if (!before || before.endLine !== token.startLine) {
    const word = closestName(token.image, startingWords);
    if (word) return { code: "POL006", message: `unknown word '${clip(token.image)}'`, word };
  }
  return undefined;
}

/** The index of a token in the file's tokens (a binary search by offset), or -1. */
function indexOfToken(tokens: readonly IToken[], token: IToken): number {
  const at = firstTokenAtLeast(tokens, token.startOffset);
  return tokens[at] === token ? at : -1;
}

function endOf(text: string, file: string): Span {
  const lines = text.split(/\r\n|\r|\n/);
  const line = lines.length;
  const column = (lines[lines.length - 1] ?? "").length + 1;
  return { file, start: text.length, end: text.length, line, column };
}

function lastTokenEnd(tokens: IToken[], file: string): Span | undefined {
  const last = tokens[tokens.length - 1];
  if (!last || Number.isNaN(last.startOffset)) return undefined;
  const end = (last.endOffset ?? last.startOffset) + 1;
  return { file, start: end, end, line: last.endLine ?? last.startLine ?? 1, column: (last.endColumn ?? last.startColumn ?? 0) + 1 };
}

/** The checker's codes for a name it cannot find: an unknown name, type, field or enum value. */
export const unknownNameCodes: ReadonlySet<DiagnosticCode> = new Set(["POL011", "POL012", "POL013", "POL014", "POL070"]);

/** What a file cut short loses besides names: the references at its end. */
const cutShortCodes: ReadonlySet<DiagnosticCode> = new Set([...unknownNameCodes, "POL019"]);

/**
 * Whether a checker diagnostic of a file with syntax errors is about a name that broken code may
 * have declared: a name among the tokens of a spoilt part, or any name when the file is cut short
 * or an import of it is spoilt (what is missing then cannot be seen). Such a complaint is an echo
 * of the syntax error, and is dropped with it.
 */
export function namesWhatBrokenCodeHid(parsed: ParseOutput, diagnostic: Diagnostic): boolean {
  if (!cutShortCodes.has(diagnostic.code)) return false;
  const hidden = hiddenNamesOf(parsed);
  if (hidden === "cut short") return true;
  if (!unknownNameCodes.has(diagnostic.code)) return false;
  if (hidden === "any") return true;
  const name = tokenAt(parsed.tokens, diagnostic.span.start);
  return name !== undefined && hidden.has(name.image);
}

const hiddenOf = new WeakMap<ParseOutput, ReadonlySet<string> | "any" | "cut short">();

function hiddenNamesOf(parsed: ParseOutput): ReadonlySet<string> | "any" | "cut short" {
  let hidden = hiddenOf.get(parsed);
  if (hidden) return hidden;
  const parts = spoiltParts(parsed);
  // Cut short: the parser met the end of the file, or a text is left open on the last line.
  const lastLine = parsed.tokens.at(-1)?.endLine ?? 0;
  const cutShort = parsed.parseErrors.some((e) => e.token.tokenType === EOF) || parsed.lexErrors.some((e) => e.line >= lastLine);
  const names = new Set<string>();
  let importSpoilt = false;
  for (const [start, end] of parts) {
    for (let i = firstTokenAtLeast(parsed.tokens, start); i < parsed.tokens.length && parsed.tokens[i].startOffset <= end; i++) {
      const token = parsed.tokens[i];
      if (token.tokenType === Identifier) names.add(token.image);
      else if (token.tokenType.name === "Import" || (token.tokenType.name === "StringLiteral" && token.image.endsWith('.pol"'))) importSpoilt = true;
    }
  }
  const { tokens } = parsed;
  for (const e of parsed.parseErrors) {
    if (Number.isNaN(e.token.startOffset)) continue;
    for (let i = firstTokenAtLeast(tokens, e.token.startOffset); i < tokens.length && (i === firstTokenAtLeast(tokens, e.token.startOffset) || !startsFresh(tokens, i)); i++) {
      if (tokens[i].tokenType === Identifier) names.add(tokens[i].image);
      else if (tokens[i].tokenType.name === "StringLiteral" && tokens[i].image.endsWith('.pol"')) importSpoilt = true;
    }
  }
  // A character the lexer could not read inside a name splits it: the name meant is the two halves joined.
  for (const e of parsed.lexErrors) {
    const after = firstTokenAtLeast(tokens, e.offset + e.length);
    const before = tokens[after - 1];
    const next = tokens[after];
    if (before?.tokenType === Identifier) names.add(before.image);
    if (next?.tokenType === Identifier) names.add(next.image);
    if (before?.tokenType === Identifier && next?.tokenType === Identifier) names.add(before.image + next.image);
  }
  hidden = cutShort ? "cut short" : importSpoilt ? "any" : names;
  hiddenOf.set(parsed, hidden);
  return hidden;
}

/** The index of the first token starting at or after an offset. */
function firstTokenAtLeast(tokens: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function tokenAt(tokens: readonly IToken[], offset: number): IToken | undefined {
  const token = tokens[firstTokenAtLeast(tokens, offset)];
  return token && token.startOffset === offset ? token : undefined;
}
