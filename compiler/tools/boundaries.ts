/**
 * The thresholds of a policy, read from its intermediate form (never from its source again), and
 * the requests that probe each one: just below, at and just above each number a fact is compared
 * with; the day before, on and after each date window and interval; each count at its limit; and
 * each fact left undocumented. Dates are worked out by the runtime's own calendar (addLength); a
 * count's probes are chosen by what the policy itself determines (see countProbes).
 */
import type { IrExpr, IrFact, IrPolicy, IrType } from "../ir.js";
import { subexpressions } from "../ir.js";
import { addLength, formatDay, parseIsoDate, type Length } from "../../runtime/dates.js";
import { literalText } from "./canonical.js";
import { sectionsOf } from "./policy-parts.js";

/** One threshold: where it is, and what it compares. */
export interface Threshold {
  /** The criterion, definition or overlay clause it is written in. */
  readonly owner: string;
  readonly file: string;
  readonly line: number;
  readonly kind: "number" | "date window" | "interval" | "duration" | "count";
  /** What it reads, as a path (`pain.average`, `prior_procedures[].relief_percent`). */
  readonly subject: string;
  readonly op: string;
  /** The literal, as the policy writes it. */
  readonly limit: string;
  /** For an interval between two dates of the request, the later one (the other is the date of service). */
  readonly until?: string;
  /** The comparison, with the literal in place of a definition's parameter. */
  readonly expr: IrExpr;
}

type JsonObject = { [key: string]: unknown };

/** A request that probes a threshold, with what it probes. */
export interface Probe {
  readonly name: string;
  readonly probe: string;
  readonly input: JsonObject;
}

interface Scope {
  /** The list fact each query's entry comes from, by binder. */
  readonly entries: ReadonlyMap<string, IrFact>;
}

/** A definition's parameters bound to the expressions a call gives them. */
type Bindings = ReadonlyMap<string, IrExpr>;

/** An expression with its parameters replaced by what the call gives (one level). */
function resolved(e: IrExpr, env: Bindings): IrExpr {
  return e.k === "var" ? env.get(e.name) ?? e : e;
}

/** The list fact an expression gives, when it is one, a question over one, or a definition of one. */
function listFact(e: IrExpr, env: Bindings, seen = new Set<IrExpr>()): IrFact | undefined {
  const x = resolved(e, env);
  if (seen.has(x)) return undefined;
  seen.add(x);
  if (x.k === "fact" && x.fact.type.t === "list") return x.fact;
  if (x.k === "query") return listFact(x.source, env, seen);
  if (x.k === "recent_run") return listFact(x.list, env, seen);
  if (x.k === "call") {
    for (const a of x.args) {
      const f = listFact(a, env, seen);
      if (f) return f;
    }
    return listFact(x.def.body, new Map(x.def.params.map((p, i) => [p.name, x.args[i] ? resolved(x.args[i], env) : x.args[i]])), seen);
  }
  return undefined;
}

/** What a value reads: a fact, or a field of a query's entry. */
function subjectOf(e: IrExpr, scope: Scope, env: Bindings): { path: string; fact: IrFact; field?: string; type: IrType } | undefined {
  const x = resolved(e, env);
  if (x.k === "fact") return { path: x.fact.path, fact: x.fact, type: x.fact.type };
  if (x.k === "field" && x.of.k === "var") {
    const list = scope.entries.get(x.of.name);
    if (list) return { path: `${list.path}[].${x.field.name}`, fact: list, field: x.field.name, type: x.field.type };
  }
  if (x.k === "later_of" || x.k === "earlier_of") for (const a of x.args) {
    const s = subjectOf(a, scope, env);
    if (s) return s;
  }
  return undefined;
}

const flipped: Readonly<Record<string, string>> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!=" };

