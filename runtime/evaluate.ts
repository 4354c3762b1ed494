/**
 * Runs a checked policy against one request. Facts absent from the input are unknown, and
 * unknowns flow through the logic (see tri.ts) up to the outcome.
 */
import type { ComparisonOp, FactSchema, FieldType, IrExpr, IrRequirement, IrSection, Program } from "./program.js";
import type { CriterionRef, Determination, EvaluateOptions, JsonValue, MissingFact, Outcome, PathwayResult, TraceEntry } from "./determination.js";
import { and, not, or, truthText, Unknown, unknownOf, type Tri } from "./tri.js";
import { addLength, parseIsoDate, type Length } from "./dates.js";

interface RecordValue {
  readonly kind: "record";
  readonly path: string;
  readonly record: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** Fields already converted, so that each is parsed once. */
  readonly fields: Map<string, Value>;
}
interface ListItem {
  readonly rec: RecordValue;
  readonly member: Tri;
}
interface ListValue {
  readonly kind: "list";
  readonly items: readonly ListItem[];
}
/** A count whose filter was unknown for some entries: somewhere from lo to hi. */
interface CountRange {
  readonly kind: "range";
  readonly lo: number;
  readonly hi: number;
  readonly unknown: Unknown;
}
interface Span {
  readonly kind: "span";
  readonly from: number;
  readonly to: number;
}
/** What `latest(…)` gives when no entry matches. */
const NONE = { kind: "none" } as const;

type Value = boolean | number | string | Length | Span | RecordValue | ListValue | CountRange | typeof NONE | Unknown;

interface Frame {
  readonly values: Record<string, JsonValue>;
}

class Evaluation {
  readonly dos: number | Unknown;
  private readonly memo = new Map<string, Tri>();
  private readonly traced = new Set<string>();
  private readonly calls = new Map<string, { value: Value; reads: [string, JsonValue][] }>();
  private readonly identities = new WeakMap<object, number>();
  private nextIdentity = 0;
  private readonly factValues = new Map<string, { value: Value; json: JsonValue }>();
  private readonly frames: Frame[] = [];
  readonly trace: TraceEntry[] = [];

  private readonly factTypes: ReadonlyMap<string, FieldType>;
  private readonly factParts: ReadonlyMap<string, readonly string[]>;
  private readonly recordTypes: ReadonlyMap<string, ReadonlyMap<string, FieldType>>;
  readonly sectionOf: ReadonlyMap<string, string>;

  constructor(
    readonly program: Program,
    private readonly input: Readonly<Record<string, unknown>>,
    private readonly tracing: boolean,
  ) {
    const prepared = prepare(program);
    this.factTypes = prepared.factTypes;
    this.factParts = prepared.factParts;
    this.recordTypes = prepared.recordTypes;
    this.sectionOf = prepared.sectionOf;
    const raw = input.date_of_service;
    const parsed = typeof raw === "string" ? parseIsoDate(raw) : undefined;
    this.dos = parsed ?? new Unknown(new Set(["date_of_service"]));
  }

  // ── Requirements ─────────────────────────────────────────────────────────────────────────

  /**
   * Whether a requirement is met; with `trigger`, whether it applies (for exclusions,
   * contraindications and non-covered services). A requirement whose `when` does not hold is met,
   * and does not apply: it neither blocks a request nor excludes it.
   */
  requirement(id: string, section: string, trigger = false): Tri {
    const key = trigger ? `!${id}` : id;
    const cached = this.memo.get(key);
    if (cached !== undefined) return cached;
    const r = this.program.requirements[id];
    const traced = this.tracing && !this.traced.has(id);
    const slot = this.trace.length;
    if (traced) {
      this.traced.add(id);
      this.trace.push(undefined as unknown as TraceEntry);
    }
    // The facts read are collected only for the trace.
    const frame: Frame | undefined = this.tracing ? { values: {} } : undefined;
    if (frame) this.frames.push(frame);
    const applicable: Tri = r.when ? this.tri(r.when, null) : true;
    let result: Tri;
    if (applicable === false) result = !trigger;
    else {
      const value = r.rule ? this.tri(r.rule, null) : this.group(r, section, trigger);
      result = applicable === true ? value : trigger ? and([applicable, value]) : or([not(applicable), value]);
    }
    if (frame) this.frames.pop();
    this.memo.set(key, result);
    if (traced) {
      this.trace[slot] = {
        id,
        wording: r.wording,
        refs: r.refs,
        section: this.sectionOf.get(id) ?? section,
        result: applicable === false ? "not-applicable" : truthText(result),
        values: frame?.values ?? {},
      };
    }
    return result;
  }

