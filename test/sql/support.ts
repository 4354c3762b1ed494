/**
 * What the SQL tests share: the library compiled once, and running cases through a policy's SQL
 * on DuckDB or PostgreSQL beside the TypeScript module's own determination (the runtime is the
 * oracle: nothing here decides an outcome).
 */
import { compileFiles, type CompileResult } from "../../compiler/compile.js";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import type { IrPolicy } from "../../compiler/ir.js";
import { policySql, type DialectName } from "../../compiler/sql/index.js";
import { rowsOf } from "../../compiler/sql/rows.js";
import { DuckDbEngine, type SqlResultRow } from "../../compiler/sql/duckdb.js";
import { postgresConnection, runOnPostgres } from "../../compiler/sql/postgres.js";
import { evaluate } from "../../runtime/determine.js";
import type { Policy } from "../../runtime/policy.js";

let compiled: { result: CompileResult; policies: ReadonlyMap<string, Policy> } | undefined;

export function library(): { result: CompileResult; policies: ReadonlyMap<string, Policy> } {
  if (!compiled) {
    const result = compileFiles(polFilesUnder("policies"));
    compiled = { result, policies: loadPolicies(result) };
  }
  return compiled;
}

export function irOf(id: string): IrPolicy {
  return library().result.library!.policies.find((p) => p.id === id)!;
}

export interface TestCase {
  readonly id: string;
  readonly input: unknown;
  readonly state: string | null;
}

/** The SQL engine's results for the cases, by case id. */
export async function runSql(ir: IrPolicy, cases: readonly TestCase[], engine: DialectName): Promise<Map<string, SqlResultRow>> {
  const sql = policySql(ir, engine);
  const policy = library().policies.get(ir.id)!;
  const rows = cases.map((c) => rowsOf(policy, sql.layout, c.id, c.state, c.input));
  let results: SqlResultRow[];
  if (engine === "postgres") results = runOnPostgres(postgresConnection()!, sql.ddl, sql.query, sql.layout, rows);
  else {
    const db = await DuckDbEngine.open();
    try {
      await db.run(sql.ddl);
      await db.append(sql.layout, rows);
      results = await db.results(sql.query);
    } finally {
      db.close();
    }
  }
  return new Map(results.map((r) => [r.case_id, r]));
}

/**
 * Where the SQL result differs from the module's determination. Outcome and pathway must be equal.
 * Unmet, as sets: a denial's determination quotes only the pathways that came closest (the fewest
 * unmet criteria), a choice of how it is presented that the SQL leaves to the reader, so the SQL
 * lists every pathway's unmet criteria under each indications section that failed (the sections
 * the determination names in "No indication is met under …"): the module's list together with
 * those pathways' own unmet lists (each in the determination's `pathways`). Every other outcome's
 * list must be equal. The undocumented facts must include every fact the module finds open
 * (`missing` and `alsoUndocumented`; asked for in full, without the search for the fewest).
 */
export function disagreements(ir: IrPolicy, cases: readonly TestCase[], results: ReadonlyMap<string, SqlResultRow>): string[] {
  const policy = library().policies.get(ir.id)!;
  const found: string[] = [];
  for (const c of cases) {
    const d = evaluate(policy, c.input, { state: c.state ?? undefined, trace: false, fewestFacts: false });
    const r = results.get(c.id);
    if (!r) {
      found.push(`${c.id}: no SQL result`);
      continue;
    }
    const problems: string[] = [];
    if (d.outcome !== r.outcome) problems.push(`outcome ${d.outcome} vs ${r.outcome}`);
    if (d.pathway !== r.pathway) problems.push(`pathway ${d.pathway} vs ${r.pathway}`);
    const expected = new Set(d.unmet.map((u) => u.id));
    if (d.outcome === "does-not-meet") {
      const failedSections = new Set(d.reasons.flatMap((reason) => /^No indication is met under "(.*)"\.$/s.exec(reason)?.[1] ?? []));
      for (const p of d.pathways) if (failedSections.has(p.section)) for (const u of p.unmet) expected.add(u.id);
    }
    const moduleUnmet = [...expected].sort().join(",");
    const sqlUnmet = [...new Set(r.unmet)].sort().join(",");
    if (moduleUnmet !== sqlUnmet) problems.push(`unmet [${moduleUnmet}] vs [${sqlUnmet}]`);
    const uncovered = [...d.missing, ...d.alsoUndocumented].map((m) => m.fact).filter((f) => !r.undocumented.includes(f));
    if (uncovered.length) problems.push(`undocumented facts not among the SQL's: ${uncovered.join(", ")}`);
    if (problems.length) found.push(`${c.id}: ${problems.join("; ")}`);
  }
  return found;
}
