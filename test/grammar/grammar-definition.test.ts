import { describe, expect, it, vi } from "vitest";
import { grammarDefinitionErrors } from "../../grammar/parser.js";
import { tokenDefinitionProblems } from "../../grammar/tokens.js";

// Processes build the lexer and the parser without Chevrotain's checks of their definitions (about
// half of their set-up); this is where an ambiguous alternative, a left-recursive rule or a token
// that can never match is caught instead.
describe("the grammar", () => {
  it("passes Chevrotain's checks of the token definitions, with no warning", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(tokenDefinitionProblems()).toEqual([]);
      expect(warn.mock.calls).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it("passes Chevrotain's validations (no ambiguity, no left recursion, no duplicate alternatives)", () => {
    expect(grammarDefinitionErrors()).toEqual([]);
  });
});
