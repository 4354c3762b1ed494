/**
 * One mistake, one error: what would only echo a syntax error (unknown names the broken code may
 * declare, uses of a broken declaration, everything in the files that import a broken file) is
 * not reported until the mistake is fixed; independent mistakes still are (limits.test.ts).
 */
import { describe, expect, it } from "vitest";
import { compileText } from "../../compiler/compile.js";

function errors(files: Record<string, string>): string[] {
  return compileText(files)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => `${d.code} ${d.span.file}:${d.span.line}:${d.span.column} ${d.message}${d.hint ? ` (${d.hint})` : ""}`);
}

const shared = [
  'enum kind { injection, surgery }',
  'record procedure "P" {',
  '  date: date "D"',
  '  kind: kind "K"',
  "}",
  'fact procedures: list of procedure "H"',
  'define injections "Injections": count(p in procedures where p.kind = injection)',
  "",
].join("\n");

const user = [
  'import "shared.pol"',
  'fact pain: number 0 to 10 "Pain"',
  'criterion few "Few injections": injections < 3',
  'criterion severe "Severe": pain >= 6',
  "",
].join("\n");

describe("errors that do not cascade", () => {
  it("gives the files that import a broken file none of the checker's echoes", () => {
    const broken = shared.replace("define injections", "define injections injections");
    expect(errors({ "shared.pol": broken, "user.pol": user })).toEqual([
      `POL002 shared.pol:7:19 expected ':', but found 'injections'`,
    ]);
    // Fixed, the file that imports it is checked again.
    expect(errors({ "shared.pol": shared, "user.pol": user.replace("pain >= 6", "pain >= 11") })).toEqual([
      "POL021 user.pol:4:36 11 is outside the range of 'pain', 0 to 10 (check the number against the guideline)",
    ]);
  });

  it("does not report the names a broken import would have brought", () => {
    expect(errors({ "shared.pol": shared, "user.pol": user.replace('import "shared.pol"', '"shared.pol"') })).toEqual([
      `POL002 user.pol:1:1 unexpected '"shared.pol"': expected a declaration (fact, group, enum, record, define, criterion), a policy or an overlay`,
    ]);
    expect(errors({ "user.pol": user.replace("shared.pol", "shraed.pol") })).toEqual([`POL005 user.pol:1:1 cannot find the imported file 'shraed.pol' (looked for shraed.pol)`]);
  });

  it("does not report a name whose declaration is broken, nor a use of a broken definition as a type mismatch", () => {
    const own = [
      'fact pain: number 0 to 10 "Pain"',
      'define severe "Severe" pain >= 6', // ':' left out
      'criterion c "C": severe and pain >= 3',
      "",
    ].join("\n");
    expect(errors({ "a.pol": own })).toEqual([`POL002 a.pol:2:24 expected ':', but found 'pain'`]);
    const brokenType = [
      'fact pain: number 0 to 10 "Pain"',
      'define score "Score": (pain + 1', // ')' left out
      'criterion c "C": score >= 3',
      "",
    ].join("\n");
    expect(errors({ "a.pol": brokenType })).toEqual([`POL002 a.pol:3:1 expected ')', but found 'criterion'`]);
  });

  it("does not check uses of a fact, group member or record field whose declaration is broken", () => {
    const source = [
      'fact age: number 0 to "Age"', // the upper bound left out
      'group assessment "A" {',
      '  fact done: boolean "Done"',
      '  fact : boolean "Ability"', // the name left out
      "}",
      'record visit "V" {',
      '  date: date "D"',
      '  score number "S"', // ':' left out
      "}",
      'fact visits: list of visit "Visits"',
      'criterion c "C": age >= 45 and assessment.ability and count(v in visits where v.score >= 3) > 0',
      "",
    ].join("\n");
    expect(errors({ "a.pol": source })).toEqual([
      `POL002 a.pol:1:23 expected a number, but found '"Age"'`,
      "POL002 a.pol:4:8 expected a name, but found ':'",
      "POL002 a.pol:8:9 expected ':', but found 'number'",
    ]);
  });

  it("reports a file cut short once, at its end", () => {
    const cut = user.slice(0, user.indexOf("pain >= 6")) + "pain >=";
    expect(errors({ "shared.pol": shared, "user.pol": cut })).toEqual([`POL002 user.pol:4:35 expected a value: a fact, a number, a date, true, false, a question over a list, or '(', but found the end of the file`]);
  });

  it("names a misspelt word once, without the list it empties", () => {
    const list = [
      'fact a: boolean "A"',
      'policy P "P" {',
      '  version "1"',
      '  indications "I" {',
      '    critrion c "C": a',
      "  }",
      "}",
      "",
    ].join("\n");
    expect(errors({ "p.pol": list })).toEqual([`POL006 p.pol:5:5 unknown word 'critrion' (did you mean 'criterion'?)`]);
  });

  it("does not take the choices compared with an unknown name for more unknown names", () => {
    expect(errors({ "shared.pol": shared, "b.pol": 'import "shared.pol"\ncriterion c "C": count(p in procedures where pkind = surgery) = 0\n' })).toEqual([
      "POL011 b.pol:2:46 unknown name 'pkind' (did you mean 'kind'?)",
    ]);
  });

  it("does not look for names in an overlay of a policy the build does not know", () => {
    expect(errors({ "o.pol": 'overlay WA_P "WA" for P in state WA {\n  requirements "R" {\n    criterion c "C": pain >= 3\n  }\n}\n' })).toEqual([
      "POL016 o.pol:1:23 overlay 'WA_P' targets 'P', which is not a policy this build knows (import the policy's file)",
    ]);
  });

  it("tells a count compared with a duration to drop the unit, and a plain number beside a duration to take one", () => {
    const count = 'import "shared.pol"\ncriterion c "C": injections = 0 days\n';
    expect(errors({ "shared.pol": shared, "c.pol": count })).toEqual([
      "POL034 c.pol:2:29 cannot compare a number with a duration (this is a number (a count or a score), not a length of time: write 0 without a unit)",
    ]);
    const duration = 'fact d: duration "D"\ncriterion c "C": d >= 3\n';
    expect(errors({ "d.pol": duration })).toEqual(["POL034 d.pol:2:20 cannot compare a duration with a number (give the number a unit, like 3 months)"]);
  });
});
