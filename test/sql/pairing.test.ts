/**
 * Counting two entries as one is a greedy pairing in the runtime (countPairedAsOne): the SQL
 * walk must pair the same entries. The case files pair two entries at most, so here histories
 * are generated around a case file of each policy that counts as one — several entries on
 * nearby dates, sides and levels, some undocumented (a side, a level, the kind; a date is required) — and
 * every determination is compared with the module's, on DuckDB and, where a server is
 * configured, PostgreSQL.
 */
import { describe, expect, it } from "vitest";
import { readCaseFile } from "../../compiler/cli/case-file.js";
import type { DialectName } from "../../compiler/sql/index.js";
import { postgresUnavailable } from "../../compiler/sql/postgres.js";
import { disagreements, irOf, runSql, type TestCase } from "./support.js";

/** A small seeded generator (mulberry32), so every run checks the same histories. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

interface Variation {
  readonly policy: string;
  readonly base: string;
  /** The entries kept from the base history ahead of the generated ones. */
  readonly keep: (entry: Record<string, unknown>) => boolean;
  readonly kind: string;
  readonly region: string;
  readonly levels: readonly string[];
  /** How far back the generated dates reach, in days, and how many distinct days they use. */
  readonly spanDays: number;
  readonly days: number;
}

const variations: readonly Variation[] = [
  {
    policy: "NIA_CG_302",
    base: "test/cases/nia-cg-302/right-left-within-month-count-as-one-meets.json",
    keep: (e) => e.kind !== "facet_denervation",
    kind: "facet_denervation",
    region: "lumbar",
    levels: ["L4-5", "L5-S1"],
    spanDays: 420,
    days: 8,
  },
  {
    policy: "NIA_CG_301",
    base: "test/cases/nia-cg-301/right-left-same-level-within-month-count-one-meets.json",
    keep: (e) => e.kind !== "facet_injection",
    kind: "facet_injection",
    region: "lumbar",
    levels: ["L4-5", "L5-S1"],
    spanDays: 400,
    days: 8,
  },
  {
    policy: "NIA_CG_305",
    base: "test/cases/nia-cg-305/repeat-initial-left-and-right-same-day-meets.json",
    keep: () => false,
    kind: "sacroiliac_injection",
    region: "sacral",
    levels: [],
    spanDays: 300,
    days: 5,
  },
];

function generated(v: Variation, count: number): TestCase[] {
  const base = readCaseFile(v.base);
  const input = base.input as Record<string, unknown>;
  const history = (input.prior_procedures as Record<string, unknown>[]) ?? [];
  const template = history.find((e) => e.kind === v.kind) ?? history[history.length - 1];
  const dos = Math.round(Date.parse(`${input.date_of_service as string}T00:00:00Z`) / 86_400_000);
  const next = random(v.policy.length * 7919 + count);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const cases: TestCase[] = [];
  for (let i = 0; i < count; i++) {
    const days = Array.from({ length: v.days }, () => dos - 1 - Math.floor(next() * v.spanDays));
    const entries = Array.from({ length: 1 + Math.floor(next() * 6) }, () => {
      const entry: Record<string, unknown> = { ...template, kind: next() < 0.08 ? undefined : v.kind, region: v.region };
      entry.date = isoDay(pick(days) + (next() < 0.3 ? Math.floor(next() * 40) : 0));
      entry.side = next() < 0.08 ? undefined : pick(["left", "right", "right", "left", "bilateral"]);
      if (v.levels.length) entry.level = next() < 0.08 ? undefined : pick(v.levels);
      for (const key of Object.keys(entry)) if (entry[key] === undefined) delete entry[key];
      return entry;
    });
    cases.push({
      id: `${v.policy}-generated-${String(i).padStart(4, "0")}`,
      input: { ...input, prior_procedures: [...history.filter(v.keep), ...entries] },
      state: i % 3 === 0 ? "WA" : (base.state ?? null),
    });
  }
  return cases;
}

function pairing(engine: DialectName, count: number): void {
  for (const v of variations) {
    it(`agrees with the module on ${count} generated histories of ${v.policy}`, async () => {
      const cases = generated(v, count);
      const results = await runSql(irOf(v.policy), cases, engine);
      expect(disagreements(irOf(v.policy), cases, results)).toEqual([]);
      // The histories reach every outcome the pairing decides between, not one alone.
      expect(new Set([...results.values()].map((r) => r.outcome)).size).toBeGreaterThan(1);
    }, 300_000);
  }
}

describe("counting as one on DuckDB", () => pairing("duckdb", 400));

const unavailable = postgresUnavailable();
describe.skipIf(unavailable !== undefined)(`counting as one on PostgreSQL${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => pairing("postgres", 150));
