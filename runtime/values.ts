/**
 * The values a policy computes with, and the operations on them whose rules are subtle (count
 * ranges, calendar durations, history runs, pairing entries). The interpreter (evaluate.ts) and the
 * compiled evaluators (kernel.ts) both call these, so the two cannot drift apart.
 */
import type { ComparisonOp, FieldType } from "./program.js";
import { Unknown, unknownOf, type Tri } from "./tri.js";
import { addLength, parseIsoDate, type Length } from "./dates.js";

export interface RecordValue {
  readonly kind: "record";
  /** The list the entry is in (its input path) and its place there: see `recordPath`. */
  readonly list: string;
  readonly index: number;
  readonly record: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** Fields already converted, so that each is parsed once; made when first needed. */
  fields: Map<string, Value> | undefined;
  /**
   * For compiled code: the entry's fields by slot (see `listOf`), read once from `data`, so
   * that criteria read them by position instead of by name from objects of many shapes.
   */
  readonly slots: readonly unknown[] | undefined;
}

/** Where an entry is in the input, e.g. `prior_procedures[2]`: only needed to name a missing field. */
export function recordPath(record: RecordValue): string {
  return `${record.list}[${record.index}]`;
}

/** A converted field of a record, if it has been converted before. */
export function knownField(record: RecordValue, field: string): Value | undefined {
  return record.fields?.get(field);
}

