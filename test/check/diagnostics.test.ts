import { describe, expect, it } from "vitest";
import { compileText } from "../../compiler/compile.js";
import { expectDiagnostics, lines } from "../support/policies.js";

describe("names", () => {
  it("suggests the closest name for a misspelt fact", () => {
    const source = lines('fact pain_level: number 0 to 10 "Pain"', 'criterion severe "Severe pain": pain_levl >= 6', "");
    expectDiagnostics(source, [
      lines(
        "a.pol:2:33: error POL011: unknown name 'pain_levl'",
        "  |",
        '2 | criterion severe "Severe pain": pain_levl >= 6',
        "  |                                 ^^^^^^^^^",
        "  = did you mean 'pain_level'?",
      ),
    ]);
  });

  it("suggests the closest fact of a group", () => {
    const source = lines('group pain "P" {', '  fact average: number 0 to 10 "Avg"', "}", 'criterion c "C": pain.averag >= 6', "");
    expectDiagnostics(source, [
      lines(
        "a.pol:4:23: error POL013: group 'pain' has no fact 'averag'",
        "  |",
        '4 | criterion c "C": pain.averag >= 6',
        "  |                       ^^^^^^",
        "  = did you mean 'average'?",
      ),
    ]);
  });

  it("suggests the closest value of an enum", () => {
    const source = lines('enum region "R" { cervical, thoracic, lumbar }', 'fact r: region "R"', 'criterion c "C": r = lumbr', "");
    expectDiagnostics(source, [
      lines(
        "a.pol:3:22: error POL014: 'lumbr' is not a value of region",
        "  |",
        '3 | criterion c "C": r = lumbr',
        "  |                      ^^^^^",
        "  = did you mean 'lumbar'?",
      ),
    ]);
  });

  it("points at both places of a duplicate name", () => {
    const source = lines('fact x: boolean "X"', 'fact y: boolean "Y"', 'fact x: boolean "X again"', "");
    expectDiagnostics(source, [
      lines("a.pol:3:6: error POL010: 'x' is already declared", "  |", '3 | fact x: boolean "X again"', "  |      ^", "  a.pol:1:6: first declared here"),
    ]);
  });

  it("suggests a built-in type for a misspelt type", () => {
    expectDiagnostics('fact x: numbr "X"\n', [
      lines("a.pol:1:9: error POL012: unknown type 'numbr'", "  |", '1 | fact x: numbr "X"', "  |         ^^^^^", "  = did you mean 'number'?"),
    ]);
  });

  it("lists the types for an unknown type nothing resembles", () => {
    expectDiagnostics('fact x: widget "X"\n', [
      lines(
        "a.pol:1:9: error POL012: unknown type 'widget'",
        "  |",
        '1 | fact x: widget "X"',
        "  |         ^^^^^^",
        "  = the types are boolean, number, integer, percent, duration, date, text, spinal_levels, an enum or 'list of' a record",
      ),
    ]);
  });
});

