/**
 * The SQL back end agrees with the TypeScript module: on every case file of every policy it
 * compiles, and on the 10 000-case bench corpus, the outcome, the met pathway and the unmet
 * criteria are the same, and the undocumented facts the SQL lists include every fact the module
 * says is missing. On DuckDB always; on PostgreSQL where a server is configured (CI starts one).
 */
import { describe, expect, it } from "vitest";
import { generateCorpus } from "../../bench/corpus.js";
import { readCaseFile } from "../../compiler/cli/case-file.js";
import { caseFolderName, jsonFilesUnder } from "../../compiler/tools/case-folders.js";
import { policySql, SqlRefusal, type DialectName } from "../../compiler/sql/index.js";
import { postgresUnavailable } from "../../compiler/sql/postgres.js";
import { disagreements, irOf, library, runSql, type TestCase } from "./support.js";

function compilingPolicies(): string[] {
  return library()
    .result.library!.policies.filter((p) => {
      try {
        policySql(p);
        return true;
      } catch (e) {
        if (e instanceof SqlRefusal) return false;
        throw e;
      }
    })
    .map((p) => p.id);
}

function caseFiles(policyId: string): TestCase[] {
  return jsonFilesUnder(`test/cases/${caseFolderName(policyId)}`)
    .map((file) => {
      const c = readCaseFile(file);
      return { id: file, input: c.input, state: c.state ?? null };
    })
    .filter((c) => !hasPartialDate(c.input));
}

/** The SQL query reads full dates only: a request with a month or a year for a date is refused there (test/evaluate/partial-dates.test.ts). */
function hasPartialDate(input: unknown): boolean {
  return /"[0-9]{4}(-[0-9]{2})?"/.test(JSON.stringify(input));
}

function corpus(size?: number): TestCase[] {
  return generateCorpus(size).map((c, i) => ({ id: `corpus-${String(i).padStart(5, "0")}`, input: c.input, state: c.state ?? null }));
}

function agreement(engine: DialectName): void {
  const compiling = ["CMS_L38773", "NIA_CG_300", "NIA_CG_301", "NIA_CG_302", "NIA_CG_305", "NIA_CG_310", "NIA_CG_404", "NIA_CG_405", "NIA_CG_408"];
  it("compiles every policy of the library", () => {
    expect(compilingPolicies()).toEqual(compiling);
  });

  for (const id of compiling) {
    it(`agrees with the module on every case file of ${id}${id === "CMS_L38773" ? ", service lines included" : ""}`, async () => {
      const cases = caseFiles(id);
      expect(cases.length).toBeGreaterThan(40);
      expect(disagreements(irOf(id), cases, await runSql(irOf(id), cases, engine))).toEqual(knownDisagreements.get(id) ?? []);
    }, 600_000);
  }

  // PostgreSQL runs the query far slower than DuckDB (see docs/warehouse.md): the suite checks
  // the first cases of the corpus there (POL_POSTGRES_CORPUS to check more).
  const size = engine === "duckdb" ? 10_000 : Number(process.env.POL_POSTGRES_CORPUS ?? 500);
  it(`agrees with the module on ${size === 10_000 ? "the 10 000-case bench corpus" : `the first ${size} cases of the bench corpus`} (NIA_CG_300, states WA, wa, CA and none)`, async () => {
    const cases = corpus(size);
    expect(cases.length).toBe(size);
    expect(disagreements(irOf("NIA_CG_300"), cases, await runSql(irOf("NIA_CG_300"), cases, engine))).toEqual([]);
  }, 600_000);
}

/**
 * Where the SQL is known to differ, and why. The SQL lists, for an open line, the undocumented
 * facts its open criteria read, whatever branch of an `if` reads them; the module only those its
 * evaluation reached. A line open only on a clause left to a clinician is refer-for-review in the
 * module but needs-info in SQL when such a criterion also reads an undocumented fact in the branch
 * not taken (here `relief(p)` reads `relief_percent` though `pain_score_after` decides).
 */
const knownDisagreements = new Map([["CMS_L38773", ["test/cases/cms-l38773/diag-second-other-agent-refer.json: outcome refer-for-review vs needs-info"]]]);

describe("on DuckDB", () => agreement("duckdb"));

const unavailable = postgresUnavailable();
describe.skipIf(unavailable !== undefined)(`on PostgreSQL${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => agreement("postgres"));
