/**
 * Questions over a list (the procedure history): count, exists, every, select, latest, earliest,
 * counting two entries as one, and the recent run of entries. Each takes the entries' filter as a
 * function, and decides here, once, how entries that may or may not match count.
 */
import type { Context } from "./context.js";
import { Unknown, and2, not, or2, unknownOf, type Tri } from "./tri.js";
import { addLength, type Length } from "./dates.js";
import { isLevelsRange, isList, isRange, isSpan, NONE, range, type ListItem, type RecordValue, type Value } from "./values.js";
import { allLevels, levelsBetween } from "./levels.js";

/** Whether an entry is one the question asks about. */
export type Filter = (entry: RecordValue) => Tri;

/** An entry of the list with whether it is included (true, false, or unknown). */
interface Included {
  readonly rec: RecordValue;
  readonly inc: Tri;
}

/** Whether an entry is included: in the list, and matching the filter. */
function includes(item: ListItem, filter: Filter | undefined): Tri {
  return filter ? and2(item.member, filter(item.rec)) : item.member;
}

/** The entries with whether each is included (every entry's filter is evaluated). */
function included(items: readonly ListItem[], filter: Filter | undefined): Included[] {
  const result: Included[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) result[i] = { rec: items[i].rec, inc: includes(items[i], filter) };
  return result;
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
    if (typeof day !== "number") continue;
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

/**
 * `count(…, counting p and q as one when …)`: each entry is counted together with at most one
 * other (a right and a left injection make one procedure; a third makes a second). Pairs are
 * matched in date order, the earlier entry first. With uncertain entries or conditions the count
 * is a range.
 */
export function countPairedAsOne(c: Context, source: Value, filter: Filter | undefined, pair: (first: RecordValue, second: RecordValue) => Tri): Value {
  if (source instanceof Unknown) return source;
  if (!isList(source)) return 0;
  const dayOf = (rec: RecordValue) => {
    const day = c.date(rec);
    return typeof day === "number" ? day : Infinity;
  };
  const candidates = included(source.items, filter)
    .filter((i) => i.inc !== false)
    .sort((x, y) => dayOf(x.rec) - dayOf(y.rec));
  const sure = candidates.map((i) => i.inc === true);
  const unknowns: Unknown[] = candidates.filter((i) => i.inc instanceof Unknown).map((i) => i.inc as Unknown);
  const edges = candidates.map(() => new Array<Tri>(candidates.length).fill(false));
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      const v = pair(candidates[i].rec, candidates[j].rec);
      edges[i][j] = edges[j][i] = v;
      if (v instanceof Unknown) unknowns.push(v);
    }
  }
  /** How many entries the count gives when `members` are in and `usable` edges pair them. */
  const counted = (members: readonly boolean[], usable: (v: Tri) => boolean): number => {
    const matched = members.map((m) => !m);
    let n = members.filter(Boolean).length;
    for (let i = 0; i < candidates.length; i++) {
      if (matched[i]) continue;
      for (let j = i + 1; j < candidates.length; j++) {
        if (!matched[j] && usable(edges[i][j])) {
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
  readonly day: number;
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
  if (!isList(source)) return 0;
  const entries: Keyed[] = [];
  const unknowns: Unknown[] = [];
  source.items.forEach((item, index) => {
    const inc = includes(item, filter);
    if (inc === false) return;
    if (inc instanceof Unknown) unknowns.push(inc);
    const k = key ? keyText(key(item.rec)) : `entry:${index}`;
    if (k instanceof Unknown) unknowns.push(k);
    const day = window === undefined ? 0 : c.date(item.rec);
    if (typeof day !== "number") return;
    entries.push({ key: k, inc, day });
  });
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
  if (!isList(list)) return { kind: "list", items: [] };
  const dated: DatedItem[] = [];
  for (const item of list.items) {
    const day = c.date(item.rec);
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
