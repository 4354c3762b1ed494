/**
 * The constructs a Medicare LCD needs, each through the generated code: refer for review,
 * advisories, service lines, counting one per key and in any window, spinal levels, hours,
 * multiplication and percent change, if and case.
 */
import { describe, expect, it } from "vitest";
import type { Determination } from "../../runtime/determination.js";
import { evaluateSource, expectDetermination, expectDiagnostics, lines } from "../support/policies.js";
import { InputError } from "../../runtime/validate.js";

const header = `
enum kind { mbb, rfa }
enum agent { lidocaine, bupivacaine, mepivacaine }
record block "A block" {
  date: date "Date"
  kind: kind "Kind"
  levels: spinal_levels "Levels"
  relief: duration "How long relief lasted"
  agent: agent "Anesthetic"
  pain_before: number 0 to 10 "Pain before"
  pain_after: number 0 to 10 "Pain after"
}
fact blocks: list of block "Prior blocks"
fact requested: spinal_levels "Requested levels"
fact exception: boolean "Clinical circumstances for an exception are documented"
fact sedation: boolean "Moderate sedation is requested"
fact device: boolean "An implanted electrical device"
`;

function run(members: string, input: Readonly<Record<string, unknown>>, definitions = ""): Determination {
  return evaluateSource(`${header}${definitions}\npolicy P "Probe" {\n  version "1"\n${members}\n}\n`, { date_of_service: "2024-06-01", ...input });
}

const requirement = (rule: string) => `  requirements "R" {\n    criterion rule "The rule": ${rule}\n  }`;

const block = (date: string, more: Readonly<Record<string, unknown>> = {}) => ({ date, kind: "mbb", ...more });

describe("refer for review", () => {
  const spacing = requirement(`time since latest(p in blocks).date >= 2 weeks
      or refer "Clinical circumstances that necessitate an exception to the two-week duration may be considered on an individual basis" when exception`);

  it("holds when the rule does; refers when the rule fails and the condition holds; fails when both fail", () => {
    expectDetermination(run(spacing, { blocks: [block("2024-05-01")], exception: true }), { outcome: "meets" });
    const referred = run(spacing, { blocks: [block("2024-05-25")], exception: true });
    expect([referred.outcome, referred.referrals, referred.missing]).toEqual([
      "refer-for-review",
      [{ clause: "Clinical circumstances that necessitate an exception to the two-week duration may be considered on an individual basis", refs: "" }],
      [],
    ]);
    expect(referred.reasons).toEqual(["Refer for clinical review: Clinical circumstances that necessitate an exception to the two-week duration may be considered on an individual basis"]);
    expectDetermination(run(spacing, { blocks: [block("2024-05-25")], exception: false }), { outcome: "does-not-meet", unmet: ["rule"] });
  });

  it("asks for the facts first: an undocumented condition is needs-info", () => {
    expectDetermination(run(spacing, { blocks: [block("2024-05-25")] }), { outcome: "needs-info", missing: ["exception"] });
  });

  it("never excuses another criterion that surely fails", () => {
    const body = `${spacing}\n  requirements "More" { criterion other "Another": false }`;
    expectDetermination(run(body, { blocks: [block("2024-05-25")], exception: true }), { outcome: "does-not-meet", unmet: ["other"] });
  });
});

describe("advisories", () => {
  const body = `${requirement("true")}
  advisories "Limitations" {
    criterion device_note "In patients with implanted electrical devices, providers must follow manufacturer instructions": device
  }`;

  it("flag an item that applies, without changing the outcome", () => {
    const d = run(body, { device: true });
    expect([d.outcome, d.advisories.map((a) => a.id), d.reasons]).toEqual([
      "meets",
      ["device_note"],
      ["Meets the guideline's criteria.", "Advisory: In patients with implanted electrical devices, providers must follow manufacturer instructions"],
    ]);
  });

  it("ask for nothing when undocumented", () => {
    const d = run(body, {});
    expect([d.outcome, d.advisories, d.missing]).toEqual(["meets", [], []]);
  });
});

describe("service lines", () => {
  const body = `${requirement("true")}
  service sedation_line "Moderate sedation" when sedation {
    contraindications "Limitations" {
      criterion no_sedation "Use of Moderate or Deep Sedation is not considered medically reasonable and necessary during facet injections": true
    }
  }`;

  it("each has an outcome of its own; the request as a whole takes the weightiest", () => {
    const d = run(body, { sedation: true });
    expect(d.lines.map((l) => [l.id, l.outcome, l.unmet.map((u) => u.id)])).toEqual([
      ["P", "meets", []],
      ["sedation_line", "does-not-meet", ["no_sedation"]],
    ]);
    expect([d.outcome, d.unmet.map((u) => u.id)]).toEqual(["does-not-meet", ["no_sedation"]]);
    expect(d.reasons).toEqual(["Probe: Meets the guideline's criteria.", "Moderate sedation: Recommendation for clinical review, not a denial: the request does not meet the guideline as documented; only a clinician may deny it.", "Moderate sedation: Contraindication: Use of Moderate or Deep Sedation is not considered medically reasonable and necessary during facet injections"]);
  });

  it("a line the request does not ask for is left out", () => {
    const d = run(body, { sedation: false });
    expect([d.outcome, d.lines]).toEqual(["meets", []]);
  });

  it("a line the request may ask for decides nothing until that is documented", () => {
    const d = run(body, {});
    expect([d.outcome, d.missing.map((m) => m.fact), d.lines.map((l) => [l.id, l.requested, l.outcome])]).toEqual([
      "needs-info",
      ["sedation"],
      [
        ["P", "true", "meets"],
        ["sedation_line", "unknown", "needs-info"],
      ],
    ]);
  });
});

