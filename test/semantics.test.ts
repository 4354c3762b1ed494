/**
 * Evaluation semantics that are easy to get wrong: uncertainty through history questions,
 * entries that do not exist, and the shape of what counts as a checked item.
 */
import { describe, expect, it } from "vitest";
import { compileText } from "../compiler/compile.js";
import { evaluateProgram } from "../runtime/evaluate.js";
import type { Determination } from "../runtime/determination.js";

const header = `
enum region { cervical, lumbar }
record visit { date: date "Date" region: region "Region" }
fact visits: list of visit "Visits"
`;

function run(body: string, input: Record<string, unknown>): Determination {
  const result = compileText({ "p.pol": `${header}\npolicy P "Probe" {\n  version "1"\n  requirements "R" {\n${body}\n  }\n}\n` });
  expect(result.diagnostics.map((d) => d.message)).toEqual([]);
  return evaluateProgram(result.policies[0].program, { date_of_service: "2024-06-01", ...input });
}

const result = (d: Determination, id: string) => d.trace.find((t) => t.id === id)?.result;

describe("history questions under uncertainty", () => {
  const visits = (middleRegion: string | null) => [
    { date: "2023-01-01", region: "lumbar" },
    { date: "2021-06-01", region: middleRegion },
    { date: "2019-09-01", region: "lumbar" },
  ];
  const body = `    criterion run_of_three "three in the run": count(p in recent_run(select(v in visits where v.region = lumbar), 2 years)) >= 3`;

  it("an entry that may belong to the list may bridge a gap: the answer is unknown, naming its fact", () => {
    const d = run(body, { visits: visits(null) });
    expect(result(d, "run_of_three")).toBe("unknown");
    expect(d.missing.map((m) => m.fact)).toEqual(["visits[1].region"]);
  });

  it("once the entry is known not to belong, the run stops at the gap", () => {
    expect(result(run(body, { visits: visits("cervical") }), "run_of_three")).toBe("false");
    expect(result(run(body, { visits: visits("lumbar") }), "run_of_three")).toBe("true");
  });

  const merged = `    criterion one_visit "one visit": count(p in visits where p.region = lumbar, counting p and q as one when time between p.date and q.date < 7 days) = 1
    criterion two_visits "two visits": count(p in visits where p.region = lumbar, counting p and q as one when time between p.date and q.date < 7 days) = 2`;
  const week = (middle: string | null) => [
    { date: "2023-01-01", region: "lumbar" },
    { date: "2023-01-07", region: middle },
    { date: "2023-01-13", region: "lumbar" },
  ];

  it("counting two entries as one pairs each entry with at most one other", () => {
    // Three visits a week apart: the first two pair, the third counts on its own.
    const d = run(merged, { visits: week("lumbar") });
    expect([result(d, "one_visit"), result(d, "two_visits")]).toEqual(["false", "true"]);
  });

  it("an uncertain entry leaves the count unknown only when it could change it", () => {
    // Whether or not the middle visit is lumbar, the count is 2.
    expect(result(run(merged, { visits: week(null) }), "two_visits")).toBe("true");
    const close = [
      { date: "2023-01-01", region: "lumbar" },
      { date: "2023-02-01", region: null },
    ];
    const d = run(merged, { visits: close });
    expect(result(d, "one_visit")).toBe("unknown");
    expect(d.missing.map((m) => m.fact)).toEqual(["visits[1].region"]);
  });

  it("counting two entries as one takes them in date order, whatever the order of the list", () => {
    const asc = [
      { date: "2023-01-01", region: "lumbar" },
      { date: "2023-01-05", region: "lumbar" },
    ];
    expect(result(run(merged, { visits: asc }), "one_visit")).toBe("true");
    expect(result(run(merged, { visits: [...asc].reverse() }), "one_visit")).toBe("true");
  });
});

describe("an entry that does not exist", () => {
  const body = `
    criterion ne "ne": latest(p in visits).region != lumbar
    criterion notin "notin": latest(p in visits).region not in {lumbar}
    criterion negated "negated": not (time since latest(p in visits).date < 2 weeks)
    criterion is_known "known": latest(p in visits) is known`;

  it("every comparison with it is false, and only an explicit not turns that around", () => {
    const d = run(body, { visits: [] });
    expect([result(d, "ne"), result(d, "notin"), result(d, "negated"), result(d, "is_known")]).toEqual(["false", "false", "true", "false"]);
  });
});

