/**
 * Partial dates ("2023-06", "2018"): a date the chart gives only to the month or the year is the
 * range of days it may be. For a random request and a partial date a criterion reads, the answer
 * with the partial date is unknown exactly when the full dates inside its range give different
 * answers, and otherwise it is their one answer. Every day of the range is tried, so "they give one
 * answer" is a claim about every day, not a sample. A few questions are only bounded (they are
 * never wrong, but may be unknown where every day gives one answer): those are held to that.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluate } from "../../runtime/determine.js";
import { parsePartialDate, formatDay } from "../../runtime/dates.js";
import { InputError, readInput, validateInput } from "../../runtime/validate.js";
import { isRange } from "../../runtime/values.js";
import type { Policy } from "../../runtime/policy.js";
import { loadPolicy } from "../support/policies.js";
import { polc } from "../support/polc.js";

const source = `
record entry "An entry" {
  date: date "Date"
  n: integer 0 to 10 "Its place in the list"
  flag: boolean "A flag"
}
fact d1: date "d1"
fact d2: date "d2"
fact entries: list of entry "entries"

policy PARTIAL "Every date operator and question" {
  version "1"
  requirements "Dates" {
    criterion op_before "before": d1 before d2
    criterion op_after "after": d1 after 2024-05-01
    criterion op_le "<=": d1 <= 2024-05-15
    criterion op_eq "date =": d1 = d2
    criterion op_within "within last": d1 within last 2 weeks
    criterion op_within_months "within last, months": d1 within last 12 months
    criterion op_since "time since": time since d1 >= 2 weeks
    criterion op_since_months "time since, months": time since d1 < 6 months
    criterion op_between "time between": time between d1 and d2 < 1 month
    criterion op_between_long "time between, years": time between d2 and d1 >= 1 year
    criterion op_spans "two spans": time between d1 and d2 > time since d2
    criterion op_plus "date + duration": d1 + 2 weeks before date_of_service
    criterion op_minus "date - duration": d1 - 1 month after 2024-04-01
    criterion op_later "later_of": later_of(d1, d2) after 2024-05-01
    criterion op_earlier "earlier_of": earlier_of(d1, d2) before 2024-05-01
    criterion latest_0 "latest": latest(p in entries where p.flag).n = 0
    criterion latest_1 "latest": latest(p in entries where p.flag).n = 1
    criterion latest_2 "latest": latest(p in entries where p.flag).n = 2
    criterion earliest_0 "earliest": earliest(p in entries).n = 0
    criterion earliest_1 "earliest": earliest(p in entries).n = 1
    criterion earliest_2 "earliest": earliest(p in entries).n = 2
    criterion recent_count "count, within last": count(p in entries where p.date within last 12 months) >= 2
    criterion exists_after "exists, after": exists(p in entries where p.flag and p.date after 2024-01-01)
    criterion every_before "every, before": every(p in entries: p.date before 2024-05-10)
    criterion one_per_1 "one per p.date": count(p in entries where p.flag, one per p.date) >= 1
    criterion one_per_2 "one per p.date": count(p in entries where p.flag, one per p.date) >= 2
    criterion one_per_3 "one per p.date": count(p in entries where p.flag, one per p.date) >= 3
    criterion one_per_flag_2 "one per p.date and p.flag": count(p in entries, one per p.date and p.flag) >= 2
    criterion window_2 "in any 12 months": count(p in entries, one per p.date, in any 12 months) >= 2
    criterion window_3 "in any 12 months": count(p in entries, one per p.date, in any 12 months) >= 3
    criterion pairs_2 "counting as one": count(p in entries where p.flag, counting p and q as one when time between p.date and q.date < 7 days) >= 2
    criterion run_1 "recent_run": count(p in recent_run(entries, 1 year)) >= 1
    criterion run_2 "recent_run": count(p in recent_run(entries, 1 year)) >= 2
    criterion run_3 "recent_run": count(p in recent_run(entries, 1 year)) >= 3
  }
}
`;

/** Criteria read together: which entry `latest`/`earliest` picks shows in the three answers at once. */
const groups: ReadonlyMap<string, readonly string[]> = new Map([
  ["latest", ["latest_0", "latest_1", "latest_2"]],
  ["earliest", ["earliest_0", "earliest_1", "earliest_2"]],
]);
/** Questions whose answer over partial dates is bounded, not exact: decided only when sure, but not always decided when it could be. */
const bounded = new Set(["window_2", "window_3", "pairs_2", "run_1", "run_2", "run_3"]);