  private group(r: IrRequirement, section: string, trigger: boolean): Tri {
    const g = r.group!;
    // Every bullet is evaluated, so that the trace shows the whole list.
    const values = g.items.map((item) => this.requirement(item, section, trigger));
    switch (g.quantifier) {
      case "all":
        return and(values);
      case "any":
        return or(values);
      case "none":
        return not(or(values));
      case "atLeast":
      case "atMost": {
        const yes = values.filter((v) => v === true).length;
        const unknowns = values.filter((v): v is Unknown => v instanceof Unknown);
        if (g.quantifier === "atLeast") {
          if (yes >= g.n) return true;
          if (yes + unknowns.length < g.n) return false;
        } else {
          if (yes + unknowns.length <= g.n) return true;
          if (yes > g.n) return false;
        }
        return unknownOf(unknowns);
      }
    }
  }

  /** Whether a section's requirements hold (or, for exclusions and the like, whether one applies). */
  section(s: IrSection, gate: Tri): Tri {
    const triggers = s.kind === "exclusions" || s.kind === "contraindications" || s.kind === "not-covered";
    const when = s.when ? and([gate, this.tri(s.when, null)]) : gate;
    if (when === false) return !triggers;
    let value: Tri;
    if (s.kind === "indications") {
      const pathways = s.items.filter((id) => this.program.requirements[id].role === "pathway");
      const others = s.items.filter((id) => this.program.requirements[id].role !== "pathway");
      const pathwayValues = pathways.map((id) => this.requirement(id, s.title));
      value = and([or(pathwayValues), ...others.map((id) => this.requirement(id, s.title))]);
    } else {
      const values = s.items.map((id) => this.requirement(id, s.title, triggers));
      value = triggers ? or(values) : and(values);
    }
    return triggers ? and([when, value]) : or([not(when), value]);
  }

  // ── Expressions ──────────────────────────────────────────────────────────────────────────

  tri(e: IrExpr, env: Env): Tri {
    const v = this.eval(e, env);
    if (typeof v === "boolean" || v instanceof Unknown) return v;
    return false;
  }

