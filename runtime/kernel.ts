/**
 * What compiled evaluators call. A generated module carries its policy's logic as functions
 * (one per requirement, definition, condition and fact) that read the input directly and call
 * these small operations; the determination is then built by determine.ts, exactly as for the
 * interpreter. Compiled evaluators keep no trace: with the trace on, the interpreter runs.
 *
 * Policy text reaches a compiled evaluator only as string literals: requirement ids, enum values
 * and fact paths are data to these functions, never code.
 */
import type { ComparisonOp, IrExpr, Program } from "./program.js";
import type { Determination } from "./determination.js";
import { and2, bothUnknown, Unknown, unknownOf, type Tri } from "./tri.js";
import { durationUnits, parseIsoDate, type Length } from "./dates.js";
import { determine, type RequirementResults } from "./determine.js";
import {
  compareNumbers,
  compareValues,
  convert,
  dateValue,
  isList,
  isRecord,
  keepField,
  knownField,
  listOf,
  missingFact,
  NONE,
  recordPath,
  type FieldReader,
  type Included,
  type ListItem,
  type ListValue,
  type RecordValue,
  type Value,
} from "./values.js";

export { Unknown, NONE, isList, type Tri, type Value, type Length, type Included, type ListItem, type ListValue, type RecordValue };
export { arith, asTri, countMerged, emptyQuery, extreme, extremeDay, literalDay, range, recentRun, span, within } from "./values.js";
export { and2, not } from "./tri.js";

export type RequirementFunction = (c: Context, trigger: boolean) => Tri;
export type ConditionFunction = (c: Context) => Tri;

/** A policy's compiled functions, linked to its program. */
export interface CompiledEvaluator {
  readonly program: Program;
  readonly requirements: readonly RequirementFunction[];
  readonly conditions: ReadonlyMap<IrExpr, ConditionFunction>;
  readonly factCount: number;
  readonly definitionCount: number;
  /** Reads any record field by its declared type (the shared query helpers read `date`). */
  readonly readField: FieldReader;
  /** True only if the input would pass `validateInput` (false may still pass: it then decides). */
  readonly wellFormed: (input: unknown) => boolean;
}

/** The conditions of a program in the order compiled evaluators list them. */
export function conditionsOf(program: Program): IrExpr[] {
  const found: IrExpr[] = [];
  for (const s of program.sections) if (s.when) found.push(s.when);
  for (const o of program.overlays) {
    for (const clause of o.applies) found.push(clause.cond);
    for (const s of o.sections) if (s.when) found.push(s.when);
  }
  return found;
}

/**
 * Ties the compiled functions to the program they were compiled from: requirement functions come
 * in the order of `program.requirements`, conditions in the order of `conditionsOf`.
 */
export function link(
  program: Program,
  requirements: readonly RequirementFunction[],
  conditions: readonly ConditionFunction[],
  factCount: number,
  definitionCount: number,
  wellFormed: (input: unknown) => boolean,
): CompiledEvaluator {
  const ids = Object.keys(program.requirements);
  const exprs = conditionsOf(program);
  if (ids.length !== requirements.length || exprs.length !== conditions.length) {
    throw new Error(`The compiled evaluator does not match its program ${program.id}: rebuild it.`);
  }
  const recordTypes = new Map(Object.entries(program.records).map(([name, fields]) => [name, new Map(fields.map((f) => [f.path, f.type]))]));
  // The shared query helpers read only `date`; where every record types it as a date, it is read as one.
  const datesAreDates = Object.values(program.records).every((fields) => fields.every((f) => f.path !== "date" || f.type.t === "date"));
  const readField: FieldReader = (record, name) => {
    if (datesAreDates && name === "date") return recordDate(record);
    const known = knownField(record, name);
    if (known !== undefined) return known;
    return keepField(record, name, convert(record.data[name], recordTypes.get(record.record)?.get(name), `${recordPath(record)}.${name}`));
  };
  return {
    program,
    requirements,
    conditions: new Map(exprs.map((e, i) => [e, conditions[i]])),
    factCount,
    definitionCount,
    readField,
    wellFormed,
  };
}