/** Every threshold of a policy, its overlays' included, each once, in the order they are written. */
export function thresholdsOf(policy: IrPolicy): Threshold[] {
  const found: Threshold[] = [];
  const seen = new Set<string>();
  const add = (t: Threshold) => {
    const key = `${t.owner}\u0000${t.kind}\u0000${t.subject}\u0000${t.op}\u0000${t.limit}`;
    if (seen.has(key)) return;
    seen.add(key);
    found.push(t);
  };
  const walking = new Set<IrExpr>();
  const walk = (e: IrExpr, scope: Scope, env: Bindings, owner: { name: string; file: string; line: number }): void => {
    if (e.k === "cmp") {
      const pairs: [IrExpr, IrExpr, string][] = [
        [e.a, resolved(e.b, env), e.op],
        [e.b, resolved(e.a, env), flipped[e.op]],
      ];
      for (const [side, literal, op] of pairs) {
        const text = literalText(literal);
        if (text === undefined) continue;
        const value = resolved(side, env);
        const at = { owner: owner.name, file: owner.file, line: owner.line, expr: { ...e, a: value, b: literal } as IrExpr };
        if (e.kind === "number" && value.k === "query" && value.op === "count") {
          const list = listFact(value.source, env);
          if (list) add({ ...at, kind: "count", subject: list.path, op, limit: text });
        } else if (e.kind === "number") {
          const s = subjectOf(value, scope, env);
          if (s) add({ ...at, kind: "number", subject: s.path, op, limit: text });
        } else if (e.kind === "duration" && value.k === "span") {
          const s = subjectOf(value.from, scope, env);
          const to = value.to ? subjectOf(value.to, scope, env) : undefined;
          if (s) add({ ...at, kind: "interval", subject: s.path, op, limit: text, ...(to ? { until: to.path } : {}) });
        } else if (e.kind === "duration") {
          const s = subjectOf(value, scope, env);
          if (s?.type.t === "duration") add({ ...at, kind: "duration", subject: s.path, op, limit: text });
        }
      }
    }
    if (e.k === "within") {
      const s = subjectOf(e.arg, scope, env);
      const window = resolved(e.window, env);
      const text = literalText(window);
      if (s && text) add({ owner: owner.name, file: owner.file, line: owner.line, expr: { ...e, window }, kind: "date window", subject: s.path, op: "within last", limit: text });
    }
    if (e.k === "call" && !walking.has(e.def.body)) {
      // A definition's thresholds are its own, or (for one with parameters) those its callers give it.
      const bound: Bindings = new Map(e.def.params.map((p, i) => [p.name, resolved(e.args[i], env)]));
      const by = e.def.params.length ? `${owner.name}, through definition ${e.def.name}` : `definition ${e.def.name}`;
      // A parameter given a query's entry (a record parameter) reads that list's fields.
      const entries = new Map<string, IrFact>();
      e.def.params.forEach((p, i) => {
        const arg = e.args[i];
        const list = arg?.k === "var" ? scope.entries.get(arg.name) : undefined;
        if (list) entries.set(p.name, list);
      });
      walking.add(e.def.body);
      walk(e.def.body, { entries }, bound, e.def.params.length ? { ...owner, name: by } : { name: by, file: e.def.module.file, line: e.def.line });
      walking.delete(e.def.body);
    }
    let inner = scope;
    if (e.k === "query") {
      const list = listFact(e.source, env);
      if (list) {
        const entries = new Map(scope.entries);
        entries.set(e.binder, list);
        if (e.merge) {
          entries.set(e.merge.a, list);
          entries.set(e.merge.b, list);
        }
        inner = { entries };
      }
    }
    for (const sub of subexpressions(e)) walk(sub, e.k === "query" && sub === e.source ? scope : inner, env, owner);
  };
  const empty: Scope = { entries: new Map() };
  const none: Bindings = new Map();
  for (const r of policy.requirements) {
    const owner = { name: `${r.role === "group" ? "list" : r.role} ${r.id}`, file: r.module.file, line: r.line };
    if (r.when) walk(r.when, empty, none, owner);
    if (r.test) walk(r.test, empty, none, owner);
  }
  for (const o of policy.overlays) o.applies.forEach((a, i) => walk(a.test, empty, none, { name: `overlay ${o.id} applies clause ${i + 1}`, file: o.file, line: 0 }));
  for (const { section } of sectionsOf(policy)) if (section.when) walk(section.when, empty, none, { name: `section "${section.title}"`, file: section.items[0]?.module.file ?? policy.file, line: section.items[0]?.line ?? 0 });
  for (const v of [...policy.services, ...policy.overlays.flatMap((o) => o.services)]) if (v.when) walk(v.when, empty, none, { name: `service ${v.id}`, file: policy.file, line: 0 });
  return found;
}

