/**
 * Questions over a list (the procedure history): count, exists, every, select, latest, earliest,
 * counting two entries as one, and the recent run of entries. Each takes the entries' filter as a
 * function, and decides here, once, how entries that may or may not match count.
 */
import type { Context } from "./context.js";
import { Unknown, and2, not, or2, unknownOf, type Tri } from "./tri.js";
import { addLength, type Length } from "./dates.js";
import { compare, cutsTold, isLevelsRange, isList, isOpenSpan, isRange, isSpan, NONE, openOn, range, recordDay, recordingCuts, type ListItem, type ListValue, type RecordValue, type Value } from "./values.js";
import { allocateSlot } from "./slots.js";
import { allLevels, levelsBetween } from "./levels.js";

/** Whether an entry is one the question asks about. */
export type Filter = (entry: RecordValue) => Tri;

/** Whether an entry is included: in the list, and matching the filter. */
function includes(item: ListItem, filter: Filter | undefined): Tri {
  return filter ? and2(item.member, filter(item.rec)) : item.member;
}

/** `count(p in list where …)`; a range when some entries may or may not match. */
export function count(c: Context, source: Value, filter?: Filter): Value {
  if (source instanceof Unknown) return source;
  if (!isList(source)) return 0;
  let sure = 0;
  let unknowns: Unknown[] | undefined;
  for (const item of source.items) {
    const inc = includes(item, filter);
    if (inc === true) sure++;
    else if (inc !== false) (unknowns ??= []).push(inc);
  }
  return unknowns ? range(sure, unknowns) : sure;
}

/**
 * `exists(p in list where …)`. The first entry that surely matches decides, with the trace on or
 * off: the trace lists what was read up to it, so a question costs the same either way.
 */
export function exists(c: Context, source: Value, filter?: Filter): Tri {
  if (source instanceof Unknown) return source;
  if (!isList(source)) return false;
  let any: Tri = false;
  for (const item of source.items) {
    any = or2(any, includes(item, filter));
    if (any === true) return true;
  }
  return any;
}

/**
 * `every(p in list where …: condition)`: only an entry that is surely included can make it false,
 * and the first that surely fails decides (with the trace on too, as for `exists`).
 */
export function every(c: Context, source: Value, filter: Filter | undefined, condition: Filter): Tri {
  if (source instanceof Unknown) return source;
  if (!isList(source)) return true;
  let all: Tri = true;
  for (const item of source.items) {
    const included = includes(item, filter);
    if (included === false) continue;
    all = and2(all, or2(not(included), condition(item.rec)));
    if (all === false) return false;
  }
  return all;
}

/** `select(p in list where …)`: the entries that match or may match. */
export function select(c: Context, source: Value, filter?: Filter): Value {
  if (source instanceof Unknown) return source;
  if (!isList(source)) return NONE;
  const items: ListItem[] = [];
  for (const item of source.items) {
    const inc = includes(item, filter);
    if (inc !== false) items.push(inc === item.member ? item : { rec: item.rec, member: inc });
  }
  return { kind: "list", items };
}

/** `latest(p in list where …)`: the matching entry with the latest date, if that is certain. */
export function latest(c: Context, source: Value, filter?: Filter): Value {
  return extreme(c, source, filter, true);
}

/** `earliest(p in list where …)`. */
export function earliest(c: Context, source: Value, filter?: Filter): Value {
  return extreme(c, source, filter, false);
}

function extreme(c: Context, source: Value, filter: Filter | undefined, latest: boolean): Value {
  if (source instanceof Unknown) return source;
  if (!isList(source)) return NONE;
  let best: RecordValue | undefined;
  let bestDay = 0;
  const doubtful: { inc: Unknown; day: number }[] = [];
  for (const item of source.items) {
    const inc = includes(item, filter);
    if (inc === false) continue;
    const day = c.date(item.rec);
    if (typeof day !== "number") {
      // A date known only to lie in a range (2023-06): which entry is the latest is weighed by ranges.
      if (isRange(day)) return extremeOverRanges(c, source, filter, latest);
      continue;
    }
    if (inc === true) {
      if (!best || (latest ? day > bestDay : day < bestDay)) {
        best = item.rec;
        bestDay = day;
      }
    } else doubtful.push({ inc, day });
  }
  const contenders = doubtful.filter((d) => !best || (latest ? d.day >= bestDay : d.day <= bestDay));
  // Which entry is picked is what is open, not the entry's own documentation (see isKnown).
  if (contenders.length) return Unknown.selecting(contenders.map((d) => d.inc), best !== undefined);
  return best ?? NONE;
}

