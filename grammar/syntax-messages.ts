/**
 * Chevrotain's error-message provider for pol: each syntax error is worded here, when the parser
 * meets it, in an author's words ("expected ':', but found 'boolean'"), never in Chevrotain's
 * English about token types. Each message also leaves an `Expectation` behind (what the grammar
 * wanted there), so the compiler can tell mistakes apart without reading any text back.
 */
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";

/** What the grammar expected where the parser stopped. */
export interface Expectation {
  /** The rule the parser was in. */
  readonly rule: string;
  /** What it expected, in an author's words: `':'`, `a name`, `a condition`. */
  readonly expected: string;
  /** The one token it expected, when it expected a token (not one of several ways on). */
  readonly token?: TokenType;
  /** The parser read a whole file and found more after it (a '}' that closes nothing, say). */
  readonly redundant: boolean;
}

/** What the author should write where a rule failed, by grammar rule. */
export const expectedByRule: ReadonlyMap<string, string> = new Map([
  ["file", "an import, a declaration, a policy or an overlay"],
  ["topItem", "a declaration (fact, group, enum, record, define, criterion), a policy or an overlay"],
  ["factDecl", 'a fact: fact NAME: TYPE "what to look for in the chart"'],
  ["typeRef", "a type such as boolean, number 0 to 10, percent, duration, date, an enum or list of RECORD"],
  ["groupDecl", "facts inside the group's { }"],
  ["enumDecl", "the enum's values, separated by commas"],
  ["recordDecl", 'fields: NAME: TYPE "description"'],
  ["fieldDecl", 'a field: NAME: TYPE "description"'],
  ["defineDecl", 'a definition: define NAME "wording": expression'],
  ["requirementHead", 'NAME "the guideline\'s wording" [references]: a condition or a list'],
  ["groupBody", "a list: all of { … }, any of { … }, none of { … } or at least N of { … }"],
  ["quantifier", "all, any, none, at least N or at most N"],
  ["item", "a bullet: criterion, pathway, use NAME, note, or a nested list"],
  ["useItem", "the name of a criterion after 'use'"],
  ["noteItem", 'a note: note "text"'],
  ["policyDecl", 'policy NAME "title" { … }'],
  ["overlayDecl", 'overlay NAME "title" for POLICY in state XX { … }'],
  ["policyMember", "a property, cpt, effective, a section, applies, references or history"],
  ["property", "a property value in quotes"],
  ["cptDecl", 'cpt "region": 62320, 62321, +64480'],
  ["effectiveDecl", "effective 2024-01-01 to 2024-12-31"],
  ["section", "a section: indications, requirements, exclusions, contraindications, notes or not covered, with a title"],
  ["sectionKind", "indications, requirements, exclusions, contraindications, notes or not covered"],
  ["appliesDecl", 'applies unless "wording": condition'],
  ["refs", "reference numbers like [2-5, 7]"],
  ["refRange", "a reference number"],
  ["referencesDecl", 'numbered references: 1 "text"'],
  ["historyDecl", 'history entries: "date" "summary"'],
  ["expression", "a condition"],
  ["comparison", "a value to compare"],
  ["additive", "a value"],
  ["postfix", "a value"],
  ["primary", "a value: a fact, a number, a date, true, false, a question over a list, or '('"],
  ["numberLiteral", "a number"],
  ["queryExpr", "a question over a list: count(p in LIST where …)"],
  ["timeExpr", "time since DATE or time between DATE and DATE"],
  ["setLiteral", "values in braces: {lumbar, sacral}"],
  ["reference", "a name"],
  ["notExpr", "a condition"],
  ["orExpr", "a condition"],
  ["andExpr", "a condition"],
  ["paramList", "parameters: (NAME: TYPE, …)"],
  ["param", "a parameter: NAME: TYPE"],
  ["criterionDecl", 'a criterion: criterion NAME "wording": condition'],
  ["pathwayDecl", 'a pathway: pathway NAME "wording": all of { … }'],
  ["whenClause", "a condition after 'when'"],
  ["enumMember", 'an enum value: NAME "label"'],
  ["cptCode", "a CPT code like 62320 or +64480"],
  ["referenceEntry", 'a numbered reference: 1 "text"'],
  ["historyEntry", 'a history entry: "date" "summary"'],
  ["importDecl", 'the imported file in quotes: import "../common/history.pol"'],
  ["signedNumber", "a number"],
]);

