/**
 * Lint warnings from polc check, exactly as printed: one rule per code, the library lint-clean,
 * and the diagnostics as JSON and SARIF 2.1.0.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lint } from "../../compiler/lint/lint.js";
import { renderDiagnostic } from "../../compiler/diagnostics.js";
import { compile, lines } from "../support/policies.js";
import { kneePolicy, polc, writeCase } from "./support.js";

/** The warnings lint gives for a source (those of one code, when given), as polc check prints them, line by line. */
function warnings(source: string, code?: string): string[] {
  const result = compile(source);
  expect(result.diagnostics).toEqual([]);
  return lint(result)
    .filter((d) => code === undefined || d.code === code)
    .flatMap((d) => renderDiagnostic(d, result.sources).split("\n"));
}

const header = lines('fact score: number 0 to 10 "Pain score"', 'fact flag: boolean "Flag"', "enum kind_value { a, b }", 'fact kind: kind_value "Kind"');
const policyOf = (...body: string[]) => lines(header, 'policy P "P" {', '  version "1"', ...body, "}");

describe("lint rules", () => {
  it("POL050: a criterion whose when is false for every request", () => {
    expect(warnings(policyOf('  requirements "R" {', '    criterion c "C" when 1 > 2: flag and score >= 3 and kind = a', "  }"), "POL050")).toEqual([
      "a.pol:8:15: warning POL050: criterion 'c' can never apply: its 'when' condition is false for every request",
      "  |",
      '8 |     criterion c "C" when 1 > 2: flag and score >= 3 and kind = a',
      "  |               ^",
      "  = remove the criterion, or correct its condition",
    ]);
  });

  it("POL051: a comparison decided by the fact's range, and an in that lists every value", () => {
    expect(warnings(policyOf('  requirements "R" {', '    criterion c "C": score >= 0 and flag', '    criterion d "D": kind in {a, b} and score >= 3', "  }"), "POL051")).toEqual([
      "a.pol:8:15: warning POL051: in criterion 'c': 'score >= 0' is always true whenever it is documented (score is 0 to 10)",
      "  |",
      '8 |     criterion c "C": score >= 0 and flag',
      "  |               ^",
      "  = compare with a value inside the fact's range, or widen the range the fact declares",
      "a.pol:9:15: warning POL051: in criterion 'd': 'kind in {a, b}' is always true whenever it is documented (kind is one of a, b)",
      "  |",
      '9 |     criterion d "D": kind in {a, b} and score >= 3',
      "  |               ^",
      "  = it lists every value, or none: drop the condition, or list the values the guideline names",
    ]);
  });

  it("POL052: a list with a bullet that never holds, or asking for more bullets than can hold", () => {
    expect(warnings(policyOf('  requirements "R" {', '    criterion every_one "All": all of {', '      criterion x "X": flag', '      criterion y "Y": score > 10', "    }", "  }"), "POL052")).toEqual([
      "a.pol:8:15: warning POL052: criterion 'every_one' can never be met: it needs all of its bullets, but 'y' never holds",
      "  |",
      '8 |     criterion every_one "All": all of {',
      "  |               ^^^^^^^^^",
    ]);
    expect(warnings(policyOf('  requirements "R" {', '    criterion two "Two": at least 2 of {', '      criterion x "X": flag', '      criterion y "Y": score > 10', '      criterion z "Z": score < 0', "    }", "  }"), "POL052")).toEqual([
      "a.pol:8:15: warning POL052: criterion 'two' can never be met: it asks for at least 2 of its bullets, but only 1 can ever hold",
      "  |",
      '8 |     criterion two "Two": at least 2 of {',
      "  |               ^^^",
    ]);
  });

  it("POL053: an overlay criterion that restates or contradicts the policy's", () => {
    const source = lines(policyOf('  requirements "R" {', '    criterion base "Base": score >= 6', "  }"), 'overlay O "O" for P in state WA {', '  requirements "WA" {', '    criterion again "Again": score >= 6', '    criterion against "Against": score < 6', "  }", "}");
    expect(warnings(source, "POL053")).toEqual([
      "a.pol:13:15: warning POL053: overlay O's criterion 'again' restates P's criterion 'base': the same rule",
      "   |",
      '13 |     criterion again "Again": score >= 6',
      "   |               ^^^^^",
      "  = use base in the overlay if the state repeats it, or remove it",
      "  a.pol:8:15: P's criterion 'base' is here",
      "a.pol:14:15: warning POL053: overlay O's criterion 'against' contradicts P's criterion 'base': one is the other's negation",
      "   |",
      '14 |     criterion against "Against": score < 6',
      "   |               ^^^^^^^",
      "  a.pol:8:15: P's criterion 'base' is here",
    ]);
  });

  it("POL054 and POL055: facts no policy reads and definitions no policy uses; none for a file without policies", () => {
    const source = lines(header, "define unused_rule: flag and score >= 3", 'policy P "P" {', '  version "1"', '  requirements "R" {', '    criterion c "C": flag and score >= 3', "  }", "}", 'fact spare: boolean "Spare"');
    expect(warnings(source)).toEqual([
      "a.pol:4:6: warning POL054: fact 'kind' is read by no policy",
      "  |",
      '4 | fact kind: kind_value "Kind"',
      "  |      ^^^^",
      "  = remove it, or use it in the criterion it was declared for",
      "a.pol:5:8: warning POL055: definition 'unused_rule' is used by no policy",
      "  |",
      "5 | define unused_rule: flag and score >= 3",
      "  |        ^^^^^^^^^^^",
      "a.pol:12:6: warning POL054: fact 'spare' is read by no policy",
      "   |",
      '12 | fact spare: boolean "Spare"',
      "   |      ^^^^^",
      "  = remove it, or use it in the criterion it was declared for",
    ]);
    expect(warnings(header)).toEqual([]);
  });
});