/** An entry that may be picked, with its day as a range, turned so that a larger value is the one picked (the latest, or for `earliest` the earliest). */
interface Placed {
  readonly rec: RecordValue;
  readonly inc: Tri;
  readonly lo: number;
  readonly hi: number;
  readonly open: Unknown | undefined;
  readonly order: number;
}

/**
 * `latest`/`earliest` when some entry's date is known only within a range. The pick among the
 * sure entries is the one whose date is surely the latest (the first in the list on a tie); every
 * other entry whose date may come later (or tie it from earlier in the list) is a contender, and
 * then which entry is picked is open on the contenders' matches and dates.
 */
function extremeOverRanges(c: Context, source: ListValue, filter: Filter | undefined, latest: boolean): Value {
  const entries: Placed[] = [];
  source.items.forEach((item, order) => {
    const inc = includes(item, filter);
    if (inc === false) return;
    const day = c.date(item.rec);
    if (typeof day !== "number" && !isRange(day)) return;
    const [lo, hi] = typeof day === "number" ? [day, day] : [day.lo, day.hi];
    entries.push({ rec: item.rec, inc, lo: latest ? lo : -hi, hi: latest ? hi : -lo, open: isRange(day) ? day.unknown : undefined, order });
  });
  let best: Placed | undefined;
  for (const e of entries) if (e.inc === true && (!best || e.lo > best.lo)) best = e;
  // As for full dates: an entry that may not match is a contender on a tie too.
  const contenders = entries.filter((e) => e !== best && (!best || e.hi > best.lo || (e.hi === best.lo && (e.inc !== true || e.order < best.order))));
  if (contenders.length === 0) return best?.rec ?? NONE;
  const open: Unknown[] = [];
  for (const e of best ? [best, ...contenders] : contenders) {
    if (e.inc instanceof Unknown) open.push(e.inc);
    if (e.open) open.push(e.open);
  }
  return Unknown.selecting(open, best !== undefined);
}

/**
 * `count(…, counting p and q as one when …)`: each entry is counted together with at most one
 * other (a right and a left injection make one procedure; a third makes a second). Pairs are
 * matched in date order, the earlier entry first. With uncertain entries or conditions the count
 * is a range.
 *
 * `window`, when the condition has one (see IrMerge in the compiler), is the part of the
 * condition that bounds how far apart two entries' dates may be: in date order, once it is false
 * for an entry and a later one it is false for every entry after that, and so is the condition.
 * Each entry is then weighed only against the entries up to there: sorted once and swept, in time
 * linear in the list times the entries within one window. Without it every pair is weighed, and
 * so it is while comparisons are recorded for the fewest deciding facts (see `recordCuts`).
 */
