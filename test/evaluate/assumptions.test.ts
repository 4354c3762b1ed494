/**
 * Findings charted only when present: a fact declared `absent unless documented` reads as absent
 * when the request leaves it out, the determination states the assumption where it decided
 * something, and the checker refuses the reading where it makes no sense or where what a request
 * must show would be assumed. Also: states are checked, and each overlay says why it applies or not.
 */
import { describe, expect, it } from "vitest";
import type { Determination } from "../../runtime/determination.js";
import { diagnosticsOf, evaluateSource, lines, loadPolicy } from "../support/policies.js";
import { evaluate } from "../../runtime/determine.js";
import { StateError } from "../../runtime/states.js";
import type { Policy } from "../../runtime/policy.js";

const knee = lines(
  'fact pain_months: number 0 to 600 "How many months the member has had knee pain"',
  'fact therapy_failed: boolean "Physical therapy did not relieve the pain"',
  'fact site_infection: boolean "Active infection at the injection site"',
  '  absent unless documented "A chart mentions an infection at the site only when there is one"',
  'record implant "An implant" {',
  '  date: date "Date implanted"',
  "}",
  'fact implants: list of implant "Implants near the joint" absent unless documented',
  'fact on_anticoagulants: boolean "The member takes anticoagulants"',
  "",
  'policy KNEE_1 "Knee Injections" {',
  '  version "2024"',
  '  indications "INDICATIONS" {',
  '    pathway chronic_pain "Chronic knee pain": all of {',
  '      criterion long_pain "Pain for 3 months or more": pain_months >= 3',
  '      criterion failed_pt "Failed physical therapy": therapy_failed',
  "    }",
  "  }",
  '  contraindications "CONTRAINDICATIONS" {',
  '    criterion infection "Active infection at the injection site": site_infection',
  '    criterion implant_near "An implant near the joint": count(i in implants) > 0',
  '    criterion anticoagulated "The member takes anticoagulants": on_anticoagulants',
  "  }",
  "}",
);

const complete = { date_of_service: "2024-03-15", pain_months: 4, therapy_failed: true, on_anticoagulants: false };

const run = (input: Readonly<Record<string, unknown>>, trace = true): Determination => evaluateSource(knee, input, { trace });

describe("absent unless documented", () => {
  it("reads an undocumented finding as absent and states the assumption in the guideline's words", () => {
    const d = run(complete);
    expect(d.outcome).toBe("meets");
    expect(d.missing).toEqual([]);
    expect(d.assumptions).toEqual([
      { fact: "site_infection", description: "Active infection at the injection site", value: false, statement: "Not documented, so taken as absent: Active infection at the injection site" },
      { fact: "implants", description: "Implants near the joint", value: [], statement: "Not documented, so taken as absent: Implants near the joint" },
    ]);
  });

  it("marks the value read as assumed in the trace, and only that one", () => {
    const d = run({ ...complete, site_infection: false });
    expect(d.trace.find((t) => t.id === "infection")?.values).toEqual([{ fact: "site_infection", value: false }]);
    expect(d.trace.find((t) => t.id === "implant_near")?.values).toEqual([{ fact: "implants", value: "0 entries", assumed: true }]);
    expect(d.assumptions.map((a) => a.fact)).toEqual(["implants"]);
  });

  it("states nothing when the chart documents the finding", () => {
    expect(run({ ...complete, site_infection: false, implants: [] }).assumptions).toEqual([]);
    const present = run({ ...complete, site_infection: true, implants: [] });
    expect([present.outcome, present.unmet.map((u) => u.id), present.assumptions]).toEqual(["does-not-meet", ["infection"], []]);
  });

  it("states nothing when the outcome does not rest on it (a requirement surely fails)", () => {
    const d = run({ ...complete, therapy_failed: false });
    expect(d.outcome).toBe("does-not-meet");
    expect(d.trace.find((t) => t.id === "infection")?.values).toEqual([{ fact: "site_infection", value: false, assumed: true }]);
    expect(d.assumptions).toEqual([]);
  });

  it("keeps an ordinary undocumented fact unknown, and states the assumptions beside what is missing", () => {
    const { on_anticoagulants: _, ...rest } = complete;
    const d = run(rest);
    expect(d.outcome).toBe("needs-info");
    expect(d.missing.map((m) => m.fact)).toEqual(["on_anticoagulants"]);
    expect(d.assumptions.map((a) => a.fact)).toEqual(["site_infection", "implants"]);
  });

  it("gives the same assumptions with the trace off", () => {
    for (const input of [complete, { ...complete, therapy_failed: false }, { ...complete, implants: [{ date: "2020-01-01" }] }]) {
      expect(run(input, false).assumptions).toEqual(run(input, true).assumptions);
    }
    // A contraindication that applies decides alone: the infection taken as absent decided nothing.
    expect(run({ ...complete, implants: [{ date: "2020-01-01" }] }, false)).toMatchObject({ outcome: "does-not-meet", assumptions: [] });
  });

  it("is refused on a type that has no absent value (POL046)", () => {
    expect(diagnosticsOf(lines('fact score: number 0 to 10 "Pain score" absent unless documented', 'policy P "P" {', '  version "1"', '  contraindications "C" { criterion high "High": score > 5 }', "}"))).toEqual([
      lines(
        "a.pol:1:41: error POL046: fact 'score' is a number, which has no absent value: only a yes/no fact or a list can be absent unless documented",
        "  |",
        '1 | fact score: number 0 to 10 "Pain score" absent unless documented',
        "  |                                         ^^^^^^^^^^^^^^^^^^^^^^^^",
        "  = read as absent: a boolean is false, a list has no entries; declare the finding as a boolean",
      ),
    ]);
  });

  it("is refused where an indication reads the fact (POL047), naming the criterion", () => {
    const source = lines(
      'fact therapy_failed: boolean "Physical therapy did not relieve the pain" absent unless documented',
      'policy P "P" {',
      '  version "1"',
      '  indications "INDICATIONS" {',
      '    pathway chronic "Chronic pain": all of {',
      '      criterion failed_pt "Failed physical therapy": therapy_failed',
      "    }",
      "  }",
      "}",
    );
    expect(diagnosticsOf(source)).toEqual([
      lines(
        "a.pol:1:74: error POL047: fact 'therapy_failed' is absent unless documented, but criterion 'failed_pt' in \"INDICATIONS\" of P reads it: what a request must show is never assumed",
        "  |",
        '1 | fact therapy_failed: boolean "Physical therapy did not relieve the pain" absent unless documented',
        "  |                                                                          ^^^^^^^^^^^^^^^^^^^^^^^^",
        "  = take 'absent unless documented' off, or read the finding only in exclusions, contraindications, services not covered or advisories",
        "  a.pol:6:7: criterion 'failed_pt' in \"INDICATIONS\" reads it",
      ),
    ]);
  });

  it("takes only the words absent and documented around unless", () => {
    expect(diagnosticsOf('fact a: boolean "A" absent unless documentd\n')[0].split("\n")[0]).toBe("a.pol:1:35: error POL002: expected 'documented', but found 'documentd'");
    expect(diagnosticsOf('fact a: boolean "A" absant unless documented\n')[0].split("\n")[0]).toBe(
      "a.pol:1:21: error POL002: unexpected 'absant': expected a declaration (fact, group, enum, record, define, criterion), a policy or an overlay",
    );
  });
});

