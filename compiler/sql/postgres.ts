/**
 * PostgreSQL, through its own client (`psql`): the layout's tables made in a schema of their own,
 * the rows copied in, the policy's query run, the schema dropped. No driver is needed beside the
 * server's client, which Debian's package installs with it.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { formatDay } from "../../runtime/dates.js";
import type { Column, Layout } from "./layout.js";
import { ident } from "./layout.js";
import type { Cell, CaseRows } from "./rows.js";
import { lineOutcomes, splitList, type SqlResultRow } from "./duckdb.js";

/** The connection to use, from POL_POSTGRES (psql's connection options); undefined when none is configured. */
export function postgresConnection(): string | undefined {
  const conn = process.env.POL_POSTGRES;
  return conn && conn.trim() !== "" ? conn : undefined;
}

/** Why PostgreSQL cannot be used here, or undefined when it can. */
export function postgresUnavailable(): string | undefined {
  const conn = postgresConnection();
  if (!conn) return "no PostgreSQL server: set POL_POSTGRES to psql connection options (.ci/postgres.sh starts one)";
  const probe = spawnSync("psql", [conn, "-X", "-A", "-t", "-c", "SELECT 1"], { encoding: "utf8" });
  if (probe.error) return `psql cannot be run: ${probe.error.message}`;
  if (probe.status !== 0) return `PostgreSQL at '${conn}' does not answer: ${probe.stderr.trim()}`;
  return undefined;
}

function copyCell(column: Column, cell: Cell): string {
  if (cell === null) return "\\N";
  if (typeof cell === "boolean") return cell ? "t" : "f";
  if (column.kind === "date") return formatDay(cell as number);
  return String(cell).replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

/** Runs a policy's DDL and query over the rows; returns the results in case-id order. */
export function runOnPostgres(conn: string, ddl: string, query: string, layout: Layout, rows: readonly CaseRows[]): SqlResultRow[] {
  const schema = `pol_${randomBytes(6).toString("hex")}`;
  // JIT compiling a query this large costs far more than it saves.
  const script: string[] = [`\\set ON_ERROR_STOP on`, `SET jit = off;`, `CREATE SCHEMA ${schema};`, `SET search_path TO ${schema};`, ddl];
  const copy = (table: string, columns: readonly Column[], data: Iterable<readonly Cell[]>) => {
    script.push(`COPY ${ident(table)} (${columns.map((c) => ident(c.name)).join(", ")}) FROM STDIN;`);
    for (const row of data) script.push(row.map((cell, i) => copyCell(columns[i], cell)).join("\t"));
    script.push("\\.");
  };
  copy(layout.casesTable, layout.cases, rows.map((r) => r.cases));
  layout.lists.forEach((l, i) => copy(l.table, l.columns, rows.flatMap((r) => r.lists[i])));
  script.push(`SELECT case_id, outcome, COALESCE(pathway, '\\N'), unmet, undocumented, lines FROM (\n${query}\n) r ORDER BY case_id;`);
  script.push(`DROP SCHEMA ${schema} CASCADE;`);
  const run = spawnSync("psql", [conn, "-X", "-q", "-A", "-t", "-F", "\t", "-f", "-"], { input: script.join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 30 });
  if (run.error) throw run.error;
  if (run.status !== 0) {
    spawnSync("psql", [conn, "-X", "-q", "-c", `DROP SCHEMA IF EXISTS ${schema} CASCADE`], { encoding: "utf8" });
    throw new Error(`PostgreSQL refused the policy's SQL: ${run.stderr.trim().slice(0, 2000)}`);
  }
  return run.stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [case_id, outcome, pathway, unmet, undocumented, lines] = line.split("\t");
      return { case_id, outcome, pathway: pathway === "\\N" ? null : pathway, unmet: splitList(unmet), undocumented: splitList(undocumented), lines: lineOutcomes(lines) };
    });
}