/** One evaluation: the input, and every result worked out so far. */
export class Context implements RequirementResults {
  readonly dos: number | Unknown;
  /** Facts read from the input, by the compiled evaluator's fact number. */
  readonly facts: (Value | undefined)[];
  /** Definitions without parameters, by number. */
  readonly defs: (Value | undefined)[];
  private memos: (Map<Value, Value> | undefined)[] | undefined;
  /** Requirement results: 2 × index when met, 2 × index + 1 when it applies as a trigger. */
  private readonly results: (Tri | undefined)[];
  readonly readField: FieldReader;

  constructor(
    readonly input: Readonly<Record<string, unknown>>,
    private readonly evaluator: CompiledEvaluator,
  ) {
    const raw = input.date_of_service;
    this.dos = dateValue(raw, "date_of_service") as number | Unknown;
    this.facts = new Array(evaluator.factCount);
    this.defs = new Array(evaluator.definitionCount);
    this.results = new Array(evaluator.requirements.length * 2);
    this.readField = evaluator.readField;
  }

  req(index: number, trigger: boolean): Tri {
    const slot = trigger ? index * 2 + 1 : index * 2;
    let value = this.results[slot];
    if (value === undefined) this.results[slot] = value = this.evaluator.requirements[index](this, trigger);
    return value;
  }

  /** The memo of a one-parameter definition: definitions are pure, so one result per argument. */
  memo(index: number): Map<Value, Value> {
    this.memos ??= [];
    let memo = this.memos[index];
    if (!memo) this.memos[index] = memo = new Map();
    return memo;
  }

  requirementAt(index: number, _section: string, trigger: boolean): Tri {
    return this.req(index, trigger);
  }

  condition(expr: IrExpr): Tri {
    return this.evaluator.conditions.get(expr)!(this);
  }
}

/** Evaluates a request that has been validated; no trace. */
export function evaluateCompiled(evaluator: CompiledEvaluator, input: Readonly<Record<string, unknown>>, state: string | null): Determination {
  return determine(evaluator.program, new Context(input, evaluator), state);
}

// ── Reading the input ────────────────────────────────────────────────────────────────────────

/** A group of facts in validated input: an object, or absent. */
export function group(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return value as Readonly<Record<string, unknown>> | undefined;
}

export function plainFact(raw: unknown, path: string): Value {
  return raw === undefined || raw === null ? missingFact(path) : (raw as Value);
}

export function dateFact(raw: unknown, path: string): Value {
  return dateValue(raw, path);
}

export function listFact(raw: unknown, path: string, record: string, slotsOf: (data: Readonly<Record<string, unknown>>) => unknown[]): Value {
  return Array.isArray(raw) ? listOf(raw, record, path, slotsOf) : missingFact(path);
}

/** A record's field that is not a date: as the input has it, or unknown. */
export function field(object: Value, name: string): Value {
  if (object instanceof Unknown) return object;
  if (!isRecord(object)) return NONE;
  const raw = object.data[name];
  return raw !== undefined && raw !== null ? (raw as Value) : missingField(object, name);
}

/** The unknown for an absent field: one per entry and field, since many criteria ask for it. */
export function missingField(record: RecordValue, name: string): Value {
  return knownField(record, name) ?? keepField(record, name, missingFact(`${recordPath(record)}.${name}`));
}

/** A record's date field, parsed once. */
export function dateField(object: Value, name: string): Value {
  if (object instanceof Unknown) return object;
  if (!isRecord(object)) return NONE;
  return name === "date" ? recordDate(object) : recordDateField(object, name);
}

/** An entry's `date`, which every history question reads. */
export function recordDate(record: RecordValue): Value {
  return recordDateField(record, "date");
}

function recordDateField(record: RecordValue, name: string): Value {
  const known = knownField(record, name);
  if (known !== undefined) return known;
  return keepField(record, name, dateValue(record.data[name], `${recordPath(record)}.${name}`));
}

/** A record field of any declared type (where a field's name has different types in different records). */
export function typedField(c: Context, object: Value, name: string): Value {
  if (object instanceof Unknown) return object;
  if (!isRecord(object)) return NONE;
  return c.readField(object, name);
}

// ── Input shape ──────────────────────────────────────────────────────────────────────────────