export function countPairedAsOne(
  c: Context,
  source: Value,
  filter: Filter | undefined,
  pair: (first: RecordValue, second: RecordValue) => Tri,
  window?: (first: RecordValue, second: RecordValue) => Tri,
): Value {
  if (source instanceof Unknown) return source;
  if (!isList(source)) return 0;
  const candidates: Paired[] = [];
  const items = source.items;
  for (let order = 0; order < items.length; order++) {
    const inc = includes(items[order], filter);
    if (inc !== false) candidates.push({ rec: items[order].rec, inc, order, date: undefined, lo: 0, hi: 0 });
  }
  for (const x of candidates) {
    const day = c.date(x.rec);
    x.date = day;
    [x.lo, x.hi] = typeof day === "number" ? [day, day] : isRange(day) ? [day.lo, day.hi] : [Infinity, Infinity];
  }
  candidates.sort((x, y) => x.lo - y.lo);
  const sure = candidates.map((i) => i.inc === true);
  const unknowns: Unknown[] = candidates.filter((i) => i.inc instanceof Unknown).map((i) => i.inc as Unknown);
  // Pairs are matched in date order: with dates known only within ranges that order may be open,
  // and then the count is only known to lie from half the sure entries to every candidate.
  if (candidates.some((x) => isRange(x.date!))) {
    for (const x of candidates) if (isRange(x.date!)) unknowns.push(x.date.unknown);
    const fixed = candidates.every((x, i) => {
      if (i === 0) return true;
      const before = candidates[i - 1];
      return before.hi < x.lo || (before.hi === x.lo && before.order < x.order);
    });
    if (!fixed) {
      const lo = Math.ceil(sure.filter(Boolean).length / 2);
      const hi = candidates.length;
      return lo === hi ? lo : { kind: "range", lo, hi, unknown: unknownOf(unknowns), whole: true };
    }
  }
  // The pairs that may pair, each entry with the later ones (in date order): a pair not listed is
  // false. While comparisons are recorded for the fewest deciding facts, every pair is weighed, so
  // that what is recorded is what the condition records of each pair.
  if (recordingCuts()) window = undefined;
  const partners: number[][] = candidates.map(() => []);
  const pairing: Tri[][] = candidates.map(() => []);
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      if (window && window(candidates[i].rec, candidates[j].rec) === false) break;
      const v = pair(candidates[i].rec, candidates[j].rec);
      if (v === false) continue;
      partners[i].push(j);
      pairing[i].push(v);
      if (v instanceof Unknown) unknowns.push(v);
    }
  }
  /** How many entries the count gives when `members` are in and `usable` pairs pair them. */
  const counted = (members: readonly boolean[], usable: (v: Tri) => boolean): number => {
    const matched = members.map((m) => !m);
    let n = members.filter(Boolean).length;
    for (let i = 0; i < candidates.length; i++) {
      if (matched[i]) continue;
      const js = partners[i];
      for (let k = 0; k < js.length; k++) {
        const j = js[k];
        if (!matched[j] && usable(pairing[i][k])) {
          matched[i] = matched[j] = true;
          n--;
          break;
        }
      }
    }
    return n;
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

/** An entry `counting … as one` may count: whether it is included, its place in the list, its date and the first and last day it may be. */
interface Paired {
  readonly rec: RecordValue;
  readonly inc: Tri;
  readonly order: number;
  date: Value | undefined;
  lo: number;
  hi: number;
}

/**
 * Where an `exists` or `count` is asked whose filter ends in a comparison of the entry's date with
 * a value that does not depend on the entry (`s.date after p.date`; see IrDated in the compiler),
 * the rest of the filter and the list depending on nothing else: each evaluation works out the
 * rest once per list, in the slot, and every use then compares dates only.
 */
export interface DatedQuestion {
  readonly slot: number;
  readonly op: "<" | "<=" | ">" | ">=";
  /** Whether the entry's date is the comparison's left operand. */
  readonly entryFirst: boolean;
}

/** The slot of a question asked once per evaluation (one inside another that reads no variable): made once when its module loads. */
export function questionSlot(): number {
  return allocateSlot();
}

/** A place a dated question is asked, made once when its module loads. */
export function datedQuestion(op: DatedQuestion["op"], entryFirst: boolean): DatedQuestion {
  return Object.freeze({ slot: allocateSlot(), op, entryFirst });
}

/** An entry of a dated question that may be included, with what the rest of the filter gave and its date. */
interface DatedEntry {
  readonly member: Tri;
  readonly rest: Tri;
  readonly day: Value;
}

/** What a dated question works out once per evaluation and list. */
interface DatedEntries {
  /** The entries that may be included (in the list or maybe, the rest true or unknown), in list order. */
  readonly all: readonly DatedEntry[];
  /** The full dates of those surely included but for the comparison, in ascending order. */
  readonly sureDays: Float64Array;
  /** The others of `all` (maybe in the list, the rest unknown, or a date that is not a full day), in list order. */
  readonly others: readonly DatedEntry[];
  /**
   * Whether, while comparisons are recorded for the fewest deciding facts, answering from these
   * records exactly what the whole filter records entry by entry: every entry's date is a full
   * day (a comparison of two days records nothing) and the rest of the filter recorded nothing.
   */
  readonly recordsAsWritten: boolean;
}

function datedEntries(source: ListValue, rest: Filter | undefined, entryDay: (entry: RecordValue) => Value): DatedEntries {
  const all: DatedEntry[] = [];
  const others: DatedEntry[] = [];
  const sure: number[] = [];
  const told = cutsTold();
  // The entry's date is the record's own date (lowering marks only `s.date`): read here without a trace.
  let fullDays = true;
  for (const item of source.items) {
    if (typeof recordDay(item.rec) !== "number") fullDays = false;
    const restHolds = rest ? rest(item.rec) : true;
    if (restHolds === false || item.member === false) continue;
    const entry: DatedEntry = { member: item.member, rest: restHolds, day: entryDay(item.rec) };
    all.push(entry);
    if (entry.member === true && restHolds === true && typeof entry.day === "number") sure.push(entry.day);
    else others.push(entry);
  }
  return { all, sureDays: Float64Array.from(sure).sort(), others, recordsAsWritten: fullDays && cutsTold() === told };
}

/** Whether an entry that may be included is included, its date compared with `bound`: what the whole filter gives it. */
function datedIncludes(q: DatedQuestion, e: DatedEntry, bound: Value): Tri {
  return and2(e.member, and2(e.rest, q.entryFirst ? compare(q.op, e.day, bound) : compare(q.op, bound, e.day)));
}

/** How many of these days (ascending) a comparison with `bound` holds for: an ordering of numbers holds for a first or a last run of them. */
function holdingDays(q: DatedQuestion, days: Float64Array, bound: number): number {
  const n = days.length;
  if (n === 0) return 0;
  const holds = (day: number) => (q.entryFirst ? compare(q.op, day, bound) : compare(q.op, bound, day)) === true;
  const first = holds(days[0]);
  if (first === holds(days[n - 1])) return first ? n : 0;
  // days[lo] answers as the first day does and days[hi] as the last: search between.
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (holds(days[mid]) === first) lo = mid;
    else hi = mid;
  }
  return first ? lo + 1 : n - hi;
}

