import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileText } from "../../compiler/compile.js";
import { renderDiagnostic } from "../../compiler/diagnostics.js";
import { expectDiagnostics } from "../support/policies.js";
import { cstTypesText } from "../../grammar/generate-cst-types.js";
import { parsePol } from "../../grammar/parser.js";
import { AstBuilder } from "../../compiler/cst-to-ast.js";

describe("syntax errors", () => {
  it("reports a missing '}' at the end of the file", () => {
    const source = ['group pain "The member\'s pain" {', '  fact average: number 0 to 10 "Average pain"', ""].join("\n");
    expectDiagnostics(source, [
      [
        "a.pol:2:46: error POL002: expected '}', but found the end of the file",
        "  |",
        '2 |   fact average: number 0 to 10 "Average pain"',
        "  |                                              ^",
      ].join("\n"),
    ]);
  });

  it("reports a stray token where the grammar expects something else", () => {
    const source = ['group pain "The member\'s pain" {', '  fact average: number 0 to 10 "Average pain" )', "}", ""].join("\n");
    expectDiagnostics(source, [
      [
        "a.pol:2:47: error POL002: expected '}', but found ')'",
        "  |",
        '2 |   fact average: number 0 to 10 "Average pain" )',
        "  |                                               ^",
      ].join("\n"),
    ]);
  });

  it("reports a missing ':' and underlines the whole token found instead", () => {
    expectDiagnostics('fact x: boolean "X"\nfact flag boolean "Flag"\n', [
      [
        "a.pol:2:11: error POL002: expected ':', but found 'boolean'",
        "  |",
        '2 | fact flag boolean "Flag"',
        "  |           ^^^^^^^",
      ].join("\n"),
    ]);
  });

  it("reports an unterminated string with a hint", () => {
    const result = compileText({ "a.pol": 'fact x: boolean "X\nfact y: boolean "Y"\n' });
    const first = result.diagnostics[0];
    expect(renderDiagnostic(first, result.sources)).toBe(
      [
        'a.pol:1:17: error POL001: unexpected character "\\""',
        "  |",
        '1 | fact x: boolean "X',
        "  |                 ^",
        '  = a quoted text must end with " on the same line',
      ].join("\n"),
    );
    // The lexer error is reported once; what follows it is not a second unterminated string.
    expect(result.diagnostics.filter((d) => d.code === "POL001")).toHaveLength(1);
  });

  it("reports an unexpected character like '@'", () => {
    expectDiagnostics('fact x: boolean "X"\nfact @y: boolean "Y"\n', [
      ['a.pol:2:6: error POL001: unexpected character "@"', "  |", '2 | fact @y: boolean "Y"', "  |      ^"].join("\n"),
    ]);
  });

  it("reports three independent mistakes in one run, sorted by position", () => {
    const source = [
      'fact flag boolean "Flag"', // 1: missing ':'
      'fact x: boolean "X"',
      'fact @w: boolean "W"', // 3: unexpected character (a lexer error, found before the parser runs)
      'group g "G" {',
      '  fact z: boolean "Z" )', // 5: stray ')'
      "}",
      'fact y: boolean "Y"',
      "",
    ].join("\n");
    const result = compileText({ "a.pol": source });
    expect(result.diagnostics.map((d) => `${d.span.line}:${d.span.column} ${d.code}`)).toEqual(["1:11 POL002", "3:6 POL001", "5:23 POL002"]);
    expect(result.diagnostics.map((d) => renderDiagnostic(d, result.sources))).toEqual([
      ["a.pol:1:11: error POL002: expected ':', but found 'boolean'", "  |", '1 | fact flag boolean "Flag"', "  |           ^^^^^^^"].join("\n"),
      ['a.pol:3:6: error POL001: unexpected character "@"', "  |", '3 | fact @w: boolean "W"', "  |      ^"].join("\n"),
      ["a.pol:5:23: error POL002: expected '}', but found ')'", "  |", '5 |   fact z: boolean "Z" )', "  |                       ^"].join("\n"),
    ]);
  });

  it("widens the gutter for two-digit line numbers", () => {
    const source = `${"\n".repeat(11)}fact @y: boolean "Y"\n`;
    expectDiagnostics(source, [['a.pol:12:6: error POL001: unexpected character "@"', "   |", '12 | fact @y: boolean "Y"', "   |      ^"].join("\n")]);
  });
});

