/**
 * fast-check arbitraries for the fuzzer: random token streams built from the language's own
 * token list, and mutations of real policy files.
 */
import fc from "fast-check";
import { Lexer, type IToken, type TokenType } from "chevrotain";
import { allTokens, polLexer } from "../../grammar/tokens.js";

/** Spellings the patterns accept besides the label (Unicode operators, singular units). */
const extraSpellings: Record<string, string[]> = {
  GreaterEqual: ["≥"],
  LessEqual: ["≤"],
  NotEqual: ["≠"],
  Minus: ["–"],
  Days: ["day"],
  Weeks: ["week"],
  Months: ["month"],
  Years: ["year"],
};

const names = ["a", "b", "n", "d", "s", "h", "p", "q", "x", "P", "pain", "average", "pain_score", "NIA_CG_300", "date_of_service", "later_of", "earlier_of", "recent_run", "boolean", "number", "integer", "percent", "duration", "date", "text", "side", "left", "procedure", "counted", "_"];

/** Generators for tokens whose images vary (names, texts, numbers…), by token name. */
const variable: Record<string, fc.Arbitrary<string>> = {
  Identifier: fc.oneof(fc.constantFrom(...names), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/)),
  StringLiteral: fc.oneof(
    fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s.replace(/[\r\n\u2028\u2029]/g, " "))),
    fc.constantFrom('"A"', '""', '"with \\"quotes\\""', '"bad \\q escape"', '"2024"', '"WA"', '"../common/history.pol"', '"a.pol"'),
  ),
  NumberLiteral: fc.oneof(fc.nat(1000).map(String), fc.constantFrom("0", "2.5", "6", "10", "100", "99999999999999999999", "1.0000001")),
  DateLiteral: fc.oneof(
    fc.constantFrom("2024-03-15", "2024-02-29", "2023-02-29", "2024-02-30", "0000-00-00", "9999-12-31", "2024-13-01"),
    fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 })).map(
      ([y, m, d]) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`,
    ),
  ),
  CodeLiteral: fc.constantFrom("0275T", "0213T", "1A", "64480X2"),
  Comment: fc.constantFrom("# a comment", "#", "# { ( [ unbalanced in a comment"),
};

/** Tokens the fuzzer never draws: skipped whitespace (the separators supply it) and categories. */
const notDrawn = new Set(["WhiteSpace"]);

function fixedImages(token: TokenType): string[] {
  const label = token.LABEL ?? "";
  const quoted = /^'(.+)'$/.exec(label);
  const images = quoted ? [quoted[1]] : [];
  return [...images, ...(extraSpellings[token.name] ?? [])];
}

export interface TokenImages {
  readonly token: TokenType;
  readonly images: fc.Arbitrary<string>;
}

/** One generator per token of grammar/tokens.ts, in its order. */
export const tokenImages: TokenImages[] = allTokens
  .filter((t) => t.PATTERN !== Lexer.NA && !notDrawn.has(t.name))
  .map((token) => {
    const gen = variable[token.name];
    if (gen) return { token, images: gen };
    const fixed = fixedImages(token);
    if (fixed.length === 0) throw new Error(`the fuzzer has no image for token ${token.name}: add one to test/support/generators.ts`);
    return { token, images: fc.constantFrom(...fixed) };
  });

export const anyTokenImage: fc.Arbitrary<string> = fc.oneof(...tokenImages.map((t) => t.images));

const separator = fc.constantFrom(" ", " ", " ", "\n", "  ", "\t", "\r\n", "\r", "");

/** A random sequence of token images with random whitespace between them. */
export function tokenStream(maxTokens: number): fc.Arbitrary<string> {
  return fc.array(fc.tuple(anyTokenImage, separator), { maxLength: maxTokens }).map((parts) => parts.map(([t, s]) => t + s).join(""));
}

const prelude = [
  'fact a: boolean "A"',
  'fact b: boolean "B"',
  'fact n: number 0 to 10 "N"',
  'fact d: date "D"',
  'fact t: duration "T"',
  'enum side "Side" { left "Left", right "Right" }',
  'fact s: side "S"',
  'record procedure "P" {',
  '  date: date "Date"',
  '  kind: side "Kind"',
  '  relief: percent "Relief"',
  "}",
  'fact h: list of procedure "History"',
  'group pain "Pain" {',
  '  fact average: number 0 to 10 "Average"',
  "}",
].join("\n");

/** Token streams placed where the grammar reaches deep: in a condition, a list, a policy, an overlay. */
export const contexts: readonly { name: string; wrap: (tokens: string) => string }[] = [
  { name: "top level", wrap: (t) => t },
  { name: "after declarations", wrap: (t) => `${prelude}\n${t}\n` },
  { name: "condition", wrap: (t) => `${prelude}\ncriterion c "C": ${t}\n` },
  { name: "define with parameters", wrap: (t) => `${prelude}\ndefine f(x: number, y: side) "F": ${t}\ncriterion c "C": f(1, left)\n` },
  { name: "list", wrap: (t) => `${prelude}\ncriterion c "C": all of {\n  criterion c1 "C1": a\n  ${t}\n}\n` },
  { name: "policy", wrap: (t) => `${prelude}\npolicy P "Title" {\n  version "1"\n  requirements "R" {\n    criterion c "C": a\n    ${t}\n  }\n}\n` },
  { name: "policy members", wrap: (t) => `${prelude}\npolicy P "Title" {\n  version "1"\n  ${t}\n}\n` },
  { name: "overlay", wrap: (t) => `${prelude}\npolicy P "Title" { version "1" requirements "R" { criterion c "C": a } }\noverlay O "O" for P in state WA {\n  ${t}\n}\n` },
];

export const contextualStream: fc.Arbitrary<{ context: string; text: string }> = fc
  .tuple(fc.constantFrom(...contexts), tokenStream(40))
  .map(([c, tokens]) => ({ context: c.name, text: c.wrap(tokens) }));

// ── Mutations of real files ─────────────────────────────────────────────────────────────────

export interface Mutation {
  readonly kind: string;
  /** What was done, short enough to read in a failure. */
  readonly detail: string;
  readonly text: string;
  /** The result is broken for sure, so the compiler must report an error. */
  readonly mustFail: boolean;
  /** Where an inserted character stands, when a POL001 must point exactly there. */
  readonly badCharAt?: number;
}

export function tokensOf(text: string): IToken[] {
  return polLexer.tokenize(text).tokens;
}

function mutation(kind: string, detail: string, text: string, mustFail = false, badCharAt?: number): Mutation {
  const m: Mutation & { [fc.toStringMethod]?: () => string } = { kind, detail, text, mustFail, badCharAt };
  Object.defineProperty(m, fc.toStringMethod, { value: () => `${kind}: ${detail}`, enumerable: false });
  return m;
}

const at = (token: IToken) => `'${token.image.slice(0, 40)}' at ${token.startLine}:${token.startColumn}`;
const endOf = (token: IToken) => (token.endOffset ?? token.startOffset) + 1;

/** Characters that no token accepts outside a quoted text or a comment. */
export const badCharacters = ["\u0000", "\u202e", "\u200f", "\u200e", "😀", "\u0301", "\u200b", "\ud800", "\u0007", "\u2028"];
/** Any odd text: the above, plus whitespace the lexer accepts and line breaks of other systems. */
export const unicodePayloads = [...badCharacters, "e\u0301", "\ufeff", "\u00a0", "\r", "\u202e\u202d", "👩‍⚕️", "Z͑ͫ̓ͪ̂ͫ̽͏̴̙̤̞͉͚̯̞̠͍"];

export const longLineLength = 100_000;

function longLine(variant: string, soup: string[]): { line: string; mustFail: boolean } {
  const n = longLineLength;
  switch (variant) {
    case "comment":
      return { line: `# ${"x".repeat(n)}`, mustFail: false };
    case "text":
      return { line: `fact long_line_fact: boolean "${"y".repeat(n)}"`, mustFail: false };
    case "name":
      return { line: `fact ${"z".repeat(n)}: boolean "A very long name"`, mustFail: false };
    case "bad characters":
      return { line: "@".repeat(n), mustFail: true };
    case "closing braces":
      return { line: "}".repeat(n), mustFail: true };
    case "token soup": {
      let line = "";
      for (let i = 0; line.length < n; i++) line += `${soup[(i * 7919) % soup.length]} `;
      return { line, mustFail: false };
    }
    default:
      throw new Error(variant);
  }
}