/**
 * `exists(s in LIST where REST and s.date OP BOUND)` asked at a dated question's place: the same
 * answer as `exists` with the whole filter, from the entries the rest leaves in (worked out once
 * per evaluation). Against a full date, the sure entries answer by their earliest and latest
 * days, and only the uncertain ones are weighed one by one, in list order as `exists` does.
 * While comparisons are recorded for the fewest deciding facts (see `recordCuts`), it answers so
 * only where that records what the whole filter would (see `recordsAsWritten`), and otherwise
 * asks the whole filter of each entry.
 */
export function existsDated(c: Context, q: DatedQuestion, source: Value, filter: Filter, rest: Filter | undefined, entryDay: (entry: RecordValue) => Value, bound: () => Value): Tri {
  if (source instanceof Unknown) return source;
  if (!isList(source)) return false;
  const entries = c.rememberFor(q.slot, source, () => datedEntries(source, rest, entryDay));
  if (recordingCuts() && !entries.recordsAsWritten) return exists(c, source, filter);
  if (entries.all.length === 0) return false;
  const against = bound();
  if (recordingCuts() && typeof against !== "number") return exists(c, source, filter);
  let weighed = entries.all;
  if (typeof against === "number") {
    const days = entries.sureDays;
    if (days.length > 0 && holdingDays(q, days, against) > 0) return true;
    weighed = entries.others;
  }
  let any: Tri = false;
  for (const e of weighed) {
    any = or2(any, datedIncludes(q, e, against));
    if (any === true) return true;
  }
  return any;
}

/** `count(s in LIST where REST and s.date OP BOUND)` asked at a dated question's place: as `existsDated`, the sure entries counted by a binary search of their days. */
export function countDated(c: Context, q: DatedQuestion, source: Value, filter: Filter, rest: Filter | undefined, entryDay: (entry: RecordValue) => Value, bound: () => Value): Value {
  if (source instanceof Unknown) return source;
  if (!isList(source)) return 0;
  const entries = c.rememberFor(q.slot, source, () => datedEntries(source, rest, entryDay));
  if (recordingCuts() && !entries.recordsAsWritten) return count(c, source, filter);
  if (entries.all.length === 0) return 0;
  const against = bound();
  if (recordingCuts() && typeof against !== "number") return count(c, source, filter);
  let sure = 0;
  let weighed = entries.all;
  if (typeof against === "number") {
    sure = holdingDays(q, entries.sureDays, against);
    weighed = entries.others;
  }
  let unknowns: Unknown[] | undefined;
  for (const e of weighed) {
    const inc = datedIncludes(q, e, against);
    if (inc === true) sure++;
    else if (inc !== false) (unknowns ??= []).push(inc);
  }
  return unknowns ? range(sure, unknowns) : sure;
}