describe("counting one per key", () => {
  const sessions = (n: number) => requirement(`count(p in blocks where p.date within last 12 months, one per p.date) < ${n}`);

  it("counts every entry of one date of service as one session, however many", () => {
    const three = [block("2024-05-01"), block("2024-05-01"), block("2024-05-01"), block("2024-04-01")];
    expectDetermination(run(sessions(3), { blocks: three }), { outcome: "meets" });
    expectDetermination(run(sessions(2), { blocks: three }), { outcome: "does-not-meet" });
  });

  it("an entry that may or may not count makes a range, decided when the whole range agrees", () => {
    const body = requirement(`count(p in blocks where p.kind = mbb, one per p.date) < 3`);
    const blocks = [block("2024-05-01"), block("2024-04-01", { kind: null }), block("2024-04-01", { kind: null })];
    // The two undocumented entries are one date: at most 2 sessions.
    expectDetermination(run(body, { blocks }), { outcome: "meets" });
    const tight = requirement(`count(p in blocks where p.kind = mbb, one per p.date) < 2`);
    expectDetermination(run(tight, { blocks }), { outcome: "needs-info", missing: ["blocks[1].kind", "blocks[2].kind"] });
  });

  it("several keys: one per date and level", () => {
    const body = requirement(`count(p in blocks, one per p.date and p.levels) = 2`);
    const blocks = [block("2024-05-01", { levels: "L4-5" }), block("2024-05-01", { levels: "L4-L5" }), block("2024-05-01", { levels: "L5-S1" })];
    expectDetermination(run(body, { blocks }), { outcome: "meets" });
  });

  it("in any window: the most in any 12 months, wherever the window falls", () => {
    const body = requirement(`count(p in blocks, one per p.date, in any 12 months) <= 2`);
    // Three sessions within 12 months of each other in 2022, two since.
    const old = [block("2022-01-10"), block("2022-06-01"), block("2022-12-01"), block("2024-01-01"), block("2024-05-01")];
    expectDetermination(run(body, { blocks: old }), { outcome: "does-not-meet" });
    // A window is 12 months from its first session: 2022-01-10 and 2023-01-10 are not in one.
    const apart = [block("2022-01-10"), block("2022-06-01"), block("2023-01-10")];
    expectDetermination(run(body, { blocks: apart }), { outcome: "meets" });
  });

  it("is refused with counting two entries as one, and outside count", () => {
    expectDiagnostics(
      `${header}\ndefine x "x": exists(p in blocks, one per p.date)\n`,
      [
        lines(
          "a.pol:19:43: error POL066: only count can count one per key",
          "   |",
          '19 | define x "x": exists(p in blocks, one per p.date)',
          "   |                                           ^^^^^^",
        ),
      ],
    );
  });
});

describe("spinal levels", () => {
  it("reads the spellings charts use as one level", () => {
    const body = requirement(`exists(p in blocks where same_level(p.levels, requested))`);
    for (const spelling of ["L4-L5", "L4/5", "l4-5", "L4–5", ["L4-5"]]) {
      expectDetermination(run(body, { requested: "L4-5", blocks: [block("2024-05-01", { levels: spelling })] }), { outcome: "meets" });
    }
    expectDetermination(run(body, { requested: "L4-5", blocks: [block("2024-05-01", { levels: "L5-S1" })] }), { outcome: "does-not-meet" });
  });

  it("counts, compares and measures sets of levels", () => {
    const cases: [string, string, boolean][] = [
      [`level_count(requested) <= 2`, "L3-4, L4-5", true],
      [`level_count(requested) <= 2`, "L3-4, L4-5, L5-S1", false],
      [`adjacent_level(requested, "L5-S1")`, "L4-5", true],
      [`adjacent_level(requested, "L5-S1")`, "L3-4", false],
      [`levels_apart(requested, "C7-T1") = 2`, "C5-6", true],
      [`levels_within(requested, level_range("C3-4", "C6-7"))`, "C4-5, C5-6", true],
      [`levels_within(requested, level_range("C3-4", "C6-7"))`, "C2-3", false],
      [`requested = "L5-S1"`, "L5/S1", true],
    ];
    for (const [rule, requested, met] of cases) {
      expectDetermination(run(requirement(rule), { requested }), { outcome: met ? "meets" : "does-not-meet" });
    }
  });

  it("an unreadable level in the request is an input error naming the field", () => {
    expect(() => run(requirement("level_count(requested) = 1"), { requested: "L3-5" })).toThrow(InputError);
    try {
      run(requirement("level_count(requested) = 1"), { requested: "L3-5" });
    } catch (e) {
      expect((e as InputError).problems).toEqual([{ path: "requested", message: '"L3-5" is not one level: its vertebrae are not next to each other; write each level, like "L3-4, L4-5"' }]);
    }
  });

  it("an unreadable level in a policy is POL040", () => {
    expectDiagnostics(`${header}\ndefine x "x": requested = "L9-10"\n`, [
      lines(
        "a.pol:19:27: error POL040: \"L9-10\" names a vertebra that does not exist (C1-C7, T1-T12, L1-L5, S1)",
        "   |",
        '19 | define x "x": requested = "L9-10"',
        "   |                           ^^^^^^^",
      ),
    ]);
  });
});