// ── Requests ─────────────────────────────────────────────────────────────────────────────────

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function getPath(input: JsonObject, path: string): unknown {
  let here: unknown = input;
  for (const part of path.split(".")) {
    if (here === null || typeof here !== "object" || Array.isArray(here) || !Object.hasOwn(here, part)) return undefined;
    here = (here as JsonObject)[part];
  }
  return here;
}

function setPath(input: JsonObject, path: string, value: unknown): void {
  const parts = path.split(".");
  let here = input;
  for (const part of parts.slice(0, -1)) {
    const next = Object.hasOwn(here, part) ? here[part] : undefined;
    if (next === null || typeof next !== "object" || Array.isArray(next)) here[part] = {};
    here = here[part] as JsonObject;
  }
  here[parts[parts.length - 1]] = value;
}

function deletePath(input: JsonObject, path: string): boolean {
  const parts = path.split(".");
  let here: unknown = input;
  for (const part of parts.slice(0, -1)) {
    if (here === null || typeof here !== "object" || Array.isArray(here) || !Object.hasOwn(here, part)) return false;
    here = (here as JsonObject)[part];
  }
  if (here === null || typeof here !== "object" || Array.isArray(here) || !Object.hasOwn(here, parts[parts.length - 1])) return false;
  delete (here as JsonObject)[parts[parts.length - 1]];
  return true;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 120)
    .replace(/-$/, "");
}

/** The criterion a threshold is written in, for file names (not the definitions it goes through). */
function ownerName(t: Threshold): string {
  return t.owner.split(",")[0];
}

function lengthOf(e: IrExpr): Length | undefined {
  return e.k === "dur" ? { amount: e.amount, unit: e.unit } : undefined;
}

/** The literal of a threshold's comparison (the side that is one). */
function literalOf(t: Threshold): IrExpr | undefined {
  const e = t.expr;
  if (e.k === "cmp") return literalText(e.b) !== undefined ? e.b : e.a;
  if (e.k === "within") return e.window;
  return undefined;
}

/** The entries of a list fact in the base request that a field probe changes, and how it says so. */
function entriesToChange(input: JsonObject, listPath: string, dateField: boolean): { entries: JsonObject[]; which: string } | undefined {
  const list = getPath(input, listPath);
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const objects = list.filter((x): x is JsonObject => x !== null && typeof x === "object" && !Array.isArray(x));
  if (!dateField) return { entries: objects, which: `every entry of ${listPath}` };
  const latest = [...objects].sort((a, b) => String(b.date ?? "").localeCompare(String(a.date ?? "")))[0];
  return latest ? { entries: [latest], which: `the latest entry of ${listPath}` } : undefined;
}

/** A threshold as pol writes it: `pain.average >= 6`, `time since therapy_start >= 6 weeks`. */
export function thresholdText(t: Threshold): string {
  const subject = t.kind === "interval" ? (t.until ? `time between ${t.subject} and ${t.until}` : `time since ${t.subject}`) : t.kind === "count" ? `count(${t.subject})` : t.subject;
  return `${subject} ${t.op} ${t.limit}`;
}

/** The probes of one threshold, from a base request; none when the base lacks what it needs. */
/** What the policy determines for a request, as one comparable text (a refused request: undefined). */
export type Judge = (input: JsonObject) => string | undefined;

/** An entry of a list from another case of the policy, its dates moved to the base case's date of service. */
export interface BorrowedEntry {
  readonly entry: JsonObject;
  /** The case file it comes from. */
  readonly from: string;
}

