/**
 * Spinal levels: the motion segments between two adjacent vertebrae, C1-2 … C7-T1, T1-2 … T12-L1,
 * L1-2 … L5-S1, in order along the spine. A value is a set of levels, kept as a bit mask (bit i
 * for the i-th segment), so that "same level", "adjacent" and "how many levels" are a few
 * operations whatever spelling the chart used ("L4-L5", "L4/5", "L4-5" are one level).
 */
import { Unknown, unknownOf, type Tri } from "./tri.js";
import { isLevelsRange, NONE, type Value } from "./values.js";

/** The vertebrae in order, each with its region letter and number. */
const vertebrae: readonly string[] = [
  ...Array.from({ length: 7 }, (_, i) => `C${i + 1}`),
  ...Array.from({ length: 12 }, (_, i) => `T${i + 1}`),
  ...Array.from({ length: 5 }, (_, i) => `L${i + 1}`),
  "S1",
];
const vertebraIndex = new Map(vertebrae.map((v, i) => [v, i]));

/** How many levels there are: one between each two adjacent vertebrae. */
export const levelCount = vertebrae.length - 1;

/** The canonical name of the i-th level: `L4-5`, `L5-S1`, `C7-T1`. */
export function levelName(i: number): string {
  const upper = vertebrae[i];
  const lower = vertebrae[i + 1];
  return upper[0] === lower[0] ? `${upper}-${lower.slice(1)}` : `${upper}-${lower}`;
}

const onePattern = /^([CTLS])(\d{1,2})-([CTLS])?(\d{1,2})$/;

/**
 * What texts already read came to. Charts write levels in a few spellings ("L4-5", "L5-S1"),
 * read once per request and entry: reading each afresh (case, spaces, dashes, a pattern) was 4 %
 * of an evaluation. Bounded: short texts only, emptied when full.
 */
class ReadTexts {
  private readonly known = new Map<string, number | string>();
  constructor(private readonly read: (text: string) => number | string) {}
  get(text: string): number | string {
    // A long text is no spelling of levels worth keeping (and would hold its memory).
    if (text.length > 64) return this.read(text);
    let value = this.known.get(text);
    if (value === undefined) {
      if (this.known.size >= 4096) this.known.clear();
      this.known.set(text, (value = this.read(text)));
    }
    return value;
  }
}

const levelTexts = new ReadTexts(parseLevelOnce);
const levelsTexts = new ReadTexts(parseLevelsText);

/** One level as the chart writes it; a message saying what is wrong when it is not one. */
export function parseLevel(text: string): number | string {
  return levelTexts.get(text);
}

function parseLevelOnce(text: string): number | string {
  const compact = text.toUpperCase().replace(/\s+/g, "").replace(/[–—/]/g, "-");
  const match = onePattern.exec(compact);
  if (!match) return `expected a spinal level like L4-5, L4-L5 or L5-S1, got ${JSON.stringify(text)}`;
  const upper = vertebraIndex.get(`${match[1]}${Number(match[2])}`);
  const lower = vertebraIndex.get(`${match[3] ?? match[1]}${Number(match[4])}`);
  if (upper === undefined || lower === undefined) return `${JSON.stringify(text)} names a vertebra that does not exist (C1-C7, T1-T12, L1-L5, S1)`;
  if (lower !== upper + 1) return `${JSON.stringify(text)} is not one level: its vertebrae are not next to each other; write each level, like "L3-4, L4-5"`;
  return upper;
}

/**
 * A set of levels as a request gives it: one text (`"L4-5"`, `"L3-4, L4-5"`) or a list of texts.
 * Returns the bit mask, or the problems.
 */
export function parseLevels(value: unknown): number | string {
  if (typeof value === "string") return levelsTexts.get(value);
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) return `expected spinal levels: a text like "L4-5" or a list like ["L4-5", "L5-S1"]`;
  return levelsOf(value as string[]);
}

function parseLevelsText(value: string): number | string {
  return levelsOf(value.split(/[,;]|\band\b/i).map((t) => t.trim()).filter((t) => t !== ""));
}

function levelsOf(texts: readonly string[]): number | string {
  if (texts.length === 0) return `expected at least one spinal level, like "L4-5"`;
  let mask = 0;
  for (const text of texts) {
    const level = parseLevel(text);
    if (typeof level === "string") return level;
    mask |= 1 << level;
  }
  return mask;
}

/** A set of levels written in a policy (the compiler checked it reads). */
export function levels(text: string): number {
  const mask = parseLevels(text);
  if (typeof mask === "string") throw new Error(mask);
  return mask;
}

/** The canonical text of a set of levels, as a trace shows it: "L4-5, L5-S1". */
export function levelsText(mask: number): string {
  const names: string[] = [];
  for (let i = 0; i < levelCount; i++) if (mask & (1 << i)) names.push(levelName(i));
  return names.join(", ");
}

function bits(mask: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < levelCount; i++) if (mask & (1 << i)) out.push(i);
  return out;
}

/** A set of levels as the bounds it lies between (a plain set is both), with what leaves it open. */
interface Bounds {
  readonly lo: number;
  readonly hi: number;
  readonly open?: Unknown;
}

