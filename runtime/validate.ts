/**
 * Reads a request: checks it against the policy's input types and, in the same pass, takes each
 * fact's value out of it, so that evaluation never looks a name up in the request again. A fact
 * left out (or null) is not an error: it is undocumented, and evaluation says needs-info. Only a
 * request's own properties are facts: an inherited one (`constructor`, `toString`) is never read.
 */
import type { Policy } from "./policy.js";
import type { EnumType, FactDescriptor, FieldDescriptor, RecordType, ValueType } from "./schema.js";
import { date } from "./schema.js";
import { parseIsoDate, parsePartialDate } from "./dates.js";
import { durationUnits, durationUnitNamed } from "./vocabulary.js";
import { maxDurationAmount, maxMagnitude } from "./limits.js";
import { closestName } from "./closest-name.js";
import { parseLevels } from "./levels.js";
import { partialDate, recordOf, type ListItem, type Value } from "./values.js";
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
export interface InputNode {
  readonly fact?: FactDescriptor;
  readonly children: Map<string, InputNode>;
}

function newNode(): InputNode {
  return { children: new Map() };
}

const dateOfService: FactDescriptor = { slot: -1, path: "date_of_service", parts: ["date_of_service"], type: date, description: "The date of service the request is for.", absentUnlessDocumented: false };

const trees = new WeakMap<Policy, InputNode>();

/**
 * The tree of expected fields, `date_of_service` included, built once per policy. Exported for
 * the descriptions derived from it (a policy's JSON Schema, its FHIR Questionnaire).
 */
