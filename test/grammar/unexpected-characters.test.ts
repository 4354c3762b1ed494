/**
 * Runs of characters that start no token: one token (`UnexpectedCharacters`), so one error per
 * run, found in time linear in the run. The run's character class must leave out every character
 * some other token starts with; the sweep below checks that against the tokens as they are.
 */
import { describe, expect, it } from "vitest";
import type { TokenType } from "chevrotain";
import { compileText } from "../../compiler/compile.js";
import { renderDiagnostic } from "../../compiler/diagnostics.js";
import { lexPol } from "../../grammar/parser.js";
import { allTokens, UnexpectedCharacters } from "../../grammar/tokens.js";

const render = (source: string) => {
  const result = compileText({ "a.pol": source });
  return result.diagnostics.map((d) => renderDiagnostic(d, result.sources));
};

describe("a run of characters that start no token", () => {
  it("is one error at the run's start, whatever its length", () => {
    for (const length of [2, 1_000, 100_000]) {
      const lexed = lexPol(`fact x: boolean "X"\nfact ${"@".repeat(length)}y: boolean "Y"\n`);
      expect(lexed.errors.map((e) => [e.line, e.column, e.length])).toEqual([[2, 6, length]]);
    }
  });

  it("is reported as one POL001 naming the characters, cut short", () => {
    expect(render(`fact x: boolean "X"\nfact ${"@".repeat(30)}y: boolean "Y"\n`)).toEqual([
      ['a.pol:2:6: error POL001: unexpected characters "@@@@@@@@@@@@@@@@@@@@…"', "  |", `2 | fact ${"@".repeat(30)}y: boolean "Y"`, `  |      ${"^".repeat(30)}`].join("\n"),
    ]);
    expect(render('fact x: boolean "X"\nfact é: boolean "Y"\n')[0].split("\n")[0]).toBe('a.pol:2:6: error POL001: unexpected character "é"');
  });

  it("mixes symbols and letters of other alphabets, and a '!' that is not '!='", () => {
    const lexed = lexPol("fact a: boolean \"A\" $&~;é€!¿ ≥ != 1\n");
    expect(lexed.errors.map((e) => [e.column, e.length])).toEqual([[21, 8]]);
    expect(lexed.tokens.slice(-3).map((t) => t.image)).toEqual(["≥", "!=", "1"]);
  });

  it("stops at the first character that starts a token, and leaves that token as it was", () => {
    const lexed = lexPol('@@"text"@@1@@}@@#comment\n');
    expect(lexed.errors.map((e) => [e.offset, e.length])).toEqual([
      [0, 2],
      [8, 2],
      [11, 2],
      [14, 2],
    ]);
    expect(lexed.tokens.map((t) => t.image)).toEqual(['"text"', "1", "}"]);
  });

  it("swallows no character that another token starts with (every character of the Basic Multilingual Plane)", () => {
    // Every other token's pattern in one sticky alternation: does any of them match here?
    const patterns = allTokens.map((t: TokenType) => t.PATTERN).filter((p): p is RegExp => p instanceof RegExp);
    expect(patterns.every((p) => p.flags === "")).toBe(true);
    const other = new RegExp(patterns.map((p) => `(?:${p.source})`).join("|"), "y");
    const run = new RegExp(UnexpectedCharacters.PATTERN instanceof RegExp ? UnexpectedCharacters.PATTERN.source : "$^", "y");
    const swallowed: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      for (const text of [`${c}=`, `${c}a`, `${c}1`, `${c} `]) {
        run.lastIndex = 0;
        if (!run.test(text)) continue;
        other.lastIndex = 0;
        if (other.test(text)) swallowed.push(`U+${code.toString(16).padStart(4, "0")} in ${JSON.stringify(text)}`);
      }
    }
    expect(swallowed).toEqual([]);
  });
});