describe("states", () => {
  const overlaid = lines(
    'fact disease: boolean "A known systemic inflammatory disease" absent unless documented',
    'fact guided: boolean "With fluoroscopic guidance"',
    'policy P "P" {',
    '  version "1"',
    '  requirements "R" { criterion ok "Always": true }',
    "}",
    'overlay WA_P "Washington" for P in state WA {',
    '  applies unless "Does not apply to those with a known systemic inflammatory disease": disease',
    '  requirements "WA" { criterion wa_guided "With fluoroscopic guidance": guided }',
    "}",
  );
  let loaded: Policy | undefined;
  const policyOf = (): Policy => (loaded ??= loadPolicy(overlaid, "P"));
  const at = { date_of_service: "2024-03-15", guided: true };

  it("refuses a code that is not a US state or territory, naming what was given", () => {
    expect(() => evaluate(policyOf(), at, { state: "XX" })).toThrow(new StateError("XX"));
    expect(() => evaluate(policyOf(), at, { state: "XX" })).toThrow('expected a US state or territory code such as "WA" (any case), got "XX"');
    expect(() => evaluate(policyOf(), at, { state: "Washington" })).toThrow(StateError);
  });

  it("takes any case, and territories", () => {
    expect(evaluate(policyOf(), at, { state: "wa" }).state).toBe("WA");
    expect(evaluate(policyOf(), at, { state: "pr" }).state).toBe("PR");
  });

  it("says for each overlay why it applies or not", () => {
    const reasons = (state?: string, input: Readonly<Record<string, unknown>> = at) => evaluate(policyOf(), input, { state }).overlays.map((o) => [o.applies, o.reason]);
    expect(reasons()).toEqual([["false", "No state was given; the overlay is for members in WA."]]);
    expect(reasons("OR")).toEqual([["false", "The member's state is OR; the overlay is for members in WA."]]);
    expect(reasons("WA")).toEqual([["true", "The member's state is WA, and each of its applies clauses allows it."]]);
    expect(reasons("WA", { ...at, disease: true })).toEqual([["false", 'The member\'s state is WA, but it does not apply when "Does not apply to those with a known systemic inflammatory disease".']]);
  });

  it("states the carve-out taken as absent when the overlay then decides", () => {
    const d = evaluate(policyOf(), { date_of_service: "2024-03-15", guided: false }, { state: "WA" });
    expect([d.outcome, d.unmet.map((u) => u.id), d.assumptions.map((a) => a.fact)]).toEqual(["does-not-meet", ["wa_guided"], ["disease"]]);
    // Outside Washington the carve-out decides nothing.
    expect(evaluate(policyOf(), { date_of_service: "2024-03-15", guided: false }, { state: "OR" }).assumptions).toEqual([]);
  });
});
