/**
 * POL057: the numbers, units and comparison words of a wording against its rule, exactly as
 * polc check prints the warning; a deliberate difference marked with `reading of "…": "…"`.
 */
import { describe, expect, it } from "vitest";
import { lint } from "../../compiler/lint/lint.js";
import { renderDiagnostic } from "../../compiler/diagnostics.js";
import { wordingQuantities } from "../../compiler/lint/wording-drift.js";
import { compile, lines } from "../support/policies.js";

function warnings(source: string): string[] {
  const result = compile(source);
  expect(result.diagnostics).toEqual([]);
  return lint(result)
    .filter((d) => d.code === "POL057")
    .flatMap((d) => renderDiagnostic(d, result.sources).split("\n"));
}

const header = lines('fact pain_duration: duration "How long the pain has lasted"', 'fact relief: percent "Relief"', 'fact score: number 0 to 10 "Pain score"');
const policyOf = (...body: string[]) => lines(header, 'policy P "P" {', '  version "1"', '  requirements "R" {', ...body, "  }", "}");

describe("POL057: wording and rule disagree", () => {
  it("warns when the rule's number is not the wording's (the wording says < 3 months, the rule 4 months)", () => {
    expect(warnings(policyOf('    criterion acute "Duration of pain < 3 months": pain_duration < 4 months'))).toEqual([
      "a.pol:7:15: warning POL057: in criterion 'acute': the wording says '< 3 months', but the rule has no 3 months (it has 4 months)",
      "  |",
      '7 |     criterion acute "Duration of pain < 3 months": pain_duration < 4 months',
      "  |               ^^^^^",
      '  = make the rule say what the wording says; if the difference is meant, say why with reading of "…": "…" before it',
    ]);
  });

  it("warns when the rule bounds the number the other way (at least 3 months, rule < 3 months)", () => {
    expect(warnings(policyOf('    criterion chronic "Pain for at least 3 months": pain_duration < 3 months', '    criterion severe "Pain of ≥ 6 on a scale of 0 to 10": not (score >= 6)'))).toEqual([
      "a.pol:7:15: warning POL057: in criterion 'chronic': the wording says 'at least 3 months' (at least), but the rule tests less than 3 months",
      "  |",
      '7 |     criterion chronic "Pain for at least 3 months": pain_duration < 3 months',
      "  |               ^^^^^^^",
      '  = make the rule say what the wording says; if the difference is meant, say why with reading of "…": "…" before it',
      "a.pol:8:15: warning POL057: in criterion 'severe': the wording says '≥ 6' (at least), but the rule tests less than 6",
      "  |",
      '8 |     criterion severe "Pain of ≥ 6 on a scale of 0 to 10": not (score >= 6)',
      "  |               ^^^^^^",
      '  = make the rule say what the wording says; if the difference is meant, say why with reading of "…": "…" before it',
    ]);
  });

  it("takes equal durations in other units, strictness aside, numbers in the definitions the rule uses, and percentages", () => {
    const source = lines(
      header,
      'define lasted(minimum: duration): pain_duration >= minimum',
      'policy P "P" {',
      '  version "1"',
      '  requirements "R" {',
      '    criterion a "A minimum of 2 weeks": pain_duration >= 14 days',
      '    criterion b "Pain of 1 year or more": pain_duration > 12 months',
      '    criterion c "No more than 6 weeks": lasted(6 weeks) unless relief >= 50%',
      '    criterion d "At least 50% relief in a 12-month period": relief >= 50%',
      "  }",
      "}",
    );
    expect(warnings(source)).toEqual([
      "a.pol:11:15: warning POL057: in criterion 'd': the wording says '12-month', but the rule has no 12 months (it has 50)",
      "   |",
      '11 |     criterion d "At least 50% relief in a 12-month period": relief >= 50%',
      "   |               ^",
      '  = make the rule say what the wording says; if the difference is meant, say why with reading of "…": "…" before it',
    ]);
  });

  it("leaves a part of the wording marked with reading of \"…\" alone, and warns when the wording does not contain it", () => {
    const source = policyOf(
      '    reading of "less than 2-3 months relief": "relief shorter than 3 months, the upper end of the range"',
      '    criterion short "Relief of less than 2-3 months relief and at least 50%": pain_duration < 3 months and relief >= 50%',
      '    reading of "4 weeks": "not in the wording"',
      '    criterion other "At least 50%": relief >= 50%',
    );
    expect(warnings(source)).toEqual([
      "a.pol:10:15: warning POL057: in criterion 'other': a reading is of '4 weeks', which the wording does not contain",
      "   |",
      '10 |     criterion other "At least 50%": relief >= 50%',
      "   |               ^^^^^",
      "  = quote the part of the wording the reading is about, word for word",
    ]);
  });

  it("reads numbers with units, ranges, spelled numbers and bare numbers after a sign, and nothing else", () => {
    const found = wordingQuantities("grade > 2 bilaterally, C3-4 through C6-7, 2-3 months, two years, ONE of the following, 30 % relief for 6 weeks or longer, NIA_CG_300 [39]");
    expect(found.map((q) => [q.text, q.values, q.unit, q.direction])).toEqual([
      ["> 2", [2], undefined, "lower"],
      ["2-3 months", [2, 3], "months", undefined],
      ["two years", [2], "years", undefined],
      ["30 %", [30], "percent", undefined],
      ["6 weeks or longer", [6], "weeks", "lower"],
    ]);
  });
});