/** A key of an entry (`one per p.date and p.level`) as one comparable text; undefined while a part is undocumented. */
function keyText(parts: readonly Value[]): string | Unknown {
  let text = "";
  for (const part of parts) {
    if (part instanceof Unknown) return part;
    if (isRange(part)) return part.unknown;
    text += `${typeof part === "object" && part !== null ? JSON.stringify(part) : `${typeof part}:${String(part)}`}\u0000`;
  }
  return text;
}

interface Keyed {
  readonly key: string | Unknown;
  readonly inc: Tri;
  /** The entry's day (for a window); with `dayHi`, the first and last day a partial date may be. */
  readonly day: number;
  readonly dayHi?: number;
  /** The key's parts, kept for keys with a partial date (see `countOverRanges`). */
  readonly parts?: readonly Value[];
}

/** A date the chart gives only to the month or the year: documented, known to lie in a range. */
function isPartial(v: Value): boolean {
  return isRange(v) && !v.undocumented;
}

/** A key that holds a partial date: the rest of the key as text, and the days the date may be. */
interface RangedKey {
  readonly group: string;
  readonly lo: number;
  readonly hi: number;
}

/**
 * `count(…, one per KEY [in any WINDOW])` when a key or a date is a partial date (2023-06).
 * Without a window it is exact: entries whose keys differ only in the date are the same key where
 * their days can meet, so the fewest keys is the fewest days that pierce every sure entry's range,
 * and the most is the most entries that can each be given a day of their own. With a window it is
 * bounded, not exact: the fewest counts what is surely inside some window, the most what may be.
 */
function countOverRanges(entries: readonly Keyed[], window: Value | undefined, unknowns: readonly Unknown[]): Value {
  let lo: number;
  let hi: number;
  if (window === undefined || window === NONE) {
    const at = entries.map((e) => (e.parts ?? []).findIndex(isPartial)).find((i) => i >= 0);
    const keyOf = (e: Keyed): string | RangedKey | Unknown => {
      if (at === undefined || !e.parts) return e.key;
      const parts = e.parts;
      const date = parts[at];
      const rest = keyText(parts.map((p, i) => (i === at ? "" : p)));
      if (rest instanceof Unknown || parts.some((p, i) => i !== at && isPartial(p))) return e.key instanceof Unknown ? e.key : rest;
      if (typeof date === "number") return { group: rest, lo: date, hi: date };
      if (isRange(date) && !date.undocumented) return { group: rest, lo: date.lo, hi: date.hi };
      return e.key;
    };
    const keyed = entries.map((e) => ({ e, k: keyOf(e) }));
    const fewestKeys = distinctRanged(keyed.filter(({ e }) => e.inc === true).map(({ k }) => k), true);
    const sureUndocumented = keyed.some(({ e, k }) => e.inc === true && k instanceof Unknown);
    lo = fewestKeys + (fewestKeys === 0 && sureUndocumented ? 1 : 0);
    hi = distinctRanged(keyed.map(({ k }) => k), false) + keyed.filter(({ k }) => k instanceof Unknown).length;
  } else {
    const reach = (day: number) => (isSpan(window) ? day + (window.to - window.from) : addLength(day, window as Length, 1));
    lo = windowBound(entries, reach, true);
    hi = windowBound(entries, reach, false);
  }
  return lo === hi ? lo : { kind: "range", lo, hi, unknown: unknownOf(unknowns) };
}

/**
 * The fewest (or most) distinct keys among these, a key with a partial date being any of its days:
 * per rest of the key, the fewest days that meet every range (greedy by last day), or the most
 * ranges that can each have a day of their own (greedy by last day, each taking its first free day).
 */