const dateOfService = "2024-06-01";
/** Full dates around the thresholds, and partial ones that hold them or lie beside them. */
const fullDates = ["2023-05-01", "2023-06-15", "2024-01-01", "2024-04-25", "2024-05-01", "2024-05-10", "2024-05-19", "2024-05-25", "2024-06-01"];
const partialDates = ["2023", "2024", "2023-06", "2024-04", "2024-05", "2024-06"];

const dateArb = fc.oneof({ arbitrary: fc.constantFrom(...fullDates), weight: 1 }, { arbitrary: fc.constantFrom(...partialDates), weight: 1 });
const requestArb = fc.record({
  d1: fc.option(dateArb, { nil: undefined, freq: 5 }),
  d2: fc.option(dateArb, { nil: undefined, freq: 5 }),
  entries: fc.array(fc.record({ date: dateArb, flag: fc.option(fc.boolean(), { nil: undefined, freq: 3 }) }, { requiredKeys: ["date"] }), { maxLength: 3 }),
});

type Request = { d1?: string; d2?: string; entries: { date: string; n?: number; flag?: boolean }[] };

/** The paths of the request's partial dates. */
function partialsOf(request: Request): string[] {
  const paths: string[] = [];
  if (request.d1 && parsePartialDate(request.d1)) paths.push("d1");
  if (request.d2 && parsePartialDate(request.d2)) paths.push("d2");
  request.entries.forEach((e, i) => {
    if (parsePartialDate(e.date)) paths.push(`entries[${i}].date`);
  });
  return paths;
}

function withDate(request: Request, path: string, date: string): Request {
  const copy: Request = { ...request, entries: request.entries.map((e) => ({ ...e })) };
  const field = /^entries\[(\d+)\]\.date$/.exec(path);
  if (field) copy.entries[Number(field[1])].date = date;
  else copy[path as "d1" | "d2"] = date;
  return copy;
}

function dateAt(request: Request, path: string): string {
  const field = /^entries\[(\d+)\]\.date$/.exec(path);
  return field ? request.entries[Number(field[1])].date : request[path as "d1" | "d2"]!;
}

describe("partial dates", () => {
  const policy = loadPolicy(source);
  /** Each criterion's answer, and the facts it read, by id; a group of criteria as one answer. */
  const answers = (request: Request) => {
    const d = evaluate(policy, { date_of_service: dateOfService, ...request }, { fewestFacts: false });
    const byId = new Map(d.trace.map((t) => [t.id, t]));
    const result = new Map<string, { answer: string; reads: Set<string> }>();
    for (const t of d.trace) {
      if ([...groups.values()].some((ids) => ids.includes(t.id))) continue;
      result.set(t.id, { answer: t.result, reads: new Set(t.values.map((v) => v.fact)) });
    }
    for (const [name, ids] of groups) {
      const parts = ids.map((id) => byId.get(id)!);
      const results = parts.map((t) => t.result);
      result.set(name, { answer: results.includes("unknown") ? "unknown" : results.join(","), reads: new Set(parts.flatMap((t) => t.values.map((v) => v.fact))) });
    }
    return result;
  };

  it("each criterion is unknown exactly when the days a partial date may be give different answers", () => {
    const checked = new Set<string>();
    fc.assert(
      fc.property(requestArb, (generated) => {
        const request: Request = { ...generated, entries: generated.entries.map((e, n) => ({ ...e, n })) };
        if (request.d1 === undefined) delete request.d1;
        if (request.d2 === undefined) delete request.d2;
        const before = answers(request);
        for (const path of partialsOf(request)) {
          const range = parsePartialDate(dateAt(request, path))!;
          const days: Request[] = [];
          for (let day = range.lo; day <= range.hi; day++) days.push(withDate(request, path, formatDay(day)));
          const each = days.map(answers);
          for (const [id, { answer, reads }] of before) {
            if (!reads.has(path)) continue;
            const seen = new Set(each.map((a) => a.get(id)!.answer));
            const expected = seen.size === 1 ? [...seen][0] : "unknown";
            if (bounded.has(id)) {
              // Never a wrong answer: decided only when every day gives that answer.
              if (answer !== "unknown") expect({ id, path, request, answer }).toEqual({ id, path, request, answer: expected });
            } else expect({ id, path, request, answer }).toEqual({ id, path, request, answer: expected });
            checked.add(id);
          }
        }
      }),
      { numRuns: 100, seed: 0x2023 },
    );
    // Every operator and question was put to the test at least once.
    const all = [...answers({ entries: [] }).keys()];
    expect(all.filter((id) => !checked.has(id))).toEqual([]);
  }, 600_000);
});

