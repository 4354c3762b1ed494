/**
 * Lexer and parser errors in plain words: what was found, what the grammar expected there, and
 * where. Chevrotain's own messages name internal token types; these name what an author types.
 */
import type { CstNode, IRecognitionException, IToken } from "chevrotain";
import type * as C from "../grammar/cst.generated.js";
import type { ParseOutput } from "../grammar/parser.js";
import { Identifier } from "../grammar/tokens.js";
import type { Span } from "./ast.js";
import { error, type Diagnostic } from "./diagnostics.js";

/** What the author should write where a rule failed, by grammar rule. */
const expectedByRule: Record<string, string> = {
  file: "an import, a declaration, a policy or an overlay",
  topItem: "a declaration (fact, group, enum, record, define, criterion), a policy or an overlay",
  factDecl: "a fact: fact NAME: TYPE \"what to look for in the chart\"",
  typeRef: "a type such as boolean, number 0 to 10, percent, duration, date, an enum or list of RECORD",
  groupDecl: "facts inside the group's { }",
  enumDecl: "the enum's values, separated by commas",
  recordDecl: "fields: NAME: TYPE \"description\"",
  fieldDecl: "a field: NAME: TYPE \"description\"",
  defineDecl: "a definition: define NAME \"wording\": expression",
  requirementHead: "NAME \"the guideline's wording\" [references]: a condition or a list",
  groupBody: "a list: all of { … }, any of { … }, none of { … } or at least N of { … }",
  quantifier: "all, any, none, at least N or at most N",
  item: "a bullet: criterion, pathway, use NAME, note, or a nested list",
  useItem: "the name of a criterion after 'use'",
  noteItem: "a note: note \"text\"",
  policyDecl: "policy NAME \"title\" { … }",
  overlayDecl: "overlay NAME \"title\" for POLICY in state XX { … }",
  policyMember: "a property, cpt, effective, a section, applies, references or history",
  property: "a property value in quotes",
  cptDecl: "cpt \"region\": 62320, 62321, +64480",
  effectiveDecl: "effective 2024-01-01 to 2024-12-31",
  section: "a section: indications, requirements, exclusions, contraindications, notes or not covered, with a title",
  sectionKind: "indications, requirements, exclusions, contraindications, notes or not covered",
  appliesDecl: "applies unless \"wording\": condition",
  refs: "reference numbers like [2-5, 7]",
  refRange: "a reference number",
  referencesDecl: "numbered references: 1 \"text\"",
  historyDecl: "history entries: \"date\" \"summary\"",
  expression: "a condition",
  comparison: "a value to compare",
  additive: "a value",
  postfix: "a value",
  primary: "a value: a fact, a number, a date, true, false, a question over a list, or '('",
  numberLiteral: "a number",
  queryExpr: "a question over a list: count(p in LIST where …)",
  timeExpr: "time since DATE or time between DATE and DATE",
  setLiteral: "values in braces: {lumbar, sacral}",
  reference: "a name",
  notExpr: "a condition",
  orExpr: "a condition",
  andExpr: "a condition",
  paramList: "parameters: (NAME: TYPE, …)",
  param: "a parameter: NAME: TYPE",
  criterionDecl: "a criterion: criterion NAME \"wording\": condition",
  pathwayDecl: "a pathway: pathway NAME \"wording\": all of { … }",
  whenClause: "a condition after 'when'",
  enumMember: "an enum value: NAME \"label\"",
  cptCode: "a CPT code like 62320 or +64480",
  referenceEntry: "a numbered reference: 1 \"text\"",
  historyEntry: "a history entry: \"date\" \"summary\"",
  importDecl: "the imported file in quotes: import \"../common/history.pol\"",
  signedNumber: "a number",
};

/**
 * The parts of a file that a syntax error spoils: each top-level declaration, or each member of
 * a policy or overlay. Only the first syntax error in a part is reported, and the checker's
 * complaints about a spoilt part are dropped: they are nearly always echoes of the first error.
 * A word of the language in a name's place spoils its whole declaration (see `misnamed`).
 */