describe("polc check with lint", () => {
  let dir: string;
  let lib: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "polc-lint-"));
    lib = join(dir, "lib");
    mkdirSync(lib);
    writeFileSync(join(lib, "knee.pol"), kneePolicy.replace('criterion infection_present "Active infection": infection', 'criterion infection_present "Active infection": infection\n    criterion too_young "Under 18": age < 18').replace('fact infection:', 'fact age: integer 0 to 120 "Age in years"\nfact infection:'));
    writeCase(lib, "knee-1/meets.json", { input: { date_of_service: "2024-06-15", pain_score: 7, therapy_start: "2024-04-01", infection: false }, expect: { outcome: "meets" } });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("warns of a fact no case file documents, when the library has a case folder; warnings alone exit 0", async () => {
    const pol = relative(process.cwd(), join(lib, "knee.pol"));
    expect(await polc("check", lib)).toEqual({
      code: 0,
      out: "no errors in 1 file, 1 warning",
      err: [`${pol}:3:6: warning POL056: fact 'age' is read by KNEE_1 but documented in none of its case files`, "  |", '3 | fact age: integer 0 to 120 "Age in years"', "  |      ^^^", "  = add a case to the policy's case folder that gives age"].join("\n"),
    });
    expect(await polc("check", lib, "--no-lint")).toEqual({ code: 0, out: "no errors in 1 file", err: "" });
  });

  it("prints diagnostics as JSON", async () => {
    const pol = relative(process.cwd(), join(lib, "knee.pol"));
    const run = await polc("check", lib, "--json");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual({
      files: 1,
      errors: 0,
      warnings: 1,
      diagnostics: [{ code: "POL056", name: "fact in no case file", severity: "warning", message: "fact 'age' is read by KNEE_1 but documented in none of its case files", file: pol, line: 3, column: 6, endLine: 3, endColumn: 9, hint: "add a case to the policy's case folder that gives age" }],
    });
  });

  it("prints SARIF 2.1.0, errors included, with every code of the catalogue as a rule", async () => {
    const broken = join(dir, "broken.pol");
    writeFileSync(broken, 'fact x: boolean "X"\nfact flag boolean "Flag"\n');
    const run = await polc("check", broken, "--format", "sarif");
    expect(run.code).toBe(1);
    const sarif = JSON.parse(run.out) as { version: string; $schema: string; runs: { tool: { driver: { name: string; rules: { id: string; defaultConfiguration: { level: string } }[] } }; results: unknown[] }[] };
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.$schema).toBe("https://json.schemastore.org/sarif-2.1.0.json");
    const driver = sarif.runs[0].tool.driver;
    expect(driver.name).toBe("polc");
    expect(driver.rules.find((r) => r.id === "POL002")!.defaultConfiguration.level).toBe("error");
    expect(driver.rules.find((r) => r.id === "POL053")!.defaultConfiguration.level).toBe("warning");
    expect(sarif.runs[0].results).toEqual([
      {
        ruleId: "POL002",
        ruleIndex: driver.rules.findIndex((r) => r.id === "POL002"),
        level: "error",
        message: { text: "expected ':', but found 'boolean'" },
        locations: [{ physicalLocation: { artifactLocation: { uri: relative(process.cwd(), broken), uriBaseId: "%SRCROOT%" }, region: { startLine: 2, startColumn: 11, endLine: 2, endColumn: 18 } } }],
      },
    ]);
    expect(await polc("check", broken, "--format", "xml")).toEqual({ code: 2, out: "", err: "polc: --format expects one of text, json, sarif, not 'xml'" });
  });

  it("finds the policy library lint-clean", async () => {
    expect(await polc("check", "policies")).toEqual({ code: 0, out: "no errors in 20 files", err: "" });
  });
});
