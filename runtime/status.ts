/**
 * What a requirement comes to: met, not met, not applicable (its `when` does not hold), or still
 * open among some of these. Not applicable is a value of its own, so that a list can leave such a
 * bullet out and a pathway that never applied is never the way a request meets; `held` and
 * `applied` turn a status into the yes/no question a section or a condition asks of it.
 */
import type { Quantifier } from "./vocabulary.js";
import { Unknown, unknownOf, type Tri } from "./tri.js";

export const NOT_APPLICABLE = Object.freeze({ kind: "not-applicable" as const });
export type NotApplicable = typeof NOT_APPLICABLE;

const T = 1;
const F = 2;
const NA = 4;

/** A status that facts (or a clinician) have still to settle among several of met, not met and not applicable. */
export class OpenStatus {
  constructor(
    /** Which of met (1), not met (2) and not applicable (4) are still possible. */
    readonly possible: number,
    /** What settles it: the undocumented facts, or the clauses referred for review. */
    readonly unknown: Unknown,
    /**
     * When it is open on whether it applies: that unknown, and what it comes to if it does. Bullets
     * of one list often share their `when` (one definition, worked out once, so the same
     * unknown): they apply together or not at all, and a list weighs them so.
     */
    readonly applies?: Unknown,
    readonly ifApplies?: Status,
  ) {}
}

/** An `Unknown` stands for "met or not met"; an OpenStatus may also be not applicable. */
export type Status = Tri | NotApplicable | OpenStatus;

function possibleOf(s: Status): number {
  if (s === true) return T;
  if (s === false) return F;
  if (s === NOT_APPLICABLE) return NA;
  if (s instanceof OpenStatus) return s.possible;
  return T | F;
}

function unknownIn(s: Status): Unknown | undefined {
  return s instanceof OpenStatus ? s.unknown : s instanceof Unknown ? s : undefined;
}

/** The status with these possibilities, open on `unknown` when more than one remains. */
function statusFrom(possible: number, unknown: Unknown | undefined): Status {
  switch (possible) {
    case T:
      return true;
    case F:
      return false;
    case NA:
      return NOT_APPLICABLE;
  }
  const u = unknown ?? new Unknown(new Set());
  return possible === (T | F) ? u : new OpenStatus(possible, u);
}

/** A requirement whose `when` gave `applies` and whose rule gave `value`. */
export function statusOf(applies: Tri, value: Status): Status {
  if (applies === true) return value;
  if (applies === false) return NOT_APPLICABLE;
  const inner = unknownIn(value);
  return new OpenStatus(possibleOf(value) | NA, inner ? unknownOf([applies, inner]) : applies, applies, value);
}

/** Whether it holds, as a section of requirements asks: met, or not applicable (then it requires nothing). */
export function held(s: Status): Tri {
  if (s instanceof OpenStatus) return s.possible & F ? s.unknown : true;
  if (s instanceof Unknown || s === false) return s;
  return true;
}

/** Whether it applies and is met, as a pathway, an exclusion or an advisory is asked. */
export function applied(s: Status): Tri {
  if (s instanceof OpenStatus) return s.possible & T ? s.unknown : false;
  if (s instanceof Unknown || s === true) return s;
  return false;
}

export function statusText(s: Status): "true" | "false" | "unknown" | "not-applicable" {
  if (s === true) return "true";
  if (s === false) return "false";
  if (s === NOT_APPLICABLE) return "not-applicable";
  return "unknown";
}

/**
 * A bullet list over its bullets' statuses. Bullets that are not applicable leave the list: they
 * count neither for nor against it, and a list with no applicable bullet is not applicable.
 * With bullets still open, every combination of what they may come to is weighed (by the counts
 * that matter, so in time linear in the bullets), and the list is decided when all agree.
 */
export function listStatus(quantifier: Quantifier, n: number, statuses: readonly Status[]): Status {
  let met = 0;
  let anyFailed = false;
  let open = false;
  for (const s of statuses) {
    if (s === true) met++;
    else if (s === false) anyFailed = true;
    else if (s !== NOT_APPLICABLE) open = true;
  }
  if (!open) return statusFrom(outcome(quantifier, n, met, anyFailed), undefined);
  const unknowns: Unknown[] = [];
  for (const s of statuses) {
    const u = unknownIn(s);
    if (u) unknowns.push(u);
  }
  // Bullets open on one shared `when` apply together or not at all: each such `when` is weighed
  // both ways (up to a few of them; beyond, each bullet is weighed on its own).
  const shared: Unknown[] = [];
  for (const s of statuses) {
    if (s instanceof OpenStatus && s.applies && !shared.includes(s.applies) && statuses.some((o) => o !== s && o instanceof OpenStatus && o.applies === s.applies)) shared.push(s.applies);
  }
  if (shared.length > maxSharedWhens) shared.length = 0;
  let possible = 0;
  for (let branch = 0; branch < 1 << shared.length; branch++) {
    possible |= possibleOutcomes(quantifier, n, statuses, (s) => {
      const at = s instanceof OpenStatus && s.applies ? shared.indexOf(s.applies) : -1;
      if (at < 0) return possibleOf(s);
      return branch & (1 << at) ? possibleOf((s as OpenStatus).ifApplies!) : NA;
    });
  }
  return statusFrom(possible, unknownOf(unknowns));
}

const maxSharedWhens = 4;

/**
 * The outcomes a list may come to, given what each bullet may come to. How many bullets are met
 * (capped where the quantifier stops telling counts apart) and whether any is not met decide a
 * list, so the combinations are weighed by those, in time linear in the bullets.
 */
function possibleOutcomes(quantifier: Quantifier, n: number, statuses: readonly Status[], possibleOfBullet: (s: Status) => number): number {
  const cap = Math.max(n, 1) + 1;
  let states = new Set<number>([0]);
  for (const s of statuses) {
    const possible = possibleOfBullet(s);
    const next = new Set<number>();
    for (const state of states) {
      const met = state >> 1;
      const failed = state & 1;
      if (possible & T) next.add((Math.min(met + 1, cap) << 1) | failed);
      if (possible & F) next.add((met << 1) | 1);
      if (possible & NA) next.add(state);
    }
    states = next;
  }
  let possible = 0;
  for (const state of states) possible |= outcome(quantifier, n, state >> 1, (state & 1) === 1);
  return possible;
}

function outcome(quantifier: Quantifier, n: number, met: number, anyFailed: boolean): number {
  if (met === 0 && !anyFailed) return NA;
  switch (quantifier) {
    case "all":
      return anyFailed ? F : T;
    case "any":
      return met > 0 ? T : F;
    case "none":
      return met > 0 ? F : T;
    case "atLeast":
      return met >= n ? T : F;
    case "atMost":
      return met <= n ? T : F;
  }
}
