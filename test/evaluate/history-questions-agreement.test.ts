/**
 * The questions over the history that lowering marks for a faster primitive — `exists`/`count`
 * whose filter ends in a comparison of the entry's date with an outer value (`dated`), a question
 * inside another that reads no variable (`once`), `counting … as one` with a date window
 * (`merge.window`) — give exactly the determinations the general primitives give. Each library
 * is loaded twice from the same intermediate form: as lowered, and with those marks taken off
 * (so every question runs the general primitive, as before the marks existed). Both evaluate the
 * same generated histories: random entries of the policy's case files, dated from the same day to
 * years apart, some dates given only to the month or the year, some fields left out, and the
 * determinations, trace on and off, must be equal (the trace aside: it lists what the faster
 * primitive read, see docs/language.md).
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileFiles, type CompileResult } from "../../compiler/compile.js";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { instantiate, scriptLibrary } from "../../compiler/load-modules.js";
import { compile } from "../support/policies.js";
import { evaluate } from "../../runtime/determine.js";
import type { Policy } from "../../runtime/policy.js";
import { formatDay, parseIsoDate } from "../../runtime/dates.js";
import { recordCuts } from "../../runtime/values.js";
import type { Unknown } from "../../runtime/tri.js";
import { repoRoot } from "../support/library.js";
import { seededRandom } from "../support/seeded-random.js";

type Json = Record<string, unknown>;

/** How many questions carry each mark, and the policies loaded with and without them. */
function bothWays(result: CompileResult): { marked: Record<string, number>; fast: ReadonlyMap<string, Policy>; general: ReadonlyMap<string, Policy> } {
  const fast = instantiate(scriptLibrary(result));
  const marked = { dated: 0, once: 0, window: 0 };
  const seen = new Set<object>();
  const strip = (value: unknown): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    const node = value as { k?: string; dated?: unknown; once?: unknown; merge?: { window?: unknown } };
    if (node.k === "query") {
      if (node.dated) marked.dated++;
      if (node.once) marked.once++;
      if (node.merge?.window) marked.window++;
      delete node.dated;
      delete node.once;
      if (node.merge) delete node.merge.window;
    }
    for (const inner of value instanceof Map ? value.values() : Object.values(value)) strip(inner);
  };
  strip(result.library);
  return { marked, fast, general: instantiate(scriptLibrary(result)) };
}


/**
 * A history of up to `most` entries picked from `entries`, dated back from the date of service:
 * often on the same day as the one before or a few days apart (so that pairs and runs form),
 * sometimes months apart; a date given only as its month or year now and then, and a field left
 * out of an entry now and then (never the date, which each entry must give).
 */
function history(next: () => number, dos: number, entries: readonly Json[], most: number): Json[] {
  const out: Json[] = [];
  let day = dos - Math.floor(next() * 20);
  const length = Math.floor(next() * (most + 1));
  for (let i = 0; i < length; i++) {
    const entry: Json = { ...entries[Math.floor(next() * entries.length)] };
    const step = next();
    day -= step < 0.3 ? 0 : step < 0.8 ? 1 + Math.floor(next() * 20) : 30 + Math.floor(next() * 400);
    const date = formatDay(day);
    const precision = next();
    entry.date = precision < 0.08 ? date.slice(0, 7) : precision < 0.1 ? date.slice(0, 4) : date;
    if (next() < 0.15) {
      const fields = Object.keys(entry).filter((f) => f !== "date");
      if (fields.length > 0) delete entry[fields[Math.floor(next() * fields.length)]];
    }
    out.push(entry);
  }
  // The list is not in date order in a chart either.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Evaluates a request both ways, trace on and off; returns how it came out, to tell cases apart. */
function agree(fast: Policy, general: Policy, input: Json): string {
  for (const trace of [false, true]) {
    const { trace: _fastTrace, ...quick } = evaluate(fast, input, { trace });
    const { trace: _generalTrace, ...plain } = evaluate(general, input, { trace });
    expect(quick, JSON.stringify(input)).toEqual(plain);
  }
  return evaluate(fast, input, { trace: false }).outcome;
}

describe("the library's questions over the history, marked and unmarked", () => {
  const result = compileFiles(polFilesUnder(join(repoRoot, "policies")));
  const { marked, fast, general } = bothWays(result);
  const casesRoot = join(repoRoot, "test", "cases");

  it("marks the questions of the library it is meant for", () => {
    expect(marked).toEqual({ dated: 3, once: 1, window: 4 });
  });

  for (const folder of readdirSync(casesRoot).sort()) {
    const id = folder.toUpperCase().replace(/-/g, "_");
    it(`${id}: the same determinations on generated histories`, () => {
      const inputs = readdirSync(join(casesRoot, folder))
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => {
          const data = JSON.parse(readFileSync(join(casesRoot, folder, f), "utf8")) as Json;
          return (data.input ?? data) as Json;
        });
      // Every dated list of the case files gives entries; each case's own lists are replaced.
      const pools = new Map<string, Json[]>();
      for (const input of inputs) {
        for (const [key, value] of Object.entries(input)) {
          if (Array.isArray(value) && value.length > 0 && typeof value[0] === "object" && value[0] !== null && "date" in value[0]) pools.set(key, [...(pools.get(key) ?? []), ...(value as Json[])]);
        }
      }
      const next = seededRandom(folder.length * 7919 + 17);
      const outcomes = new Set<string>();
      for (let round = 0; round < 120; round++) {
        const base = inputs[round % inputs.length];
        const dos = parseIsoDate(String(base.date_of_service))!;
        const input: Json = { ...base };
        for (const [key, pool] of pools) if (key in base || next() < 0.5) input[key] = history(next, dos, pool, 24);
        outcomes.add(agree(fast.get(id)!, general.get(id)!, input));
      }
      // The generated histories reach more than one outcome, so that what is compared decides something.
      expect(outcomes.size).toBeGreaterThan(1);
    });
  }
});

