/**
 * `npm run bench:sql`: the SQL back end at scale. Cases and their procedure histories are made
 * inside the engine (no file is written), from a deterministic hash of the case number, for
 * every column of the policy's layout; then the policy's query runs once over all of them. Prints
 * cases/s and the process's peak resident memory (DuckDB runs in-process), and the same on
 * PostgreSQL when one is configured (POL_POSTGRES, see .ci/postgres.sh), beside the TypeScript
 * module's own speed on the same kind of cases for comparison.
 *
 *   npx tsx bench/sql-scale.ts [--cases 100000] [--pg-cases 10000] [--policy NIA_CG_300] [--threads 2] [--slice 500000] [--memory-limit 4GB] [--profile FILE]
 *
 * `--slice 500000` runs the query over that many cases at a time (each slice generated, run, its
 * results kept as a table and counted, then dropped), so the memory a run needs is a slice's.
 * `--memory-limit 4GB` caps DuckDB's memory (it spills to a temporary folder beyond it).
 * `--profile FILE` writes DuckDB's JSON profile of the query (operators, their CPU time) to FILE.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileFiles } from "../compiler/compile.js";
import { polFilesUnder } from "../compiler/cli/main.js";
import { loadPolicies } from "../compiler/load-modules.js";
import type { IrPolicy, IrType } from "../compiler/ir.js";
import { policySql, type DialectName } from "../compiler/sql/index.js";
import { ident, text, type Column, type Layout } from "../compiler/sql/layout.js";
import { DuckDbEngine } from "../compiler/sql/duckdb.js";
import { postgresUnavailable, postgresConnection } from "../compiler/sql/postgres.js";
import { evaluate } from "../runtime/determine.js";
import { generateCorpus } from "./corpus.js";
import { printFigure } from "./report.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
};
const cases = Number(option("--cases", "100000"));
const pgCases = Number(option("--pg-cases", "10000"));
const policyId = option("--policy", "NIA_CG_300");
const threads = Number(option("--threads", "2"));
const profile = option("--profile", "");
const memoryLimit = option("--memory-limit", "");
const slice = Number(option("--slice", "0")) || cases;

/** A deterministic number from 0 to m-1 for case (or entry) `i` and column `k`, in SQL both engines read. */
const pick = (i: string, k: number, m: number) => `((((${i}) * 2654435761 + ${k * 40503 + 17}) % 1000003) % ${m})`;

/** The SQL that makes a column's value for row `i` (about one value in twenty left undocumented). */
function generator(column: Column, type: IrType | undefined, i: string, k: number, dos: string): string {
  const missing = `${pick(i, k + 1000, 20)} = 0`;
  let value: string;
  switch (column.kind) {
    case "boolean":
      value = `${pick(i, k, 10)} < 3`;
      break;
    case "number":
      value = type?.t === "number" && type.max !== undefined ? `CAST(${pick(i, k, Math.max(1, Math.floor(type.max - (type.min ?? 0)) + 1))} + ${type.min ?? 0} AS DOUBLE PRECISION)` : `CAST(${pick(i, k, 100)} AS DOUBLE PRECISION)`;
      break;
    case "date":
      value = `CAST(${dos} - CAST(${pick(i, k, 900)} AS INTEGER) AS DATE)`;
      break;
    case "levels":
      value = `CAST(POWER(2, ${pick(i, k, 23)}) AS INTEGER)`;
      break;
    case "amount":
      value = `CAST(${pick(i, k, 24)} + 1 AS DOUBLE PRECISION)`;
      break;
    case "unit":
      value = `(CASE ${pick(i, k, 3)} WHEN 0 THEN 'days' WHEN 1 THEN 'weeks' ELSE 'months' END)`;
      break;
    default:
      if (type?.t === "enum") value = `(CASE ${pick(i, k, type.enum.values.length)} ${type.enum.values.map((v, n) => `WHEN ${n} THEN ${text(v.name)}`).join(" ")} END)`;
      else value = `'text'`;
  }
  return `CASE WHEN ${missing} THEN NULL ELSE ${value} END`;
}

/** INSERT … SELECT statements that fill the layout with n cases and 0–8 history entries each. */
function fill(ir: IrPolicy, layout: Layout, n: number, dialect: DialectName, first = 0): string[] {
  const dos = `(DATE '2024-01-01' + CAST(${pick("g.i", 999, 366)} AS INTEGER))`;
  const typeOf = new Map<string, IrType>();
  for (const [fact, cols] of layout.factColumns) for (const c of cols) typeOf.set(c, fact.type);
  const series = dialect === "duckdb" ? `range(${first}, ${first + n}) g(i)` : `generate_series(${first}, ${first + n - 1}) g(i)`;
  const caseColumns = layout.cases.map((c, k) => {
    if (c.kind === "id") return `CAST(g.i AS ${dialect === "duckdb" ? "VARCHAR" : "TEXT"})`;
    if (c.kind === "state") return `CASE WHEN ${pick("g.i", 7, 2)} = 0 THEN 'WA' ELSE NULL END`;
    if (c.name === "date_of_service") return dos;
    if (c.kind === "documented") return "TRUE";
    return generator(c, typeOf.get(c.name), "g.i", k, dos);
  });
  const statements = [`INSERT INTO ${ident(layout.casesTable)} SELECT ${caseColumns.join(", ")} FROM ${series}`];
  for (const l of layout.lists) {
    const entries = dialect === "duckdb" ? `range(0, 8) e(j)` : `generate_series(0, 7) e(j)`;
    const row = `(g.i * 8 + e.j)`;
    const columns = l.columns.map((c, k) => {
      if (c.kind === "id") return `CAST(g.i AS ${dialect === "duckdb" ? "VARCHAR" : "TEXT"})`;
      if (c.kind === "ord") return "CAST(e.j AS INTEGER)";
      if (c.name === "date") return `CAST(${dos} - CAST(${pick(row, 3, 1000)} AS INTEGER) AS DATE)`;
      const field = l.record.fields.find((f) => f.name === c.name.replace(/__(amount|unit)$/, ""));
      return generator(c, field?.type, row, k + 100, dos);
    });
    statements.push(`INSERT INTO ${ident(l.table)} SELECT ${columns.join(", ")} FROM ${series} CROSS JOIN ${entries} WHERE e.j < ${pick("g.i", 5, 9)}`);
  }
  void ir;
  return statements;
}

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);