export function spoiltParts(parsed: ParseOutput): [number, number][] {
  const units: CstNode[] = [];
  const file = parsed.cst as C.FileCstNode;
  for (const top of file.children.topItem ?? []) {
    const decl = top.children.policyDecl?.[0] ?? top.children.overlayDecl?.[0];
    if (decl) units.push(...(decl.children.policyMember ?? []));
    else units.push(top);
  }
  for (const imp of file.children.importDecl ?? []) units.push(imp);
  const ranges = units.map((u) => tokenRange(u)).filter((r): r is [number, number] => r !== undefined);
  const spoilt = ranges.filter(([start, end]) =>
    parsed.parseErrors.some((e) => !Number.isNaN(e.token.startOffset) && e.token.startOffset >= start && e.token.startOffset <= end),
  );
  return [...spoilt, ...misnamed(parsed).map((m) => m.declaration)];
}

/** The words that start a top-level declaration: where a declaration spoilt by a misnamed word ends. */
const declarationStarts: ReadonlySet<string> = new Set(["Import", "Policy", "Overlay", "Fact", "Group", "Enum", "Record", "Define", "Criterion"]);

/** A word of the language (a keyword), as the lexer read it. */
function isWord(token: IToken): boolean {
  return token.tokenType !== Identifier && /^[A-Za-z_][A-Za-z0-9_]*$/.test(token.image);
}

/** After a name of these rules, these tokens: a word before one of them stands where the name goes. */
const afterName: Readonly<Record<string, readonly string[]>> = {
  recordDecl: ["Colon"],
  fieldDecl: ["Colon"],
  enumDecl: ["Comma", "RCurly", "StringLiteral"],
  enumMember: ["Comma", "RCurly", "StringLiteral"],
  paramList: ["Colon"],
  param: ["Colon"],
};

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
 */
function misnamed(parsed: ParseOutput): Misnamed[] {
  let found = misnamedOf.get(parsed);
  if (found) return found;
  found = [];
  const tokens = parsed.tokens;
  // Brace depth before each token: a declaration starts at depth 0.
  const depth: number[] = [];
  let d = 0;
  for (const t of tokens) {
    depth.push(d);
    if (t.tokenType.name === "LCurly") d++;
    else if (t.tokenType.name === "RCurly") d = Math.max(0, d - 1);
  }
  const startsDeclaration = (i: number) => depth[i] === 0 && declarationStarts.has(tokens[i].tokenType.name);
  const index = new Map(tokens.map((t, i) => [t.startOffset, i]));
  for (const e of parsed.parseErrors) {
    const at = index.get(e.token.startOffset);
    if (at === undefined || !isWord(tokens[at]) || tokens[at] !== e.token) continue;
    const rule = e.context?.ruleStack?.[e.context.ruleStack.length - 1] ?? "file";
    const next = tokens[at + 1]?.tokenType.name;
    if (expectedOf(e).expected !== "a name" && !(next !== undefined && afterName[rule]?.includes(next))) continue;
    if (found.some((m) => e.token.startOffset >= m.declaration[0] && e.token.startOffset <= m.declaration[1])) continue;
    let first = at - 1;
    while (first > 0 && !startsDeclaration(first)) first--;
    let end = at + 1;
    while (end < tokens.length && !startsDeclaration(end)) end++;
    const start = tokens[Math.max(0, first)].startOffset;
    const last = tokens[end - 1];
    found.push({ error: e, declaration: [start, last.endOffset ?? last.startOffset], next: end < tokens.length ? tokens[end].startOffset : undefined });
  }
  misnamedOf.set(parsed, found);
  return found;
}

function tokenRange(node: CstNode): [number, number] | undefined {
  let start = Infinity;
  let end = -Infinity;
  const walk = (n: CstNode) => {
    for (const children of Object.values(n.children)) {
      for (const child of children) {
        if ("image" in child) {
          const t = child as IToken;
          if (Number.isNaN(t.startOffset)) continue;
          start = Math.min(start, t.startOffset);
          end = Math.max(end, t.endOffset ?? t.startOffset);
        } else walk(child as CstNode);
      }
    }
  };
  walk(node);
  return start <= end ? [start, end] : undefined;
}