export const longLineVariants = ["comment", "text", "name", "bad characters", "closing braces", "token soup"] as const;

/** A mutation of the given kind of a real file's text. */
export function mutationOf(text: string, kind: MutationKind): fc.Arbitrary<Mutation> {
  const tokens = tokensOf(text);
  const n = Math.max(1, tokens.length);
  const index = fc.nat(n - 1);
  switch (kind) {
    case "delete a token":
      return index.map((i) => {
        const t = tokens[i];
        return mutation(kind, `deleted ${at(t)}`, text.slice(0, t.startOffset) + text.slice(endOf(t)));
      });
    case "duplicate a token":
      return index.map((i) => {
        const t = tokens[i];
        return mutation(kind, `duplicated ${at(t)}`, `${text.slice(0, endOf(t))} ${t.image}${text.slice(endOf(t))}`);
      });
    case "swap two tokens":
      return fc.tuple(index, index).map(([i, j]) => {
        const [a, b] = i < j ? [tokens[i], tokens[j]] : [tokens[j], tokens[i]];
        if (a === b) return mutation(kind, `swapped ${at(a)} with itself`, text);
        const swapped = text.slice(0, a.startOffset) + b.image + text.slice(endOf(a), b.startOffset) + a.image + text.slice(endOf(b));
        return mutation(kind, `swapped ${at(a)} and ${at(b)}`, swapped);
      });
    case "truncate":
      return fc.nat(text.length).map((cut) => mutation(kind, `cut at offset ${cut} of ${text.length}`, text.slice(0, cut)));
    case "unbalanced bracket":
      return fc.tuple(index, fc.constantFrom("{", "}", "(", ")", "[", "]")).map(([i, ch]) => {
        const t = tokens[i];
        return mutation(kind, `inserted '${ch}' after ${at(t)}`, `${text.slice(0, endOf(t))} ${ch} ${text.slice(endOf(t))}`, true);
      });
    case "unicode anywhere":
      return fc.tuple(fc.nat(text.length), fc.constantFrom(...unicodePayloads)).map(([offset, u]) =>
        mutation(kind, `inserted ${JSON.stringify(u)} at offset ${offset}`, text.slice(0, offset) + u + text.slice(offset)),
      );
    case "bad character between tokens":
      return fc.tuple(index, fc.constantFrom(...badCharacters)).map(([i, u]) => {
        const t = tokens[i];
        const offset = endOf(t) + 1;
        return mutation(kind, `inserted ${JSON.stringify(u)} after ${at(t)}`, `${text.slice(0, endOf(t))} ${u} ${text.slice(endOf(t))}`, true, offset);
      });
    case "long line": {
      const soup = [...new Set(tokens.map((t) => t.image).filter((img) => img !== "("))];
      const lineStarts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1)];
      return fc.tuple(fc.constantFrom(...lineStarts), fc.constantFrom(...longLineVariants)).map(([offset, variant]) => {
        const { line, mustFail } = longLine(variant, soup);
        return mutation(kind, `${variant} line of ${line.length} chars inserted at offset ${offset}`, `${text.slice(0, offset)}${line}\n${text.slice(offset)}`, mustFail);
      });
    }
  }
}

export const mutationKinds = [
  "delete a token",
  "duplicate a token",
  "swap two tokens",
  "truncate",
  "unbalanced bracket",
  "unicode anywhere",
  "bad character between tokens",
  "long line",
] as const;
export type MutationKind = (typeof mutationKinds)[number];
