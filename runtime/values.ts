/**
 * The values a policy computes with, and the operations on them whose rules are subtle: count
 * ranges, calendar durations, entries that do not exist. Generated code calls these; each rule of
 * the language's arithmetic and comparison is stated here and nowhere else.
 */
import type { ComparisonOp } from "./vocabulary.js";
import type { FieldDescriptor, RecordType, ValueType } from "./schema.js";
import type { Read } from "./context.js";
import { Unknown, not, unknownOf, type Tri } from "./tri.js";
import { addLength, fixedMinutes, parseIsoDate, type DayRange, type Length } from "./dates.js";

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
/**
 * A number known only to lie from lo to hi: a count whose filter was unknown for some entries, or
 * an undocumented number whose type bounds it (`number 0 to 10`), and what is computed from them.
 */
export interface CountRange {
  readonly kind: "range";
  readonly lo: number;
  readonly hi: number;
  readonly unknown: Unknown;
  /** Whether it stands for an undocumented value (not an uncertain count): then it is not known. */
  readonly undocumented?: boolean;
  /** Whether it may also be no value at all (a percentage of a baseline that may be zero). */
  readonly orNone?: boolean;
  /** Whether only whole numbers lie in it (a count, an undocumented integer). */
  readonly whole?: boolean;
}
/**
 * Spinal levels known only between two sets (bit masks): every level of `lo` is in, and no level
 * outside `hi`. What a union of levels over entries gives while an entry may or may not count, or
 * does not document its levels.
 */
export interface LevelsRange {
  readonly kind: "levels";
  readonly lo: number;
  readonly hi: number;
  readonly unknown: Unknown;
}
export function isLevelsRange(v: Value): v is LevelsRange {
  return typeof v === "object" && v !== null && "kind" in v && v.kind === "levels";
}
/**
 * `time between A and B`: from one day to another. When a date is known only to lie in a range
 * (a partial date, 2023-06), `from` and `to` are the earliest days and `fromHi`/`toHi` the latest,
 * open on `unknown`.
 */
export interface Span {
  readonly kind: "span";
  readonly from: number;
  readonly to: number;
  readonly fromHi?: number;
  readonly toHi?: number;
  readonly unknown?: Unknown;
}
/** What `latest(…)` gives when no entry matches, and what a field of it gives. */
export const NONE = { kind: "none" } as const;

export type Value = boolean | number | string | Length | Span | RecordValue | ListValue | CountRange | LevelsRange | typeof NONE | Unknown;

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

/**
 * What an undocumented fact or field is: unknown, and for a number whose type bounds it, the
 * range it must lie in, so that `x < 0` is false for a pain score whatever the chart says.
 */
export function undocumented(path: string, type: ValueType): Value {
  const unknown = missingFact(path);
  if (type.t === "number" && type.min !== undefined && type.max !== undefined) return { kind: "range", lo: type.min, hi: type.max, unknown, undocumented: true, whole: type.integer };
  return unknown;
}

/**
 * What a fact declared absent unless documented reads as when the request leaves it out: no for
 * a yes/no finding, no entries for a list (the checker allows no other type).
 */
export function absentValue(type: ValueType): Value {
  return type.t === "list" ? { kind: "list", items: [] } : false;
}

/** Where an entry is in the input, e.g. `prior_procedures[2]`: only needed to name a missing field. */
export function recordPath(record: RecordValue): string {
  return `${record.list}[${record.index}]`;
}

/** An entry of a list, as validation reads it. */
export function recordOf(list: string, index: number, type: RecordType, row: (Value | undefined)[]): RecordValue {
  return { kind: "record", list, index, type, row };
}

/**
 * A date the chart gives only to the month or the year: the days it may be, open on the date's
 * own path. It is documented (`is known` holds), only not to the day: a question it leaves open
 * asks for that date, and one it decides whatever the day is decided.
 */
export function partialDate(days: DayRange, path: string): CountRange {
  return { kind: "range", lo: days.lo, hi: days.hi, unknown: missingFact(path), whole: true };
}

