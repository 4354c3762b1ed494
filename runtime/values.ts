/**
 * The values a policy computes with, and the operations on them whose rules are subtle: count
 * ranges, calendar durations, entries that do not exist. Generated code calls these; each rule of
 * the language's arithmetic and comparison is stated here and nowhere else.
 */
import type { ComparisonOp } from "./vocabulary.js";
import type { FieldDescriptor, RecordType } from "./schema.js";
import type { Read } from "./context.js";
import { Unknown, unknownOf, type Tri } from "./tri.js";
import { addLength, parseIsoDate, type Length } from "./dates.js";

/** An entry of a list fact: its place in the input, its record, and its fields. */
export interface RecordValue {
  readonly kind: "record";
  /** The list the entry is in (its input path) and its place there: see `recordPath`. */
  readonly list: string;
  readonly index: number;
  readonly type: RecordType;
  /**
   * The entry's fields by field index, as validation read them (dates as day numbers, lists as
   * lists); a field the request leaves out is filled with its unknown when first asked for.
   */
  readonly row: (Value | undefined)[];
  /** With the trace on, each field's path in the input as the trace log writes it, made once. */
  reads?: Read[];
}

export interface ListItem {
  readonly rec: RecordValue;
  /** Whether the entry is in the list: unknown when a filter could not tell. */
  readonly member: Tri;
}
export interface ListValue {
  readonly kind: "list";
  readonly items: readonly ListItem[];
}
/** A count whose filter was unknown for some entries: somewhere from lo to hi. */
export interface CountRange {
  readonly kind: "range";
  readonly lo: number;
  readonly hi: number;
  readonly unknown: Unknown;
}
/** `time between A and B`: from one day to another. */
export interface Span {
  readonly kind: "span";
  readonly from: number;
  readonly to: number;
}
/** What `latest(…)` gives when no entry matches, and what a field of it gives. */
export const NONE = { kind: "none" } as const;

export type Value = boolean | number | string | Length | Span | RecordValue | ListValue | CountRange | typeof NONE | Unknown;

export function isSpan(v: Value): v is Span {
  return typeof v === "object" && v !== null && "kind" in v && v.kind === "span";
}
export function isRange(v: Value): v is CountRange {
  return typeof v === "object" && v !== null && "kind" in v && v.kind === "range";
}
export function isList(v: Value): v is ListValue {
  return typeof v === "object" && v !== null && "kind" in v && v.kind === "list";
}
export function isRecord(v: Value): v is RecordValue {
  return typeof v === "object" && v !== null && "kind" in v && v.kind === "record";
}

/** A value where a condition is expected: anything but true, false or unknown counts as false. */
export function truth(v: Value): Tri {
  return typeof v === "boolean" || v instanceof Unknown ? v : false;
}

export function missingFact(path: string): Unknown {
  return new Unknown(path);
}

/** Where an entry is in the input, e.g. `prior_procedures[2]`: only needed to name a missing field. */
export function recordPath(record: RecordValue): string {
  return `${record.list}[${record.index}]`;
}

/** An entry of a list, as validation reads it. */
export function recordOf(list: string, index: number, type: RecordType, row: (Value | undefined)[]): RecordValue {
  return { kind: "record", list, index, type, row };
}

/** A field of an entry, or its unknown when the request leaves it out. */
export function fieldValue(record: RecordValue, field: FieldDescriptor): Value {
  return record.row[field.index] ?? (record.row[field.index] = missingFact(`${recordPath(record)}.${field.name}`));
}

/** An entry's date, which places it in time; unknown when the record has none or the input lacks it. */
export function recordDay(record: RecordValue): Value {
  const date = record.type.date;
  return date ? fieldValue(record, date) : missingFact(`${recordPath(record)}.date`);
}

const literalDays = new Map<string, number>();

/** A date written in a policy (the compiler checked it is a calendar date); each is parsed once. */
export function day(text: string): number {
  let parsed = literalDays.get(text);
  if (parsed === undefined) literalDays.set(text, (parsed = parseIsoDate(text)!));
  return parsed;
}

