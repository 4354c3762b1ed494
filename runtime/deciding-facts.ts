/**
 * The fewest facts that decide a needs-info request: of the undocumented facts the open parts of
 * the decision read, a set that, documented with any values at all and nothing else, always gives
 * a decided outcome, and from which no fact can be dropped. The one evaluator decides every step:
 * a candidate set is tried by evaluating the request again with its facts documented, value by
 * value, and never by reading the policy's rules.
 *
 * "Any values" is made finite by the evaluator itself: while the search runs, every comparison
 * that an undocumented number or duration leaves open tells the constant it compares with (see
 * `recordCuts` in values.ts); a fact's values are then one at each such constant and one just on
 * either side, which stand for every value in between (for a date: the days it is compared with,
 * and those a window or a `time between` reaches). Booleans and choices take each of their
 * values. A fact of another kind (a text, spinal levels, a whole list) cannot be tried value by
 * value: a set whose proof needs one is not taken, so that fact's neighbours stay listed.
 * The search is greedy and bounded (SEARCH_BUDGET evaluations in all): a fact it cannot show to
 * be superfluous in time stays listed, so the set always decides, and may then be larger than
 * the fewest.
 */
import type { Context } from "./context.js";
import type { Policy } from "./policy.js";
import type { ValueType } from "./schema.js";
import { OpenStatus } from "./status.js";
import { Unknown } from "./tri.js";
import { isList, isRange, recordCuts, recordOf, type CutRecorder, type Value } from "./values.js";
import type { InputRead } from "./validate.js";
import { addLength, fixedMinutes, type Length } from "./dates.js";

/**
 * How much one determination may spend looking for the fewest deciding facts: 500 evaluations of
 * a policy of up to 100 requirements, fewer of a larger one (the effort is counted in
 * requirements, so that it is bounded and the same on every machine).
 */
export const SEARCH_BUDGET = 500;
/**
 * How many of them one proof may spend (that a set decides): a fact whose proof runs longer
 * stays listed, and the search goes on with the next, rather than spending all on one.
 */
export const PROOF_BUDGET = 60;
const SEARCH_WORK = SEARCH_BUDGET * 100;

/** The facts that decide, in the order to ask for them, and the rest. */
export interface DecidingFacts {
  readonly deciding: readonly string[];
  readonly also: readonly string[];
  /**
   * For each fact not listed as deciding: nothing. For each deciding fact whose necessity was
   * shown: values of the other deciding facts that leave the request undecided without it.
   */
  readonly witnesses: ReadonlyMap<string, ReadonlyMap<string, WitnessValue>>;
  /** How many evaluations the search took. */
  readonly evaluations: number;
}

/** A value a witness gives a fact, as a request writes it. */
export type WitnessValue = boolean | number | string | { readonly amount: number; readonly unit: string };

/**
 * Evaluates the request with some undocumented facts given values (by path); returns the facts it
 * is still open on (none when decided). With `reuse`, the requirements that read none of those
 * facts keep what the first evaluation of the request found (see `seededStatuses`).
 */
export type Reevaluate = (assign: (read: InputRead) => void, reuse: ReadonlySet<string> | undefined) => string[];

/**
 * How many undecided criteria each fact leaves open: the criteria the first evaluation could not
 * settle, counted per undocumented fact each of them reads.
 */
export function openCriteriaPerFact(policy: Policy, c: Context): Map<string, number> {
  const counts = new Map<string, number>();
  for (const placed of policy.requirements) {
    const status = c.peek(placed.requirement);
    const unknown = status instanceof OpenStatus ? status.unknown : status instanceof Unknown ? status : undefined;
    if (!unknown) continue;
    for (const fact of unknown.missing) counts.set(fact, (counts.get(fact) ?? 0) + 1);
  }
  return counts;
}

/**
 * The fewest deciding facts among `facts` (those a needs-info determination is open on), ordered
 * by how many undecided criteria each leaves open (most first; then by path).
 */
