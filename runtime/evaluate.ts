/**
 * Runs a checked policy against one request. Facts absent from the input are unknown, and
 * unknowns flow through the logic (see tri.ts) up to the outcome.
 */
import type { FieldType, IrExpr, IrRequirement, Program } from "./program.js";
import type { Determination, EvaluateOptions, JsonValue, TraceEntry } from "./determination.js";
import { and, not, or, truthText, Unknown, unknownOf, type Tri } from "./tri.js";
import { determine, layoutOf, type RequirementResults } from "./determine.js";
import {
  arith,
  asTri,
  compareValues,
  convert,
  countMerged,
  countOf,
  dateValue,
  emptyQuery,
  extreme,
  extremeDay,
  isList,
  isRecord,
  keepField,
  knownField,
  literalDay,
  NONE,
  recentRun,
  recordPath,
  span,
  within,
  type FieldReader,
  type Included,
  type ListValue,
  type Value,
} from "./values.js";

class Evaluation implements RequirementResults {
  readonly dos: number | Unknown;
  private readonly memo = new Map<string, Tri>();
  private readonly traced = new Set<string>();
  private readonly calls = new Map<string, { value: Value; reads: readonly (string | JsonValue)[] }>();
  private readonly identities = new WeakMap<object, number>();
  private nextIdentity = 0;
  private readonly factValues = new Map<string, { value: Value; json: JsonValue }>();
  /**
   * With the trace on: every fact read while a criterion or definition is being evaluated, as
   * path, value, path, value… A criterion's reads are the range of the log written while it was
   * evaluated, nested ones included, so a read is written once however deep it happens.
   */
  private readonly log: (string | JsonValue)[] = [];
  /** How many criteria and definitions are being evaluated: reads are logged only inside one. */
  private open = 0;
  readonly trace: TraceEntry[] = [];

  private readonly factTypes: ReadonlyMap<string, FieldType>;
  private readonly factParts: ReadonlyMap<string, readonly string[]>;
  private readonly recordTypes: ReadonlyMap<string, ReadonlyMap<string, FieldType>>;
  readonly sectionOf: ReadonlyMap<string, string>;
  private readonly ids: readonly string[];

  constructor(
    readonly program: Program,
    private readonly input: Readonly<Record<string, unknown>>,
    private readonly tracing: boolean,
  ) {
    const prepared = prepare(program);
    this.factTypes = prepared.factTypes;
    this.factParts = prepared.factParts;
    this.recordTypes = prepared.recordTypes;
    const layout = layoutOf(program);
    this.sectionOf = layout.sectionOf;
    this.ids = layout.ids;
    this.dos = dateValue(input.date_of_service, "date_of_service") as number | Unknown;
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
    const start = this.log.length;
    if (this.tracing) this.open++;
    const applicable: Tri = r.when ? this.tri(r.when, null) : true;
    let result: Tri;
    if (applicable === false) result = !trigger;
    else {
      const value = r.rule ? this.tri(r.rule, null) : this.group(r, section, trigger);
      result = applicable === true ? value : trigger ? and([applicable, value]) : or([not(applicable), value]);
    }
    if (this.tracing) this.open--;
    this.memo.set(key, result);
    if (traced) {
      this.trace[slot] = {
        id,
        wording: r.wording,
        refs: r.refs,
        section: this.sectionOf.get(id) ?? section,
        result: applicable === false ? "not-applicable" : truthText(result),
        values: valuesOf(this.log, start, this.log.length),
      };
    }
    if (this.open === 0) this.log.length = 0;
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

  requirementAt(index: number, section: string, trigger: boolean): Tri {
    return this.requirement(this.ids[index], section, trigger);
  }

  condition(expr: IrExpr): Tri {
    return this.tri(expr, null);
  }

  /** Reads a record field for the shared query helpers, recording it for the trace. */
  private readonly readField: FieldReader = (record, field) => this.field(record, field);

  // ── Expressions ──────────────────────────────────────────────────────────────────────────

  tri(e: IrExpr, env: Env): Tri {
    return asTri(this.eval(e, env));
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
        return compareValues(e.op, this.eval(e.a, env), this.eval(e.b, env), e.kind, this.dos);
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
        return arith(e.op, this.eval(e.a, env), this.eval(e.b, env), e.kind);
      case "within":
        return within(this.eval(e.arg, env), this.eval(e.window, env), this.dos);
      case "call":
        return this.call(e, env);
      case "crit":
        return this.requirement(e.id, this.sectionOf.get(e.id) ?? "");
      case "query":
        return this.query(e, env);
      case "span":
        return span(this.eval(e.from, env), e.to ? this.eval(e.to, env) : this.dos);
      case "later_of":
      case "earlier_of":
        return extremeDay(
          e.args.map((a) => this.eval(a, env)),
          e.k === "later_of",
        );
      case "recent_run":
        return recentRun(this.eval(e.list, env), this.eval(e.gap, env), this.dos, this.readField);
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
      if (this.open > 0) for (const read of cached.reads) this.log.push(read);
      return cached.value;
    }
    if (!this.tracing) {
      const value = this.eval(def.body, inner);
      this.calls.set(key, { value, reads: [] });
      return value;
    }
    const start = this.log.length;
    this.open++;
    const value = this.eval(def.body, inner);
    this.open--;
    this.calls.set(key, { value, reads: distinctReads(this.log, start) });
    if (this.open === 0) this.log.length = 0;
    return value;
  }