export function keepField(record: RecordValue, field: string, value: Value): Value {
  (record.fields ??= new Map()).set(field, value);
  return value;
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

/** Reads a record's field, converted; the interpreter's version also records the read for the trace. */
export type FieldReader = (record: RecordValue, field: string) => Value;

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
export function asTri(v: Value): Tri {
  return typeof v === "boolean" || v instanceof Unknown ? v : false;
}

export function missingFact(path: string): Unknown {
  return new Unknown(path);
}

/** Input JSON to a runtime value; absent or null is unknown, naming the fact's path. */
export function convert(raw: unknown, type: FieldType | undefined, path: string): Value {
  if (raw === undefined || raw === null) return missingFact(path);
  switch (type?.t) {
    case "date":
      return dateValue(raw, path);
    case "duration":
      return raw as Length;
    case "list":
      return Array.isArray(raw) ? listOf(raw, type.record, path) : missingFact(path);
    default:
      return raw as boolean | number | string;
  }
}

/**
 * A list fact's entries. With `slotsOf` (compiled with the policy), each entry also holds its
 * fields in slot order, for compiled code to read by position.
 */
/** A date from the input: its day number, or unknown when it is not a calendar date. */
export function dateValue(raw: unknown, path: string): Value {
  const day = typeof raw === "string" ? parseIsoDate(raw) : undefined;
  return day ?? missingFact(path);
}

export function listOf(raw: readonly unknown[], record: string, path: string, slotsOf?: (data: Readonly<Record<string, unknown>>) => unknown[]): ListValue {
  const items: ListItem[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const data = raw[i] as Record<string, unknown>;
    items[i] = { rec: { kind: "record", list: path, index: i, record, data, fields: undefined, slots: slotsOf?.(data) }, member: true };
  }
  return { kind: "list", items };
}

const literalDays = new Map<string, number>();

/** Date literals were checked by the compiler; each is parsed once. */
export function literalDay(text: string): number {
  let day = literalDays.get(text);
  if (day === undefined) literalDays.set(text, (day = parseIsoDate(text)!));
  return day;
}

export function countOf(values: readonly Tri[]): Value {
  let lo = 0;
  const unknowns: Unknown[] = [];
  for (const v of values) {
    if (v === true) lo++;
    else if (v instanceof Unknown) unknowns.push(v);
  }
  return unknowns.length ? range(lo, unknowns) : lo;
}

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

/** Comparison of any two values of one kind. With an entry that does not exist, it is false. */
export function compareValues(op: ComparisonOp, a: Value, b: Value, kind: string, dos: number | Unknown): Tri {
  if (a instanceof Unknown) return b instanceof Unknown ? unknownOf([a, b]) : a;
  if (b instanceof Unknown) return b;
  if (a === NONE || b === NONE) return false;
  if (kind === "duration") {
    const pair = durationPair(a, b, dos);
    if (pair instanceof Unknown) return pair;
    return compareNumbers(op, pair[0], pair[1]);
  }
  if (kind === "number" || kind === "date") {
    if (typeof a === "number" && typeof b === "number") return compareNumbers(op, a, b);
    const [alo, ahi] = interval(a);
    const [blo, bhi] = interval(b);
    const unknown = isRange(a) ? (isRange(b) ? unknownOf([a.unknown, b.unknown]) : a.unknown) : isRange(b) ? b.unknown : undefined;
    return compareIntervals(op, alo, ahi, blo, bhi, unknown);
  }
  const equal = a === b;
  return op === "=" ? equal : op === "!=" ? !equal : false;
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

export function arith(op: "+" | "-", a: Value, b: Value, kind: "number" | "date"): Value {
  if (a instanceof Unknown) return b instanceof Unknown ? unknownOf([a, b]) : a;
  if (b instanceof Unknown) return b;
  if (a === NONE || b === NONE) return NONE;
  const sign = op === "+" ? 1 : -1;
  if (kind === "date") {
    if (isSpan(b)) return (a as number) + sign * (b.to - b.from);
    return addLength(a as number, b as Length, sign);
  }
  if (isRange(a) || isRange(b)) {
    const [alo, ahi] = interval(a);
    const [blo, bhi] = interval(b);
    const lo = op === "+" ? alo + blo : alo - bhi;
    const hi = op === "+" ? ahi + bhi : ahi - blo;
    const unknown = unknownOf([a, b].filter(isRange).map((r) => r.unknown));
    return lo === hi ? lo : { kind: "range", lo, hi, unknown };
  }
  return (a as number) + sign * (b as number);
}

/** `day within last window`: from the window's start up to the date of service. */
export function within(day: Value, window: Value, dos: number | Unknown): Tri {
  const unknowns = [day, window, dos].filter((v): v is Unknown => v instanceof Unknown);
  if (unknowns.length) return unknownOf(unknowns);
  if (typeof day !== "number" || typeof dos !== "number") return false;
  const start = isSpan(window) ? dos - (window.to - window.from) : addLength(dos, window as Length, -1);
  return day >= start && day <= dos;
}

/** `time between from and to`: from the first date to the second, negative when the second comes first. */
export function span(from: Value, to: Value): Value {
  if (from instanceof Unknown) return to instanceof Unknown ? unknownOf([from, to]) : from;
  if (to instanceof Unknown) return to;
  if (typeof from !== "number" || typeof to !== "number") return NONE;
  return { kind: "span", from, to };
}

export function extremeDay(values: readonly Value[], latest: boolean): Value {
  const unknowns = values.filter((v): v is Unknown => v instanceof Unknown);
  if (unknowns.length) return unknownOf(unknowns);
  let best: number | undefined;
  for (const v of values) {
    if (typeof v === "number" && (best === undefined || (latest ? v > best : v < best))) best = v;
  }
  return best ?? NONE;
}

/** A query's entries with whether each is included (true, false, or unknown). */
export interface Included {
  readonly rec: RecordValue;
  readonly inc: Tri;
}

/** `latest(…)` / `earliest(…)`: the entry with the latest (earliest) date, if that is certain. */
export function extreme(included: readonly Included[], latest: boolean, field: FieldReader): Value {
  let best: RecordValue | undefined;
  let bestDay = 0;
  const doubtful: { inc: Unknown; day: number }[] = [];
  for (const i of included) {
    if (i.inc === false) continue;
    const day = field(i.rec, "date");
    if (typeof day !== "number") continue;
    if (i.inc === true) {
      if (!best || (latest ? day > bestDay : day < bestDay)) {
        best = i.rec;
        bestDay = day;
      }
    } else doubtful.push({ inc: i.inc, day });
  }
  const contenders = doubtful.filter((d) => !best || (latest ? d.day >= bestDay : d.day <= bestDay));
  if (contenders.length) return unknownOf(contenders.map((d) => d.inc));
  return best ?? NONE;
}

/**
 * `count(…, counting p and q as one when …)`: each entry is counted together with at most one
 * other (a right and a left injection make one procedure; a third makes a second). Pairs are
 * matched in date order. With uncertain entries or conditions the count is a range.
 */
export function countMerged(included: readonly Included[], pair: (first: RecordValue, second: RecordValue) => Tri, field: FieldReader): Value {
  const dayOf = (rec: RecordValue) => {
    const day = field(rec, "date");
    return typeof day === "number" ? day : Infinity;
  };
  const candidates = included.filter((i) => i.inc !== false).sort((x, y) => dayOf(x.rec) - dayOf(y.rec));
  const sure = candidates.map((i) => i.inc === true);
  const unknowns: Unknown[] = candidates.filter((i) => i.inc instanceof Unknown).map((i) => i.inc as Unknown);
  const edges = candidates.map(() => new Array<Tri>(candidates.length).fill(false));
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      // Entries are in date order, so the first name is always the earlier entry.
      const v = pair(candidates[i].rec, candidates[j].rec);
      edges[i][j] = edges[j][i] = v;
      if (v instanceof Unknown) unknowns.push(v);
    }
  }
  /** How many entries the count gives when `members` are in and `usable` edges pair them. */
  const counted = (members: readonly boolean[], usable: (v: Tri) => boolean): number => {
    const matched = members.map((m) => !m);
    let count = members.filter(Boolean).length;
    for (let i = 0; i < candidates.length; i++) {
      if (matched[i]) continue;
      for (let j = i + 1; j < candidates.length; j++) {
        if (!matched[j] && usable(edges[i][j])) {
          matched[i] = matched[j] = true;
          count--;
          break;
        }
      }
    }
    return count;
  };
  // Fewest: only the certain entries, paired wherever pairing is possible. Most: every entry
  // that may count, paired only where pairing is certain.
  const lo = counted(sure, (v) => v !== false);
  const hi = counted(
    candidates.map(() => true),
    (v) => v === true,
  );
  return lo === hi ? lo : { kind: "range", lo: Math.min(lo, hi), hi: Math.max(lo, hi), unknown: unknownOf(unknowns) };
}