/** Tokens whose name is not what an author types. */
const tokenWords: ReadonlyMap<string, string> = new Map([
  ["RCurly", "'}'"],
  ["LCurly", "'{'"],
  ["RParen", "')'"],
  ["LParen", "'('"],
  ["RSquare", "']'"],
  ["LSquare", "'['"],
  ["Colon", "':'"],
  ["Comma", "','"],
  ["Identifier", "a name"],
  ["StringLiteral", "a quoted text"],
  ["NumberLiteral", "a number"],
  ["DateLiteral", "a date like 2024-01-31"],
]);

/** A token type as an author would name it: `':'`, `a name`, `'criterion'`. */
export function tokenWord(type: TokenType): string {
  const word = tokenWords.get(type.name);
  if (word) return word;
  // A token's LABEL is either a quoted word ('policy') or a description (a number); both read as they are.
  const label = type.LABEL;
  if (label !== undefined && (/^'.*'$/.test(label) || /^an? /.test(label))) return label;
  return `'${type.name.toLowerCase()}'`;
}

/** How a found token is named in a message: `'boolean'`, or the end of the file. */
export function foundWord(token: IToken | undefined): string {
  if (!token || token.tokenType === EOF || Number.isNaN(token.startOffset)) return "the end of the file";
  return `'${clip(token.image)}'`;
}

export function clip(image: string): string {
  return image.length > 30 ? `${image.slice(0, 30)}…` : image;
}

export class SyntaxMessages implements IParserErrorMessageProvider {
  /**
   * One per error the parser saves, in the order it saves them: Chevrotain builds each message
   * just before it records the error (and during one parse only; the parser clears both).
   */
  readonly expectations: Expectation[] = [];

  private expect(expectation: Expectation): void {
    this.expectations.push(expectation);
  }

  buildMismatchTokenMessage(options: { expected: TokenType; actual: IToken; previous: IToken; ruleName: string }): string {
    const { expected, actual, ruleName } = options;
    if (expected === EOF) return this.redundant(actual, ruleName);
    const words = tokenWord(expected);
    this.expect({ rule: ruleName, expected: words, token: expected, redundant: false });
    return `expected ${words}, but found ${foundWord(actual)}`;
  }

  buildNotAllInputParsedMessage(options: { firstRedundant: IToken; ruleName: string }): string {
    return this.redundant(options.firstRedundant, options.ruleName);
  }

  buildNoViableAltMessage(options: { expectedPathsPerAlt: TokenType[][][]; actual: IToken[]; previous: IToken; customUserDescription?: string; ruleName: string }): string {
    return this.byRule(options.ruleName, options.actual[0]);
  }

  buildEarlyExitMessage(options: { expectedIterationPaths: TokenType[][]; actual: IToken[]; previous: IToken; customUserDescription?: string; ruleName: string }): string {
    return this.byRule(options.ruleName, options.actual[0]);
  }

  /** Where one of several ways on was expected: what the rule as a whole wants. */
  private byRule(rule: string, actual: IToken | undefined): string {
    const expected = expectedByRule.get(rule) ?? "something else";
    this.expect({ rule, expected, redundant: false });
    return `expected ${expected}, but found ${foundWord(actual)}`;
  }

  /** More after the whole file was read: the place wanted a declaration. */
  private redundant(actual: IToken, rule: string): string {
    const expected = expectedByRule.get("topItem")!;
    this.expect({ rule, expected, redundant: true });
    return `unexpected ${foundWord(actual)}: expected ${expected}`;
  }
}
