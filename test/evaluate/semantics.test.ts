/**
 * Evaluation semantics that are easy to get wrong, run through the policy's generated code:
 * uncertainty through history questions, entries that do not exist, items that do not apply,
 * and the trace the same code records.
 */
import { describe, expect, it } from "vitest";
import type { Determination } from "../../runtime/determination.js";
import { evaluateSource, expectDetermination, loadPolicy } from "../support/policies.js";
import { evaluate } from "../../runtime/determine.js";

const header = `
enum region { cervical, lumbar }
record visit { date: date "Date" region: region "Region" }
fact visits: list of visit "Visits"
`;

function run(body: string, input: Record<string, unknown>): Determination {
  return evaluateSource({ "p.pol": `${header}\npolicy P "Probe" {\n  version "1"\n  requirements "R" {\n${body}\n  }\n}\n` }, { date_of_service: "2024-06-01", ...input });
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
    expectDetermination(run(body, { visits: visits(null) }), { outcome: "needs-info", results: { run_of_three: "unknown" }, missing: ["visits[1].region"] });
  });

  it("once the entry is known not to belong, the run stops at the gap", () => {
    expectDetermination(run(body, { visits: visits("cervical") }), { outcome: "does-not-meet", results: { run_of_three: "false" }, unmet: ["run_of_three"] });
    expectDetermination(run(body, { visits: visits("lumbar") }), { outcome: "meets", results: { run_of_three: "true" } });
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
    expectDetermination(run(merged, { visits: week("lumbar") }), { results: { one_visit: "false", two_visits: "true" }, unmet: ["one_visit"] });
  });

  it("an uncertain entry leaves the count unknown only when it could change it", () => {
    // Whether or not the middle visit is lumbar, the count is 2.
    expect(result(run(merged, { visits: week(null) }), "two_visits")).toBe("true");
    const close = [
      { date: "2023-01-01", region: "lumbar" },
      { date: "2023-02-01", region: null },
    ];
    expectDetermination(run(merged, { visits: close }), { results: { one_visit: "unknown" }, missing: ["visits[1].region"] });
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

describe("comparisons and items that do not apply", () => {
  it("a quoted text in a condition compares with a text fact", () => {
    const policy = loadPolicy({ "p.pol": `fact level: text "Level"\npolicy P "P" {\n  version "1"\n  requirements "R" {\n    criterion c "C3-4": level = "C3-4"\n  }\n}\n` });
    const outcome = (level: string) => evaluate(policy, { date_of_service: "2024-01-01", level }).outcome;
    expect([outcome("C3-4"), outcome("C5-6")]).toEqual(["meets", "does-not-meet"]);
  });

  it("an exclusion or contraindication whose 'when' does not hold does not apply", () => {
    const source = `fact trial: boolean "Trial"\nfact habitus: boolean "Habitus"\npolicy P "P" {\n  version "1"\n  contraindications "C" {\n    criterion body "Body habitus" when trial: habitus\n  }\n}\n`;
    const policy = loadPolicy({ "p.pol": source });
    const outcome = (input: Record<string, unknown>) => evaluate(policy, { date_of_service: "2024-01-01", ...input }).outcome;
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
  const probe = loadPolicy({
    "p.pol": `${header}\nfact flag: boolean "Flag"\ndefine lumbar_visits "Lumbar visits": select(v in visits where v.region = lumbar)\npolicy P "Probe" {\n  version "1"\n  requirements "R" {\n${body}\n  }\n}\n`,
  });
  const policy = (input: Record<string, unknown>) => evaluate(probe, { date_of_service: "2024-06-01", ...input });

  it("gives each criterion the facts it read, through definitions and bullets, in the order first read", () => {
    const d = policy({ flag: true, visits: [{ date: "2024-01-01", region: "lumbar" }, { date: "2020-01-01", region: "cervical" }] });
    const values = Object.fromEntries(d.trace.map((t) => [t.id, Object.fromEntries(t.values.map((v) => [v.fact, v.value]))]));
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
    expect(d.trace.find((t) => t.id === "recent")!.values).toEqual([
      { fact: "visits", value: "1 entry" },
      { fact: "visits[0].region", value: null },
      { fact: "visits[0].date", value: "2024-01-01" },
    ]);
    expect(d.trace.find((t) => t.id === "flagged")!.values).toEqual([{ fact: "flag", value: null }]);
  });
});

describe("the trace stops where the answer is decided, as evaluation does without it", () => {
  const body = `    criterion gated "flagged, and a lumbar visit": flag and exists(v in visits where v.region = lumbar)
    criterion any_lumbar "a lumbar visit": exists(v in visits where v.region = lumbar)
    criterion all_lumbar "every visit lumbar": every(v in visits: v.region = lumbar)
    criterion either "flagged, or a lumbar visit": flag or exists(v in visits where v.region = lumbar)`;
  const probe = loadPolicy({ "p.pol": `${header}\nfact flag: boolean "Flag"\npolicy P "Probe" {\n  version "1"\n  requirements "R" {\n${body}\n  }\n}\n` });
  const visits = [
    { date: "2024-01-01", region: "cervical" },
    { date: "2023-01-01", region: "lumbar" },
    { date: "2022-01-01", region: "cervical" },
  ];
  const reads = (flag: boolean) => {
    const d = evaluate(probe, { date_of_service: "2024-06-01", flag, visits });
    return Object.fromEntries(d.trace.map((t) => [t.id, t.values.map((v) => `${v.fact}=${String(v.value)}`)]));
  };

  it("lists only the facts read up to the entry or operand that decided", () => {
    const off = reads(false);
    // `and` with a false first operand: the history question is not worked out, nor listed.
    expect(off.gated).toEqual(["flag=false"]);
    // `exists` stops at its first sure match, `every` at its first sure failure.
    expect(off.any_lumbar).toEqual(["visits=3 entries", "visits[0].region=cervical", "visits[1].region=lumbar"]);
    expect(off.all_lumbar).toEqual(["visits=3 entries", "visits[0].region=cervical"]);
    expect(off.either).toEqual(["flag=false", "visits=3 entries", "visits[0].region=cervical", "visits[1].region=lumbar"]);
    // `or` with a true first operand: nothing more is read.
    expect(reads(true).either).toEqual(["flag=true"]);
  });

  it("gives the same determination as without the trace", () => {
    for (const flag of [true, false]) {
      const { trace: _, ...traced } = evaluate(probe, { date_of_service: "2024-06-01", flag, visits });
      const { trace: __, ...untraced } = evaluate(probe, { date_of_service: "2024-06-01", flag, visits }, { trace: false });
      expect(traced).toEqual(untraced);
    }
  });
});

describe("definitions with parameters", () => {
  // `in_region` takes a list and a region: remembered per pair of arguments; `dated` takes one list.
  const source = `${header}
define dated(l: list of visit) "Dated": select(v in l where v.date within last 2 years)
define in_region(l: list of visit, r: region) "In region": count(v in l where v.region = r)
policy P "Probe" {
  version "1"
  requirements "R" {
    criterion lumbar_twice "two lumbar visits": in_region(dated(visits), lumbar) >= 2
    criterion lumbar_thrice "three lumbar visits": in_region(dated(visits), lumbar) >= 3
    criterion cervical_once "one cervical visit": in_region(dated(visits), cervical) = 1
  }
}
`;
  const probe = loadPolicy({ "p.pol": source });
  const input = { date_of_service: "2024-06-01", visits: [{ date: "2024-01-01", region: "lumbar" }, { date: "2023-09-01", region: "lumbar" }, { date: "2023-05-01", region: "cervical" }, { date: "2020-01-01", region: "lumbar" }] };

  it("give the same answers with the trace on and off, each call with its own arguments", () => {
    for (const trace of [true, false]) {
      // Were the region left out of the memory, cervical would be given lumbar's count of 2.
      expectDetermination(evaluate(probe, input, { trace }), { outcome: "does-not-meet", unmet: ["lumbar_thrice"] });
    }
  });

  it("replay what they read into every criterion that reuses a remembered value", () => {
    const d = evaluate(probe, input);
    const facts = (id: string) => d.trace.find((t) => t.id === id)!.values.map((v) => v.fact);
    const read = ["visits", "visits[0].date", "visits[1].date", "visits[2].date", "visits[3].date", "visits[0].region", "visits[1].region", "visits[2].region"];
    expect(facts("lumbar_twice")).toEqual(read);
    expect(facts("lumbar_thrice")).toEqual(read);
    // Another region is a call of its own, over the same remembered list.
    expect(facts("cervical_once")).toEqual(read);
  });
});