  eval(e: IrExpr, env: Env): Value {
    switch (e.k) {
      case "bool":
      case "num":
      case "enum":
      case "text":
        return e.v;
      case "date":
        return literalDay(e.v);
      case "dur":
        return { amount: e.amount, unit: e.unit };
      case "dos":
        return this.dos;
      case "fact":
        return this.fact(e.path);
      case "var":
        return lookup(env, e.name) ?? NONE;
      case "field":
        return this.field(this.eval(e.of, env), e.field);
      case "and": {
        const parts: Tri[] = [];
        for (const arg of e.args) {
          const v = this.tri(arg, env);
          if (v === false && !this.tracing) return false;
          parts.push(v);
        }
        return and(parts);
      }
      case "or": {
        const parts: Tri[] = [];
        for (const arg of e.args) {
          const v = this.tri(arg, env);
          if (v === true && !this.tracing) return true;
          parts.push(v);
        }
        return or(parts);
      }
      case "not":
        return not(this.tri(e.arg, env));
      case "cmp":
        return this.compare(e.op, this.eval(e.a, env), this.eval(e.b, env), e.kind);
      case "in": {
        const v = this.eval(e.arg, env);
        if (v instanceof Unknown) return v;
        // Like every comparison, a test on an entry that does not exist is false, negated or not.
        if (typeof v !== "string") return false;
        return e.values.includes(v) !== Boolean(e.negated);
      }
      case "known": {
        const v = this.eval(e.arg, env);
        return !(v instanceof Unknown) && v !== NONE;
      }
      case "arith":
        return this.arith(e.op, this.eval(e.a, env), this.eval(e.b, env), e.kind);
      case "within": {
        const day = this.eval(e.arg, env);
        const window = this.eval(e.window, env);
        const dos = this.dos;
        const unknowns = [day, window, dos].filter((v): v is Unknown => v instanceof Unknown);
        if (unknowns.length) return unknownOf(unknowns);
        if (typeof day !== "number" || typeof dos !== "number") return false;
        const start = isSpan(window) ? dos - (window.to - window.from) : addLength(dos, window as Length, -1);
        return day >= start && day <= dos;
      }
      case "call":
        return this.call(e, env);
      case "crit":
        return this.requirement(e.id, this.sectionOf.get(e.id) ?? "");
      case "query":
        return this.query(e, env);
      case "span": {
        const from = this.eval(e.from, env);
        const to = e.to ? this.eval(e.to, env) : this.dos;
        const unknowns = [from, to].filter((v): v is Unknown => v instanceof Unknown);
        if (unknowns.length) return unknownOf(unknowns);
        if (typeof from !== "number" || typeof to !== "number") return NONE;
        // From the first date to the second: negative when the second comes first.
        return { kind: "span", from, to };
      }
      case "later_of":
      case "earlier_of": {
        const values = e.args.map((a) => this.eval(a, env));
        const unknowns = values.filter((v): v is Unknown => v instanceof Unknown);
        if (unknowns.length) return unknownOf(unknowns);
        const days = values.filter((v): v is number => typeof v === "number");
        if (days.length === 0) return NONE;
        return e.k === "later_of" ? Math.max(...days) : Math.min(...days);
      }
      case "recent_run":
        return this.recentRun(this.eval(e.list, env), this.eval(e.gap, env));
    }
  }

  /**
   * Definitions are pure, so each is computed once per request and argument values; the facts
   * it read are replayed into the trace of every criterion that uses it.
   */
  private call(e: Extract<IrExpr, { k: "call" }>, env: Env): Value {
    const def = this.program.definitions[e.def];
    let inner: Env = null;
    let worthKeeping = def.params.length === 0;
    for (let i = 0; i < def.params.length; i++) {
      const value = this.eval(e.args[i], env);
      inner = bind(inner, def.params[i], value);
      if (typeof value === "object" && value !== null && !(value instanceof Unknown)) worthKeeping = true;
    }
    // A definition over plain values (same_region(a, b)) is cheaper to recompute than to look up.
    if (!worthKeeping && !this.tracing) return this.eval(def.body, inner);
    let key = e.def;
    for (let b = inner; b; b = b.next) key += `\u0000${this.identity(b.value)}`;
    const cached = this.calls.get(key);
    if (cached) {
      for (const [path, json] of cached.reads) this.record(path, json);
      return cached.value;
    }
    if (!this.tracing) {
      const value = this.eval(def.body, inner);
      this.calls.set(key, { value, reads: [] });
      return value;
    }
    const frame: Frame = { values: {} };
    this.frames.push(frame);
    const value = this.eval(def.body, inner);
    this.frames.pop();
    const reads = Object.entries(frame.values);
    for (const [path, json] of reads) this.record(path, json);
    this.calls.set(key, { value, reads });
    return value;
  }

  private identity(value: Value): string {
    if (typeof value !== "object" || value === null) return `${typeof value}:${String(value)}`;
    let id = this.identities.get(value);
    if (id === undefined) this.identities.set(value, (id = ++this.nextIdentity));
    return `#${id}`;
  }

  private record(path: string, value: Value | JsonValue): void {
    if (!this.tracing || this.frames.length === 0) return;
    const json = toJson(value);
    for (const frame of this.frames) frame.values[path] = json;
  }