describe("types", () => {
  it("rejects comparing a duration with a plain number, with a hint to give it a unit", () => {
    const source = lines('group pain "P" {', '  fact duration: duration "How long"', "}", 'criterion acute "Acute": pain.duration < 3', "");
    expectDiagnostics(source, [
      lines(
        "a.pol:4:40: error POL034: cannot compare a duration with a number",
        "  |",
        '4 | criterion acute "Acute": pain.duration < 3',
        "  |                                        ^",
        "  = give the number a unit, like 3 months",
      ),
    ]);
  });

  it("reports a number outside the declared range of the fact", () => {
    const source = lines('group pain "P" {', '  fact average: number 0 to 10 "Avg"', "}", 'criterion c "C": pain.average >= 11', "");
    expectDiagnostics(source, [
      lines(
        "a.pol:4:34: error POL021: 11 is outside the range of 'average', 0 to 10",
        "  |",
        '4 | criterion c "C": pain.average >= 11',
        "  |                                  ^^",
        "  = check the number against the guideline",
      ),
    ]);
  });

  it("says an equality with an out-of-range number can never be true", () => {
    const source = lines('fact score: number 0 to 10 "S"', 'criterion c "C": score = 11', "");
    expectDiagnostics(source, [
      lines(
        "a.pol:2:26: error POL021: 11 is outside the range of 'score', 0 to 10",
        "  |",
        '2 | criterion c "C": score = 11',
        "  |                          ^^",
        "  = this comparison can never be true",
      ),
    ]);
  });

  it("rejects comparing a percentage with a plain number", () => {
    const source = lines('fact relief: percent "Relief"', 'criterion c "C": relief >= 50', "");
    expectDiagnostics(source, [
      lines(
        "a.pol:2:28: error POL035: this compares a percentage with a plain number",
        "  |",
        '2 | criterion c "C": relief >= 50',
        "  |                            ^^",
        "  = write the number as a percentage, like 50%",
      ),
    ]);
    expectDiagnostics(lines('fact relief: percent "Relief"', 'criterion c "C": relief >= 50%', ""), []);
  });

  it("compares durations in different units without error", () => {
    const source = lines(
      'group pain "P" {',
      '  fact duration: duration "How long"',
      "}",
      'criterion c "C": 2 weeks < 3 months',
      'criterion d "D": pain.duration >= 2 weeks and pain.duration < 3 months',
      "",
    );
    expectDiagnostics(source, []);
  });

  it("rejects a date that is not in the calendar", () => {
    const source = lines('fact onset: date "Onset"', 'criterion c "C": onset after 2024-02-30', "");
    expectDiagnostics(source, [
      lines("a.pol:2:30: error POL023: 2024-02-30 is not a date in the calendar", "  |", '2 | criterion c "C": onset after 2024-02-30', "  |                              ^^^^^^^^^^"),
    ]);
  });
});

describe("definitions and lists", () => {
  const define = lines('fact a: boolean "A"', 'define both(p: boolean) "Both": p and a');

  it("reports a call with too many arguments and where the definition is", () => {
    expectDiagnostics(lines(define, 'criterion c "C": both(a, a)', ""), [
      lines("a.pol:3:18: error POL022: 'both' takes 1 argument, not 2", "  |", '3 | criterion c "C": both(a, a)', "  |                  ^^^^^^^^^^", "  a.pol:2:8: declared here"),
    ]);
  });

  it("reports a call with no arguments", () => {
    expectDiagnostics(lines(define, 'criterion c "C": both()', ""), [
      lines("a.pol:3:18: error POL022: 'both' takes 1 argument, not 0", "  |", '3 | criterion c "C": both()', "  |                  ^^^^^^", "  a.pol:2:8: declared here"),
    ]);
  });

  it("reports 'at least 5 of' over a list of 3 bullets", () => {
    const source = lines(
      'fact a: boolean "A"',
      'fact b: boolean "B"',
      'fact c: boolean "C"',
      'criterion g "G": at least 5 of {',
      '  criterion x "X": a',
      '  criterion y "Y": b',
      '  criterion z "Z": c',
      "}",
      "",
    );
    const result = compileText({ "a.pol": source });
    expect(result.diagnostics).toHaveLength(1);
    const [d] = result.diagnostics;
    expect([d.code, `${d.span.file}:${d.span.line}:${d.span.column}`, d.message, d.hint]).toEqual([
      "POL027",
      "a.pol:4:18",
      "'at least 5 of' cannot count 5 among 3 bullets",
      "give a number from 1 to 3, or add the missing bullets",
    ]);
    expectDiagnostics(source.replace("at least 5 of", "at least 3 of"), []);
  });

  it("reports a definition that depends on itself through another", () => {
    const source = lines('fact a: boolean "A"', 'define d "D": a and e', 'define e "E": d', "");
    expectDiagnostics(source, [lines("a.pol:2:8: error POL024: definition 'd' depends on itself", "  |", '2 | define d "D": a and e', "  |        ^")]);
  });

  it("reports a criterion that depends on itself", () => {
    const source = lines('fact a: boolean "A"', 'criterion c "C": a and k', 'criterion k "K": c', "");
    expectDiagnostics(source, [lines("a.pol:3:18: error POL024: criterion 'c' depends on itself", "  |", '3 | criterion k "K": c', "  |                  ^")]);
  });
});