describe("partial dates in the input", () => {
  const policy = loadPolicy(`
record visit "A visit" {
  date: date "Date of the visit"
  kind: text "What the visit was"
}
fact onset: date "Date the pain began"
fact visits: list of visit "Earlier visits"

policy ONSET "Onset" {
  version "1"
  requirements "Duration" {
    criterion long_pain "Pain for 6 months or more": time since onset >= 6 months
    criterion onset_charted "The onset is documented": onset is known
    criterion no_recent_visit "No visit in the last 3 months": not exists(v in visits where v.date within last 3 months)
  }
}
`);

  it("takes a month (2023-06) or a year (2018) for a date fact and an entry's date, through the fast reading and the full check alike", () => {
    const input = { date_of_service: "2024-06-01", onset: "2023-11", visits: [{ date: "2018", kind: "consult" }] };
    const full = readInput({ ...policy, read: undefined } as Policy, input);
    const fast = readInput(policy, input);
    for (const read of [full, fast]) {
      expect(read.problems).toEqual([]);
      const onset = read.facts[policy.factsByPath.get("onset")!.slot]!;
      expect(isRange(onset) && [formatDay(onset.lo), formatDay(onset.hi), [...onset.unknown.missing]]).toEqual(["2023-11-01", "2023-11-30", ["onset"]]);
    }
    const d = evaluate(policy, input);
    expect(d.trace.map((t) => [t.id, t.result, t.values.map((v) => `${v.fact}=${JSON.stringify(v.value)}`)])).toEqual([
      ["long_pain", "true", ['onset="2023-11"']],
      ["onset_charted", "true", ['onset="2023-11"']],
      ["no_recent_visit", "true", ['visits="1 entry"', 'visits[0].date="2018"']],
    ]);
    expect(d.outcome).toBe("meets");
  });

  it("refuses a month or a year for the date of service, and a month that is not one", () => {
    expect(validateInput(policy, { date_of_service: "2024-06", onset: "2023-13", visits: [{ date: "2023-6" }, { date: "18" }] })).toEqual([
      { path: "date_of_service", message: 'expected the full date the service is requested for, like 2024-03-15 (a request is for one day; only the chart\'s dates may be partial), got "2024-06"' },
      { path: "onset", message: 'expected a date like 2024-03-15 (or 2024-03, or 2024, where the chart gives no day), got "2023-13"' },
      { path: "visits[0].date", message: 'expected a date like 2024-03-15 (or 2024-03, or 2024, where the chart gives no day), got "2023-6"' },
      { path: "visits[1].date", message: 'expected a date like 2024-03-15 (or 2024-03, or 2024, where the chart gives no day), got "18"' },
    ]);
    expect(() => evaluate(policy, { date_of_service: "2024" })).toThrow(InputError);
  });

  it("asks for a partial date that leaves a criterion open, saying what it was given as", () => {
    // The last 3 months run from 2024-03-15: March 2024 straddles their start.
    const d = evaluate(policy, { date_of_service: "2024-06-15", onset: "2023-11", visits: [{ date: "2024-03", kind: "consult" }] });
    expect(d.outcome).toBe("needs-info");
    expect(d.missing).toEqual([{ fact: "visits[0].date", description: "Date of the visit (entry 1 of visits): given as 2024-03, the exact date is needed" }]);
    expect(d.reasons[0]).toBe("More information is needed: Date of the visit (entry 1 of visits): given as 2024-03, the exact date is needed");
    // Documented to the day, either way it decides.
    expect(evaluate(policy, { date_of_service: "2024-06-15", onset: "2023-11", visits: [{ date: "2024-03-14" }] }).outcome).toBe("meets");
    expect(evaluate(policy, { date_of_service: "2024-06-15", onset: "2023-11", visits: [{ date: "2024-03-15" }] }).outcome).toBe("does-not-meet");
    // Wholly inside the 3 months, or wholly before them, a month decides.
    expect(evaluate(policy, { date_of_service: "2024-06-15", onset: "2023-11", visits: [{ date: "2024-04" }] }).outcome).toBe("does-not-meet");
    expect(evaluate(policy, { date_of_service: "2024-06-15", onset: "2023-11", visits: [{ date: "2024-02" }] }).outcome).toBe("meets");
  });

  it("decides a comparison the whole range is on one side of: an onset in 2018 is surely more than 6 months ago", () => {
    const d = evaluate(policy, { date_of_service: "2024-06-01", onset: "2018", visits: [] });
    expect(d.outcome).toBe("meets");
    const open = evaluate(policy, { date_of_service: "2024-06-01", onset: "2023", visits: [] });
    expect([open.outcome, open.missing.map((m) => m.fact)]).toEqual(["needs-info", ["onset"]]);
    // docs/language.md, "Partial dates": 2023-12-01 would meet it, 2023-12-31 would not.
    expect(evaluate(policy, { date_of_service: "2024-06-01", onset: "2023-12", visits: [] }).outcome).toBe("needs-info");
    expect(evaluate(policy, { date_of_service: "2024-06-01", onset: "2023-12-01", visits: [] }).outcome).toBe("meets");
    expect(evaluate(policy, { date_of_service: "2024-06-01", onset: "2023-12-31", visits: [] }).outcome).toBe("does-not-meet");
  });
});