export function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * How many enumerable keys an object has (its own, and any a prototype adds: then the count is
 * too high and the check fails safe).
 */
function keyCount(value: object): number {
  let keys = 0;
  for (const _ in value) keys++;
  return keys;
}

export function isDate(value: unknown): boolean {
  return typeof value === "string" && parseIsoDate(value) !== undefined;
}

export function isNumberIn(value: unknown, min: number | undefined, max: number | undefined, integer: boolean): boolean {
  return typeof value === "number" && Number.isFinite(value) && (!integer || Number.isInteger(value)) && (min === undefined || value >= min) && (max === undefined || value <= max);
}

const units: ReadonlySet<unknown> = new Set(durationUnits);

export function isDuration(value: unknown): boolean {
  if (!isObject(value)) return false;
  const { amount, unit } = value;
  return keyCount(value) === 2 && typeof amount === "number" && Number.isFinite(amount) && amount >= 0 && units.has(unit) && Object.hasOwn(value, "amount") && Object.hasOwn(value, "unit");
}

// ── Logic ────────────────────────────────────────────────────────────────────────────────────

/** Adds an unknown to what an `or` (or `and`) has collected: the first value, or an unknown. */
export function addUnknown(collected: Tri, unknown: Unknown): Unknown {
  return collected instanceof Unknown ? bothUnknown(collected, unknown) : unknown;
}

/** A requirement with a `when` that may hold: its rule counts only where it applies. */
export function whenApplies(applicable: Tri, value: Tri, trigger: boolean): Tri {
  if (applicable === true) return value;
  if (trigger) return and2(applicable, value);
  // or(not(applicable), value), where applicable is unknown.
  if (value === true) return true;
  return value === false ? applicable : bothUnknown(applicable as Unknown, value);
}

/** `or(not(included), holds)` for an entry that may be included: only a sure entry can make `every` false. */
export function orNot(included: Tri, holds: Tri): Tri {
  if (included === true || holds === true) return holds;
  if (holds === false) return included;
  return bothUnknown(included as Unknown, holds);
}

export function compare(op: ComparisonOp, a: Value, b: Value, kind: string, dos: number | Unknown): Tri {
  if (typeof a === "number" && typeof b === "number" && (kind === "number" || kind === "date")) return compareNumbers(op, a, b);
  if (typeof a === "string" && typeof b === "string") return op === "=" ? a === b : op === "!=" ? a !== b : compareValues(op, a, b, kind, dos);
  return compareValues(op, a, b, kind, dos);
}

/** `x in {…}` (or `not in`): false for an entry that does not exist, either way. */
export function isIn(value: Value, values: ReadonlySet<string>, negated: boolean): Tri {
  if (value instanceof Unknown) return value;
  if (typeof value !== "string") return false;
  return values.has(value) !== negated;
}

export function known(value: Value): boolean {
  return !(value instanceof Unknown) && value !== NONE;
}


// ── Bullet lists ─────────────────────────────────────────────────────────────────────────────

export function allOf(c: Context, items: readonly number[], trigger: boolean): Tri {
  let collected: Tri = true;
  for (const item of items) {
    const v = c.req(item, trigger);
    if (v === false) return false;
    if (v !== true) collected = addUnknown(collected, v);
  }
  return collected;
}

export function anyOf(c: Context, items: readonly number[], trigger: boolean): Tri {
  let collected: Tri = false;
  for (const item of items) {
    const v = c.req(item, trigger);
    if (v === true) return true;
    if (v !== false) collected = addUnknown(collected, v);
  }
  return collected;
}

/** At least (or at most) n of the items. */
export function countOfItems(c: Context, items: readonly number[], trigger: boolean, n: number, atLeast: boolean): Tri {
  let yes = 0;
  const unknowns: Unknown[] = [];
  for (const item of items) {
    const v = c.req(item, trigger);
    if (v === true) yes++;
    else if (v !== false) unknowns.push(v);
  }
  if (atLeast) {
    if (yes >= n) return true;
    if (yes + unknowns.length < n) return false;
  } else {
    if (yes + unknowns.length <= n) return true;
    if (yes > n) return false;
  }
  return unknownOf(unknowns);
}