describe("each form of the marked questions, marked and unmarked", () => {
  const source = `
enum side { left, right }
record visit {
  date: date "Date"
  side: side "Side"
  flagged: boolean "Flagged"
}
fact visits: list of visit "Visits"
fact cutoff: date "A date to compare with"

define after_each "Visits followed by a flagged visit": count(p in visits where exists(s in visits where s.flagged and s.date after p.date))
define not_before_each "Visits with a flagged visit on or before them": count(p in visits where exists(s in visits where s.flagged and p.date >= s.date))
define earlier_count "Visits with at least two visits before them": count(p in visits where count(q in visits where q.date before p.date) >= 2)
define at_most_count "Visits with at most three flagged visits on or before them": count(p in visits where count(q in visits where q.flagged and q.date <= p.date) <= 3)
define against_fact "Flagged visits after the date": count(q in visits where q.flagged and q.date > cutoff)
define latest_inside "Visits on the day of the latest flagged one": count(p in visits where p.date = latest(v in visits where v.flagged).date)
define same_day "Visits, one per day": count(p in visits, counting p and q as one when p.date = q.date)
define week_apart "Visits, a right and a left within a week as one": count(p in visits, counting p and q as one when p.side != q.side and time between p.date and q.date < 7 days)
define month_apart "Visits, a flagged pair within a month as one": count(p in visits, counting p and q as one when time between earlier_of(p.date, q.date) and later_of(p.date, q.date) <= 1 month and p.flagged and q.flagged)

policy P "Probe" {
  version "1"
  requirements "R" {
    criterion a "a" : after_each >= 3
    criterion b "b" : not_before_each >= 3
    criterion c "c" : earlier_count >= 4
    criterion d "d" : at_most_count >= 4
    criterion e "e" : against_fact >= 1
    criterion f "f" : latest_inside >= 2
    criterion g "g" : same_day >= 4
    criterion h "h" : week_apart >= 4
    criterion i "i" : month_apart >= 4
  }
}
`;
  const { marked, fast, general } = bothWays(compile(source));

  it("marks every form", () => {
    expect(marked).toEqual({ dated: 4, once: 1, window: 3 });
  });

  it("gives the same determinations on generated histories with undocumented fields and partial dates", () => {
    const next = seededRandom(20261207);
    const pool: Json[] = [
      { side: "left", flagged: true },
      { side: "right", flagged: true },
      { side: "left", flagged: false },
      { side: "right", flagged: false },
    ];
    const dos = parseIsoDate("2024-06-01")!;
    const outcomes = new Set<string>();
    for (let round = 0; round < 600; round++) {
      const input: Json = { date_of_service: "2024-06-01", visits: history(next, dos, pool, 14) };
      if (next() < 0.7) input.cutoff = formatDay(dos - Math.floor(next() * 200));
      outcomes.add(agree(fast.get("P")!, general.get("P")!, input));
    }
    expect([...outcomes].sort()).toEqual(["does-not-meet", "meets", "needs-info"]);
  });

  it("records the same comparisons for the fewest deciding facts as the general primitives", () => {
    // What the search for the fewest deciding facts learns from an evaluation: every cut and probe, as a set.
    const told = (policy: Policy, input: Json): string[] => {
      const cuts = new Set<string>();
      const tell = (kind: string, u: Unknown, at: unknown) => cuts.add(`${kind} ${[...u.missing].sort().join(",")} ${JSON.stringify(at)}`);
      recordCuts({ number: (u, at) => tell("number", u, at), duration: (u, at) => tell("duration", u, at), anchor: (u, day, sign) => tell("anchor", u, [day, sign]), documentation: (u) => tell("documentation", u, null) });
      try {
        evaluate(policy, input, { trace: false, fewestFacts: false });
      } finally {
        recordCuts(undefined);
      }
      return [...cuts].sort();
    };
    const next = seededRandom(7);
    const pool: Json[] = [{ side: "left", flagged: true }, { side: "right" }, { flagged: false }, { side: "right", flagged: true }];
    const dos = parseIsoDate("2024-06-01")!;
    let recorded = 0;
    for (let round = 0; round < 300; round++) {
      const input: Json = { date_of_service: "2024-06-01", visits: history(next, dos, pool, 12) };
      const cuts = told(fast.get("P")!, input);
      expect(cuts, JSON.stringify(input)).toEqual(told(general.get("P")!, input));
      recorded += cuts.length;
    }
    expect(recorded).toBeGreaterThan(0);
  });
});
