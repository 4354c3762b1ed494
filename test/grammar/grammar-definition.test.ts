import { describe, expect, it } from "vitest";
import { grammarDefinitionErrors } from "../../grammar/parser.js";

// Processes build the parser without Chevrotain's grammar validations (they cost a third of its
// set-up); this is where an ambiguous alternative or a left-recursive rule is caught instead.
describe("the grammar", () => {
  it("passes Chevrotain's validations (no ambiguity, no left recursion, no duplicate alternatives)", () => {
    expect(grammarDefinitionErrors()).toEqual([]);
  });
});
