/**
 * Spinal levels: the motion segments between two adjacent vertebrae, C1-2 … C7-T1, T1-2 … T12-L1,
 * L1-2 … L5-S1, in order along the spine. A value is a set of levels, kept as a bit mask (bit i
 * for the i-th segment), so that "same level", "adjacent" and "how many levels" are a few
 * operations whatever spelling the chart used ("L4-L5", "L4/5", "L4-5" are one level).
 */
import { Unknown, unknownOf, type Tri } from "./tri.js";
import { NONE, type Value } from "./values.js";

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

/** One level as the chart writes it; a message saying what is wrong when it is not one. */
export function parseLevel(text: string): number | string {
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
  const texts = typeof value === "string" ? value.split(/[,;]|\band\b/i).map((t) => t.trim()).filter((t) => t !== "") : Array.isArray(value) && value.every((v) => typeof v === "string") ? (value as string[]) : undefined;
  if (!texts) return `expected spinal levels: a text like "L4-5" or a list like ["L4-5", "L5-S1"]`;
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

/** The two operands, or the unknown or missing entry that decides instead. */
function both(a: Value, b: Value): [number, number] | Unknown | undefined {
  if (a instanceof Unknown) return b instanceof Unknown ? unknownOf([a, b]) : a;
  if (b instanceof Unknown) return b;
  if (typeof a !== "number" || typeof b !== "number") return undefined;
  return [a, b];
}

/** `same_level(A, B)`: a level in both. */
export function sameLevel(a: Value, b: Value): Tri {
  const p = both(a, b);
  if (p === undefined) return false;
  return p instanceof Unknown ? p : (p[0] & p[1]) !== 0;
}

/** `adjacent_level(A, B)`: a level of A next to a level of B. */
export function adjacentLevel(a: Value, b: Value): Tri {
  const p = both(a, b);
  if (p === undefined) return false;
  return p instanceof Unknown ? p : ((p[0] << 1) & p[1]) !== 0 || ((p[0] >> 1) & p[1]) !== 0;
}

/** `levels_within(A, B)`: every level of A is one of B. */
export function levelsWithin(a: Value, b: Value): Tri {
  const p = both(a, b);
  if (p === undefined) return false;
  return p instanceof Unknown ? p : (p[0] & ~p[1]) === 0;
}

/** `levels_apart(A, B)`: the fewest levels from one of A to one of B (0 when they share one). */
export function levelsApart(a: Value, b: Value): Value {
  const p = both(a, b);
  if (p === undefined) return NONE;
  if (p instanceof Unknown) return p;
  let best: number | undefined;
  for (const i of bits(p[0])) for (const j of bits(p[1])) best = Math.min(best ?? Infinity, Math.abs(i - j));
  return best ?? NONE;
}

/** `level_count(A)`: how many levels. */
export function countLevels(a: Value): Value {
  if (a instanceof Unknown || typeof a !== "number") return a instanceof Unknown ? a : NONE;
  return bits(a).length;
}

/** `level_range(A, B)`: every level from the highest of A and B down to the lowest. */
export function levelRange(a: Value, b: Value): Value {
  const p = both(a, b);
  if (p === undefined) return NONE;
  if (p instanceof Unknown) return p;
  const all = [...bits(p[0]), ...bits(p[1])];
  if (all.length === 0) return NONE;
  let mask = 0;
  for (let i = Math.min(...all); i <= Math.max(...all); i++) mask |= 1 << i;
  return mask;
}
