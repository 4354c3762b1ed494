/**
 * The tokens of the pol language. Keywords come before `Identifier` and name it as their
 * `longer_alt`, so `counted` stays an identifier while `count` is a keyword.
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\u00a0\ufeff]+/, group: Lexer.SKIPPED });
/** Comments are kept in their own group so that a formatter can put them back. */
export const Comment = createToken({ name: "Comment", pattern: /#[^\n\r]*/, group: "comments" });

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

const keywords: TokenType[] = [];
function keyword(word: string, pattern: RegExp = new RegExp(`${word}\\b`)): TokenType {
  const name = word[0].toUpperCase() + word.slice(1);
  const token = createToken({ name, pattern, longer_alt: Identifier, label: `'${word}'` });
  keywords.push(token);
  return token;
}

export const Import = keyword("import");
export const Policy = keyword("policy");
export const Overlay = keyword("overlay");
export const For = keyword("for");
export const State = keyword("state");
export const Fact = keyword("fact");
export const Group = keyword("group");
export const Enum = keyword("enum");
export const Record = keyword("record");
export const Define = keyword("define");
export const Criterion = keyword("criterion");
export const Pathway = keyword("pathway");
export const Use = keyword("use");
export const Note = keyword("note");
export const All = keyword("all");
export const Any = keyword("any");
export const None = keyword("none");
export const At = keyword("at");
export const Least = keyword("least");
export const Most = keyword("most");
export const Of = keyword("of");
export const Not = keyword("not");
export const And = keyword("and");
export const Or = keyword("or");
export const Unless = keyword("unless");
export const When = keyword("when");
export const In = keyword("in");
export const Is = keyword("is");
export const Known = keyword("known");
export const Count = keyword("count");
export const Exists = keyword("exists");
export const Every = keyword("every");
export const Select = keyword("select");
export const Latest = keyword("latest");
export const Earliest = keyword("earliest");
export const Union = keyword("union");
export const Where = keyword("where");
export const Counting = keyword("counting");
export const As = keyword("as");
export const One = keyword("one");
export const Time = keyword("time");
export const Since = keyword("since");
export const Between = keyword("between");
export const Within = keyword("within");
export const Last = keyword("last");
export const Before = keyword("before");
export const After = keyword("after");
export const To = keyword("to");
export const True = keyword("true");
export const False = keyword("false");
export const List = keyword("list");
export const Indications = keyword("indications");
export const Requirements = keyword("requirements");
export const Exclusions = keyword("exclusions");
export const Contraindications = keyword("contraindications");
export const Notes = keyword("notes");
export const Covered = keyword("covered");
export const Applies = keyword("applies");
export const References = keyword("references");
export const History = keyword("history");
export const Cpt = keyword("cpt");
export const Effective = keyword("effective");
export const Advisories = keyword("advisories");
export const Refer = keyword("refer");
export const Per = keyword("per");
export const If = keyword("if");
export const Then = keyword("then");
export const Else = keyword("else");
export const Case = keyword("case");
export const Approximated = keyword("approximated");
export const Expressible = keyword("expressible");
export const Reading = keyword("reading");
export const Extend = keyword("extend");
export const Meets = keyword("meets");


/** Duration units; singular and plural spellings are one token each. */
export const DurationUnit = createToken({ name: "DurationUnit", pattern: Lexer.NA });
function unit(name: string, pattern: RegExp): TokenType {
  const token = createToken({ name, pattern, longer_alt: Identifier, categories: DurationUnit, label: `'${name.toLowerCase()}'` });
  keywords.push(token);
  return token;
}
export const Days = unit("Days", /days?\b/);
export const Weeks = unit("Weeks", /weeks?\b/);
export const Months = unit("Months", /months?\b/);
export const Years = unit("Years", /years?\b/);
export const Hours = unit("Hours", /hours?\b/);
export const Minutes = unit("Minutes", /minutes?\b/);

/** Strings hold the guideline's own wording; they may not span lines. */
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\n\r]|\\.)*"/, label: "a quoted text" });
export const DateLiteral = createToken({ name: "DateLiteral", pattern: /\d{4}-\d{2}-\d{2}/, label: "a date like 2024-01-31" });
/** A code that mixes digits and letters, such as the CPT category III code 0213T. */
export const CodeLiteral = createToken({ name: "CodeLiteral", pattern: /\d+[A-Za-z][A-Za-z0-9]*/, label: "a code like 0213T" });
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: /\d+(?:\.\d+)?/, label: "a number" });