function distinctRanged(keys: readonly (string | RangedKey | Unknown)[], fewest: boolean): number {
  const texts = new Set<string>();
  const groups = new Map<string, RangedKey[]>();
  for (const k of keys) {
    if (typeof k === "string") texts.add(k);
    else if (!(k instanceof Unknown)) {
      const group = groups.get(k.group);
      if (group) group.push(k);
      else groups.set(k.group, [k]);
    }
  }
  let n = texts.size;
  for (const group of groups.values()) {
    group.sort((a, b) => a.hi - b.hi || a.lo - b.lo);
    if (fewest) {
      let pierced = -Infinity;
      for (const r of group) {
        if (r.lo > pierced) {
          n++;
          pierced = r.hi;
        }
      }
    } else {
      // The next free day at or after a day, with the days already given away skipped over.
      const taken = new Map<number, number>();
      const free = (day: number): number => {
        const next = taken.get(day);
        if (next === undefined) return day;
        const found = free(next);
        taken.set(day, found);
        return found;
      };
      for (const r of group) {
        const day = free(r.lo);
        if (day <= r.hi) {
          n++;
          taken.set(day, day + 1);
        }
      }
    }
  }
  return n;
}

/**
 * Bounds on the most distinct keys in any window when some dates are partial. The most: the
 * entries whose days may fall in a window, a key with a partial date counted as its own; a
 * window of greatest count can start on some entry's last possible day. The fewest: the entries
 * surely in a window (their whole range inside it), as the sure keys count (see `distinctIn`); a
 * window of greatest count can start on some entry's first possible day.
 */
function windowBound(entries: readonly Keyed[], reach: (day: number) => number, fewest: boolean): number {
  const last = (e: Keyed) => e.dayHi ?? e.day;
  let best = 0;
  const starts = [...new Set(entries.map((e) => (fewest ? e.day : last(e))))];
  for (const start of starts) {
    const limit = reach(start);
    const inside = entries.filter((e) => (fewest ? e.day >= start && (last(e) < limit || last(e) === start) : last(e) >= start && (e.day < limit || e.day === start)));
    const keys = new Set<string>();
    let undocumented = 0;
    let sureUndocumented = 0;
    for (const e of inside) {
      if (typeof e.key === "string") {
        if (!fewest || e.inc === true) keys.add(e.key);
      } else {
        undocumented++;
        if (e.inc === true) sureUndocumented++;
      }
    }
    best = Math.max(best, fewest ? keys.size + (keys.size === 0 && sureUndocumented > 0 ? 1 : 0) : keys.size + undocumented);
  }
  return best;
}

/**
 * `count(p in list where …, one per KEY)`: entries with the same key count once (every entry on
 * one date of service is one session); with `in any WINDOW`, the most in any window of that
 * length (per rolling 12 months). Entries that may or may not match, or whose key is
 * undocumented, make the count a range: the fewest is what the sure entries give, the most what
 * every possible entry gives with each undocumented key a new one. Sorted once and swept, so the
 * time is linear in the list after sorting.
 */
export function countBy(c: Context, source: Value, filter: Filter | undefined, key: ((entry: RecordValue) => Value[]) | undefined, window: Value | undefined): Value {
  if (source instanceof Unknown) return source;
  if (window instanceof Unknown) return window;
  if (window !== undefined && isOpenSpan(window)) return openOn(window);
  if (!isList(source)) return 0;
  const entries: Keyed[] = [];
  const unknowns: Unknown[] = [];
  let ranged = false;
  source.items.forEach((item, index) => {
    const inc = includes(item, filter);
    if (inc === false) return;
    if (inc instanceof Unknown) unknowns.push(inc);
    const parts = key ? key(item.rec) : undefined;
    const k = parts ? keyText(parts) : `entry:${index}`;
    if (k instanceof Unknown) unknowns.push(k);
    if (parts && k instanceof Unknown && parts.some(isPartial)) ranged = true;
    const day = window === undefined ? 0 : c.date(item.rec);
    if (typeof day === "number") entries.push({ key: k, inc, day, parts });
    else if (isRange(day)) {
      ranged = true;
      unknowns.push(day.unknown);
      entries.push({ key: k, inc, day: day.lo, dayHi: day.hi, parts });
    }
  });
  if (ranged) return countOverRanges(entries, window, unknowns);
  const fewest = (e: Keyed) => e.inc === true && typeof e.key === "string";
  let lo: number;
  let hi: number;
  if (window === undefined || window === NONE) {
    lo = distinctIn(entries, 0, entries.length, fewest, true);
    hi = distinctIn(entries, 0, entries.length, () => true, false);
  } else {
    entries.sort((a, b) => a.day - b.day);
    const reach = (day: number) => (isSpan(window) ? day + (window.to - window.from) : addLength(day, window as Length, 1));
    lo = slidingMost(entries, reach, fewest, true);
    hi = slidingMost(entries, reach, () => true, false);
  }
  return lo === hi ? lo : { kind: "range", lo, hi, unknown: unknownOf(unknowns) };
}