const result = compileFiles(polFilesUnder("policies"));
const ir = result.library!.policies.find((p) => p.id === policyId)!;
console.log(`# ${policyId}; ${cases.toLocaleString("en-US")} cases on DuckDB (${threads} threads), ${pgCases.toLocaleString("en-US")} on PostgreSQL`);

{
  const sql = policySql(ir, "duckdb");
  const db = await DuckDbEngine.open(":memory:", threads);
  const spill = join(tmpdir(), `pol-duckdb-${process.pid}`);
  if (memoryLimit) await db.run(`SET memory_limit = ${text(memoryLimit)}; SET temp_directory = ${text(spill)}`);
  // The tables without their primary keys: DuckDB keeps an index for a key, which a bulk load
  // of generated rows (unique by construction) does not need and which makes it several times slower.
  await db.run(sql.ddl.replace(/, (-- [^\n]*)\n  PRIMARY KEY \([^)]*\)/g, " $1"));
  await db.run("CREATE TABLE outcome_counts (outcome VARCHAR, n BIGINT)");
  let generated = 0;
  let entries = 0;
  let seconds = 0;
  for (let first = 0; first < cases; first += slice) {
    const n = Math.min(slice, cases - first);
    for (const table of [sql.layout.casesTable, ...sql.layout.lists.map((l) => l.table)]) await db.run(`DELETE FROM ${ident(table)}`);
    let t = performance.now();
    for (const statement of fill(ir, sql.layout, n, "duckdb", first)) await db.run(statement);
    generated += (performance.now() - t) / 1000;
    entries += Number((await db.connection.runAndReadAll(`SELECT COUNT(*) AS n FROM ${ident(sql.layout.lists[0]?.table ?? "cases")}`)).getRowObjectsJS()[0].n);
    if (profile) await db.run(`PRAGMA enable_profiling = 'json'; PRAGMA profiling_output = ${text(profile)}`);
    if (first === 0) peak = 0;
    t = performance.now();
    await db.run(`CREATE TABLE results AS ${sql.query}`);
    seconds += (performance.now() - t) / 1000;
    if (profile) await db.run("PRAGMA disable_profiling");
    await db.run("INSERT INTO outcome_counts SELECT outcome, COUNT(*) FROM results GROUP BY outcome; DROP TABLE results");
    if (slice < cases) console.log(`# ${(first + n).toLocaleString("en-US")} cases: ${seconds.toFixed(1)} s of queries, peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
  }
  console.log(`# generated in DuckDB in ${generated.toFixed(1)} s (${entries.toLocaleString("en-US")} history entries)`);
  const outcomes = (await db.connection.runAndReadAll("SELECT outcome, SUM(n) AS n FROM outcome_counts GROUP BY outcome ORDER BY outcome")).getRowObjectsJS();
  console.log(`# outcomes: ${outcomes.map((o) => `${o.outcome} ${o.n}`).join(", ")}`);
  printFigure("sql.duckdb.seconds", seconds, "s");
  printFigure("sql.duckdb.cases_per_second", cases / seconds, "cases/s");
  printFigure("sql.duckdb.peak_rss", Math.max(peak, process.memoryUsage().rss) / 2 ** 20, "MiB");
  db.close();
  rmSync(spill, { recursive: true, force: true });
}

const unavailable = postgresUnavailable();
if (unavailable) console.log(`# PostgreSQL skipped: ${unavailable}`);
else {
  const sql = policySql(ir, "postgres");
  const conn = postgresConnection()!;
  const psql = (script: string) => {
    const run = spawnSync("psql", [conn, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", "-"], { input: script, encoding: "utf8", maxBuffer: 1 << 28 });
    if (run.status !== 0) throw new Error(run.stderr);
    return run.stdout;
  };
  const schema = "pol_bench";
  psql(`SET jit = off; DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; SET search_path TO ${schema};\n${sql.ddl}\n${fill(ir, sql.layout, pgCases, "postgres").join(";\n")};\nANALYZE;`);
  const t = performance.now();
  const out = psql(`SET jit = off; SET search_path TO ${schema}; SELECT COUNT(*) FROM (${sql.query}) r;`);
  const seconds = (performance.now() - t) / 1000;
  psql(`DROP SCHEMA ${schema} CASCADE;`);
  console.log(`# PostgreSQL returned ${out.trim()} rows`);
  printFigure("sql.postgres.seconds", seconds, "s");
  printFigure("sql.postgres.cases_per_second", pgCases / seconds, "cases/s");
}

// The TypeScript module on the bench corpus, for comparison (one thread, trace off).
{
  const policy = loadPolicies(result).get(policyId)!;
  const corpus = generateCorpus(policyId === "NIA_CG_300" ? 10_000 : 0);
  if (corpus.length) {
    const t = performance.now();
    for (const c of corpus) evaluate(policy, c.input, { state: c.state, trace: false });
    printFigure("sql.alternative.typescript_module_cases_per_second", corpus.length / ((performance.now() - t) / 1000), "cases/s");
  }
}
clearInterval(sampler);