describe("imports", () => {
  it("reports an import of a file that does not exist, with where it looked", () => {
    const files = { "sub/a.pol": lines('import "../lib/missing.pol"', 'fact x: boolean "X"', "") };
    expectDiagnostics(files, [
      lines(
        "sub/a.pol:1:1: error POL005: cannot find the imported file '../lib/missing.pol'",
        "  |",
        '1 | import "../lib/missing.pol"',
        "  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "  = looked for lib/missing.pol",
      ),
    ]);
  });

  it("reports an import cycle once, at the import that closes it", () => {
    const files = {
      "a.pol": lines('import "b.pol"', 'fact x: boolean "X"', ""),
      "b.pol": lines('import "c.pol"', 'import "a.pol"', 'fact y: boolean "Y"', ""),
      "c.pol": lines('fact z: boolean "Z"', ""),
    };
    expectDiagnostics(files, [
      lines(
        "b.pol:2:1: error POL004: import cycle: a.pol → b.pol → a.pol",
        "  |",
        '2 | import "a.pol"',
        "  | ^^^^^^^^^^^^^^",
        "  = move the shared declarations into a file both can import",
      ),
    ], ["a.pol"]);
  });

  it("names every file of a longer cycle", () => {
    const files = {
      "a.pol": lines('import "b.pol"', 'fact x: boolean "X"', ""),
      "b.pol": lines('import "c.pol"', 'fact y: boolean "Y"', ""),
      "c.pol": lines('import "a.pol"', 'fact z: boolean "Z"', ""),
    };
    expectDiagnostics(files, [
      lines(
        "c.pol:1:1: error POL004: import cycle: a.pol → b.pol → c.pol → a.pol",
        "  |",
        '1 | import "a.pol"',
        "  | ^^^^^^^^^^^^^^",
        "  = move the shared declarations into a file both can import",
      ),
    ], ["a.pol"]);
  });
});

describe("policies and overlays", () => {
  const policy = (members: string) => lines('fact x: boolean "X"', 'policy NIA_CG_300 "Test" {', members, '  requirements "R" {', '    criterion c "C": x', "  }", "}");

  it("accepts a minimal policy", () => {
    expectDiagnostics(`${policy('  version "1"')}\n`, []);
  });

  it("reports an overlay for a policy the build does not know, with a suggestion", () => {
    const source = lines(policy('  version "1"'), 'overlay WA_X "W" for NIA_CG_30 in state WA {', '  requirements "R" {', '    criterion d "D": x', "  }", "}", "");
    expectDiagnostics(source, [
      lines(
        "a.pol:8:22: error POL016: overlay 'WA_X' targets 'NIA_CG_30', which is not a policy this build knows",
        "  |",
        "8 | overlay WA_X \"W\" for NIA_CG_30 in state WA {",
        "  |                      ^^^^^^^^^",
        "  = did you mean 'NIA_CG_300'?",
      ),
    ]);
  });

  it("reports an unknown policy property with a suggestion", () => {
    expectDiagnostics(`${policy('  version "1"\n  guidline "G"')}\n`, [
      lines("a.pol:4:3: error POL017: unknown property 'guidline'", "  |", '4 |   guidline "G"', "  |   ^^^^^^^^^^^^", "  = did you mean 'guideline'?"),
    ]);
  });

  it("requires a version", () => {
    expectDiagnostics(`${policy('  guideline "G"')}\n`, [
      lines("a.pol:2:8: error POL029: policy 'NIA_CG_300' needs a version", "  |", '2 | policy NIA_CG_300 "Test" {', "  |        ^^^^^^^^^^", '  = add: version "2024"'),
    ]);
  });
});

describe("reporting", () => {
  it("reports every mistake of a file in one run, in order", () => {
    const source = lines(
      'fact pain_level: number 0 to 10 "Pain"',
      'fact onset: date "Onset"',
      'criterion a "A": pain_levl >= 6',
      'criterion b "B": pain_level >= 11',
      'criterion c "C": onset after 2024-02-30',
      "",
    );
    const result = compileText({ "a.pol": source });
    expect(result.diagnostics.map((d) => `${d.span.line}:${d.span.column} ${d.code} ${d.message}`)).toEqual([
      "3:18 POL011 unknown name 'pain_levl'",
      "4:32 POL021 11 is outside the range of 'pain_level', 0 to 10",
      "5:30 POL023 2024-02-30 is not a date in the calendar",
    ]);
  });
});