/**
 * The entries of one list (`prior_procedures`) across other cases, each with its dates moved by
 * the days between that case's date of service and the base case's: an entry a month before its
 * case's date of service stays a month before the base's.
 */
export function borrowEntries(cases: readonly { file: string; input: JsonObject }[], listPath: string, base: JsonObject): BorrowedEntry[] {
  const target = parseIsoDate(String(base.date_of_service ?? ""));
  const out: BorrowedEntry[] = [];
  const seen = new Set<string>();
  for (const c of cases) {
    const list = getPath(c.input, listPath);
    if (!Array.isArray(list)) continue;
    const own = parseIsoDate(String(c.input.date_of_service ?? ""));
    const shift = target === undefined || own === undefined ? 0 : target - own;
    for (const item of list) {
      if (item === null || typeof item !== "object" || Array.isArray(item)) continue;
      const entry = Object.fromEntries(
        Object.entries(item as JsonObject).map(([k, v]) => {
          const day = typeof v === "string" ? parseIsoDate(v) : undefined;
          return [k, day === undefined ? v : formatDay(day + shift)];
        }),
      );
      const key = JSON.stringify(entry);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ entry, from: c.file });
    }
  }
  return out;
}

/**
 * The probes of one threshold. `elsewhere` gives entries of a list from other cases of the policy:
 * a count whose list the base case leaves empty copies one of them.
 */
export function probesOf(t: Threshold, base: JsonObject, factType: (path: string) => IrType | undefined, judge?: Judge, elsewhere?: (listPath: string) => readonly BorrowedEntry[]): Probe[] {
  const literal = literalOf(t);
  if (!literal) return [];
  const where = `${t.owner} (${t.file}${t.line ? `:${t.line}` : ""})`;
  const dos = parseIsoDate(String(base.date_of_service ?? ""));
  const out: Probe[] = [];
  const [listPath, field] = t.subject.includes("[].") ? t.subject.split("[].") : [undefined, undefined];
  const set = (input: JsonObject, value: unknown): string | undefined => {
    if (listPath === undefined) {
      setPath(input, t.subject, value);
      return t.subject;
    }
    const change = entriesToChange(input, listPath, t.kind !== "number");
    if (!change) return undefined;
    for (const entry of change.entries) entry[field!] = value;
    return `${field} of ${change.which}`;
  };
  const make = (label: string, value: unknown, shown: string) => {
    const input = clone(base);
    const what = set(input, value);
    if (what === undefined) return;
    out.push({ name: slug(`${ownerName(t)}-${t.subject}-${label}`), probe: `${thresholdText(t)} in ${where}: ${label} (${what} = ${shown})`, input });
  };

  if (t.kind === "number" && literal.k === "num") {
    const type = listPath === undefined ? factType(t.subject) : undefined;
    const integer = type?.t === "number" ? type.integer : Number.isInteger(literal.v);
    const step = integer ? 1 : 0.1;
    const min = type?.t === "number" ? type.min ?? -Infinity : -Infinity;
    const max = type?.t === "number" ? type.max ?? Infinity : Infinity;
    const round = (x: number) => Math.round(x * 1000) / 1000;
    for (const [label, v] of [["just below", round(literal.v - step)], ["at", literal.v], ["just above", round(literal.v + step)]] as const) {
      if (v >= min && v <= max) make(label, v, String(v));
    }
  } else if ((t.kind === "interval" || t.kind === "date window") && dos !== undefined) {
    const length = lengthOf(literal);
    if (!length) return [];
    const untilDay = t.until === undefined ? dos : parseIsoDate(String(getPath(base, t.until) ?? ""));
    if (untilDay === undefined) return [];
    const anchor = t.until === undefined ? "the date of service" : t.until;
    const on = addLength(untilDay, length, -1);
    for (const [label, day] of [[`${t.limit} and a day`, on - 1], [t.limit, on], [`${t.limit} less a day`, on + 1]] as const) make(`${label} before ${anchor}`, formatDay(day), formatDay(day));
  } else if (t.kind === "duration" && dos !== undefined) {
    const length = lengthOf(literal);
    if (!length) return [];
    const days = dos - addLength(dos, length, -1);
    make("a day short", { amount: days - 1, unit: "days" }, `${days - 1} days`);
    make("at", { amount: length.amount, unit: length.unit }, `${length.amount} ${length.unit}`);
    make("a day over", { amount: days + 1, unit: "days" }, `${days + 1} days`);
  } else if (t.kind === "count" && literal.k === "num") {
    out.push(...countProbes(t, literal.v, base, where, judge, elsewhere));
  }
  return out;
}