/** A duration written in a policy, such as 6 weeks. */
export function length(amount: number, unit: Length["unit"]): Length {
  return Object.freeze({ amount, unit });
}

// ── Counts ───────────────────────────────────────────────────────────────────────────────────

/** A count with some uncertain entries: from the sure ones to all of them. */
export function range(lo: number, unknowns: readonly Unknown[]): CountRange {
  return { kind: "range", lo, hi: lo + unknowns.length, unknown: unknownOf(unknowns) };
}

function interval(v: Value): [number, number] {
  if (isRange(v)) return [v.lo, v.hi];
  return [v as number, v as number];
}

function compareIntervals(op: ComparisonOp, alo: number, ahi: number, blo: number, bhi: number, unknown: Unknown | undefined): Tri {
  let verdict: boolean | undefined;
  switch (op) {
    case "<":
      verdict = ahi < blo ? true : alo >= bhi ? false : undefined;
      break;
    case "<=":
      verdict = ahi <= blo ? true : alo > bhi ? false : undefined;
      break;
    case ">":
      verdict = alo > bhi ? true : ahi <= blo ? false : undefined;
      break;
    case ">=":
      verdict = alo >= bhi ? true : ahi < blo ? false : undefined;
      break;
    case "=":
      verdict = alo === ahi && blo === bhi && alo === blo ? true : ahi < blo || bhi < alo ? false : undefined;
      break;
    case "!=":
      verdict = alo === ahi && blo === bhi && alo === blo ? false : ahi < blo || bhi < alo ? true : undefined;
      break;
  }
  return verdict ?? unknown ?? new Unknown(new Set());
}

/** Two plain numbers (or day numbers). */
export function compareNumbers(op: ComparisonOp, a: number, b: number): boolean {
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "=":
      return a === b;
    case "!=":
      return a !== b;
  }
}

// ── Comparisons ──────────────────────────────────────────────────────────────────────────────
// With an unknown operand a comparison is unknown; with an entry that does not exist, false.

/** Numbers, counts (which may be ranges) and dates. */
export function compare(op: ComparisonOp, a: Value, b: Value): Tri {
  if (typeof a === "number" && typeof b === "number") return compareNumbers(op, a, b);
  if (a instanceof Unknown) return b instanceof Unknown ? unknownOf([a, b]) : a;
  if (b instanceof Unknown) return b;
  if (a === NONE || b === NONE) return false;
  const [alo, ahi] = interval(a);
  const [blo, bhi] = interval(b);
  const unknown = isRange(a) ? (isRange(b) ? unknownOf([a.unknown, b.unknown]) : a.unknown) : isRange(b) ? b.unknown : undefined;
  return compareIntervals(op, alo, ahi, blo, bhi, unknown);
}

/** Durations, anchored calendar-correctly at the date of service or at the span they measure. */
export function compareDurations(op: ComparisonOp, a: Value, b: Value, dos: number | Unknown): Tri {
  if (a instanceof Unknown) return b instanceof Unknown ? unknownOf([a, b]) : a;
  if (b instanceof Unknown) return b;
  if (a === NONE || b === NONE) return false;
  const pair = durationPair(a, b, dos);
  if (pair instanceof Unknown) return pair;
  return compareNumbers(op, pair[0], pair[1]);
}

/** Values that are only equal or not: yes/no, choices of an enum, texts. */
export function compareEqual(op: "=" | "!=", a: Value, b: Value): Tri {
  if (a instanceof Unknown) return b instanceof Unknown ? unknownOf([a, b]) : a;
  if (b instanceof Unknown) return b;
  if (a === NONE || b === NONE) return false;
  return op === "=" ? a === b : a !== b;
}

/** Two durations as comparable day numbers, anchored calendar-correctly. */
function durationPair(a: Value, b: Value, dos: number | Unknown): [number, number] | Unknown {
  if (isSpan(a) && isSpan(b)) return [a.to - a.from, b.to - b.from];
  if (isSpan(a)) return [a.to, addLength(a.from, b as Length, 1)];
  if (isSpan(b)) return [addLength(b.from, a as Length, 1), b.to];
  if (dos instanceof Unknown) return dos;
  // Two lengths: both measured back from the date of service; the longer reaches further back.
  return [-addLength(dos, a as Length, -1), -addLength(dos, b as Length, -1)];
}