/**
 * Distinct keys among entries[from, to) that `counted` keeps. For the fewest, a sure entry whose
 * key is undocumented is at least one key when no other is known; for the most, each such entry
 * is a key of its own.
 */
function distinctIn(entries: readonly Keyed[], from: number, to: number, counted: (e: Keyed) => boolean, fewest: boolean): number {
  const keys = new Set<string>();
  let undocumented = 0;
  for (let i = from; i < to; i++) {
    const e = entries[i];
    if (typeof e.key === "string") {
      if (counted(e)) keys.add(e.key);
    } else if (fewest ? e.inc === true : true) undocumented++;
  }
  return fewest ? keys.size + (keys.size === 0 && undocumented > 0 ? 1 : 0) : keys.size + undocumented;
}

/** The most distinct keys in any window: entries from one entry's day up to (not including) the day the window reaches from it. */
function slidingMost(entries: readonly Keyed[], reach: (day: number) => number, counted: (e: Keyed) => boolean, fewest: boolean): number {
  const inWindow = new Map<string, number>();
  let undocumented = 0;
  let sureUndocumented = 0;
  let best = 0;
  let end = 0;
  const add = (e: Keyed, sign: 1 | -1) => {
    if (typeof e.key === "string") {
      if (!counted(e)) return;
      const n = (inWindow.get(e.key) ?? 0) + sign;
      if (n === 0) inWindow.delete(e.key);
      else inWindow.set(e.key, n);
    } else {
      undocumented += sign;
      if (e.inc === true) sureUndocumented += sign;
    }
  };
  for (let start = 0; start < entries.length; start++) {
    const limit = reach(entries[start].day);
    // An entry is always in the window that starts with it, however short the window.
    if (end === start) add(entries[end++], 1);
    while (end < entries.length && entries[end].day < limit) add(entries[end++], 1);
    const size = inWindow.size;
    best = Math.max(best, fewest ? size + (size === 0 && sureUndocumented > 0 ? 1 : 0) : size + undocumented);
    add(entries[start], -1);
  }
  return best;
}

/**
 * `recent_run(list, gap)`: the entries reached walking back from the date of service while each
 * step is shorter than the gap.
 */
