/**
 * Checks a request against the policy's input types before anything is evaluated. A fact left
 * out (or null) is not an error: it is undocumented, and evaluation says needs-info.
 */
import type { FactSchema, FieldType, Program } from "./program.js";
import { durationUnits, parseIsoDate } from "./dates.js";
import { closestName } from "./closest-name.js";

export interface InputProblem {
  /** The field's path in the input, e.g. `prior_procedures[1].date`. */
  readonly path: string;
  readonly message: string;
}

export class InputError extends Error {
  constructor(readonly problems: readonly InputProblem[]) {
    super(`The request does not match the policy's input:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n")}`);
    this.name = "InputError";
  }
}


/** The input's expected fields as a tree: groups hold children, facts their schema. */
export interface InputNode {
  fact?: FactSchema;
  children: Map<string, InputNode>;
}

function treeOf(facts: readonly FactSchema[]): InputNode {
  const root: InputNode = { children: new Map() };
  for (const fact of facts) {
    let node = root;
    for (const part of fact.path.split(".")) {
      let next = node.children.get(part);
      if (!next) node.children.set(part, (next = { children: new Map() }));
      node = next;
    }
    node.fact = fact;
  }
  return root;
}

const trees = new WeakMap<Program, InputNode>();

/** The tree of expected fields, `date_of_service` included, built once per program. */
export function inputTree(program: Program): InputNode {
  let tree = trees.get(program);
  if (!tree) {
    tree = treeOf(program.facts);
    tree.children.set("date_of_service", { children: new Map(), fact: { path: "date_of_service", type: { t: "date" }, description: "" } });
    trees.set(program, tree);
  }
  return tree;
}

export function validateInput(program: Program, input: unknown): InputProblem[] {
  const problems: InputProblem[] = [];
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return [{ path: "(input)", message: `expected an object of facts, got ${describe(input)}` }];
  }
  const dos = (input as Record<string, unknown>).date_of_service;
  if (dos === undefined || dos === null) problems.push({ path: "date_of_service", message: "is required: the date the service is requested for, like 2024-03-15" });
  else if (typeof dos !== "string" || parseIsoDate(dos) === undefined) problems.push({ path: "date_of_service", message: `expected a calendar date like 2024-03-15, got ${describe(dos)}` });
  const tree = inputTree(program);
  checkObject(program, tree, input as Record<string, unknown>, "", problems, new Set(["date_of_service"]));
  return problems;
}

function checkObject(program: Program, node: InputNode, value: Record<string, unknown>, prefix: string, problems: InputProblem[], skip: Set<string>): void {
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const expected = node.children.get(key);
    if (!expected) {
      const known = [...node.children.keys()];
      const guess = closestName(key, known);
      problems.push({ path, message: `is not a fact of this policy${guess ? ` (did you mean '${guess}'?)` : ""}` });
      continue;
    }
    if (skip.has(path) || child === undefined || child === null) continue;
    if (expected.fact) checkValue(program, expected.fact.type, child, path, problems);
    else if (typeof child !== "object" || Array.isArray(child)) problems.push({ path, message: `expected a group of facts (an object), got ${describe(child)}` });
    else checkObject(program, expected, child as Record<string, unknown>, path, problems, skip);
  }
}

function checkValue(program: Program, type: FieldType, value: unknown, path: string, problems: InputProblem[]): void {
  switch (type.t) {
    case "boolean":
      if (typeof value !== "boolean") problems.push({ path, message: `expected true or false, got ${describe(value)}` });
      return;
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        problems.push({ path, message: `expected a number, got ${describe(value)}` });
        return;
      }
      if (type.integer && !Number.isInteger(value)) problems.push({ path, message: `expected a whole number, got ${value}` });
      if ((type.min !== undefined && value < type.min) || (type.max !== undefined && value > type.max)) {
        const range = type.min !== undefined && type.max !== undefined ? `from ${type.min} to ${type.max}` : type.min !== undefined ? `of at least ${type.min}` : `of at most ${type.max}`;
        problems.push({ path, message: `expected a number ${range}, got ${value}` });
      }
      return;
    }
    case "date":
      if (typeof value !== "string" || parseIsoDate(value) === undefined) {
        problems.push({ path, message: `expected a calendar date like 2024-03-15, got ${describe(value)}` });
      }
      return;
    case "duration": {
      const d = value as { amount?: unknown; unit?: unknown };
      const ok =
        typeof value === "object" &&
        value !== null &&
        !Array.isArray(value) &&
        typeof d.amount === "number" &&
        Number.isFinite(d.amount) &&
        typeof d.unit === "string" &&
        Object.keys(value).every((k) => k === "amount" || k === "unit");
      if (!ok) problems.push({ path, message: `expected a duration like {"amount": 6, "unit": "weeks"}, got ${describe(value)}` });
      else if ((d.amount as number) < 0) problems.push({ path, message: `expected a duration of zero or more, got ${d.amount as number}` });
      else if (!(durationUnits as readonly string[]).includes(d.unit as string)) problems.push({ path, message: `expected the unit to be one of ${durationUnits.join(", ")}, got ${describe(d.unit)}` });
      return;
    }
    case "text":
      if (typeof value !== "string") problems.push({ path, message: `expected a text, got ${describe(value)}` });
      return;
    case "enum":
      if (typeof value !== "string" || !type.values.includes(value)) {
        problems.push({ path, message: `expected one of ${type.values.join(", ")}, got ${describe(value)}` });
      }
      return;
    case "list": {
      if (!Array.isArray(value)) {
        problems.push({ path, message: `expected a list, got ${describe(value)}` });
        return;
      }
      const fields = program.records[type.record] ?? [];
      value.forEach((entry, i) => {
        const entryPath = `${path}[${i}]`;
        if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
          problems.push({ path: entryPath, message: `expected a ${type.record} (an object), got ${describe(entry)}` });
          return;
        }
        const record = entry as Record<string, unknown>;
        // Entries of a history are placed in time by their date; one without it cannot be counted.
        if (fields.some((f) => f.path === "date") && (record.date === undefined || record.date === null)) {
          problems.push({ path: `${entryPath}.date`, message: "is required: each entry needs its date" });
        }
        for (const [key, fieldValue] of Object.entries(record)) {
          const field = fields.find((f) => f.path === key);
          if (!field) {
            const guess = closestName(key, fields.map((f) => f.path));
            problems.push({ path: `${entryPath}.${key}`, message: `is not a field of ${type.record}${guess ? ` (did you mean '${guess}'?)` : ""}` });
          } else if (fieldValue !== undefined && fieldValue !== null) {
            checkValue(program, field.type, fieldValue, `${entryPath}.${key}`, problems);
          }
        }
      });
      return;
    }
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return String(value);
}
