/**
 * Counting two entries as one is a greedy pairing in the runtime (countPairedAsOne): the SQL
 * walk must pair the same entries. The case files pair two entries at most, so here histories
 * are generated around a case file of each policy that counts as one — several entries on
 * nearby dates, sides and levels, some undocumented (a side, a level, the kind; a date is required) — and
 * every determination is compared with the module's, on DuckDB and, where a server is
 * configured, PostgreSQL.
 */
import { describe, expect, it } from "vitest";
import type { DialectName } from "../../compiler/sql/index.js";
import { postgresUnavailable } from "../../compiler/sql/postgres.js";
import { disagreements, generatedHistories, historyVariations, irOf, runSql } from "./support.js";

function pairing(engine: DialectName, count: number): void {
  for (const v of historyVariations) {
    it(`agrees with the module on ${count} generated histories of ${v.policy}`, async () => {
      const cases = generatedHistories(v, count);
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