function boundsOf(v: Value): Bounds | Unknown | undefined {
  if (v instanceof Unknown) return v;
  if (typeof v === "number") return { lo: v, hi: v };
  if (isLevelsRange(v)) return { lo: v.lo, hi: v.hi, open: v.unknown };
  return undefined;
}

/** The two operands' bounds, or the unknown or missing entry that decides instead. */
function both(a: Value, b: Value): [Bounds, Bounds] | Unknown | undefined {
  const x = boundsOf(a);
  const y = boundsOf(b);
  if (x instanceof Unknown) return y instanceof Unknown ? unknownOf([x, y]) : x;
  if (y instanceof Unknown) return y;
  if (x === undefined || y === undefined) return undefined;
  return [x, y];
}

function openOf(...bounds: Bounds[]): Unknown {
  return unknownOf(bounds.flatMap((b) => (b.open ? [b.open] : [])));
}

/**
 * A yes/no question over two sets of levels, each perhaps known only between bounds: `surely`
 * holds of the smallest sets it could be and is kept by larger ones; `possibly` is whether the
 * largest sets could make it hold. Exact sets give `surely`.
 */
function decide(a: Value, b: Value, surely: (x: Bounds, y: Bounds) => boolean, possibly: (x: Bounds, y: Bounds) => boolean): Tri {
  const p = both(a, b);
  if (p === undefined) return false;
  if (p instanceof Unknown) return p;
  const [x, y] = p;
  if (surely(x, y)) return true;
  if (!possibly(x, y)) return false;
  return openOf(x, y);
}

const adjacent = (a: number, b: number): boolean => ((a << 1) & b) !== 0 || ((a >> 1) & b) !== 0;

/** `same_level(A, B)`: a level in both. */
export function sameLevel(a: Value, b: Value): Tri {
  return decide(a, b, (x, y) => (x.lo & y.lo) !== 0, (x, y) => (x.hi & y.hi) !== 0);
}

/** `adjacent_level(A, B)`: a level of A next to a level of B. */
export function adjacentLevel(a: Value, b: Value): Tri {
  return decide(a, b, (x, y) => adjacent(x.lo, y.lo), (x, y) => adjacent(x.hi, y.hi));
}

/** `levels_within(A, B)`: every level of A is one of B. */
export function levelsWithin(a: Value, b: Value): Tri {
  return decide(a, b, (x, y) => (x.hi & ~y.lo) === 0, (x, y) => (x.lo & ~y.hi) === 0);
}

function apart(a: number, b: number): number | undefined {
  let best: number | undefined;
  for (const i of bits(a)) for (const j of bits(b)) best = Math.min(best ?? Infinity, Math.abs(i - j));
  return best;
}

/** `levels_apart(A, B)`: the fewest levels from one of A to one of B (0 when they share one). */
export function levelsApart(a: Value, b: Value): Value {
  const p = both(a, b);
  if (p === undefined) return NONE;
  if (p instanceof Unknown) return p;
  const [x, y] = p;
  // More levels can only bring the two closer: the largest sets give the least, the smallest the most.
  const least = apart(x.hi, y.hi);
  const most = apart(x.lo, y.lo);
  if (x.lo === x.hi && y.lo === y.hi) return most ?? NONE;
  if (least === undefined) return NONE;
  if (most === undefined) return openOf(x, y);
  return least === most ? least : { kind: "range", lo: least, hi: most, unknown: openOf(x, y), whole: true };
}

/** `level_count(A)`: how many levels. */
export function countLevels(a: Value): Value {
  const x = boundsOf(a);
  if (x === undefined) return NONE;
  if (x instanceof Unknown) return x;
  const lo = bits(x.lo).length;
  const hi = bits(x.hi).length;
  return lo === hi ? lo : { kind: "range", lo, hi, unknown: openOf(x), whole: true };
}

/** `level_union(A, B)`: the levels of either. */
export function levelUnion(a: Value, b: Value): Value {
  // An undocumented set may be any levels: the union still holds every level of the other.
  const x = a instanceof Unknown ? { lo: 0, hi: allLevels, open: a } : boundsOf(a);
  const y = b instanceof Unknown ? { lo: 0, hi: allLevels, open: b } : boundsOf(b);
  if (x === undefined || y === undefined || x instanceof Unknown || y instanceof Unknown) return NONE;
  return levelsBetween(x.lo | y.lo, x.hi | y.hi, openOf(x, y));
}

/** A set of levels between two sets: the set itself when they are one. */
export function levelsBetween(lo: number, hi: number, open: Unknown): Value {
  return lo === hi ? lo : { kind: "levels", lo, hi, unknown: open };
}

/** Every level: what an entry that does not document its levels may bring to a union. */
export const allLevels = (1 << levelCount) - 1;

/** `level_range(A, B)`: every level from the highest of A and B down to the lowest. */
export function levelRange(a: Value, b: Value): Value {
  const p = both(a, b);
  if (p === undefined) return NONE;
  if (p instanceof Unknown) return p;
  if (p[0].lo !== p[0].hi || p[1].lo !== p[1].hi) return openOf(p[0], p[1]);
  const all = [...bits(p[0].lo), ...bits(p[1].lo)];
  if (all.length === 0) return NONE;
  let mask = 0;
  for (let i = Math.min(...all); i <= Math.max(...all); i++) mask |= 1 << i;
  return mask;
}
