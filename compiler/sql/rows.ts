/**
 * Requests as rows of the relational layout. Each request is read by the runtime's own validation
 * (readInput), so a request the TypeScript module refuses is refused here with the same problems,
 * and each value reaches the tables as evaluation would read it (dates as day numbers, a duration
 * in the singular as its unit, spinal levels as their bit mask).
 */
import type { Policy } from "../../runtime/policy.js";
import { InputError, readInput } from "../../runtime/validate.js";
import { isList, isRange, type Value } from "../../runtime/values.js";
import type { InputProblem } from "../../runtime/validate.js";
import { Unknown } from "../../runtime/tri.js";
import type { Column, Layout } from "./layout.js";

/** A cell: a value as the engine stores it (dates as day numbers), or null. */
export type Cell = boolean | number | string | null;

export interface CaseRows {
  readonly cases: Cell[];
  /** Per list table (in the layout's order), the entries' rows. */
  readonly lists: Cell[][][];
}

/**
 * A date the request gives only to the month or the year (2023-06) is a range of days that the
 * SQL query does not read: refused, naming the field, rather than taken as undocumented.
 */
function refusePartialDate(value: Value | undefined, problems: InputProblem[]): void {
  if (value === undefined || !isRange(value) || value.undocumented) return;
  problems.push({ path: [...value.unknown.missing][0], message: "a date given only to the month or the year is evaluated by the TypeScript evaluator only; the SQL query needs the full date (like 2024-03-15)" });
}

function cellOf(column: Column, value: Value | undefined): Cell {
  if (value === undefined || value instanceof Unknown || value === null) return null;
  switch (column.kind) {
    case "amount":
      return typeof value === "object" && "amount" in value ? value.amount : null;
    case "unit":
      return typeof value === "object" && "unit" in value ? value.unit : null;
    default:
      return typeof value === "boolean" || typeof value === "number" || typeof value === "string" ? value : null;
  }
}

/** Builds a request's rows; throws InputError (the runtime's problems) for a request that does not fit the policy. */
export function rowsOf(policy: Policy, layout: Layout, caseId: string, state: string | null, input: unknown): CaseRows {
  const read = readInput(policy, input);
  if (read.problems.length > 0) throw new InputError(read.problems);
  const byPath = policy.factsByPath;
  const cases: Cell[] = [];
  const columnsOfFact = new Map<string, string>();
  for (const [fact, cols] of layout.factColumns) for (const c of cols) columnsOfFact.set(c, fact.path);
  const documented = new Map(layout.lists.map((l) => [l.documented, l]));
  const partial: InputProblem[] = [];
  for (const column of layout.cases) {
    if (column.kind === "id") cases.push(caseId);
    else if (column.kind === "state") cases.push(state);
    else if (column.name === "date_of_service") cases.push(read.dos ?? null);
    else if (column.kind === "documented") {
      const list = documented.get(column.name)!;
      const value = read.facts[byPath.get(list.fact.path)!.slot];
      cases.push(value !== undefined && isList(value) ? true : null);
    } else {
      const path = columnsOfFact.get(column.name)!;
      const value = read.facts[byPath.get(path)!.slot];
      refusePartialDate(value, partial);
      cases.push(cellOf(column, value));
    }
  }
  const lists = layout.lists.map((l) => {
    const value = read.facts[byPath.get(l.fact.path)!.slot];
    if (value === undefined || !isList(value)) return [];
    return value.items.map((item, ord) => {
      const row: Cell[] = [];
      for (const column of l.columns) {
        if (column.kind === "id") row.push(caseId);
        else if (column.kind === "ord") row.push(ord);
        else {
          const fieldName = column.kind === "amount" || column.kind === "unit" ? column.name.replace(/__(amount|unit)$/, "") : column.name;
          const field = l.fields.find((f) => f.name === fieldName)!;
          const value = item.rec.row[field.index];
          refusePartialDate(value, partial);
          row.push(cellOf(column, value));
        }
      }
      return row;
    });
  });
  if (partial.length > 0) throw new InputError(partial);
  return { cases, lists };
}