/**
 * `recent_run(list, gap)`: the entries reached walking back from the date of service while each
 * step is shorter than the gap.
 */
export function recentRun(list: Value, gap: Value, dos: number | Unknown, field: FieldReader): Value {
  if (list instanceof Unknown) return list;
  if (gap instanceof Unknown) return gap;
  if (dos instanceof Unknown) return dos;
  if (!isList(list)) return { kind: "list", items: [] };
  const dated: DatedItem[] = [];
  for (const item of list.items) {
    const day = field(item.rec, "date");
    if (typeof day === "number" && day <= dos) dated.push({ item, day, reach: isSpan(gap) ? day + (gap.to - gap.from) : addLength(day, gap as Length, 1), widest: false, surest: false });
  }
  dated.sort((x, y) => y.day - x.day);
  // Walks back from the date of service while each step is shorter than the gap. An entry that
  // may or may not be in the list may bridge a gap: entries reached only through such a bridge
  // are in the run only possibly.
  let cursor = dos;
  for (const d of dated) {
    if (d.reach <= cursor) break;
    d.widest = true;
    cursor = d.day;
  }
  cursor = dos;
  for (const d of dated) {
    if (d.item.member !== true) continue;
    if (d.reach <= cursor) break;
    d.surest = true;
    cursor = d.day;
  }
  const bridges: Unknown[] = [];
  for (const d of dated) if (d.widest && d.item.member instanceof Unknown) bridges.push(d.item.member);
  const items: ListItem[] = [];
  for (let i = dated.length - 1; i >= 0; i--) {
    const d = dated[i];
    if (!d.widest) continue;
    const member = d.surest || d.item.member !== true ? d.item.member : unknownOf(bridges);
    items.push({ rec: d.item.rec, member });
  }
  return { kind: "list", items };
}

interface DatedItem {
  readonly item: ListItem;
  readonly day: number;
  /** The day the gap reaches to from this entry. */
  readonly reach: number;
  widest: boolean;
  surest: boolean;
}

/** A query over something that is not a list (an absent selection): what each query gives. */
export function emptyQuery(op: "count" | "exists" | "every" | "select" | "latest" | "earliest"): Value {
  return op === "count" ? 0 : op === "every" ? true : op === "exists" ? false : NONE;
}
