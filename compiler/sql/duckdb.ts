/**
 * DuckDB, embedded: a database in memory (or a file), the layout's tables, the rows of the
 * requests appended, and the policy's query run in-process.
 */
import type { DuckDBAppender, DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { Column, Layout } from "./layout.js";
import type { Cell, CaseRows } from "./rows.js";

export interface SqlResultRow {
  readonly case_id: string;
  readonly outcome: string;
  readonly pathway: string | null;
  readonly unmet: readonly string[];
  readonly undocumented: readonly string[];
  /** With service lines: each line's outcome, the main line first (empty when the request asks for no service line). */
  readonly lines: readonly LineOutcome[];
}

export interface LineOutcome {
  readonly id: string;
  readonly outcome: string;
}

/** The `lines` column (`id=outcome`, comma-separated) as line outcomes. */
export function lineOutcomes(value: unknown): LineOutcome[] {
  return splitList(value).map((entry) => {
    const at = entry.lastIndexOf("=");
    return { id: entry.slice(0, at), outcome: entry.slice(at + 1) };
  });
}

export class DuckDbEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly dateValue: (days: number) => unknown,
  ) {}

  /** Opens a database (in memory by default). DuckDB's native module is loaded only here. */
  static async open(path = ":memory:", threads?: number): Promise<DuckDbEngine> {
    const duckdb = await import("@duckdb/node-api");
    const instance = await duckdb.DuckDBInstance.create(path, threads ? { threads: String(threads) } : {});
    return new DuckDbEngine(instance, await instance.connect(), (days) => new duckdb.DuckDBDateValue(days));
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Appends the requests' rows to the layout's tables (made by its DDL). */
  async append(layout: Layout, rows: Iterable<CaseRows>): Promise<void> {
    const cases = await this.connection.createAppender(layout.casesTable);
    const lists = await Promise.all(layout.lists.map((l) => this.connection.createAppender(l.table)));
    for (const r of rows) {
      appendRow(cases, layout.cases, r.cases, this.dateValue);
      r.lists.forEach((entries, i) => {
        for (const entry of entries) appendRow(lists[i], layout.lists[i].columns, entry, this.dateValue);
      });
    }
    for (const a of [cases, ...lists]) a.closeSync();
  }

  /** Runs a policy's query; its lists of ids come back as arrays. */
  async results(query: string): Promise<SqlResultRow[]> {
    const reader = await this.connection.runAndReadAll(query);
    return reader.getRowObjectsJS().map((row) => ({
      case_id: String(row.case_id),
      outcome: String(row.outcome),
      pathway: row.pathway === null ? null : String(row.pathway),
      unmet: splitList(row.unmet),
      undocumented: splitList(row.undocumented),
      lines: lineOutcomes(row.lines),
    }));
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

export function splitList(value: unknown): string[] {
  return typeof value === "string" && value !== "" ? value.split(",") : [];
}

function appendRow(appender: DuckDBAppender, columns: readonly Column[], cells: readonly Cell[], dateValue: (days: number) => unknown): void {
  columns.forEach((column, i) => {
    const cell = cells[i];
    if (cell === null || cell === undefined) appender.appendNull();
    else
      switch (column.kind) {
        case "boolean":
        case "documented":
          appender.appendBoolean(cell as boolean);
          break;
        case "number":
        case "amount":
          appender.appendDouble(cell as number);
          break;
        case "date":
          appender.appendDate(dateValue(cell as number) as Parameters<DuckDBAppender["appendDate"]>[0]);
          break;
        case "levels":
        case "ord":
          appender.appendInteger(cell as number);
          break;
        default:
          appender.appendVarchar(String(cell));
      }
  });
  appender.endRow();
}