// ── Arithmetic ───────────────────────────────────────────────────────────────────────────────

/** `a + b` or `a - b` on numbers and counts. */
export function arithmetic(op: "+" | "-", a: Value, b: Value): Value {
  if (a instanceof Unknown) return b instanceof Unknown ? unknownOf([a, b]) : a;
  if (b instanceof Unknown) return b;
  if (a === NONE || b === NONE) return NONE;
  if (isRange(a) || isRange(b)) {
    const [alo, ahi] = interval(a);
    const [blo, bhi] = interval(b);
    const lo = op === "+" ? alo + blo : alo - bhi;
    const hi = op === "+" ? ahi + bhi : ahi - blo;
    const unknown = unknownOf([a, b].filter(isRange).map((r) => r.unknown));
    return lo === hi ? lo : { kind: "range", lo, hi, unknown };
  }
  return op === "+" ? (a as number) + (b as number) : (a as number) - (b as number);
}

/** `date + duration` or `date - duration`, calendar-correct. */
export function shiftDate(op: "+" | "-", date: Value, by: Value): Value {
  if (date instanceof Unknown) return by instanceof Unknown ? unknownOf([date, by]) : date;
  if (by instanceof Unknown) return by;
  if (date === NONE || by === NONE) return NONE;
  const sign = op === "+" ? 1 : -1;
  if (isSpan(by)) return (date as number) + sign * (by.to - by.from);
  return addLength(date as number, by as Length, sign);
}

// ── Dates ────────────────────────────────────────────────────────────────────────────────────

/** `day within last window`: from the window's start up to the date of service. */
export function withinLast(day: Value, window: Value, dos: number | Unknown): Tri {
  const unknowns = [day, window, dos].filter((v): v is Unknown => v instanceof Unknown);
  if (unknowns.length) return unknownOf(unknowns);
  if (typeof day !== "number" || typeof dos !== "number") return false;
  const start = isSpan(window) ? dos - (window.to - window.from) : addLength(dos, window as Length, -1);
  return day >= start && day <= dos;
}

/** `time between from and to`: from the first date to the second, negative when the second comes first. */
export function timeBetween(from: Value, to: Value): Value {
  if (from instanceof Unknown) return to instanceof Unknown ? unknownOf([from, to]) : from;
  if (to instanceof Unknown) return to;
  if (typeof from !== "number" || typeof to !== "number") return NONE;
  return { kind: "span", from, to };
}

/** `later_of(…)`: the latest of some dates. */
export function laterOf(values: readonly Value[]): Value {
  return extremeDay(values, true);
}

/** `earlier_of(…)`: the earliest of some dates. */
export function earlierOf(values: readonly Value[]): Value {
  return extremeDay(values, false);
}

function extremeDay(values: readonly Value[], latest: boolean): Value {
  const unknowns = values.filter((v): v is Unknown => v instanceof Unknown);
  if (unknowns.length) return unknownOf(unknowns);
  let best: number | undefined;
  for (const v of values) {
    if (typeof v === "number" && (best === undefined || (latest ? v > best : v < best))) best = v;
  }
  return best ?? NONE;
}

// ── Choices and documentation ────────────────────────────────────────────────────────────────

/** The values of a set written in a policy, `{lumbar, sacral}`. */
export function choices(values: readonly string[]): ReadonlySet<string> {
  return new Set(values);
}

/** `x in {…}` (or `not in`): false for an entry that does not exist, either way. */
export function isIn(value: Value, values: ReadonlySet<string>, negated: boolean): Tri {
  if (value instanceof Unknown) return value;
  if (typeof value !== "string") return false;
  return values.has(value) !== negated;
}

/** `x is known`: documented, and (for an entry) one that exists. */
export function isKnown(value: Value): boolean {
  return !(value instanceof Unknown) && value !== NONE;
}