export function inputTree(policy: Policy): InputNode {
  let tree = trees.get(policy);
  if (!tree) {
    tree = newNode();
    for (const fact of [dateOfService, ...policy.facts]) {
      let node: InputNode = tree;
      for (const part of fact.parts) {
        let next = node.children.get(part);
        if (!next) node.children.set(part, (next = newNode()));
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
   * out (see Context), so it is as long as the policy's ValueLayout says.
   */
  readonly facts: (Value | undefined)[];
}

/** Every problem with a request, each naming its field; none when it can be evaluated. */
export function validateInput(policy: Policy, input: unknown): InputProblem[] {
  return checkInput(policy, input).problems;
}

/** Reads a request: the policy's fast reading when it takes everything, the full check when not. */
export function readInput(policy: Policy, input: unknown): InputRead {
  const fast = policy.read ? new FastReader(policy.values.size) : undefined;
  if (fast && policy.read && fast.object(input)) {
    const raw = Object.hasOwn(input, "date_of_service") ? input.date_of_service : undefined;
    const dos = typeof raw === "string" ? parseIsoDate(raw) : undefined;
    if (dos !== undefined && policy.read(fast, input)) return { problems: [], dos, facts: fast.facts };
  }
  return checkInput(policy, input);
}

/** The full check: every problem, each with its path, and the facts it could read. */
function checkInput(policy: Policy, input: unknown): InputRead {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return { problems: [{ path: "(input)", message: `expected an object of facts, got ${describe(input)}` }], dos: undefined, facts: [] };
  }
  const reader = new Reader(policy.values.size);
  const raw = Object.hasOwn(input, "date_of_service") ? (input as Record<string, unknown>).date_of_service : undefined;
  const dos = typeof raw === "string" ? parseIsoDate(raw) : undefined;
  if (raw === undefined || raw === null) reader.problems.push({ path: "date_of_service", message: "is required: the date the service is requested for, like 2024-03-15" });
  else if (dos === undefined && typeof raw === "string" && parsePartialDate(raw)) reader.problems.push({ path: "date_of_service", message: `expected the full date the service is requested for, like 2024-03-15 (a request is for one day; only the chart's dates may be partial), got ${describe(raw)}` });
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
  readonly facts: (Value | undefined)[];

  /** `size`: how many values evaluation keeps (see ValueLayout). */
  constructor(size: number) {
    this.facts = new Array(size);
  }

  private readonly path: (string | number)[] = [];

  private problem(key: string | number, message: string): void {
    this.problems.push({ path: this.pathOf(key), message });
  }

  /** The input path of `key` where the reading is. */
  private pathOf(key: string | number): string {
    let text = "";
    for (const part of [...this.path, key]) text = typeof part === "number" ? `${text}[${part}]` : text ? `${text}.${part}` : part;
    return text;
  }

  /** An object of facts; `checked` is a fact already checked on its own (the date of service). */
  object(node: InputNode, value: Record<string, unknown>, checked?: FactDescriptor): void {
    const ownOnly = this.inheritsNothing(value);
    const facts = this.facts;
    for (const key in value) {
      if (!ownOnly && !Object.hasOwn(value, key)) continue;
      const child = value[key];
      const expected = node.children.get(key);
      if (!expected) {
        const guess = closestName(key, node.children.keys());
        this.problem(key, `is not a fact of this policy${guess ? ` (did you mean '${guess}'?)` : ""}`);
      } else if (child !== undefined && child !== null && expected.fact !== checked) {
        if (expected.fact) facts[expected.fact.slot] = this.value(expected.fact.type, child, key, expected.fact.path);
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
    if (type.t === "list") {
      if (!Array.isArray(value)) {
        this.problem(key, `expected a list, got ${describe(value)}`);
        return undefined;
      }
      this.path.push(key);
      const items = this.entries(type.of(), value, listPath);
      this.path.pop();
      return { kind: "list", items };
    }
    const taken = accepted(type, value, () => this.pathOf(key));
    if (taken !== REFUSED) return taken;
    this.reject(type, value, key);
    return typeof value === "number" && Math.abs(value) <= maxMagnitude ? value : undefined;
  }

  /** Every problem with a value that `value` did not take. */
  private reject(type: ValueType, value: unknown, key: string | number): void {
    switch (type.t) {
      case "boolean":
        this.problem(key, `expected true or false, got ${describe(value)}`);
        return;
      case "number": {
        if (typeof value !== "number" || !Number.isFinite(value)) {
          this.problem(key, `expected a number, got ${describe(value)}`);
          return;
        }
        if (Math.abs(value) > maxMagnitude) {
          this.problem(key, `expected a number from -10^15 to 10^15, got ${value}`);
          return;
        }
        if (type.integer && !Number.isInteger(value)) this.problem(key, `expected a whole number, got ${value}`);
        if ((type.min !== undefined && value < type.min) || (type.max !== undefined && value > type.max)) {
          const range = type.min !== undefined && type.max !== undefined ? `from ${type.min} to ${type.max}` : type.min !== undefined ? `of at least ${type.min}` : `of at most ${type.max}`;
          this.problem(key, `expected a number ${range}, got ${value}`);
        }
        return;
      }
      case "date":
        this.problem(key, `expected a date like 2024-03-15 (or 2024-03, or 2024, where the chart gives no day), got ${describe(value)}`);
        return;
      case "duration":
        if (!isDuration(value)) this.problem(key, `expected a duration like {"amount": 6, "unit": "weeks"}, got ${describe(value)}`);
        else if (value.amount < 0) this.problem(key, `expected a duration of zero or more, got ${value.amount}`);
        else if (value.amount > maxDurationAmount) this.problem(key, `expected a duration of at most ${maxDurationAmount} ${units.has(value.unit) ? value.unit : "units"}, got ${value.amount}`);
        else this.problem(key, `expected the unit to be one of ${durationUnits.join(", ")} (or the singular), got ${describe(value.unit)}`);
        return;
      case "levels": {
        const read = parseLevels(value);
        this.problem(key, typeof read === "string" ? read : `expected spinal levels, got ${describe(value)}`);
        return;
      }
      case "text":
        this.problem(key, `expected a text, got ${describe(value)}`);
        return;
      case "enum":
        this.problem(key, `expected one of ${type.values.join(", ")}, got ${describe(value)}`);
        return;
      case "list":
        this.problem(key, `expected a list, got ${describe(value)}`);
        return;
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
    return isPlainObject(value, this.pristine);
  }

  private readonly pristine = pristinePrototype();
}

function noEnumerableProperty(object: object): boolean {
  for (const _ in object) return false;
  return true;
}

/** What `accepted` gives for a value that is not well formed. */
const REFUSED: unique symbol = Symbol("refused");

/**
 * A value that is not a list, as evaluation reads it (a date as its day number) when it is well
 * formed for its type; REFUSED otherwise. The one statement of what each type accepts: the full
 * check says why a value was refused, the fast reading only that it was.
 */
function accepted(type: ValueType, value: unknown, path: () => string): Value | typeof REFUSED {
  switch (type.t) {
    case "boolean":
      return acceptedBoolean(value);
    case "number":
      return acceptedNumber(type, value);
    case "date":
      return acceptedDate(value, path);
    case "duration":
      return acceptedDuration(value);
    case "levels": {
      const mask = parseLevels(value);
      return typeof mask === "number" ? mask : REFUSED;
    }
    case "text":
      return typeof value === "string" ? value : REFUSED;
    case "enum":
      return acceptedChoice(type, value);
    case "list":
      return REFUSED;
  }
}

/** A duration; a unit written in the singular ("1 year") is the same unit. */
function acceptedDuration(value: unknown): Length | typeof REFUSED {
  if (!isDuration(value) || value.amount < 0 || value.amount > maxDurationAmount) return REFUSED;
  const unit = durationUnitNamed(value.unit);
  if (unit === undefined) return REFUSED;
  return unit === value.unit ? (value as Length) : { amount: value.amount, unit };
}

function acceptedBoolean(value: unknown): boolean | typeof REFUSED {
  return typeof value === "boolean" ? value : REFUSED;
}

function acceptedChoice(type: EnumType, value: unknown): string | typeof REFUSED {
  return typeof value === "string" && type.valueSet.has(value) ? value : REFUSED;
}

function acceptedNumber(type: Extract<ValueType, { t: "number" }>, value: unknown): number | typeof REFUSED {
  return typeof value === "number" && Math.abs(value) <= maxMagnitude && (!type.integer || Number.isInteger(value)) && (type.min === undefined || value >= type.min) && (type.max === undefined || value <= type.max) ? value : REFUSED;
}

/**
 * A date: a day, or a month (2023-06) or a year (2018) where the chart gives no day, which is the
 * range of days it may be, open on the date at `path` (see `partialDate`).
 */
function acceptedDate(value: unknown, path: () => string): Value | typeof REFUSED {
  if (typeof value !== "string") return REFUSED;
  const day = parseIsoDate(value);
  if (day !== undefined) return day;
  const days = parsePartialDate(value);
  return days === undefined ? REFUSED : partialDate(days, path());
}

/**
 * Whether `for…in` over a value gives exactly its own properties: a plain object, in a process
 * where no one has added an enumerable property to Object.prototype (`pristine`, asked once a
 * reading).
 */
function isPlainObject(value: unknown, pristine: boolean): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === null || (proto === Object.prototype && pristine);
}

function pristinePrototype(): boolean {
  return noEnumerableProperty(Object.prototype);
}

/** An entry's fields as validation reads them, by field index. */
export type Row = (Value | undefined)[];

/**
 * An object of the request as generated code reads it, by the names of its properties: the
 * request itself, a group of facts, or an entry of a list. Generated modules name it `k.RequestObject`
 * rather than spelling out `Readonly<Record<…>>`, so that a type a policy declares (an enum or a
 * record named `readonly` or `record`) can never stand for TypeScript's own.
 */
export type RequestObject = Readonly<Record<string, unknown>>;

/**
 * The fast reading a policy module's generated code does: each group and entry is read by the
 * names of its facts and fields, each value taken as `accepted` takes it. It never explains: at
 * the first thing it does not take, the full check reads the request again and names every problem.
 */
export class FastReader {
  readonly facts: (Value | undefined)[];
  private readonly pristine = pristinePrototype();

  /** `size`: how many values evaluation keeps (see ValueLayout). */
  constructor(size: number) {
    this.facts = new Array(size);
  }

  /** A group of facts (or an entry) the generated code can read with `for…in`. */
  object(value: unknown): value is Record<string, unknown> {
    return isPlainObject(value, this.pristine);
  }

  // One method a type, so that each place in generated code calls the one it needs; each takes
  // the value as `accepted` does. An absent or null value is an undocumented fact, not a problem.
  /** A yes/no fact. */
  boolean(f: FactDescriptor, value: unknown): boolean {
    return value === undefined || value === null || this.keep(f, acceptedBoolean(value));
  }

  /** A choice of an enum. */
  choice(f: FactDescriptor, value: unknown): boolean {
    return value === undefined || value === null || this.keep(f, acceptedChoice(f.type as EnumType, value));
  }

  /** Takes a fact's value of any type; false when it is not well formed. */
  fact(f: FactDescriptor, value: unknown): boolean {
    return value === undefined || value === null || this.keep(f, f.type.t === "list" ? this.list(f.type.of(), value, f.path) : accepted(f.type, value, () => f.path));
  }

  /** A yes/no field of an entry. */
  booleanField(row: Row, f: FieldDescriptor, value: unknown): boolean {
    return value === undefined || value === null || keepField(row, f, acceptedBoolean(value));
  }

  /** A choice field of an entry. */
  choiceField(row: Row, f: FieldDescriptor, value: unknown): boolean {
    return value === undefined || value === null || keepField(row, f, acceptedChoice(f.type as EnumType, value));
  }

  /** A date field of an entry. */
  dateField(row: Row, f: FieldDescriptor, value: unknown): boolean {
    return value === undefined || value === null || keepField(row, f, acceptedDate(value, () => this.fieldPath(f)));
  }

  /** Takes a field of an entry into its row; false when it is not well formed. */
  field(row: Row, f: FieldDescriptor, value: unknown): boolean {
    if (value === undefined || value === null) return true;
    return keepField(row, f, f.type.t === "list" ? this.list(f.type.of(), value, this.fieldPath(f)) : accepted(f.type, value, () => this.fieldPath(f)));
  }

  /** The input path of a field of the entry being read. */
  private fieldPath(f: FieldDescriptor): string {
    return `${this.listPath}[${this.entryIndex}].${f.name}`;
  }

  private keep(f: FactDescriptor, taken: Value | typeof REFUSED): boolean {
    if (taken === REFUSED) return false;
    this.facts[f.slot] = taken;
    return true;
  }

  /** Where the entry being read is, for the paths of the lists inside it. */
  private listPath = "";
  private entryIndex = 0;

  private list(record: RecordType, value: unknown, path: string): Value | typeof REFUSED {
    if (!Array.isArray(value) || !record.read) return REFUSED;
    const items: ListItem[] = new Array(value.length);
    const outerPath = this.listPath;
    const outerIndex = this.entryIndex;
    for (let i = 0; i < value.length; i++) {
      // Only an own element is an entry: a hole, or an element inherited from a prototype, is not.
      const entry: unknown = Object.hasOwn(value, i) ? value[i] : undefined;
      if (!isPlainObject(entry, this.pristine)) return REFUSED;
      const row: Row = new Array(record.fields.length);
      this.listPath = path;
      this.entryIndex = i;
      if (!record.read(this, entry, row)) return REFUSED;
      // Entries of a history are placed in time by their date; one without it cannot be counted.
      if (record.dateField && row[record.dateField.index] === undefined) return REFUSED;
      items[i] = { rec: recordOf(path, i, record, row), member: true };
    }
    this.listPath = outerPath;
    this.entryIndex = outerIndex;
    return { kind: "list", items };
  }
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

/** A field's value into its entry's row; false when it was not taken. */
function keepField(row: Row, f: FieldDescriptor, taken: Value | typeof REFUSED): boolean {
  if (taken === REFUSED) return false;
  row[f.index] = taken;
  return true;
}
