/**
 * Reads a request: checks it against the policy's input types and, in the same pass, takes each
 * fact's value out of it, so that evaluation never looks a name up in the request again. A fact
 * left out (or null) is not an error: it is undocumented, and evaluation says needs-info. Only a
 * request's own properties are facts: an inherited one (`constructor`, `toString`) is never read.
 */
import type { Policy } from "./policy.js";
import type { FactDescriptor, RecordType, ValueType } from "./schema.js";
import { date } from "./schema.js";
import { parseIsoDate } from "./dates.js";
import { durationUnits } from "./vocabulary.js";
import { closestName } from "./closest-name.js";
import { slotCount } from "./slots.js";
import { recordOf, type ListItem, type Value } from "./values.js";
import type { Length } from "./dates.js";

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

/** The input's expected fields as a tree: groups hold children, facts their descriptor. */
interface InputNode {
  readonly fact?: FactDescriptor;
  readonly children: Map<string, InputNode>;
  /** The same children in the order the policy lists them. */
  readonly names: string[];
  readonly nodes: InputNode[];
}

function newNode(): InputNode {
  return { children: new Map(), names: [], nodes: [] };
}

const dateOfService: FactDescriptor = { slot: -1, path: "date_of_service", parts: ["date_of_service"], type: date, description: "The date of service the request is for." };

const trees = new WeakMap<Policy, InputNode>();

/** The tree of expected fields, `date_of_service` included, built once per policy. */
function inputTree(policy: Policy): InputNode {
  let tree = trees.get(policy);
  if (!tree) {
    tree = newNode();
    for (const fact of [dateOfService, ...policy.facts]) {
      let node: InputNode = tree;
      for (const part of fact.parts) {
        let next = node.children.get(part);
        if (!next) {
          node.children.set(part, (next = newNode()));
          node.names.push(part);
          node.nodes.push(next);
        }
        node = next;
      }
      (node as { fact?: FactDescriptor }).fact = fact;
    }
    trees.set(policy, tree);
  }
  return tree;
}

const units: ReadonlySet<string> = new Set(durationUnits);

/** A request as read: its problems, and the value of every fact it documents. */
export interface InputRead {
  readonly problems: InputProblem[];
  /** The date of service as a day number, when it is one. */
  readonly dos: number | undefined;
  /**
   * Each documented fact's value, ready for evaluation (dates as day numbers, lists as lists of
   * entries), by the fact's slot. Evaluation goes on filling the same array with what it works
   * out (see Context), so it has room for twice the slots.
   */
  readonly facts: (Value | undefined)[];
}

/** Every problem with a request, each naming its field; none when it can be evaluated. */
export function validateInput(policy: Policy, input: unknown): InputProblem[] {
  return readInput(policy, input).problems;
}

export function readInput(policy: Policy, input: unknown): InputRead {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return { problems: [{ path: "(input)", message: `expected an object of facts, got ${describe(input)}` }], dos: undefined, facts: [] };
  }
  const reader = new Reader();
  const raw = Object.hasOwn(input, "date_of_service") ? (input as Record<string, unknown>).date_of_service : undefined;
  const dos = typeof raw === "string" ? parseIsoDate(raw) : undefined;
  if (raw === undefined || raw === null) reader.problems.push({ path: "date_of_service", message: "is required: the date the service is requested for, like 2024-03-15" });
  else if (dos === undefined) reader.problems.push({ path: "date_of_service", message: `expected a calendar date like 2024-03-15, got ${describe(raw)}` });
  reader.object(inputTree(policy), input as Record<string, unknown>, dateOfService);
  return { problems: reader.problems, dos, facts: reader.facts };
}

/**
 * One reading: the problems found, the facts read, and the path to where it is (built into text
 * only for a problem). Objects are read with `for…in`, which reads each value by its place in the
 * object's layout; only own properties count.
 */
class Reader {
  readonly problems: InputProblem[] = [];
  readonly facts: (Value | undefined)[] = new Array(slotCount() * 2);
  private readonly path: (string | number)[] = [];

  private problem(key: string | number, message: string): void {
    let text = "";
    for (const part of [...this.path, key]) text = typeof part === "number" ? `${text}[${part}]` : text ? `${text}.${part}` : part;
    this.problems.push({ path: text, message });
  }

  /** An object of facts; `checked` is a fact already checked on its own (the date of service). */
  object(node: InputNode, value: Record<string, unknown>, checked?: FactDescriptor): void {
    const ownOnly = this.inheritsNothing(value);
    const { names, nodes } = node;
    let next = 0;
    for (const key in value) {
      if (!ownOnly && !Object.hasOwn(value, key)) continue;
      const child = value[key];
      // Requests mostly list their facts in the policy's order (some left out): the next few
      // names are compared before the name is hashed.
      let expected: InputNode | undefined;
      for (let i = next, end = Math.min(names.length, next + 4); i < end; i++) {
        if (names[i] === key) {
          expected = nodes[i];
          next = i + 1;
          break;
        }
      }
      expected ??= node.children.get(key);
      if (!expected) {
        const guess = closestName(key, node.children.keys());
        this.problem(key, `is not a fact of this policy${guess ? ` (did you mean '${guess}'?)` : ""}`);
      } else if (child !== undefined && child !== null && expected.fact !== checked) {
        if (expected.fact) this.facts[expected.fact.slot] = this.value(expected.fact.type, child, key, expected.fact.path);
        else if (typeof child !== "object" || Array.isArray(child)) this.problem(key, `expected a group of facts (an object), got ${describe(child)}`);
        else {
          this.path.push(key);
          this.object(expected, child as Record<string, unknown>);
          this.path.pop();
        }
      }
    }
  }

