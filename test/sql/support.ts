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
 * Where the SQL result differs from the module's determination: outcome and pathway must be
 * equal, unmet must agree (see below), and the undocumented facts must include every fact the
 * module found missing or also undocumented.
 */
export function disagreements(ir: IrPolicy, cases: readonly TestCase[], results: ReadonlyMap<string, SqlResultRow>): string[] {
  const policy = library().policies.get(ir.id)!;
  const found: string[] = [];
  for (const c of cases) {
    const d = evaluate(policy, c.input, { state: c.state ?? undefined, trace: false });
    const r = results.get(c.id);
    if (!r) {
      found.push(`${c.id}: no SQL result`);
      continue;
    }
    const problems: string[] = [];
    if (d.outcome !== r.outcome) problems.push(`outcome ${d.outcome} vs ${r.outcome}`);
    if (d.pathway !== r.pathway) problems.push(`pathway ${d.pathway} vs ${r.pathway}`);
    // The module quotes in full only the closest pathways of a denial and lists on needs-info what
    // surely failed; the query gives every failed pathway's criteria of a denial and none on needs-info.
    const moduleUnmet = new Set(d.unmet.map((u) => u.id));
    const sqlUnmet = new Set(r.unmet);
    const anyPathway = new Set([...moduleUnmet, ...d.pathways.flatMap((p) => p.unmet.map((u) => u.id))]);
    const unmetAgrees =
      d.outcome === "needs-info" ? [...sqlUnmet].every((u) => moduleUnmet.has(u)) : [...moduleUnmet].every((u) => sqlUnmet.has(u)) && [...sqlUnmet].every((u) => anyPathway.has(u));
    if (!unmetAgrees) problems.push(`unmet [${[...moduleUnmet].sort().join(",")}] vs [${[...sqlUnmet].sort().join(",")}]`);
    const uncovered = [...d.missing, ...d.alsoUndocumented].map((m) => m.fact).filter((f) => !r.undocumented.includes(f));
    if (uncovered.length) problems.push(`missing not among the undocumented facts: ${uncovered.join(", ")}`);
    if (problems.length) found.push(`${c.id}: ${problems.join("; ")}`);
  }
  return found;
}