export function recentRun(c: Context, list: Value, gap: Value): Value {
  const dos = c.dos;
  if (list instanceof Unknown) return list;
  if (gap instanceof Unknown) return gap;
  if (dos instanceof Unknown) return dos;
  if (isOpenSpan(gap)) return openOn(gap);
  if (!isList(list)) return { kind: "list", items: [] };
  const dated: DatedItem[] = [];
  for (const item of list.items) {
    const day = c.date(item.rec);
    if (isRange(day)) return recentRunOverRanges(c, list, gap, dos);
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

/** An entry for `recent_run` with the first and last day its date may be. */
interface RangedItem {
  readonly item: ListItem;
  readonly lo: number;
  readonly hi: number;
  readonly open: Unknown | undefined;
  sure: boolean;
}

/** A binary heap, least key on top. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly key: (item: T) => number) {}

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.key(items[parent]) <= this.key(items[i])) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let least = i;
        if (l < items.length && this.key(items[l]) < this.key(items[least])) least = l;
        if (r < items.length && this.key(items[r]) < this.key(items[least])) least = r;
        if (least === i) break;
        [items[least], items[i]] = [items[i], items[least]];
        i = least;
      }
    }
    return top;
  }
}

/**
 * `recent_run` when some dates are partial (2023-06). An entry may be in the run when some days
 * of the dates put it there: the run reaches furthest back when each step goes as far back as an
 * entry's range lets it while still bridging the gap, and then every entry whose range reaches
 * into the run may be in it. An entry is surely in the run when, whatever the partial dates are,
 * it lies between the date of service and where the run surely reaches: that walk takes a
 * partial date only where it bridges the gap from any of its days, and at its last day.
 */
function recentRunOverRanges(c: Context, list: ListValue, gap: Value, dos: number): Value {
  const reach = (day: number) => (isSpan(gap) ? day + (gap.to - gap.from) : addLength(day, gap as Length, 1));
  const entries: RangedItem[] = [];
  for (const item of list.items) {
    const day = c.date(item.rec);
    const [lo, hi] = typeof day === "number" ? [day, day] : isRange(day) ? [day.lo, day.hi] : [Infinity, Infinity];
    if (lo <= dos && item.member !== false) entries.push({ item, lo, hi, open: isRange(day) ? day.unknown : undefined, sure: false });
  }
  // The furthest back: from the cursor, the entry that can take the earliest day that still
  // bridges it (its first day, or the first day that bridges, whichever is later). Entries come
  // into play as the bridging day moves back past their last day; the one with the earliest
  // first day is taken, while that first day is not after the cursor.
  const byLast = [...entries].sort((a, b) => b.hi - a.hi);
  const inPlay = new MinHeap<RangedItem>((e) => e.lo);
  let cursor = dos;
  for (let next = 0; ; ) {
    const bridging = firstDayReaching(reach, cursor);
    while (next < byLast.length && byLast[next].hi >= bridging) inPlay.push(byLast[next++]);
    const taken = inPlay.peek();
    if (!taken || taken.lo > cursor) break;
    inPlay.pop();
    cursor = Math.max(taken.lo, bridging);
  }
  const furthest = cursor;
  // Where the run surely reaches: a sure entry that bridges the cursor from any of its days (its
  // first day bridges) is in the run whatever its day is, and the run then surely reaches its
  // last day. Taken by first day, latest first, until one does not bridge.
  cursor = dos;
  for (const e of [...entries].sort((a, b) => b.lo - a.lo)) {
    if (e.item.member !== true || e.hi > dos) continue;
    if (e.lo < firstDayReaching(reach, cursor)) break;
    e.sure = true;
    cursor = Math.min(cursor, e.hi);
  }
  const open: Unknown[] = [];
  const inRun = entries.filter((e) => e.hi >= furthest);
  for (const e of inRun) {
    if (e.open) open.push(e.open);
    if (e.item.member instanceof Unknown) open.push(e.item.member);
  }
  const bridges = unknownOf(open);
  const items: ListItem[] = inRun
    .sort((a, b) => a.lo - b.lo)
    .map((e) => ({ rec: e.item.rec, member: e.sure ? e.item.member : e.item.member === true ? bridges : unknownOf([e.item.member as Unknown, bridges]) }));
  return { kind: "list", items };
}

/** The first whole day from which a step of the gap passes `cursor` (the step grows with the day). */
function firstDayReaching(reach: (day: number) => number, cursor: number): number {
  if (!(reach(cursor) > cursor)) return Infinity;
  let step = 1;
  while (reach(cursor - step) > cursor) step *= 2;
  // reach(cursor - step) <= cursor < reach(cursor - step / 2 … cursor): search between.
  let low = cursor - step;
  let high = cursor;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (reach(mid) > cursor) high = mid;
    else low = mid;
  }
  return high;
}

interface DatedItem {
  readonly item: ListItem;
  readonly day: number;
  /** The day the gap reaches to from this entry. */
  readonly reach: number;
  widest: boolean;
  surest: boolean;
}


/**
 * `union(p in list where …: p.levels)`: every level the matching entries bring. An entry that
 * may or may not match, or that does not document its levels, leaves the union between the
 * levels surely brought and those that may be.
 */
export function union(c: Context, source: Value, filter: Filter | undefined, levelsOf: (entry: RecordValue) => Value): Value {
  if (source instanceof Unknown) return source;
  if (!isList(source)) return NONE;
  let lo = 0;
  let hi = 0;
  const open: Unknown[] = [];
  for (const item of source.items) {
    const included = includes(item, filter);
    if (included === false) continue;
    const levels = levelsOf(item.rec);
    if (levels === NONE) continue;
    const bounds = levels instanceof Unknown ? { lo: 0, hi: allLevels, open: levels } : typeof levels === "number" ? { lo: levels, hi: levels } : isLevelsRange(levels) ? { lo: levels.lo, hi: levels.hi, open: levels.unknown } : undefined;
    if (!bounds) continue;
    if (bounds.open) open.push(bounds.open);
    if (included === true) lo |= bounds.lo;
    else open.push(included);
    hi |= bounds.hi;
  }
  return levelsBetween(lo, hi, unknownOf(open));
}