describe("what the checker accepts", () => {
  it("a named note without a rule is text, not a checked item", () => {
    const source = `fact a: boolean "A"\npolicy P "P" {\n  version "1"\n  exclusions "E" {\n    note heading "These requests are excluded:"\n    criterion x "X": a\n  }\n}\n`;
    const compiled = compileText({ "p.pol": source });
    expect(compiled.diagnostics).toEqual([]);
    const d = evaluateProgram(compiled.policies[0].program, { date_of_service: "2024-01-01", a: false });
    expect(d.outcome).toBe("meets");
  });

  it("a fact cannot hold a single record", () => {
    const compiled = compileText({ "p.pol": `record r { date: date "D" }\nfact single: r "One"\n` });
    expect(compiled.diagnostics.map((d) => `${d.code} ${d.message} (${d.hint})`)).toEqual([
      "POL012 a fact cannot hold a single r (use 'list of r', or a group of facts)",
    ]);
  });

  it("CPT codes may mix digits and letters", () => {
    const compiled = compileText({ "p.pol": `policy P "P" {\n  version "1"\n  cpt "Category III": 0213T, +0214T\n}\n` });
    expect(compiled.diagnostics).toEqual([]);
    expect(compiled.policies[0].policy.cpt[0].codes).toEqual([
      { code: "0213T", addOn: false },
      { code: "0214T", addOn: true },
    ]);
  });

  it("a reserved word used as a name is called one", () => {
    const compiled = compileText({ "p.pol": `criterion known "K": true\n` });
    expect(compiled.diagnostics.map((d) => `${d.message} / ${d.hint}`)).toEqual([
      "expected a name, but found 'known' / 'known' is a word of the language and cannot be a name; choose another, like known_value",
    ]);
  });

  it("a quoted text in a condition compares with a text fact", () => {
    const compiled = compileText({ "p.pol": `fact level: text "Level"\npolicy P "P" {\n  version "1"\n  requirements "R" {\n    criterion c "C3-4": level = "C3-4"\n  }\n}\n` });
    expect(compiled.diagnostics).toEqual([]);
    const outcome = (level: string) => evaluateProgram(compiled.policies[0].program, { date_of_service: "2024-01-01", level }).outcome;
    expect([outcome("C3-4"), outcome("C5-6")]).toEqual(["meets", "does-not-meet"]);
  });

  it("an exclusion or contraindication whose 'when' does not hold does not apply", () => {
    const source = `fact trial: boolean "Trial"\nfact habitus: boolean "Habitus"\npolicy P "P" {\n  version "1"\n  contraindications "C" {\n    criterion body "Body habitus" when trial: habitus\n  }\n}\n`;
    const compiled = compileText({ "p.pol": source });
    expect(compiled.diagnostics).toEqual([]);
    const outcome = (input: Record<string, unknown>) => evaluateProgram(compiled.policies[0].program, { date_of_service: "2024-01-01", ...input }).outcome;
    expect([outcome({ trial: false, habitus: true }), outcome({ trial: true, habitus: true }), outcome({ habitus: false }), outcome({ habitus: true })]).toEqual([
      "meets",
      "does-not-meet",
      "meets",
      "needs-info",
    ]);
  });
});

describe("the trace", () => {
  // A definition read by two criteria, a bullet list, and a history question.
  const body = `    criterion recent "a recent lumbar visit": exists(v in lumbar_visits where v.date within last 1 years)
    criterion any_visit "any lumbar visit": count(v in lumbar_visits) >= 1
    criterion both "both": all of "both bullets" {
      use recent
      criterion flagged "flagged": flag
    }`;
  const policy = (input: Record<string, unknown>) => {
    const result = compileText({
      "p.pol": `${header}\nfact flag: boolean "Flag"\ndefine lumbar_visits "Lumbar visits": select(v in visits where v.region = lumbar)\npolicy P "Probe" {\n  version "1"\n  requirements "R" {\n${body}\n  }\n}\n`,
    });
    expect(result.diagnostics.map((d) => d.message)).toEqual([]);
    return evaluateProgram(result.policies[0].program, { date_of_service: "2024-06-01", ...input });
  };

  it("gives each criterion the facts it read, through definitions and bullets, in the order first read", () => {
    const d = policy({ flag: true, visits: [{ date: "2024-01-01", region: "lumbar" }, { date: "2020-01-01", region: "cervical" }] });
    const values = Object.fromEntries(d.trace.map((t) => [t.id, t.values]));
    const definitionReads = { visits: "2 entries", "visits[0].region": "lumbar", "visits[1].region": "cervical" };
    expect(values.recent).toEqual({ ...definitionReads, "visits[0].date": "2024-01-01" });
    expect(Object.keys(values.recent)).toEqual(["visits", "visits[0].region", "visits[1].region", "visits[0].date"]);
    // The definition was worked out for `recent`; `any_visit` is given what it read all the same.
    expect(values.any_visit).toEqual(definitionReads);
    // A bullet list sees what its bullets read when it evaluates them first; `recent` was already known.
    expect(values.both).toEqual({ flag: true });
    expect(values.flagged).toEqual({ flag: true });
    expect(d.trace.map((t) => [t.id, t.result])).toEqual([
      ["recent", "true"],
      ["any_visit", "true"],
      ["both", "true"],
      ["flagged", "true"],
    ]);
  });

  it("records an undocumented fact as null", () => {
    const d = policy({ visits: [{ date: "2024-01-01" }] });
    expect(d.trace.find((t) => t.id === "recent")!.values).toEqual({ visits: "1 entry", "visits[0].region": null, "visits[0].date": "2024-01-01" });
    expect(d.trace.find((t) => t.id === "flagged")!.values).toEqual({ flag: null });
  });
});
