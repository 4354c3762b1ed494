/**
 * The TextMate grammar for .pol files, made from the lexer's own tokens (grammar/tokens.ts), so
 * that highlighting knows exactly the words the compiler reserves. Written to
 * syntaxes/pol.tmLanguage.json when the extension is built.
 */
import { builtinNames, builtinTypes } from "../../../compiler/scope.js";
import { reservedWords } from "../../../grammar/tokens.js";

/** Finer scopes for some reserved words; every other reserved word is a plain keyword. */
const wordScopes: readonly [scope: string, words: readonly string[]][] = [
  ["storage.type.declaration.pol", ["import", "policy", "overlay", "fact", "group", "enum", "record", "extend", "define", "criterion", "pathway", "use", "note"]],
  ["keyword.other.section.pol", ["indications", "requirements", "exclusions", "contraindications", "notes", "covered", "references", "history", "cpt", "effective", "applies", "state", "for"]],
  ["keyword.operator.logical.pol", ["and", "or", "not", "unless", "when"]],
  ["keyword.control.quantifier.pol", ["all", "any", "none", "at", "least", "most", "of"]],
  ["keyword.control.query.pol", ["count", "exists", "every", "select", "latest", "earliest", "union", "where", "counting", "as", "one", "in", "is", "known"]],
  ["keyword.operator.time.pol", ["time", "since", "between", "within", "last", "before", "after", "to"]],
  ["constant.language.boolean.pol", ["true", "false"]],
  ["keyword.other.unit.pol", ["day", "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours", "minute", "minutes"]],
  ["storage.type.list.pol", ["list"]],
  ["keyword.other.reading.pol", ["reading"]],
];

const words = (list: readonly string[]) => `\\b(?:${[...list].sort((a, b) => b.length - a.length).join("|")})\\b`;

export interface TextMateGrammar {
  readonly scopeName: string;
  readonly patterns: readonly { readonly include: string }[];
  readonly repository: Readonly<Record<string, unknown>>;
}

export function polTextMateGrammar(): TextMateGrammar {
  const scoped = new Set(wordScopes.flatMap(([, list]) => list));
  const unknown = [...scoped].filter((w) => !reservedWords.includes(w));
  if (unknown.length > 0) throw new Error(`not words of the language: ${unknown.join(", ")}`);
  const rest = reservedWords.filter((w) => !scoped.has(w));
  return {
    scopeName: "source.pol",
    patterns: [
      { include: "#comment" },
      { include: "#reading" },
      { include: "#string" },
      { include: "#declaration" },
      { include: "#literal" },
      { include: "#keyword" },
      { include: "#builtin" },
      { include: "#operator" },
      { include: "#path" },
    ],
    repository: {
      comment: { name: "comment.line.number-sign.pol", match: "#.*$" },
      // `reading "…" "…"` and `reading of "…": "…"`: the author's reading of the guideline, its texts
      // shown apart from the guideline's own wording, up to the item it explains.
      reading: {
        name: "meta.reading.pol",
        begin: "\\b(reading)\\b(?:\\s+(of)\\b)?",
        beginCaptures: { "1": { name: "keyword.other.reading.pol" }, "2": { name: "keyword.other.reading.pol" } },
        end: '(?=[^\\s":])',
        patterns: [
          {
            name: "string.quoted.double.reading.pol",
            begin: '"',
            end: '"|$',
            patterns: [{ name: "constant.character.escape.pol", match: "\\\\." }],
          },
        ],
      },
      string: {
        name: "string.quoted.double.pol",
        begin: '"',
        end: '"|$',
        patterns: [{ name: "constant.character.escape.pol", match: "\\\\." }],
      },
      declaration: {
        // `service` is not reserved: only a service line puts two names in a row after it.
        match: "\\b(fact|group|enum|record|define|criterion|pathway|note|policy|overlay|service)\\s+([A-Za-z_][A-Za-z0-9_]*)",
        captures: { "1": { name: "storage.type.declaration.pol" }, "2": { name: "entity.name.pol" } },
      },
      literal: {
        patterns: [
          { name: "constant.numeric.date.pol", match: "\\b\\d{4}-\\d{2}-\\d{2}\\b" },
          { name: "constant.numeric.code.pol", match: "\\b\\d+[A-Za-z][A-Za-z0-9]*\\b" },
          { name: "constant.numeric.pol", match: "\\b\\d+(?:\\.\\d+)?%?" },
        ],
      },
      keyword: {
        patterns: [...wordScopes.map(([name, list]) => ({ name, match: words(list) })), ...(rest.length ? [{ name: "keyword.other.pol", match: words(rest) }] : [])],
      },
      builtin: {
        patterns: [
          { name: "support.type.pol", match: words(builtinTypes) },
          { name: "support.function.builtin.pol", match: words(builtinNames) },
        ],
      },
      operator: { name: "keyword.operator.comparison.pol", match: ">=|<=|!=|[=<>≥≤≠+\\-–]" },
      path: {
        match: "\\b([A-Za-z_][A-Za-z0-9_]*)(?=\\.)",
        captures: { "1": { name: "variable.other.object.pol" } },
      },
    },
  };
}