describe("a misspelt word of the language: one error, at the word, with what was meant", () => {
  const policy = (line: string, extra = "") => `fact pain_duration: duration "How long"\nfact flag: boolean "Flag"\nfact other: boolean "Other"\n\npolicy P "Probe" {\n  version "1"\n  requirements "R" {\n${line}\n    criterion other_one "Other": other\n  }\n${extra}}\n`;

  it("a unit after a number", () => {
    expectDiagnostics(policy('    criterion short "Under 3 months": pain_duration < 3 monts'), [
      [
        "a.pol:8:57: error POL008: expected a unit after 3 (days, weeks, months, years, hours or minutes), but found 'monts'",
        "  |",
        '8 |     criterion short "Under 3 months": pain_duration < 3 monts',
        "  |                                                         ^^^^^",
        "  = did you mean 'months'?",
      ].join("\n"),
    ]);
  });

  it("a keyword that starts a bullet, and nothing the rest of its block echoes", () => {
    // The parser leaves the section at 'critrion' and reads the next criterion as a top-level one
    // (whose name 'other' would clash), then each '}' closes nothing: all of that is dropped.
    expectDiagnostics(policy('    critrion short "Flagged": flag').replace("other_one", "other"), [
      ["a.pol:8:5: error POL006: unknown word 'critrion'", "  |", '8 |     critrion short "Flagged": flag', "  |     ^^^^^^^^", "  = did you mean 'criterion'?"].join("\n"),
    ]);
  });

  it("a section kind", () => {
    const source = policy('    criterion f "Flagged": flag', '  exclusoins "E" {\n    criterion ex "Other": other\n  }\n');
    expectDiagnostics(source, [
      ["a.pol:11:3: error POL007: unknown section kind 'exclusoins'", "   |", '11 |   exclusoins "E" {', "   |   ^^^^^^^^^^", "  = did you mean 'exclusions'?"].join("\n"),
    ]);
  });

  it("a name that is close to no word of the language keeps the grammar's message", () => {
    expectDiagnostics(policy('    criterion short "Under 3 months": pain_duration < 3 fortnights'), [
      [
        "a.pol:8:57: error POL002: expected '}', but found 'fortnights'",
        "  |",
        '8 |     criterion short "Under 3 months": pain_duration < 3 fortnights',
        "  |                                                         ^^^^^^^^^^",
      ].join("\n"),
    ]);
  });

  it("with unbalanced braces, a '}' that closes nothing is still reported", () => {
    const result = compileText({ "a.pol": 'fact a: boolean "A"\n}\nfact b: boolean "B"\n' });
    expect(result.diagnostics.map((d) => renderDiagnostic(d, result.sources).split("\n")[0])).toEqual([
      "a.pol:2:1: error POL002: unexpected '}': expected a declaration (fact, group, enum, record, define, criterion), a policy or an overlay",
    ]);
  });
});

describe("grammar/cst.generated.ts", () => {
  it("is what generate-cst-types.ts writes from the current grammar", () => {
    const committed = readFileSync(new URL("../../grammar/cst.generated.ts", import.meta.url), "utf8");
    expect(committed).toBe(cstTypesText());
  });
});

describe("the parser's own messages (grammar/syntax-messages.ts)", () => {
  it("are worded for authors when the parser meets each error, with what it expected kept beside", () => {
    const seen = (text: string) => {
      const parsed = parsePol(text);
      return parsed.parseErrors.map((e) => {
        const { rule, expected, token, redundant } = parsed.expectations.get(e)!;
        return [e.message, rule, expected, token?.name, redundant];
      });
    };
    expect(seen('fact flag boolean "Flag"\n')).toEqual([["expected ':', but found 'boolean'", "factDecl", "':'", "Colon", false]]);
    expect(seen("define d: \n")).toEqual([["expected a condition, but found the end of the file", "notExpr", "a condition", undefined, false]]);
    expect(seen('fact a: boolean "A"\n}\n')).toEqual([
      [
        "unexpected '}': expected a declaration (fact, group, enum, record, define, criterion), a policy or an overlay",
        "file",
        "a declaration (fact, group, enum, record, define, criterion), a policy or an overlay",
        undefined,
        true,
      ],
    ]);
  });
});

describe("compiler/cst-to-ast.ts, the typed CST visitor", () => {
  it("has a method for every rule of the grammar, and validateVisitor() names a rule left without one", () => {
    expect(() => new AstBuilder("a.pol", [], []).validateVisitor()).not.toThrow();
    class WithoutRefs extends AstBuilder {}
    Object.defineProperty(WithoutRefs.prototype, "refs", { value: undefined });
    expect(() => new WithoutRefs("a.pol", [], []).validateVisitor()).toThrow(/Missing visitor method: <refs>/);
  });
});

describe("what the parser reads out of place after leaving a policy early is not reported again", () => {
  it("an extra '}' closes the policy: its references, history and closing '}' are one mistake with it", () => {
    const source = 'fact x: boolean "X"\npolicy P "T" {\n  version "1"\n  requirements "R" {\n    criterion a "A": x\n  }}\n  references {\n    1 "x"\n  }\n  history {\n    "2024-01-01" "First"\n  }\n}\n';
    expectDiagnostics(source, [
      [
        "a.pol:7:3: error POL002: unexpected 'references': expected a declaration (fact, group, enum, record, define, criterion), a policy or an overlay",
        "  |",
        "7 |   references {",
        "  |   ^^^^^^^^^^",
      ].join("\n"),
    ]);
  });

  it("a declaration after the mistake is read again, and its own mistake reported", () => {
    const source = 'fact x: boolean "X"\npolicy P "T" {\n  version "1"\n  requirements "R" {\n    criterion a "A": x\n  }}\n  history {\n  }\n}\nfact y boolean "Y"\n';
    const result = compileText({ "a.pol": source });
    expect(result.diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.column} ${d.message}`)).toEqual([
      "POL002 7:3 unexpected 'history': expected a declaration (fact, group, enum, record, define, criterion), a policy or an overlay",
      "POL002 10:8 expected ':', but found 'boolean'",
    ]);
  });
});