/**
 * A count's probes: one under, at and one over its limit, as copies (a day apart) of an entry of
 * the base request's list. The entry is one whose copies make the determination change across the
 * limit (so that the count, filter and all, does reach the limit there), as the policy itself
 * decides (`judge`: what the policy determines for a request); failing any, the latest entry, and
 * the probe says the count may not reach the limit.
 */
function countProbes(t: Threshold, limit: number, base: JsonObject, where: string, judge: Judge | undefined, elsewhere: ((listPath: string) => readonly BorrowedEntry[]) | undefined): Probe[] {
  const list = getPath(base, t.subject);
  const entries = (Array.isArray(list) ? list : []).filter((x): x is JsonObject => x !== null && typeof x === "object" && !Array.isArray(x)).sort((a, b) => String(b.date ?? "").localeCompare(String(a.date ?? "")));
  const seen = new Set<string>();
  const own = entries.filter((e) => {
    const key = JSON.stringify(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // A list the base case leaves empty borrows the entries other cases give it.
  const borrowed = own.length === 0 && elsewhere ? elsewhere(t.subject) : [];
  const models = own.length > 0 ? own : borrowed.map((b) => b.entry);
  const origin = new Map(borrowed.map((b) => [b.entry, b.from]));
  if (models.length === 0) return [];
  const levels = ([["one under the limit", limit - 1], ["at the limit", limit], ["one over the limit", limit + 1]] as const).filter(([, n]) => n >= 0);
  const build = (model: JsonObject) =>
    levels.map(([label, n]) => {
      const input = clone(base);
      const start = parseIsoDate(String(model.date ?? ""));
      const copies: JsonObject[] = [];
      for (let i = 0; i < n; i++) copies.push(start === undefined ? clone(model) : { ...clone(model), date: formatDay(start - i) });
      setPath(input, t.subject, copies);
      return { label, n, input };
    });
  const which = (model: JsonObject) => {
    const dated = typeof model.date === "string" ? `the entry dated ${model.date}` : "its entry";
    const from = origin.get(model);
    return from === undefined ? dated : `${dated} (from ${from}, its dates moved to this date of service)`;
  };
  let chosen: { model: JsonObject; exact: boolean } = { model: models[0], exact: false };
  if (judge) {
    for (const model of models) {
      const decided = build(model).map((x) => judge(x.input));
      if (decided.some((d) => d !== decided[0])) {
        chosen = { model, exact: true };
        break;
      }
    }
  }
  const note = !judge ? "" : chosen.exact ? "; the determination changes across the limit" : `; no entry ${origin.size > 0 ? "of the other cases" : "of the base case"} changes the determination across the limit, so the count may not reach it`;
  return build(chosen.model).map(({ label, n, input }) => ({
    name: slug(`${ownerName(t)}-${t.subject}-count-${label}`),
    probe: `${thresholdText(t)} in ${where}: ${label} (${n} ${n === 1 ? "copy" : "copies"} of ${which(chosen.model)} of ${t.subject}${n > 1 ? ", a day apart" : ""}${note})`,
    input,
  }));
}

/** A probe per fact of the policy that the base request documents: the same request without it. */
export function unknownProbes(policy: IrPolicy, base: JsonObject): Probe[] {
  const out: Probe[] = [];
  for (const f of policy.facts) {
    const input = clone(base);
    if (!deletePath(input, f.path)) continue;
    out.push({ name: slug(`unknown-${f.path}`), probe: `${f.path} undocumented (unknown): ${f.description}`, input });
  }
  return out;
}