describe("the fewest deciding facts with a partial date", () => {
  it("tries only the days the partial date may be: a fact that matters only outside its range is not asked for", () => {
    const policy = loadPolicy(`
fact onset: date "Date the pain began"
fact referral: boolean "A referral is documented"

policy SEARCH "Search" {
  version "1"
  requirements "Onset" {
    criterion long_pain "Pain for 6 months or more, begun after November 2023 or referred": time since onset >= 6 months and (onset after 2023-11-30 or referral)
  }
}
`);
    // A day of December 2023 is after 2023-11-30 whatever it is: the referral is never needed,
    // though 2023-11-30 itself (just outside the range) would need it.
    const d = evaluate(policy, { date_of_service: "2024-06-01", onset: "2023-12" });
    expect([d.outcome, d.missing.map((m) => m.fact), d.alsoUndocumented.map((m) => m.fact)]).toEqual(["needs-info", ["onset"], []]);
    // Documented to any day of December 2023, it decides.
    for (const day of ["2023-12-01", "2023-12-02", "2023-12-31"]) expect(evaluate(policy, { date_of_service: "2024-06-01", onset: day }).outcome, day).not.toBe("needs-info");
  });
});

describe("polc eval --batch --engine duckdb with a partial date", () => {
  it("refuses the line, naming the field, rather than reading the date as undocumented", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pol-partial-sql-"));
    try {
      const file = join(dir, "cases.ndjson");
      writeFileSync(
        file,
        [
          JSON.stringify({ id: "partial", input: { date_of_service: "2024-06-01", prior_procedures: [{ date: "2023-06", kind: "spinal_cord_stimulator_trial" }] } }),
          JSON.stringify({ id: "full", input: { date_of_service: "2024-06-01", prior_procedures: [{ date: "2023-06-15", kind: "spinal_cord_stimulator_trial" }] } }),
        ].join("\n"),
      );
      const run = await polc("eval", "NIA_CG_405", "--batch", file, "--engine", "duckdb");
      expect(run.code).toBe(2);
      const lines = run.out.split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines[0]).toEqual({
        line: 1,
        id: "partial",
        error: "input.prior_procedures[0].date: a date given only to the month or the year is evaluated by the TypeScript evaluator only; the SQL query needs the full date (like 2024-03-15)",
      });
      expect(lines[1]).toMatchObject({ id: "full", outcome: "needs-info" });
      expect(run.err).toBe('polc: 1 of 2 lines could not be evaluated; each has a {"line", "error"} line in the output');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