  private fact(path: string): Value {
    const cached = this.factValues.get(path);
    if (cached) {
      this.record(path, cached.json);
      return cached.value;
    }
    let raw: unknown = this.input;
    for (const part of this.factParts.get(path) ?? path.split(".")) {
      raw = raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>)[part] : undefined;
    }
    const type = this.factTypes.get(path);
    const value = convert(raw, type, path);
    const json: JsonValue = type?.t === "list" && !(value instanceof Unknown) ? `${(value as ListValue).items.length} entries` : raw === undefined ? null : (raw as JsonValue);
    this.factValues.set(path, { value, json });
    this.record(path, json);
    return value;
  }

  private field(object: Value, field: string): Value {
    if (object instanceof Unknown) return object;
    if (object === NONE || typeof object !== "object" || !("kind" in object) || object.kind !== "record") return NONE;
    const raw = object.data[field];
    const path = `${object.path}.${field}`;
    this.record(path, raw === undefined ? null : (raw as JsonValue));
    const cached = object.fields.get(field);
    if (cached !== undefined) return cached;
    const value = convert(raw, this.recordTypes.get(object.record)?.get(field), path);
    object.fields.set(field, value);
    return value;
  }

  private compare(op: ComparisonOp, a: Value, b: Value, kind: string): Tri {
    const unknowns: Unknown[] = [];
    for (const v of [a, b]) {
      if (v instanceof Unknown) unknowns.push(v);
      else if (isRange(v)) {
        // A count range is only unknown if the comparison cannot tell; handled below.
      }
    }
    if (unknowns.length) return unknownOf(unknowns);
    if (a === NONE || b === NONE) return false;
    if (kind === "duration") {
      const pair = this.durationPair(a, b);
      if (pair instanceof Unknown) return pair;
      return compareIntervals(op, [pair[0], pair[0]], [pair[1], pair[1]], undefined);
    }
    if (kind === "number" || kind === "date") {
      const ia = interval(a);
      const ib = interval(b);
      const rangeUnknown = [a, b].filter(isRange).map((r) => r.unknown);
      return compareIntervals(op, ia, ib, rangeUnknown.length ? unknownOf(rangeUnknown) : undefined);
    }
    const equal = a === b;
    return op === "=" ? equal : op === "!=" ? !equal : false;
  }

  /** Two durations as comparable day numbers, anchored calendar-correctly. */
  private durationPair(a: Value, b: Value): [number, number] | Unknown {
    if (isSpan(a) && isSpan(b)) return [a.to - a.from, b.to - b.from];
    if (isSpan(a)) return [a.to, addLength(a.from, b as Length, 1)];
    if (isSpan(b)) return [addLength(b.from, a as Length, 1), b.to];
    if (this.dos instanceof Unknown) return this.dos;
    // Two lengths: both measured back from the date of service; the longer reaches further back.
    return [-addLength(this.dos, a as Length, -1), -addLength(this.dos, b as Length, -1)];
  }

  private arith(op: "+" | "-", a: Value, b: Value, kind: "number" | "date"): Value {
    const unknowns = [a, b].filter((v): v is Unknown => v instanceof Unknown);
    if (unknowns.length) return unknownOf(unknowns);
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

  private query(e: Extract<IrExpr, { k: "query" }>, env: Env): Value {
    const source = this.eval(e.source, env);
    if (source instanceof Unknown) return source;
    if (!isList(source)) return e.op === "count" ? 0 : e.op === "every" ? true : e.op === "exists" ? false : NONE;
    const included: { item: ListItem; inc: Tri }[] = source.items.map((item) => {
      if (!e.filter) return { item, inc: item.member };
      return { item, inc: and([item.member, this.tri(e.filter, bind(env, e.binder, item.rec))]) };
    });
    switch (e.op) {
      case "count":
        return e.merge ? this.countMerged(included, e.merge, env) : countOf(included.map((i) => i.inc));
      case "exists":
        return or(included.map((i) => i.inc));
      case "every":
        return and(
          included.map(({ item, inc }) => {
            return or([not(inc), this.tri(e.body!, bind(env, e.binder, item.rec))]);
          }),
        );
      case "select":
        return { kind: "list", items: included.filter((i) => i.inc !== false).map((i) => ({ rec: i.item.rec, member: i.inc })) };
      case "latest":
      case "earliest":
        return this.extreme(included, e.op === "latest");
    }
  }

  private extreme(included: { item: ListItem; inc: Tri }[], latest: boolean): Value {
    let best: { rec: RecordValue; day: number } | undefined;
    const dated = included
      .filter((i) => i.inc !== false)
      .map((i) => ({ ...i, day: this.field(i.item.rec, "date") }))
      .filter((i): i is typeof i & { day: number } => typeof i.day === "number");
    for (const i of dated) {
      if (i.inc === true && (!best || (latest ? i.day > best.day : i.day < best.day))) best = { rec: i.item.rec, day: i.day };
    }
    const doubtful = dated.filter((i) => i.inc instanceof Unknown && (!best || (latest ? i.day >= best.day : i.day <= best.day)));
    if (doubtful.length) return unknownOf(doubtful.map((i) => i.inc as Unknown));
    return best ? best.rec : NONE;
  }

  /**
   * `count(…, counting p and q as one when …)`: each entry is counted together with at most one
   * other (a right and a left injection make one procedure; a third makes a second). Pairs are
   * matched in date order. With uncertain entries or conditions the count is a range.
   */
  private countMerged(included: { item: ListItem; inc: Tri }[], merge: { a: string; b: string; cond: IrExpr }, env: Env): Value {
    const dayOf = (rec: RecordValue) => {
      const day = this.field(rec, "date");
      return typeof day === "number" ? day : Infinity;
    };
    const candidates = included.filter((i) => i.inc !== false).sort((x, y) => dayOf(x.item.rec) - dayOf(y.item.rec));
    const sure = candidates.map((i) => i.inc === true);
    const unknowns: Unknown[] = candidates.filter((i) => i.inc instanceof Unknown).map((i) => i.inc as Unknown);
    const edges = candidates.map(() => new Array<Tri>(candidates.length).fill(false));
    for (let i = 0; i < candidates.length; i++) {
      for (let j = i + 1; j < candidates.length; j++) {
        // Entries are in date order, so the first name is always the earlier entry.
        const v = this.pairCondition(merge, candidates[i].item.rec, candidates[j].item.rec, env);
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
    const hi = counted(candidates.map(() => true), (v) => v === true);
    return lo === hi ? lo : { kind: "range", lo: Math.min(lo, hi), hi: Math.max(lo, hi), unknown: unknownOf(unknowns) };
  }

  private pairCondition(merge: { a: string; b: string; cond: IrExpr }, first: RecordValue, second: RecordValue, env: Env): Tri {
    return this.tri(merge.cond, bind(bind(env, merge.a, first), merge.b, second));
  }

  private recentRun(list: Value, gap: Value): Value {
    if (list instanceof Unknown) return list;
    if (gap instanceof Unknown) return gap;
    const dos = this.dos;
    if (dos instanceof Unknown) return dos;
    if (!isList(list)) return { kind: "list", items: [] };
    const dated = list.items
      .map((item) => ({ item, day: this.field(item.rec, "date") }))
      .filter((i): i is { item: ListItem; day: number } => typeof i.day === "number" && i.day <= dos)
      .sort((x, y) => y.day - x.day);
    // Walks back from the date of service while each step is shorter than the gap.
    const walk = (entries: typeof dated): Set<ListItem> => {
      const run = new Set<ListItem>();
      let cursor = dos;
      for (const { item, day } of entries) {
        const reach = isSpan(gap) ? day + (gap.to - gap.from) : addLength(day, gap as Length, 1);
        if (reach <= cursor) break;
        run.add(item);
        cursor = day;
      }
      return run;
    };
    // An entry that may or may not be in the list may bridge a gap: entries reached only through
    // such a bridge are in the run only possibly.
    const widest = walk(dated);
    const surest = walk(dated.filter((d) => d.item.member === true));
    const bridges = dated.filter((d) => d.item.member instanceof Unknown && widest.has(d.item)).map((d) => d.item.member as Unknown);
    const items = dated
      .filter((d) => widest.has(d.item))
      .map(({ item }) => ({ rec: item.rec, member: surest.has(item) || item.member !== true ? item.member : unknownOf(bridges) }))
      .reverse();
    return { kind: "list", items };
  }
}

/** Names bound by queries and definition parameters: a chain, cheap to extend. */
type Env = { readonly name: string; readonly value: Value; readonly next: Env } | null;

function bind(env: Env, name: string, value: Value): Env {
  return { name, value, next: env };
}

function lookup(env: Env, name: string): Value | undefined {
  for (let e = env; e; e = e.next) if (e.name === name) return e.value;
  return undefined;
}

function countOf(values: readonly Tri[]): Value {
  let lo = 0;
  const unknowns: Unknown[] = [];
  for (const v of values) {
    if (v === true) lo++;
    else if (v instanceof Unknown) unknowns.push(v);
  }
  return unknowns.length ? { kind: "range", lo, hi: lo + unknowns.length, unknown: unknownOf(unknowns) } : lo;
}

function isSpan(v: Value): v is Span {
  return typeof v === "object" && v !== null && "kind" in v && v.kind === "span";
}
function isRange(v: Value): v is CountRange {
  return typeof v === "object" && v !== null && "kind" in v && v.kind === "range";
}
function isList(v: Value): v is ListValue {
  return typeof v === "object" && v !== null && "kind" in v && v.kind === "list";
}

function interval(v: Value): [number, number] {
  if (isRange(v)) return [v.lo, v.hi];
  return [v as number, v as number];
}

function compareIntervals(op: ComparisonOp, [alo, ahi]: [number, number], [blo, bhi]: [number, number], unknown: Unknown | undefined): Tri {
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

/** Input JSON to a runtime value; absent or null is unknown, naming the fact's path. */
function convert(raw: unknown, type: FieldType | undefined, path: string): Value {
  if (raw === undefined || raw === null) return new Unknown(new Set([path]));
  switch (type?.t) {
    case "date":
      return typeof raw === "string" ? (parseIsoDate(raw) ?? new Unknown(new Set([path]))) : new Unknown(new Set([path]));
    case "duration":
      return raw as Length;
    case "list": {
      if (!Array.isArray(raw)) return new Unknown(new Set([path]));
      const record = type.record;
      return {
        kind: "list",
        items: raw.map((data, i) => ({ rec: { kind: "record", path: `${path}[${i}]`, record, data: data as Record<string, unknown>, fields: new Map() }, member: true })),
      };
    }
    default:
      return raw as boolean | number | string;
  }
}

function toJson(value: Value | JsonValue): JsonValue {
  if (value instanceof Unknown) return null;
  if (typeof value === "object" && value !== null && "kind" in value) return null;
  return value as JsonValue;
}

/** What a program needs at every evaluation, computed once per program. */
interface Prepared {
  readonly factTypes: ReadonlyMap<string, FieldType>;
  readonly factParts: ReadonlyMap<string, readonly string[]>;
  readonly recordTypes: ReadonlyMap<string, ReadonlyMap<string, FieldType>>;
  /** The title of the section each requirement first stands in. */
  readonly sectionOf: ReadonlyMap<string, string>;
}

const preparedPrograms = new WeakMap<Program, Prepared>();

function prepare(program: Program): Prepared {
  const known = preparedPrograms.get(program);
  if (known) return known;
  const factTypes = new Map(program.facts.map((f) => [f.path, f.type]));
  const factParts = new Map(program.facts.map((f) => [f.path, f.path.split(".")]));
  const recordTypes = new Map(Object.entries(program.records).map(([name, fields]) => [name, new Map(fields.map((f) => [f.path, f.type]))]));
  const sectionOf = new Map<string, string>();
  const label = (items: readonly string[], title: string): void => {
    for (const id of items) {
      if (sectionOf.has(id)) continue;
      sectionOf.set(id, title);
      label(program.requirements[id].group?.items ?? [], title);
    }
  };
  for (const s of program.sections) label(s.items, s.title);
  for (const o of program.overlays) for (const s of o.sections) label(s.items, s.title);
  const prepared = { factTypes, factParts, recordTypes, sectionOf };
  preparedPrograms.set(program, prepared);
  return prepared;
}

const literalDays = new Map<string, number>();

/** Date literals were checked by the compiler; each is parsed once. */
function literalDay(text: string): number {
  let day = literalDays.get(text);
  if (day === undefined) literalDays.set(text, (day = parseIsoDate(text)!));
  return day;
}

// ── The determination ──────────────────────────────────────────────────────────────────────

export function evaluateProgram(program: Program, input: Readonly<Record<string, unknown>>, options: EvaluateOptions = {}): Determination {
  const tracing = options.trace !== false;
  const ev = new Evaluation(program, input, tracing);
  const state = options.state ?? null;

  const overlays = program.overlays.map((overlay) => {
    const selected = state !== null && overlay.state.toUpperCase() === state.toUpperCase();
    const applies: Tri = selected
      ? and(overlay.applies.map((clause) => (clause.mode === "unless" ? not(ev.tri(clause.cond, null)) : ev.tri(clause.cond, null))))
      : false;
    return { overlay, selected, applies };
  });

  const sections = [
    ...program.sections.map((s) => ({ s, gate: true as Tri })),
    ...overlays.filter((o) => o.selected).flatMap((o) => o.overlay.sections.map((s) => ({ s, gate: o.applies }))),
  ];
  const results = sections.map(({ s, gate }) => ({ s, value: ev.section(s, gate) }));
  const anyOf = (kind: IrSection["kind"]) => or(results.filter((r) => r.s.kind === kind).map((r) => r.value));
  const notCovered = anyOf("not-covered");
  const excluded = anyOf("exclusions");
  const contraindicated = anyOf("contraindications");
  const satisfied = and(results.filter((r) => !["not-covered", "exclusions", "contraindications"].includes(r.s.kind)).map((r) => r.value));

  let outcome: Outcome;
  let deciding: Tri[] = [];
  if (notCovered === true) outcome = "not-covered";
  else if (excluded === true) outcome = "excluded";
  else if (contraindicated === true) outcome = "does-not-meet";
  else if (satisfied === false) outcome = "does-not-meet";
  else if (notCovered === false && excluded === false && contraindicated === false && satisfied === true) outcome = "meets";
  else {
    outcome = "needs-info";
    deciding = [notCovered, excluded, contraindicated, satisfied];
  }

  const requirementRef = (id: string): CriterionRef => {
    const r = program.requirements[id];
    return { id, wording: r.wording, refs: r.refs, section: ev.sectionOf.get(id) ?? "" };
  };
  const unmetOf = (id: string, out: CriterionRef[]) => {
    const r = program.requirements[id];
    if (ev.requirement(id, "") !== false) return;
    if (!r.group || r.group.quantifier === "none" || r.group.quantifier === "atLeast" || r.group.quantifier === "atMost") {
      out.push(requirementRef(id));
      return;
    }
    for (const item of r.group.items) unmetOf(item, out);
  };

  const pathways: PathwayResult[] = [];
  const surelyApplies = new Set<string>();
  for (const { s, gate } of sections) {
    // Pathways of a section that does not apply (the first-injection indications on a repeat) are
    // not reported; one is "the" pathway only where its section surely applies.
    const applies = s.kind === "indications" ? and([gate, s.when ? ev.tri(s.when, null) : true]) : false;
    if (applies === false) continue;
    for (const id of s.items) {
      if (program.requirements[id].role !== "pathway") continue;
      const unmet: CriterionRef[] = [];
      unmetOf(id, unmet);
      pathways.push({ ...requirementRef(id), result: truthText(ev.requirement(id, s.title)), unmet });
      if (applies === true) surelyApplies.add(id);
    }
  }
  const matched = pathways.find((p) => p.result === "true" && surelyApplies.has(p.id));

  const unmet: CriterionRef[] = [];
  const reasons: string[] = [];
  const triggeredIn = (kind: IrSection["kind"]) =>
    results
      .filter((r) => r.s.kind === kind && r.value === true)
      .flatMap((r) => r.s.items.filter((id) => ev.requirement(id, r.s.title, true) === true).map(requirementRef));
  if (outcome === "not-covered") {
    for (const ref of triggeredIn("not-covered")) {
      unmet.push(ref);
      reasons.push(`Not covered: ${ref.wording}`);
    }
  } else if (outcome === "excluded") {
    for (const ref of triggeredIn("exclusions")) {
      unmet.push(ref);
      reasons.push(`Excluded from consideration under this guideline: ${ref.wording}`);
    }
  } else if (outcome === "does-not-meet") {
    for (const ref of triggeredIn("contraindications")) {
      unmet.push(ref);
      reasons.push(`Contraindication: ${ref.wording}`);
    }
    for (const r of results) {
      if (r.value !== false || ["not-covered", "exclusions", "contraindications"].includes(r.s.kind)) continue;
      if (r.s.kind === "indications") {
        const failed = r.s.items.filter((id) => program.requirements[id].role !== "pathway" && ev.requirement(id, r.s.title) === false);
        if (!pathways.some((p) => p.section === r.s.title && p.result === "true")) {
          reasons.push(`No indication is met under "${r.s.title}".`);
          for (const p of pathways.filter((p) => p.section === r.s.title)) {
            for (const u of p.unmet) if (!unmet.some((x) => x.id === u.id)) unmet.push(u);
          }
        }
        for (const id of failed) unmetOf(id, unmet);
      } else {
        for (const id of r.s.items) unmetOf(id, unmet);
      }
    }
    for (const u of unmet) if (!reasons.some((x) => x.endsWith(u.wording))) reasons.push(`Not met: ${u.wording}`);
  } else if (outcome === "meets") {
    reasons.push(matched ? `Meets: ${matched.wording}` : "Meets the guideline's criteria.");
  }

  const missing: MissingFact[] = [];
  if (outcome === "needs-info") {
    const facts = new Set<string>();
    for (const d of deciding) if (d instanceof Unknown) for (const f of d.missing) facts.add(f);
    for (const fact of [...facts].sort()) missing.push({ fact, description: describeFact(program, fact) });
    reasons.push(`More information is needed: ${missing.map((m) => m.description).join("; ")}`);
  }

  return {
    outcome,
    policy: { id: program.id, title: program.title, version: program.version },
    state,
    pathway: matched?.id ?? null,
    pathways,
    unmet,
    missing,
    overlays: overlays.filter((o) => o.selected).map((o) => ({ id: o.overlay.id, title: o.overlay.title, state: o.overlay.state, applies: truthText(o.applies) })),
    reasons,
    trace: tracing ? ev.trace.filter(Boolean) : [],
  };
}

function describeFact(program: Program, path: string): string {
  const direct = program.facts.find((f) => f.path === path);
  if (direct) return direct.description;
  // prior_procedures[2].relief_percent → the record field's description.
  const match = /^(.*)\[(\d+)\]\.(\w+)$/.exec(path);
  if (match) {
    const list = program.facts.find((f) => f.path === match[1]);
    const record = list?.type.t === "list" ? program.records[list.type.record] : undefined;
    const field: FactSchema | undefined = record?.find((f) => f.path === match[3]);
    if (field) return `${field.description} (entry ${Number(match[2]) + 1} of ${match[1]})`;
  }
  return path;
}