export const ComparisonOperator = createToken({ name: "ComparisonOperator", pattern: Lexer.NA, label: "a comparison (=, !=, <, <=, >, >=)" });
function comparison(name: string, pattern: RegExp, label: string): TokenType {
  return createToken({ name, pattern, categories: ComparisonOperator, label: `'${label}'` });
}
export const GreaterEqual = comparison("GreaterEqual", />=|≥/, ">=");
export const LessEqual = comparison("LessEqual", /<=|≤/, "<=");
export const NotEqual = comparison("NotEqual", /!=|≠/, "!=");
export const Equal = comparison("Equal", /=/, "=");
export const Less = comparison("Less", /</, "<");
export const Greater = comparison("Greater", />/, ">");

export const Plus = createToken({ name: "Plus", pattern: /\+/, label: "'+'" });
export const Minus = createToken({ name: "Minus", pattern: /-|–/, label: "'-'" });
export const Percent = createToken({ name: "Percent", pattern: /%/, label: "'%'" });
export const Star = createToken({ name: "Star", pattern: /\*|×/, label: "'*'" });
export const Slash = createToken({ name: "Slash", pattern: /\//, label: "'/'" });
export const LCurly = createToken({ name: "LCurly", pattern: /{/, label: "'{'" });
export const RCurly = createToken({ name: "RCurly", pattern: /}/, label: "'}'" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const LSquare = createToken({ name: "LSquare", pattern: /\[/, label: "'['" });
export const RSquare = createToken({ name: "RSquare", pattern: /]/, label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });
export const Colon = createToken({ name: "Colon", pattern: /:/, label: "':'" });
export const Dot = createToken({ name: "Dot", pattern: /\./, label: "'.'" });

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  StringLiteral,
  DateLiteral,
  CodeLiteral,
  NumberLiteral,
  ...keywords,
  DurationUnit,
  Identifier,
  ComparisonOperator,
  GreaterEqual,
  LessEqual,
  NotEqual,
  Equal,
  Less,
  Greater,
  Plus,
  Minus,
  Percent,
  Star,
  Slash,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LSquare,
  RSquare,
  Comma,
  Colon,
  Dot,
];

/** The words that cannot name a fact, criterion or definition. */
export const reservedWords: readonly string[] = keywords.flatMap((token) => {
  const word = (token.LABEL ?? token.name).replace(/'/g, "");
  // A duration unit is one token in both spellings: `day` is as reserved as `days`.
  return token.CATEGORIES?.includes(DurationUnit) ? [word, word.replace(/s$/, "")] : [word];
});

/**
 * A character code for each entry of the lexer's first-character table: every code below 256,
 * then one in each block of 255 above (the table holds those by block). Listing all 65 536 codes
 * instead costs seconds at start.
 */
function everyCharacterBucket(): number[] {
  const codes = Array.from({ length: 256 }, (_, code) => code);
  for (let code = 256; code <= 0xffff; code += 255) codes.push(code);
  codes.push(0xffff);
  return codes;
}

/**
 * A run of characters none of which starts a token (`@@@`, `é`, `$`, a lone `!`), such as
 * pasted symbols or text in another alphabet: one token, in a group of its own that the parser
 * never sees, which `lexPol` reports as one error per run. Without it the lexer recovers
 * character by character, trying every pattern at each: about 50 µs a character. Tried after
 * every other token, so a token added later still wins where it starts; the class lists what
 * starts a token today (the test in test/grammar/unexpected-characters.test.ts keeps it so).
 */
export const UnexpectedCharacters = createToken({
  name: "UnexpectedCharacters",
  pattern: /(?:[^ \t\r\n\u00a0\ufeff#"0-9A-Za-z_=<>!+\-–%*×\/{}()[\],:.≥≤≠]|!(?!=))+/,
  group: "unexpected",
  line_breaks: false,
  start_chars_hint: everyCharacterBucket(),
});

const lexedTokens = [...allTokens, UnexpectedCharacters];

/**
 * The lexer every process uses, built without Chevrotain's checks of the token definitions (half
 * its set-up); `tokenDefinitionProblems` runs them, in the test of the grammar.
 */
export const polLexer = new Lexer(lexedTokens, { ensureOptimizations: true, positionTracking: "full", skipValidations: true });

/**
 * The errors Chevrotain's checks of the token definitions find (none, for tokens that may ship).
 * Its warnings go to `console.warn`.
 */
export function tokenDefinitionProblems(): string[] {
  const lexer = new Lexer(lexedTokens, { ensureOptimizations: true, positionTracking: "full", deferDefinitionErrorsHandling: true });
  return lexer.lexerDefinitionErrors.map((p) => p.message);
}
