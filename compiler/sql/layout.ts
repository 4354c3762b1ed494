/**
 * The relational layout of a policy's input: a `cases` table with one column per scalar fact
 * (a duration as its amount and unit, spinal levels as their bit mask), and one child table per
 * list fact, keyed by case id and the entry's place in the list. Generated from the policy's
 * facts, so the layout, its DDL and the query always agree.
 */
import type { IrFact, IrField, IrPolicy, IrRecord, IrType } from "../ir.js";
import { fieldsOf } from "../ir.js";
import type { Dialect } from "./dialect.js";
import { SqlRefusal } from "./refusal.js";

export interface Column {
  readonly name: string;
  /** What the column holds: the fact's type, or one of the parts of a duration. */
  readonly kind: "boolean" | "number" | "text" | "date" | "levels" | "amount" | "unit" | "documented" | "id" | "ord" | "state";
  readonly description: string;
}

export interface ListTable {
  readonly fact: IrFact;
  readonly table: string;
  readonly record: IrRecord;
  /** The record's fields, with those the policy's extensions add (`extend record`). */
  readonly fields: readonly IrField[];
  readonly columns: readonly Column[];
  /** The cases column that says whether the list is documented at all (true even when empty). */
  readonly documented: string;
}

export interface Layout {
  readonly casesTable: string;
  readonly cases: readonly Column[];
  readonly lists: readonly ListTable[];
  /** The cases column(s) of a scalar fact: one, or amount and unit for a duration. */
  readonly factColumns: ReadonlyMap<IrFact, readonly string[]>;
  readonly listOf: ReadonlyMap<IrFact, ListTable>;
  /** The list tables whose entries are of a record. */
  readonly tablesOf: ReadonlyMap<IrRecord, readonly ListTable[]>;
}

/** A name as a column: the fact's path with `__` between group and name. */
export function columnName(path: string): string {
  return path.replace(/\./g, "__");
}

/** The columns of a value of a type, named from a base name. */
function columnsOf(base: string, type: IrType, description: string, policy: string, where: string): Column[] {
  switch (type.t) {
    case "boolean":
      return [{ name: base, kind: "boolean", description }];
    case "number":
      return [{ name: base, kind: "number", description }];
    case "text":
    case "enum":
      return [{ name: base, kind: "text", description }];
    case "date":
      return [{ name: base, kind: "date", description }];
    case "levels":
      return [{ name: base, kind: "levels", description: `${description} (bit i for the i-th level from C1-2)` }];
    case "duration":
      return [
        { name: `${base}__amount`, kind: "amount", description: `${description}: amount` },
        { name: `${base}__unit`, kind: "unit", description: `${description}: unit (minutes, hours, days, weeks, months or years)` },
      ];
    case "list":
      throw new SqlRefusal(policy, "a list inside an entry of a list", where);
  }
}

export function layoutOf(p: IrPolicy): Layout {
  const cases: Column[] = [
    { name: "case_id", kind: "id", description: "The case's id" },
    { name: "state", kind: "state", description: "The member's state (two letters), for state overlays" },
    { name: "date_of_service", kind: "date", description: "The date of service the request is for" },
  ];
  const factColumns = new Map<IrFact, string[]>();
  const lists: ListTable[] = [];
  const listOf = new Map<IrFact, ListTable>();
  const tablesOf = new Map<IrRecord, ListTable[]>();
  const taken = new Set(cases.map((c) => c.name));
  const take = (name: string, where: string) => {
    if (taken.has(name)) throw new SqlRefusal(p.id, `two facts with the column name '${name}'`, where);
    taken.add(name);
  };
  for (const f of p.facts) {
    const base = columnName(f.path);
    if (f.type.t === "list") {
      const record = f.type.record;
      const fields = fieldsOf(record, p.extensions);
      const table: ListTable = {
        fact: f,
        table: base,
        record,
        fields,
        documented: `${base}__documented`,
        columns: [
          { name: "case_id", kind: "id", description: "The case the entry belongs to" },
          { name: "ord", kind: "ord", description: `The entry's place in ${f.path}, from 0` },
          // With the fields the policy's extensions add (`extend record`).
          ...fields.flatMap((field: IrField) => columnsOf(field.name, field.type, field.description, p.id, `field ${record.name}.${field.name}`)),
        ],
      };
      take(table.documented, `fact ${f.path}`);
      cases.push({ name: table.documented, kind: "documented", description: `Whether ${f.path} is documented (true even when it has no entries)` });
      lists.push(table);
      listOf.set(f, table);
      tablesOf.set(record, [...(tablesOf.get(record) ?? []), table]);
      continue;
    }
    const columns = columnsOf(base, f.type, f.description, p.id, `fact ${f.path}`);
    for (const c of columns) take(c.name, `fact ${f.path}`);
    cases.push(...columns);
    factColumns.set(
      f,
      columns.map((c) => c.name),
    );
  }
  for (const l of lists) {
    if (tablesOf.has(l.record) && taken.has(l.table)) throw new SqlRefusal(p.id, `a list table named like a column ('${l.table}')`, `fact ${l.fact.path}`);
  }
  return { casesTable: "cases", cases, lists, factColumns, listOf, tablesOf };
}

/** A name quoted as an SQL identifier (names come from the policy: never unquoted). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A text as an SQL literal. */
export function text(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function columnType(c: Column, d: Dialect): string {
  switch (c.kind) {
    case "boolean":
    case "documented":
      return d.types.boolean;
    case "number":
    case "amount":
      return d.types.double;
    case "date":
      return d.types.date;
    case "levels":
    case "ord":
      return d.types.integer;
    default:
      return d.types.text;
  }
}

/** The DDL of the layout: `cases` and one table per list. */
export function ddl(layout: Layout, d: Dialect): string {
  const table = (name: string, columns: readonly Column[], key: string) =>
    [`CREATE TABLE ${ident(name)} (`, ...columns.map((c) => `  ${ident(c.name)} ${columnType(c, d)}${c.kind === "id" && key === "case_id" ? " NOT NULL" : ""}, -- ${c.description.replace(/[\r\n]+/g, " ")}`), `  PRIMARY KEY (${key})`, `);`].join("\n");
  return [table(layout.casesTable, layout.cases, "case_id"), ...layout.lists.map((l) => table(l.table, l.columns, "case_id, ord"))].join("\n\n") + "\n";
}