describe("hours, arithmetic and percent change", () => {
  it("compares hours with hours and with days exactly", () => {
    const body = requirement(`every(p in blocks: p.relief >= 3 hours and p.relief < 1 day)`);
    expectDetermination(run(body, { blocks: [block("2024-05-01", { relief: { amount: 180, unit: "minutes" } })] }), { outcome: "meets" });
    expectDetermination(run(body, { blocks: [block("2024-05-01", { relief: { amount: 2.5, unit: "hour" } })] }), { outcome: "does-not-meet" });
  });

  it("percent_reduction: at least 80% relief from the baseline score", () => {
    const body = requirement(`every(p in blocks: percent_reduction(p.pain_before, p.pain_after) >= 80%)`);
    expectDetermination(run(body, { blocks: [block("2024-05-01", { pain_before: 10, pain_after: 2 })] }), { outcome: "meets" });
    expectDetermination(run(body, { blocks: [block("2024-05-01", { pain_before: 10, pain_after: 3 })] }), { outcome: "does-not-meet" });
    expectDetermination(run(body, { blocks: [block("2024-05-01", { pain_before: 10 })] }), { outcome: "needs-info", missing: ["blocks[0].pain_after"] });
  });

  it("* and / on numbers and durations, with units checked", () => {
    expectDetermination(run(requirement(`latest(p in blocks).relief * 2 >= 6 hours and latest(p in blocks).pain_before / 2 = 4`), { blocks: [block("2024-05-01", { relief: { amount: 3, unit: "hours" }, pain_before: 8 })] }), {
      outcome: "meets",
    });
    expectDiagnostics(`${header}\ndefine x "x": latest(p in blocks).pain_before * 50% > 1\n`, [
      lines(
        "a.pol:19:47: error POL037: cannot multiply a number from 0 to 10 by a percentage",
        "   |",
        '19 | define x "x": latest(p in blocks).pain_before * 50% > 1',
        "   |                                               ^",
        "  = for a change from a baseline, use percent_change(baseline, value) or percent_reduction(baseline, value)",
      ),
    ]);
  });
});

describe("if and case", () => {
  const table = `define expected_relief(a: agent) "Duration of relief consistent with the agent used": case a { lidocaine or mepivacaine: 1 hour, bupivacaine: 3 hours }`;
  const body = requirement(`every(p in blocks: p.relief >= expected_relief(p.agent))`);

  it("a case over an enum is a lookup table", () => {
    expectDetermination(run(body, { blocks: [block("2024-05-01", { agent: "lidocaine", relief: { amount: 90, unit: "minutes" } })] }, table), { outcome: "meets" });
    expectDetermination(run(body, { blocks: [block("2024-05-01", { agent: "bupivacaine", relief: { amount: 2, unit: "hours" } })] }, table), { outcome: "does-not-meet" });
  });

  it("an undocumented subject is unknown only when the arms could differ", () => {
    expectDetermination(run(body, { blocks: [block("2024-05-01", { relief: { amount: 2, unit: "hours" } })] }, table), { outcome: "needs-info", missing: ["blocks[0].agent"] });
    // Arms that come to the same length (1 hour, 60 minutes) need no agent.
    const same = `define same_relief(a: agent) "x": case a { lidocaine: 1 hour, bupivacaine or mepivacaine: 60 minutes }`;
    const sameBody = requirement(`every(p in blocks: p.relief >= same_relief(p.agent))`);
    expectDetermination(run(sameBody, { blocks: [block("2024-05-01", { relief: { amount: 1, unit: "hours" } })] }, same), { outcome: "meets" });
  });

  it("if: both branches agree, so an undocumented condition does not matter", () => {
    expectDetermination(run(requirement(`(if exception then 3 else 3) = 3`), {}), { outcome: "meets" });
    expectDetermination(run(requirement(`(if exception then 3 else 4) = 3`), {}), { outcome: "needs-info", missing: ["exception"] });
  });

  it("a case without an arm for every value, and without else, is POL041", () => {
    expectDiagnostics(`${header}\ndefine x(a: agent) "x": case a { lidocaine: 1 hour }\n`, [
      lines(
        "a.pol:19:25: error POL041: this case has no arm for 'bupivacaine', 'mepivacaine'",
        "   |",
        '19 | define x(a: agent) "x": case a { lidocaine: 1 hour }',
        "   |                         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "  = add an arm for each, or an 'else:' arm",
      ),
    ]);
  });
});