export function syntaxDiagnostics(parsed: ParseOutput, file: string, text: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const endSpan = endOf(text, file);
  for (const e of parsed.lexErrors) {
    const character = text.slice(e.offset, e.offset + e.length);
    const shown = character.length > 20 ? `${character.slice(0, 20)}…` : character;
    const hint = character.startsWith('"') ? "a quoted text must end with \" on the same line" : undefined;
    diagnostics.push(
      error("POL001", { file, start: e.offset, end: e.offset + Math.max(1, Math.min(e.length, 40)), line: e.line, column: e.column }, `unexpected character ${JSON.stringify(shown)}`, { hint }),
    );
  }
  // A bad character (an unterminated quote, say) makes the parser trip over what follows it on
  // the same line: those follow-on errors are dropped, the lexer's error says it all.
  const lexedLines = new Map<number, number>();
  for (const e of parsed.lexErrors) lexedLines.set(e.line, Math.min(lexedLines.get(e.line) ?? Infinity, e.offset));
  const parts = spoiltParts(parsed);
  const misnamedWords = misnamed(parsed);
  const reported = new Set<number>();
  for (const e of parsed.parseErrors) {
    const line = e.token.startLine;
    if (line !== undefined && !Number.isNaN(line) && lexedLines.has(line) && e.token.startOffset >= lexedLines.get(line)!) continue;
    // After a word used as a name, the rest of its declaration, up to the first token of the next one, only echoes it.
    const misnamedWord = misnamedWords.find((m) => m.error === e);
    if (!misnamedWord) {
      const atEnd = Number.isNaN(e.token.startOffset);
      const echo = misnamedWords.some((m) => (atEnd ? m.next === undefined : e.token.startOffset > m.error.token.startOffset && (m.next === undefined || e.token.startOffset <= m.next)));
      if (echo) continue;
    }
    const part = parts.findIndex(([start, end]) => e.token.startOffset >= start && e.token.startOffset <= end);
    if (part >= 0 && reported.has(part)) continue;
    if (part >= 0) reported.add(part);
    diagnostics.push(parseDiagnostic(e, file, endSpan, parsed.tokens, misnamedWord !== undefined));
  }
  return diagnostics;
}

/** What the grammar expected where a rule failed, in an author's words; `end` when it was the end of the file. */
function expectedOf(e: IRecognitionException): { expected: string; end: boolean } {
  const rule = e.context?.ruleStack?.[e.context.ruleStack.length - 1] ?? "file";
  let expected = expectedByRule[rule] ?? "something else";
  let end = false;
  if (e.name === "MismatchedTokenException") {
    const match = /-->\s*(.+?)\s*<--/.exec(e.message);
    if (match) {
      end = match[1] === "EOF";
      expected = labelOf(match[1]);
    }
  }
  return { expected, end };
}

function parseDiagnostic(e: IRecognitionException, file: string, endSpan: Span, tokens: IToken[], misnamedWord: boolean): Diagnostic {
  const token = e.token;
  const atEnd = token.tokenType?.name === "EOF" || Number.isNaN(token.startOffset);
  const span: Span = atEnd
    ? lastTokenEnd(tokens, file) ?? endSpan
    : { file, start: token.startOffset, end: (token.endOffset ?? token.startOffset) + 1, line: token.startLine ?? 1, column: token.startColumn ?? 1 };
  const found = atEnd ? "the end of the file" : `'${clip(token.image)}'`;
  if (misnamedWord) {
    return error("POL002", span, `expected a name, but found ${found}`, {
      hint: `'${token.image}' is a word of the language and cannot be a name; choose another, like ${token.image}_value`,
    });
  }
  const { expected, end } = expectedOf(e);
  if (e.name === "NotAllInputParsedException" || end) {
    return error("POL002", span, `unexpected ${found}: expected ${expectedByRule.topItem}`, {
      hint: token.image === "}" ? "this '}' closes nothing; check the braces above" : undefined,
    });
  }
  return error("POL002", span, `expected ${expected}, but found ${found}`);
}

const tokenLabels: Record<string, string> = {
  RCurly: "'}'",
  LCurly: "'{'",
  RParen: "')'",
  LParen: "'('",
  RSquare: "']'",
  LSquare: "'['",
  Colon: "':'",
  Comma: "','",
  Identifier: "a name",
  StringLiteral: "a quoted text",
  NumberLiteral: "a number",
  DateLiteral: "a date like 2024-01-31",
};

function labelOf(name: string): string {
  if (tokenLabels[name]) return tokenLabels[name];
  // Labels are either quoted words ('policy') or descriptions (a number); both read as they are.
  if (/^'.*'$/.test(name) || /^an? /.test(name)) return name;
  return `'${name.toLowerCase()}'`;
}

function clip(image: string): string {
  return image.length > 30 ? `${image.slice(0, 30)}…` : image;
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