  /**
   * Checks a value; returns it as evaluation reads it (a date as its day number, a list as its
   * entries). `listPath` is where a list is in the request, for its entries' paths.
   */
  private value(type: ValueType, value: unknown, key: string | number, listPath: string): Value | undefined {
    switch (type.t) {
      case "boolean":
        if (typeof value !== "boolean") this.problem(key, `expected true or false, got ${describe(value)}`);
        return value as boolean;
      case "number": {
        if (typeof value !== "number" || !Number.isFinite(value)) {
          this.problem(key, `expected a number, got ${describe(value)}`);
          return undefined;
        }
        if (type.integer && !Number.isInteger(value)) this.problem(key, `expected a whole number, got ${value}`);
        if ((type.min !== undefined && value < type.min) || (type.max !== undefined && value > type.max)) {
          const range = type.min !== undefined && type.max !== undefined ? `from ${type.min} to ${type.max}` : type.min !== undefined ? `of at least ${type.min}` : `of at most ${type.max}`;
          this.problem(key, `expected a number ${range}, got ${value}`);
        }
        return value;
      }
      case "date": {
        const day = typeof value === "string" ? parseIsoDate(value) : undefined;
        if (day === undefined) this.problem(key, `expected a calendar date like 2024-03-15, got ${describe(value)}`);
        return day;
      }
      case "duration": {
        if (!isDuration(value)) this.problem(key, `expected a duration like {"amount": 6, "unit": "weeks"}, got ${describe(value)}`);
        else if (value.amount < 0) this.problem(key, `expected a duration of zero or more, got ${value.amount}`);
        else if (!units.has(value.unit)) this.problem(key, `expected the unit to be one of ${durationUnits.join(", ")}, got ${describe(value.unit)}`);
        return value as Length;
      }
      case "text":
        if (typeof value !== "string") this.problem(key, `expected a text, got ${describe(value)}`);
        return value as string;
      case "enum":
        if (typeof value !== "string" || !type.valueSet.has(value)) this.problem(key, `expected one of ${type.values.join(", ")}, got ${describe(value)}`);
        return value as string;
      case "list": {
        if (!Array.isArray(value)) {
          this.problem(key, `expected a list, got ${describe(value)}`);
          return undefined;
        }
        this.path.push(key);
        const items = this.entries(type.of(), value, listPath);
        this.path.pop();
        return { kind: "list", items };
      }
    }
  }

  private entries(record: RecordType, list: readonly unknown[], path: string): ListItem[] {
    const items: ListItem[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      // A hole in an array (never in JSON) is an entry that is not there.
      const entry = Object.hasOwn(list, i) ? list[i] : undefined;
      let row: (Value | undefined)[];
      if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
        this.problem(i, `expected a ${record.name} (an object), got ${describe(entry)}`);
        row = [];
      } else {
        this.path.push(i);
        row = this.entry(record, entry as Record<string, unknown>, path, i);
        this.path.pop();
      }
      items[i] = { rec: recordOf(path, i, record, row), member: true };
    }
    return items;
  }

  /** An entry's fields by their index in the record; it is entry `index` of the list at `path`. */
  private entry(record: RecordType, entry: Record<string, unknown>, path: string, index: number): (Value | undefined)[] {
    const row: (Value | undefined)[] = new Array(record.fields.length);
    // Entries of a history are placed in time by their date; one without it cannot be counted.
    if (record.hasDateField && (!Object.hasOwn(entry, "date") || entry.date === undefined || entry.date === null)) {
      this.problem("date", "is required: each entry needs its date");
    }
    const ownOnly = this.inheritsNothing(entry);
    let next = 0;
    for (const key in entry) {
      if (!ownOnly && !Object.hasOwn(entry, key)) continue;
      const value = entry[key];
      // Fields too come mostly in the record's order: the next one is tried before the name is hashed.
      const field = record.fields[next]?.name === key ? record.fields[next] : record.fieldsByName.get(key);
      if (field) next = field.index + 1;
      if (!field) {
        const guess = closestName(key, record.fieldsByName.keys());
        this.problem(key, `is not a field of ${record.name}${guess ? ` (did you mean '${guess}'?)` : ""}`);
      } else if (value !== undefined && value !== null) row[field.index] = this.value(field.type, value, key, field.type.t === "list" ? `${path}[${index}].${field.name}` : "");
    }
    return row;
  }

  /**
   * Whether `for…in` over the object gives its own properties only: it is a plain object (or has
   * no prototype), and no one has added an enumerable property to Object.prototype.
   */
  private inheritsNothing(value: object): boolean {
    const proto = Object.getPrototypeOf(value) as unknown;
    return proto === null || (proto === Object.prototype && this.pristine);
  }

  /** Object.prototype has no enumerable property, as in any process that has not been tampered with. */
  private readonly pristine = noEnumerableProperty(Object.prototype);
}

function noEnumerableProperty(object: object): boolean {
  for (const _ in object) return false;
  return true;
}

/** A duration as the input writes it: exactly an amount (a finite number) and a unit (a text). */
function isDuration(value: unknown): value is { amount: number; unit: string } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  let keys = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key !== "amount" && key !== "unit") return false;
    keys++;
  }
  const d = value as { amount?: unknown; unit?: unknown };
  return keys === 2 && typeof d.amount === "number" && Number.isFinite(d.amount) && typeof d.unit === "string";
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return String(value);
}
