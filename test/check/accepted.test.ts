/**
 * What the checker accepts, and how it reads what it accepts.
 */
import { describe, expect, it } from "vitest";
import { compileText } from "../../compiler/compile.js";
import { evaluateSource } from "../support/policies.js";

describe("what the checker accepts", () => {
  it("a named note without a rule is text, not a checked item", () => {
    const source = `fact a: boolean "A"\npolicy P "P" {\n  version "1"\n  exclusions "E" {\n    note heading "These requests are excluded:"\n    criterion x "X": a\n  }\n}\n`;
    expect(evaluateSource({ "p.pol": source }, { date_of_service: "2024-01-01", a: false }).outcome).toBe("meets");
  });

  it("a fact cannot hold a single record", () => {
    const compiled = compileText({ "p.pol": `record r { date: date "D" }\nfact single: r "One"\n` });
    expect(compiled.diagnostics.map((d) => `${d.code} ${d.message} (${d.hint})`)).toEqual([
      "POL069 a fact cannot hold a single r (use 'list of r', or a group of facts)",
    ]);
  });

  it("CPT codes may mix digits and letters", () => {
    const compiled = compileText({ "p.pol": `policy P "P" {\n  version "1"\n  cpt "Category III": 0213T, +0214T\n}\n` });
    expect(compiled.diagnostics).toEqual([]);
    expect(compiled.policies[0].ir.cpt).toEqual([{ region: "Category III", codes: ["0213T", "+0214T"] }]);
  });

  it("a reserved word used as a name is called one", () => {
    const compiled = compileText({ "p.pol": `criterion known "K": true\n` });
    expect(compiled.diagnostics.map((d) => `${d.message} / ${d.hint}`)).toEqual([
      "expected a name, but found 'known' / 'known' is a word of the language and cannot be a name; choose another, like known_value",
    ]);
  });
});