  private identity(value: Value): string {
    if (typeof value !== "object" || value === null) return `${typeof value}:${String(value)}`;
    let id = this.identities.get(value);
    if (id === undefined) this.identities.set(value, (id = ++this.nextIdentity));
    return `#${id}`;
  }

  private record(path: string, value: Value | JsonValue): void {
    if (this.open > 0) this.log.push(path, toJson(value));
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
    const json: JsonValue = type?.t === "list" && !(value instanceof Unknown) ? entriesText((value as ListValue).items.length) : raw === undefined ? null : (raw as JsonValue);
    this.factValues.set(path, { value, json });
    this.record(path, json);
    return value;
  }

  private field(object: Value, field: string): Value {
    if (object instanceof Unknown) return object;
    if (!isRecord(object)) return NONE;
    const raw = object.data[field];
    if (this.open > 0) this.record(`${recordPath(object)}.${field}`, raw === undefined ? null : (raw as JsonValue));
    const cached = knownField(object, field);
    if (cached !== undefined) return cached;
    const value = convert(raw, this.recordTypes.get(object.record)?.get(field), `${recordPath(object)}.${field}`);
    return keepField(object, field, value);
  }

  private query(e: Extract<IrExpr, { k: "query" }>, env: Env): Value {
    const source = this.eval(e.source, env);
    if (source instanceof Unknown) return source;
    if (!isList(source)) return emptyQuery(e.op);
    const included: Included[] = source.items.map((item) => {
      if (!e.filter) return { rec: item.rec, inc: item.member };
      return { rec: item.rec, inc: and([item.member, this.tri(e.filter, bind(env, e.binder, item.rec))]) };
    });
    switch (e.op) {
      case "count": {
        const merge = e.merge;
        if (!merge) return countOf(included.map((i) => i.inc));
        return countMerged(included, (first, second) => this.tri(merge.cond, bind(bind(env, merge.a, first), merge.b, second)), this.readField);
      }
      case "exists":
        return or(included.map((i) => i.inc));
      case "every":
        return and(included.map(({ rec, inc }) => or([not(inc), this.tri(e.body!, bind(env, e.binder, rec))])));
      case "select":
        return { kind: "list", items: included.filter((i) => i.inc !== false).map((i) => ({ rec: i.rec, member: i.inc })) };
      case "latest":
      case "earliest":
        return extreme(included, e.op === "latest", this.readField);
    }
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

/** The reads of a log from `start`, each path once (where it was first read, with its last value). */
function distinctReads(log: readonly (string | JsonValue)[], start: number): (string | JsonValue)[] {
  const at = new Map<string, number>();
  const reads: (string | JsonValue)[] = [];
  for (let i = start; i < log.length; i += 2) {
    const path = log[i] as string;
    const known = at.get(path);
    if (known === undefined) {
      at.set(path, reads.length);
      reads.push(path, log[i + 1]);
    } else reads[known + 1] = log[i + 1];
  }
  return reads;
}

/** The values a criterion saw: its range of the read log, each path once, in the order first read. */
function valuesOf(log: readonly (string | JsonValue)[], start: number, end: number): Record<string, JsonValue> {
  const values: Record<string, JsonValue> = {};
  for (let i = start; i < end; i += 2) values[log[i] as string] = log[i + 1];
  return values;
}

/** How a list fact shows in the trace: "1 entry", "3 entries". */
function entriesText(count: number): string {
  return count === 1 ? "1 entry" : `${count} entries`;
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
}

const preparedPrograms = new WeakMap<Program, Prepared>();

function prepare(program: Program): Prepared {
  const known = preparedPrograms.get(program);
  if (known) return known;
  const factTypes = new Map(program.facts.map((f) => [f.path, f.type]));
  const factParts = new Map(program.facts.map((f) => [f.path, f.path.split(".")]));
  const recordTypes = new Map(Object.entries(program.records).map(([name, fields]) => [name, new Map(fields.map((f) => [f.path, f.type]))]));
  const prepared = { factTypes, factParts, recordTypes };
  preparedPrograms.set(program, prepared);
  return prepared;
}

/** Evaluates a request by interpreting the program; the trace (on unless `trace: false`) says what each criterion read. */
export function evaluateProgram(program: Program, input: Readonly<Record<string, unknown>>, options: EvaluateOptions = {}): Determination {
  const tracing = options.trace !== false;
  const ev = new Evaluation(program, input, tracing);
  const determination = determine(program, ev, options.state ?? null);
  return tracing ? { ...determination, trace: ev.trace.filter(Boolean) } : determination;
}