export function decidingFacts(policy: Policy, facts: readonly string[], openCounts: ReadonlyMap<string, number>, dos: number | undefined, reevaluate: Reevaluate, documented?: (fact: string) => Value | undefined): DecidingFacts {
  const order = [...facts].sort((a, b) => (openCounts.get(b) ?? 0) - (openCounts.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
  const search = new Search(policy, dos, reevaluate, documented);
  const witnesses = new Map<string, ReadonlyMap<string, WitnessValue>>();
  // The full set decides, unless documenting it makes the decision turn on facts it did not
  // read before (a field of the entry a question over a list comes to pick): those are added.
  const kept = new Set(order);
  for (let round = 0; ; round++) {
    if (search.decides(kept)) break;
    const escaped = search.escaped.filter((f) => !kept.has(f));
    if (round >= 4 || search.exhausted || escaped.length === 0) return { deciding: order, also: [], witnesses, evaluations: search.evaluations };
    for (const f of escaped) {
      kept.add(f);
      order.push(f);
    }
  }
  // Drop the facts that bear on the fewest criteria first: those most likely to be superfluous.
  for (let i = order.length - 1; i >= 0 && !search.exhausted; i--) {
    const fact = order[i];
    kept.delete(fact);
    if (search.decides(kept)) continue;
    kept.add(fact);
    if (search.witness) witnesses.set(fact, search.witness);
  }
  return { deciding: order.filter((f) => kept.has(f)), also: order.filter((f) => !kept.has(f)), witnesses, evaluations: search.evaluations };
}

/** One search: the constants each fact was compared with so far, and the evaluations left. */
class Search {
  evaluations = 0;
  /** The values of the other deciding facts that left the last refuted set undecided. */
  witness: ReadonlyMap<string, WitnessValue> | undefined;
  /** The facts outside the set that the last refuted set left the decision open on. */
  escaped: readonly string[] = [];
  private readonly numberCuts = new Map<string, Set<number>>();
  private readonly durationCuts = new Map<string, Length[]>();
  private readonly seen = new Map<string, string[]>();
  private readonly anchors = new Map<string, { day: number; sign: 1 | -1 }[]>();
  /**
   * The facts some evaluation asked whether they are documented (`is known`): giving one a value
   * can change a result that did not stay open, so no result is reused then.
   */
  private readonly probed = new Set<string>();

  constructor(
    private readonly policy: Policy,
    private readonly dos: number | undefined,
    private readonly reevaluate: Reevaluate,
    /** What the request documents for a fact: a partial date's days are the only ones it can be. */
    private readonly documented?: (fact: string) => Value | undefined,
  ) {}

  /** The evaluations a policy of this size may spend in all: fewer for a large one (see SEARCH_WORK). */
  private get budget(): number {
    return Math.min(SEARCH_BUDGET, Math.floor(SEARCH_WORK / Math.max(100, this.policy.requirements.length)));
  }

  get exhausted(): boolean {
    return this.evaluations >= this.budget;
  }

  /** Where the proof under way must stop. */
  private proofEnd = 0;

  /** Whether documenting exactly `facts` decides the request whatever their values (within the budgets). */
  decides(facts: ReadonlySet<string>): boolean {
    this.witness = undefined;
    this.escaped = [];
    const budget = this.budget;
    this.proofEnd = Math.min(budget, this.evaluations + Math.max(PROOF_BUDGET, Math.floor((PROOF_BUDGET * budget) / SEARCH_BUDGET)));
    return this.branch(facts, new Map()) === "decided";
  }

  /** Every way of documenting the facts of `facts` not yet given in `given`, depth first. */
  private branch(facts: ReadonlySet<string>, given: Map<string, Value>): "decided" | "open" | "unsure" {
    if (this.evaluations >= this.proofEnd) return "unsure";
    const open = this.evaluate(given);
    if (open.length === 0) return "decided";
    // The fact to try next: one the decision is still open on and that the set documents.
    let next: { fact: string; values: readonly Value[] } | undefined;
    let unbranchable = false;
    for (const fact of open) {
      if (!facts.has(fact)) continue;
      // Given a value and still open: its place in the request could not be found.
      if (given.has(fact)) {
        unbranchable = true;
        continue;
      }
      const values = this.valuesOfNow(fact);
      if (values === undefined) unbranchable = true;
      else if (!next || values.length < next.values.length) next = { fact, values };
    }
    if (!next) {
      // Open only on facts the set leaves undocumented: refuted, with these values as the witness.
      if (unbranchable) return "unsure";
      this.witness = new Map([...given].map(([fact, value]) => [fact, witnessValue(value)]));
      this.escaped = open.filter((f) => !facts.has(f));
      return "open";
    }
    for (const value of next.values) {
      given.set(next.fact, value);
      const result = this.branch(facts, given);
      given.delete(next.fact);
      if (result !== "decided") return result;
    }
    return "decided";
  }

  /** The facts the decision is still open on, with `given` documented; the cuts its comparisons met are kept. */
  private evaluate(given: ReadonlyMap<string, Value>): string[] {
    // The checks of one search share most of their ways of documenting: each is evaluated once.
    const key = [...given].map(([fact, value]) => `${fact}=${keyOf(value)}`).sort().join("\n");
    const known = this.seen.get(key);
    if (known) return known;
    const open = this.evaluateOnce(given);
    this.seen.set(key, open);
    return open;
  }

  private evaluateOnce(given: ReadonlyMap<string, Value>): string[] {
    this.evaluations++;
    recordCuts(this.recorder);
    // Results are reused once the request has been evaluated in full with the recorder on (the
    // first evaluation of a search documents nothing), so that every cut and probe was seen.
    const reuse = given.size > 0 && this.evaluations > 1 && ![...given.keys()].some((f) => this.probed.has(f)) ? new Set(given.keys()) : undefined;
    try {
      return this.reevaluate((read) => {
        for (const [fact, value] of given) place(this.policy, read, fact, value);
      }, reuse);
    } finally {
      recordCuts(undefined);
    }
  }

  /** Told each cut and probe while the search evaluates; `cutCount` counts the new cuts. */
  private readonly recorder: CutRecorder = {
    number: (u, at) => {
      if (addCut(this.numberCuts, u, at)) this.cutCount++;
    },
    duration: (u, at) => {
      const fact = singleFact(u);
      if (fact === undefined) return;
      const cuts = this.durationCuts.get(fact) ?? [];
      if (cuts.some((c) => c.amount === at.amount && c.unit === at.unit)) return;
      cuts.push(at);
      this.durationCuts.set(fact, cuts);
      this.cutCount++;
    },
    anchor: (u, day, sign) => {
      const fact = singleFact(u);
      if (fact === undefined) return;
      const anchors = this.anchors.get(fact) ?? [];
      if (anchors.some((a) => a.day === day && a.sign === sign)) return;
      anchors.push({ day, sign });
      this.anchors.set(fact, anchors);
      this.cutCount++;
    },
    documentation: (u) => {
      for (const fact of u.missing) this.probed.add(fact);
    },
  };

  /** How many cuts have been recorded: a fact's values are worked out again only when this grows. */
  private cutCount = 0;
  private readonly valuesMemo = new Map<string, { readonly at: number; readonly values: readonly Value[] | undefined }>();

  private valuesOfNow(fact: string): readonly Value[] | undefined {
    const known = this.valuesMemo.get(fact);
    if (known && known.at === this.cutCount) return known.values;
    const values = this.valuesOf(fact);
    this.valuesMemo.set(fact, { at: this.cutCount, values });
    return values;
  }

  /** The values that stand for every value of a fact, or undefined when it cannot be tried value by value. */
  private valuesOf(fact: string): readonly Value[] | undefined {
    const type = typeOf(this.policy, fact);
    if (!type) return undefined;
    if (type.t === "boolean") return [true, false];
    if (type.t === "enum") return type.values ?? [];
    if (type.t === "number") {
      const cuts = this.numberCuts.get(fact);
      if (!cuts || cuts.size === 0) return undefined;
      return numberValues(type, [...cuts]);
    }
    if (type.t === "date") {
      // Each day it was compared with, and each day a length it was measured against reaches from a known day.
      const days = new Set(this.numberCuts.get(fact) ?? []);
      for (const { day, sign } of this.anchors.get(fact) ?? []) for (const length of this.durationCuts.get(fact) ?? []) days.add(Math.floor(addLength(day, length, sign)));
      if (days.size === 0) return undefined;
      // A partial date (2023-06) is documented more precisely within its range only.
      const partial = this.documented?.(fact);
      if (partial !== undefined && isRange(partial) && !partial.undocumented) return [...new Set([partial.lo, ...numberValues({ t: "number", integer: true, min: partial.lo, max: partial.hi }, [...days]), partial.hi])].sort((a, b) => a - b);
      return numberValues({ t: "number", integer: true }, [...days]);
    }
    if (type.t === "duration") {
      const cuts = this.durationCuts.get(fact);
      if (!cuts || cuts.length === 0) return undefined;
      return durationValues(cuts, this.dos);
    }
    return undefined;
  }
}

function singleFact(u: Unknown): string | undefined {
  const facts = u.missing;
  return facts.size === 1 ? facts.values().next().value : undefined;
}

/** Adds a cut; whether it is new. */
function addCut(cuts: Map<string, Set<number>>, u: Unknown, at: number): boolean {
  if (!Number.isFinite(at)) return false;
  const fact = singleFact(u);
  if (fact === undefined) return false;
  let set = cuts.get(fact);
  if (!set) cuts.set(fact, (set = new Set()));
  if (set.has(at)) return false;
  set.add(at);
  return true;
}

/** For each constant: it, and a value just under and just over it, within the type's bounds. */
function numberValues(type: Extract<ValueType, { t: "number" }>, cuts: readonly number[]): number[] {
  const step = type.integer ? 1 : 1e-6;
  const values = new Set<number>();
  for (const cut of cuts) {
    const around = type.integer ? [Math.floor(cut) - (Number.isInteger(cut) ? 1 : 0), Math.ceil(cut), Math.ceil(cut) + (Number.isInteger(cut) ? 1 : 0)] : [cut - step, cut, cut + step];
    for (const v of around) if ((type.min === undefined || v >= type.min) && (type.max === undefined || v <= type.max)) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * For each length compared with: it, and one step under and over it — a minute for lengths in
 * minutes or hours, a day for the others (measured back from the date of service).
 */
function durationValues(cuts: readonly Length[], dos: number | undefined): Length[] {
  const values: Length[] = [];
  const seen = new Set<string>();
  const add = (length: Length) => {
    const key = `${length.amount} ${length.unit}`;
    if (length.amount < 0 || seen.has(key)) return;
    seen.add(key);
    values.push(length);
  };
  for (const cut of cuts) {
    const fine = cut.unit === "minutes" || cut.unit === "hours";
    const fixed = fixedMinutes(cut.unit);
    const steps = fine ? cut.amount * fixed! : fixed !== undefined ? (cut.amount * fixed) / (24 * 60) : dos !== undefined ? Math.round(dos - addLength(dos, cut, -1)) : undefined;
    const unit = fine ? ("minutes" as const) : ("days" as const);
    if (steps === undefined) {
      add(cut);
      continue;
    }
    add(Object.freeze({ amount: Math.ceil(steps) - 1, unit }));
    add(cut);
    add(Object.freeze({ amount: Math.floor(steps) + 1, unit }));
  }
  return values;
}

function keyOf(value: Value): string {
  if (typeof value === "object" && value !== null) return `${(value as Length).amount} ${(value as Length).unit}`;
  return String(value);
}

function witnessValue(value: Value): WitnessValue {
  if (typeof value === "boolean" || typeof value === "number" || typeof value === "string") return value;
  const length = value as Length;
  return { amount: length.amount, unit: length.unit };
}

const entryPath = /^(.*)\[(\d+)\]\.(\w+)$/;

/** The type of a fact or of a field of an entry, by its path. */
function typeOf(policy: Policy, path: string): ValueType | undefined {
  const direct = policy.factsByPath.get(path);
  if (direct) return direct.type;
  const match = entryPath.exec(path);
  if (!match) return undefined;
  const list = typeOf(policy, match[1]);
  return list?.t === "list" ? list.of().fieldsByName.get(match[3])?.type : undefined;
}

/**
 * Puts a value where a request's reading keeps a fact or a field of an entry. A reading shares its
 * lists and entries with the request's first reading (see `narrowing` in determine.ts): the list
 * and the entry a field is written to are copied first, never changed in place.
 */
function place(policy: Policy, read: InputRead, path: string, value: Value): void {
  update(policy, read, path, () => value);
}

/** Replaces what a reading holds at `path` by what `change` makes of it (undefined: nothing to change, or no such place). */
function update(policy: Policy, read: InputRead, path: string, change: (old: Value | undefined) => Value | undefined): void {
  const direct = policy.factsByPath.get(path);
  if (direct) {
    const next = change(read.facts[direct.slot]);
    if (next !== undefined) read.facts[direct.slot] = next;
    return;
  }
  const match = entryPath.exec(path);
  if (!match) return;
  const index = Number(match[2]);
  update(policy, read, match[1], (list) => {
    if (!list || !isList(list)) return undefined;
    const item = list.items[index];
    const field = item?.rec.type.fieldsByName.get(match[3]);
    if (!item || !field) return undefined;
    const next = change(item.rec.row[field.index]);
    if (next === undefined) return undefined;
    const row = item.rec.row.slice();
    row[field.index] = next;
    const items = list.items.slice();
    items[index] = { rec: recordOf(item.rec.list, item.rec.index, item.rec.type, row), member: item.member };
    return { kind: "list", items };
  });
}

/** The value a reading holds for a fact or a field of an entry, by its path. */
export function valueAt(policy: Policy, read: { readonly facts: readonly (Value | undefined)[] }, path: string): Value | undefined {
  const direct = policy.factsByPath.get(path);
  if (direct) return read.facts[direct.slot];
  const match = entryPath.exec(path);
  if (!match) return undefined;
  const list = valueAt(policy, read, match[1]);
  if (!list || !isList(list)) return undefined;
  const entry = list.items[Number(match[2])]?.rec;
  const field = entry?.type.fieldsByName.get(match[3]);
  return entry && field ? entry.row[field.index] : undefined;
}