/** A field of an entry, or its unknown when the request leaves it out. */
export function fieldValue(record: RecordValue, field: FieldDescriptor): Value {
  return record.row[field.index] ?? (record.row[field.index] = undocumented(`${recordPath(record)}.${field.name}`, field.type));
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
  return { kind: "range", lo, hi: lo + unknowns.length, unknown: unknownOf(unknowns), whole: true };
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

/**
 * The parts of a divisor's range on either side of zero, without zero: for whole numbers they
 * stop at 1 and -1, for other numbers they reach zero itself (`near`: the quotient runs off there).
 */
function sidesOfZero(lo: number, hi: number, whole: boolean): { from: number; to: number; near: boolean; sign: 1 | -1 }[] {
  const sides: { from: number; to: number; near: boolean; sign: 1 | -1 }[] = [];
  const step = whole ? 1 : 0;
  const pFrom = Math.max(lo, step);
  if (pFrom <= hi && !(pFrom === 0 && hi === 0)) sides.push({ from: pFrom, to: hi, near: pFrom === 0, sign: 1 });
  const nTo = Math.min(hi, -step);
  if (lo <= nTo && !(lo === 0 && nTo === 0)) sides.push({ from: lo, to: nTo, near: nTo === 0, sign: -1 });
  return sides;
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

/**
 * Told, while the fewest deciding facts are sought (runtime/deciding-facts.ts), each constant an
 * undocumented number or duration is compared with where the comparison stays open; unset
 * otherwise, and then it costs one test on the open path of a comparison.
 */
export interface CutRecorder {
  /** A number, or a day (a date's value), compared with. */
  number(unknown: Unknown, at: number): void;
  duration(unknown: Unknown, at: Length): void;
  /** An undocumented date measured from (sign -1) or to (sign +1) a known day: `time between`. */
  anchor(unknown: Unknown, day: number, sign: 1 | -1): void;
  /**
   * An undocumented value asked whether it is documented (`is known`): the one question whose
   * answer documenting the value changes, so a result that read it is not kept from an
   * evaluation in which the value was undocumented.
   */
  documentation(unknown: Unknown): void;
}
let cutRecorder: CutRecorder | undefined;

export function recordCuts(recorder: CutRecorder | undefined): void {
  // Each thing told is counted, so that a question can tell whether a part of it told any (see `cutsTold`).
  cutRecorder = recorder && {
    number: (u, at) => (cutsCounted++, recorder.number(u, at)),
    duration: (u, at) => (cutsCounted++, recorder.duration(u, at)),
    anchor: (u, day, sign) => (cutsCounted++, recorder.anchor(u, day, sign)),
    documentation: (u) => (cutsCounted++, recorder.documentation(u)),
  };
}
let cutsCounted = 0;

/** Whether comparisons are being recorded (see `existsDated`). */
export function recordingCuts(): boolean {
  return cutRecorder !== undefined;
}

/** How many cuts and probes have been told so far: what a part of an evaluation told is the difference. */
export function cutsTold(): number {
  return cutsCounted;
}

// ── Comparisons ──────────────────────────────────────────────────────────────────────────────
// With an unknown operand a comparison is unknown; with an entry that does not exist, false.

/** Numbers, counts (which may be ranges) and dates. */
export function compare(op: ComparisonOp, a: Value, b: Value): Tri {
  if (typeof a === "number" && typeof b === "number") return compareNumbers(op, a, b);
  if (a instanceof Unknown) {
    if (cutRecorder && typeof b === "number") cutRecorder.number(a, b);
    return b instanceof Unknown ? unknownOf([a, b]) : a;
  }
  if (b instanceof Unknown) {
    if (cutRecorder && typeof a === "number") cutRecorder.number(b, a);
    return b;
  }
  if (a === NONE || b === NONE) return false;
  const [alo, ahi] = interval(a);
  const [blo, bhi] = interval(b);
  const unknown = isRange(a) ? (isRange(b) ? unknownOf([a.unknown, b.unknown]) : a.unknown) : isRange(b) ? b.unknown : undefined;
  const verdict = compareIntervals(op, alo, ahi, blo, bhi, unknown);
  if (cutRecorder && verdict instanceof Unknown) {
    if (isRange(a) && blo === bhi) cutRecorder.number(a.unknown, blo);
    else if (isRange(b) && alo === ahi) cutRecorder.number(b.unknown, alo);
  }
  // A value that may be none compares false: a true verdict is then only possible.
  if (verdict === true && ((isRange(a) && a.orNone) || (isRange(b) && b.orNone))) return unknown ?? new Unknown(new Set());
  return verdict;
}

/** Durations, anchored calendar-correctly at the date of service or at the span they measure. */
export function compareDurations(op: ComparisonOp, a: Value, b: Value, dos: number | Unknown): Tri {
  if (a instanceof Unknown) {
    if (cutRecorder && isLength(b)) cutRecorder.duration(a, b);
    return b instanceof Unknown ? unknownOf([a, b]) : a;
  }
  if (b instanceof Unknown) {
    if (cutRecorder && isLength(a)) cutRecorder.duration(b, a);
    return b;
  }
  if (a === NONE || b === NONE) return false;
  if (isOpenSpan(a) || isOpenSpan(b)) return compareOpenDurations(op, a, b);
  const pair = durationPair(a, b, dos);
  if (pair instanceof Unknown) return pair;
  return compareNumbers(op, pair[0], pair[1]);
}

/** Values that are only equal or not: yes/no, choices of an enum, texts. */
export function compareEqual(op: "=" | "!=", a: Value, b: Value): Tri {
  if (a instanceof Unknown) return b instanceof Unknown ? unknownOf([a, b]) : a;
  if (b instanceof Unknown) return b;
  if (a === NONE || b === NONE) return false;
  if (isLevelsRange(a) || isLevelsRange(b)) {
    const same = sameLevels(a, b);
    return op === "=" ? same : not(same);
  }
  return op === "=" ? a === b : a !== b;
}

/** Two sets of levels, either known only between two sets: the same when both are one set, not when one holds a level the other cannot. */
function sameLevels(a: Value, b: Value): Tri {
  const [alo, ahi] = isLevelsRange(a) ? [a.lo, a.hi] : [a as number, a as number];
  const [blo, bhi] = isLevelsRange(b) ? [b.lo, b.hi] : [b as number, b as number];
  if ((alo & ~bhi) !== 0 || (blo & ~ahi) !== 0) return false;
  if (alo === ahi && blo === bhi) return alo === blo;
  return unknownOf([a, b].filter(isLevelsRange).map((r) => r.unknown));
}

function isLength(v: Value): v is Length {
  return typeof v === "object" && v !== null && "amount" in v && "unit" in v;
}

/** A span from or to a date known only to lie in a range. */
export function isOpenSpan(v: Value): v is Span {
  return isSpan(v) && v.unknown !== undefined;
}

/** The shortest and the longest a span can be. */
function spanLengths(s: Span): [number, number] {
  return [s.to - (s.fromHi ?? s.from), (s.toHi ?? s.to) - s.from];
}

/** A day moved by a length; a day without bound (the latest of an undocumented date) stays where it is. */
function shifted(day: number, length: Length, sign: 1 | -1): number {
  return Number.isFinite(day) ? addLength(day, length, sign) : day;
}

/**
 * Durations where a span runs from or to a date known only within a range: as `durationPair`
 * pairs them, each side is then a range (its end against its start moved by the length), and
 * the comparison is decided where every pair in the two ranges gives one answer.
 */
function compareOpenDurations(op: ComparisonOp, a: Value, b: Value): Tri {
  const unknown = unknownOf([a, b].filter(isOpenSpan).map((s) => s.unknown!));
  let verdict: Tri;
  if (isSpan(a) && isSpan(b)) verdict = compareIntervals(op, ...spanLengths(a), ...spanLengths(b), unknown);
  else if (isSpan(a)) verdict = compareIntervals(op, a.to, a.toHi ?? a.to, shifted(a.from, b as Length, 1), shifted(a.fromHi ?? a.from, b as Length, 1), unknown);
  else {
    const s = b as Span;
    verdict = compareIntervals(op, shifted(s.from, a as Length, 1), shifted(s.fromHi ?? s.from, a as Length, 1), s.to, s.toHi ?? s.to, unknown);
  }
  if (cutRecorder && verdict instanceof Unknown) {
    if (isOpenSpan(a) && isLength(b)) cutRecorder.duration(a.unknown!, b);
    else if (isOpenSpan(b) && isLength(a)) cutRecorder.duration(b.unknown!, a);
  }
  return verdict;
}

/** Two durations as comparable day numbers, anchored calendar-correctly. */
function durationPair(a: Value, b: Value, dos: number | Unknown): [number, number] | Unknown {
  if (isSpan(a) && isSpan(b)) return [a.to - a.from, b.to - b.from];
  if (isSpan(a)) return [a.to, addLength(a.from, b as Length, 1)];
  if (isSpan(b)) return [addLength(b.from, a as Length, 1), b.to];
  // Two lengths of fixed units (minutes to weeks) compare exactly, wherever they are measured.
  const la = a as Length;
  const lb = b as Length;
  const ma = fixedMinutes(la.unit);
  const mb = fixedMinutes(lb.unit);
  if (ma !== undefined && mb !== undefined) return [la.amount * ma, lb.amount * mb];
  if (dos instanceof Unknown) return dos;
  // Two lengths: both measured back from the date of service; the longer reaches further back.
  return [-addLength(dos, a as Length, -1), -addLength(dos, b as Length, -1)];
}

// ── Arithmetic ───────────────────────────────────────────────────────────────────────────────

/**
 * `a + b`, `a - b`, `a * b` and `a / b` on numbers and counts. A count that is a range gives a
 * range; a division by zero, or by a range that may be zero, gives no value (as an entry that
 * does not exist does): there is nothing to compare.
 */
export function arithmetic(op: "+" | "-" | "*" | "/", a: Value, b: Value): Value {
  if (a instanceof Unknown) return b instanceof Unknown ? unknownOf([a, b]) : a;
  if (b instanceof Unknown) return b;
  if (a === NONE || b === NONE) return NONE;
  if (isRange(a) || isRange(b)) {
    const [alo, ahi] = interval(a);
    const [blo, bhi] = interval(b);
    let lo: number;
    let hi: number;
    let orNone = (isRange(a) && a.orNone) || (isRange(b) && b.orNone);
    if (op === "+" || op === "-") {
      lo = op === "+" ? alo + blo : alo - bhi;
      hi = op === "+" ? ahi + bhi : ahi - blo;
    } else if (op === "*") {
      const corners = [alo * blo, alo * bhi, ahi * blo, ahi * bhi];
      lo = Math.min(...corners);
      hi = Math.max(...corners);
    } else {
      // Over each sign of the divisor the quotient is monotone; a divisor that may be zero may give no value.
      const corners: number[] = [];
      const nearZero = (n: number, sign: 1 | -1) => (n === 0 ? 0 : (n > 0 ? Infinity : -Infinity) * sign);
      for (const side of sidesOfZero(blo, bhi, isRange(b) ? Boolean(b.whole) : Number.isInteger(b as number))) {
        for (const d of [side.from, side.to]) for (const n of [alo, ahi]) corners.push(d === 0 ? nearZero(n, side.sign) : n / d);
      }
      if (corners.length === 0) return NONE;
      lo = Math.min(...corners);
      hi = Math.max(...corners);
      orNone ||= blo <= 0 && bhi >= 0;
    }
    const ranges = [a, b].filter(isRange);
    const unknown = unknownOf(ranges.map((r) => r.unknown));
    return lo === hi && !orNone ? lo : { kind: "range", lo, hi, unknown, undocumented: ranges.some((r) => r.undocumented), orNone };
  }
  const x = a as number;
  const y = b as number;
  switch (op) {
    case "+":
      return x + y;
    case "-":
      return x - y;
    case "*":
      return x * y;
    case "/":
      return y === 0 ? NONE : x / y;
  }
}

/** A duration times or divided by a number: `2 * relief_duration`, `6 months / 2`. */
export function scaleLength(op: "*" | "/", length: Value, by: Value): Value {
  if (length instanceof Unknown) return by instanceof Unknown ? unknownOf([length, by]) : length;
  if (by instanceof Unknown) return by;
  if (isRange(by)) return by.unknown;
  if (length === NONE || by === NONE || typeof by !== "number" || isSpan(length)) return NONE;
  const l = length as Length;
  if (op === "/" && by === 0) return NONE;
  return { amount: op === "*" ? l.amount * by : l.amount / by, unit: l.unit };
}

/**
 * `percent_change(baseline, value)`: the change from the baseline as a percentage of it, negative
 * when the value went down. With a baseline of zero there is no percentage (no value).
 */
export function percentChange(baseline: Value, value: Value): Value {
  if (baseline instanceof Unknown) return value instanceof Unknown ? unknownOf([baseline, value]) : baseline;
  if (value instanceof Unknown) return value;
  if (baseline === NONE || value === NONE) return NONE;
  if (isRange(baseline) || isRange(value)) return changeOverRanges(baseline, value);
  if (typeof baseline !== "number" || typeof value !== "number" || baseline === 0) return NONE;
  return ((value - baseline) / Math.abs(baseline)) * 100;
}

/**
 * The change from a baseline when either is only known to lie in a range: for a baseline of one
 * sign the change is monotone in each, so its extremes are at the corners (with the baseline
 * close to zero where the range reaches it); a baseline that may be zero may give no value.
 */
function changeOverRanges(baseline: Value, value: Value): Value {
  const [blo, bhi] = interval(baseline);
  const [vlo, vhi] = interval(value);
  const change = (b: number, v: number) => ((v - b) / Math.abs(b)) * 100;
  const corners: number[] = [];
  // Near zero the change runs off towards an infinity, unless the value is zero there too.
  const nearZero = (v: number) => (v === 0 ? -100 : v > 0 ? Infinity : -Infinity);
  for (const side of sidesOfZero(blo, bhi, isRange(baseline) ? Boolean(baseline.whole) : true)) {
    for (const b of [side.from, side.to]) for (const v of [vlo, vhi]) corners.push(b === 0 ? nearZero(v) : change(b, v));
  }
  const ranges = [baseline, value].filter(isRange);
  const unknown = unknownOf(ranges.map((r) => r.unknown));
  const orNone = blo <= 0 && bhi >= 0;
  if (corners.length === 0) return NONE;
  return { kind: "range", lo: Math.min(...corners), hi: Math.max(...corners), unknown, undocumented: ranges.some((r) => r.undocumented), orNone };
}

/** `percent_reduction(baseline, value)`: how far the value fell below the baseline, as a percentage (a score where lower is better). */
export function percentReduction(baseline: Value, value: Value): Value {
  const change = percentChange(baseline, value);
  if (typeof change === "number") return -change;
  if (isRange(change)) return { ...change, lo: -change.hi, hi: -change.lo };
  return change;
}

/** `date + duration` or `date - duration`, calendar-correct; a part of a day (hours) does not move the date past that day. */
export function shiftDate(op: "+" | "-", date: Value, by: Value): Value {
  if (date instanceof Unknown || by instanceof Unknown) return openOn(date, by);
  if (date === NONE || by === NONE) return NONE;
  // The latest of an undocumented date and a known one stays open on it, as it always has.
  if (isRange(date) && date.undocumented) return openOn(date, by);
  const sign = op === "+" ? 1 : -1;
  if (isRange(date) || isOpenSpan(by)) return shiftedRange(date, by, sign);
  if (isSpan(by)) return (date as number) + sign * (by.to - by.from);
  return Math.floor(addLength(date as number, by as Length, sign));
}

/** A date known only within a range, or moved by a span that is, moved: the range of days it comes to (each end moved, as moving is monotone). */
function shiftedRange(date: Value, by: Value, sign: 1 | -1): Value {
  const [lo, hi] = interval(date);
  const ranges = isRange(date) ? [date.unknown] : [];
  let from: number;
  let to: number;
  if (isSpan(by)) {
    const [least, most] = spanLengths(by);
    if (by.unknown) ranges.push(by.unknown);
    [from, to] = sign === 1 ? [lo + least, hi + most] : [lo - most, hi - least];
  } else {
    from = Math.floor(shifted(lo, by as Length, sign));
    to = Math.floor(shifted(hi, by as Length, sign));
  }
  if (from === to) return from;
  return { kind: "range", lo: from, hi: to, unknown: unknownOf(ranges), whole: true };
}

// ── Dates ────────────────────────────────────────────────────────────────────────────────────

/** `day within last window`: from the window's start up to the date of service. */
export function withinLast(day: Value, window: Value, dos: number | Unknown): Tri {
  if (isRange(day)) return day.undocumented ? openOn(day, window, dos) : withinLastOpen(day, window, dos);
  if (isOpenSpan(window)) return openOn(day, window, dos);
  const unknowns = [day, window, dos].filter((v): v is Unknown => v instanceof Unknown);
  if (cutRecorder && day instanceof Unknown && typeof dos === "number" && !(window instanceof Unknown) && window !== NONE) {
    cutRecorder.number(day, isSpan(window) ? dos - (window.to - window.from) : addLength(dos, window as Length, -1));
    cutRecorder.number(day, dos);
  }
  if (unknowns.length) return unknownOf(unknowns);
  if (typeof day !== "number" || typeof dos !== "number") return false;
  const start = isSpan(window) ? dos - (window.to - window.from) : addLength(dos, window as Length, -1);
  return day >= start && day <= dos;
}

/** `day within last window` for a date known only to lie in a range: decided when the whole range is in the window, or none of it. */
function withinLastOpen(day: CountRange, window: Value, dos: number | Unknown): Tri {
  if (window instanceof Unknown || dos instanceof Unknown || isOpenSpan(window)) return openOn(day, window, dos);
  if (window === NONE) return false;
  const start = isSpan(window) ? dos - (window.to - window.from) : addLength(dos, window as Length, -1);
  if (cutRecorder) {
    cutRecorder.number(day.unknown, start);
    cutRecorder.number(day.unknown, dos);
  }
  if (day.lo >= start && day.hi <= dos) return true;
  if (day.hi < start || day.lo > dos) return false;
  return day.unknown;
}

/** `time between from and to`: from the first date to the second, negative when the second comes first. */
export function timeBetween(from: Value, to: Value): Value {
  if (isRange(from) || isRange(to)) {
    if (cutRecorder && isRange(from) && typeof to === "number") cutRecorder.anchor(from.unknown, to, -1);
    if (cutRecorder && isRange(to) && typeof from === "number") cutRecorder.anchor(to.unknown, from, 1);
    if (from instanceof Unknown || to instanceof Unknown || (isRange(from) && from.undocumented) || (isRange(to) && to.undocumented)) return openOn(from, to);
    if (from === NONE || to === NONE) return NONE;
    const [fromLo, fromHi] = interval(from);
    const [toLo, toHi] = interval(to);
    return { kind: "span", from: fromLo, to: toLo, fromHi, toHi, unknown: openOn(from, to) };
  }
  if (from instanceof Unknown) {
    if (cutRecorder && typeof to === "number") cutRecorder.anchor(from, to, -1);
    return to instanceof Unknown ? unknownOf([from, to]) : from;
  }
  if (to instanceof Unknown) {
    if (cutRecorder && typeof from === "number") cutRecorder.anchor(to, from, 1);
    return to;
  }
  if (typeof from !== "number" || typeof to !== "number") return NONE;
  return { kind: "span", from, to };
}

/** What an operation that cannot use a range (a date known only to lie in one) is open on: every operand not known exactly. */
export function openOn(...operands: (Value | number)[]): Unknown {
  return unknownOf(operands.flatMap((v) => (v instanceof Unknown ? [v] : isRange(v as Value) ? [(v as CountRange).unknown] : isSpan(v as Value) && (v as Span).unknown ? [(v as Span).unknown!] : [])));
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
  // A range that stands for an undocumented date (a `later_of` of one) counts as undocumented.
  const unknowns = values.flatMap((v) => (v instanceof Unknown ? [v] : isRange(v) && v.undocumented ? [v.unknown] : []));
  // The latest of dates each known to lie in a range lies from the latest of their first days to the latest of their last.
  let lo: number | undefined;
  let hi = 0;
  const open: Unknown[] = [];
  for (const v of values) {
    if (typeof v !== "number" && !(isRange(v) && !v.undocumented)) continue;
    const [vlo, vhi] = interval(v);
    if (isRange(v)) open.push(v.unknown);
    if (lo === undefined) [lo, hi] = [vlo, vhi];
    else [lo, hi] = latest ? [Math.max(lo, vlo), Math.max(hi, vhi)] : [Math.min(lo, vlo), Math.min(hi, vhi)];
  }
  if (unknowns.length === 0) {
    if (lo === undefined) return NONE;
    if (lo === hi) return lo;
    return { kind: "range", lo, hi, unknown: unknownOf(open), whole: true };
  }
  // The latest of a known date and an undocumented one is that date or later: a range of days.
  if (lo === undefined) return unknownOf(unknowns);
  const best = latest ? lo : hi;
  const unknown = unknownOf([...unknowns, ...open]);
  if (cutRecorder) cutRecorder.number(unknown, best);
  return latest ? { kind: "range", lo: best, hi: Infinity, unknown, undocumented: true } : { kind: "range", lo: -Infinity, hi: best, unknown, undocumented: true };
}

// ── Conditions ───────────────────────────────────────────────────────────────────────────────

/**
 * `if condition then a else b`. When the condition is unknown, both are worked out: if they come
 * to the same value, that is the answer whatever the condition; otherwise the answer is unknown.
 */
export function choose(condition: Tri, then: () => Value, otherwise: () => Value): Value {
  if (condition === true) return then();
  if (condition === false) return otherwise();
  const a = then();
  const b = otherwise();
  if (sameValue(a, b)) return a;
  // Two numbers (or dates): somewhere between them, so that a comparison both satisfy is decided.
  if ((typeof a === "number" || isRange(a)) && (typeof b === "number" || isRange(b))) {
    const [alo, ahi] = interval(a);
    const [blo, bhi] = interval(b);
    const ranges = [a, b].filter(isRange);
    return { kind: "range", lo: Math.min(alo, blo), hi: Math.max(ahi, bhi), unknown: unknownOf([condition, ...ranges.map((r) => r.unknown)]), orNone: ranges.some((r) => r.orNone), whole: Number.isInteger(alo) && Number.isInteger(blo) && ranges.every((r) => r.whole === true) };
  }
  return unknownOf([condition, ...[a, b].filter((v): v is Unknown => v instanceof Unknown)]);
}

/** Whether two values are surely the same (undocumented ones never are). */
function sameValue(a: Value, b: Value): boolean {
  if (a === b) return !(a instanceof Unknown);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || a instanceof Unknown || b instanceof Unknown) return false;
  if ("amount" in a && "amount" in b) {
    if (a.unit === b.unit) return a.amount === b.amount;
    const ma = fixedMinutes(a.unit);
    const mb = fixedMinutes(b.unit);
    return ma !== undefined && mb !== undefined && a.amount * ma === b.amount * mb;
  }
  if (isSpan(a) && isSpan(b)) return !a.unknown && !b.unknown && a.from === b.from && a.to === b.to;
  return false;
}

/** Whether a value is no value: an entry that does not exist, or a field of one. Unknown only while which entry is open. */
export function isAbsent(value: Value): Tri {
  if (value instanceof Unknown) return value.surelyPicksAnEntry ? false : value.isSelection ? value : false;
  return value === NONE;
}

/** `refer "clause" when condition`: left to a clinician when the condition holds, not met when it does not. */
export function refer(referral: Unknown, condition: Tri): Tri {
  return condition === true ? referral : condition;
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

/**
 * `x is known`: documented, and (for an entry) one that exists. It asks about documentation, so
 * an undocumented value makes it false, not unknown; but when undocumented fields decide which
 * entry a question over a list picks (or whether any matches), it is unknown.
 */
export function isKnown(value: Value): Tri {
  if (value instanceof Unknown) {
    if (value.surelyPicksAnEntry) return true;
    if (value.isSelection) return value;
    if (cutRecorder) cutRecorder.documentation(value);
    return false;
  }
  if (isRange(value) && value.undocumented) {
    if (cutRecorder) cutRecorder.documentation(value.unknown);
    return false;
  }
  return value !== NONE;
}
