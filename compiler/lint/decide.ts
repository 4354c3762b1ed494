/**
 * What lint can decide about a condition without a request: its value when it does not depend on
 * the request, or depends on it only within the range the facts' types allow. Every operation is
 * the runtime's own (runtime/values.ts, runtime/tri.ts), applied to literals and to sample values
 * of a ranged fact; what cannot be decided is an unknown.
 */
import type { IrExpr, IrType } from "../ir.js";
import { and2, not, or2, Unknown, type Tri } from "../../runtime/tri.js";
import { compare, isIn, missingFact } from "../../runtime/values.js";
import type { ComparisonOp } from "../../runtime/vocabulary.js";

/** Stands for a value lint cannot know. */
const undecided: Unknown = missingFact("(request)");

/** The fact or field a value comes from, with its type, when it is one. */
function readOf(e: IrExpr): { name: string; type: IrType } | undefined {
  if (e.k === "fact") return { name: e.fact.path, type: e.fact.type };
  if (e.k === "field") return { name: e.field.name, type: e.field.type };
  return undefined;
}

/** The values a ranged number may take that decide a comparison with `c`: its ends, and around `c`. */
function samples(type: IrType, c: number): number[] | undefined {
  if (type.t !== "number" || type.min === undefined || type.max === undefined) return undefined;
  const step = type.integer ? 1 : Math.max(Math.abs(c), 1) * 1e-9;
  const points = [type.min, type.max, c, c - step, c + step];
  return points.filter((x) => x >= type.min! && x <= type.max! && (!type.integer || Number.isInteger(x)));
}

/**
 * A comparison's value for every documented value of its fact, when that is one value; the
 * literal it compares with must be a number.
 */
function rangedComparison(op: ComparisonOp, a: IrExpr, b: IrExpr): boolean | undefined {
  const left = readOf(a);
  const right = readOf(b);
  if (left && b.k === "num") return constantOver(samples(left.type, b.v), (x) => compare(op, x, b.v));
  if (right && a.k === "num") return constantOver(samples(right.type, a.v), (x) => compare(op, a.v, x));
  return undefined;
}

function constantOver(points: number[] | undefined, f: (x: number) => Tri): boolean | undefined {
  if (!points?.length) return undefined;
  const values = points.map(f);
  return values.every((v) => v === true) ? true : values.every((v) => v === false) ? false : undefined;
}

/** The value of a condition that does not depend on the request; an unknown when it does. */
export function decide(e: IrExpr): Tri {
  switch (e.k) {
    case "bool":
      return e.v;
    case "and":
      return e.args.reduce<Tri>((acc, x) => and2(acc, decide(x)), true);
    case "or":
      return e.args.reduce<Tri>((acc, x) => or2(acc, decide(x)), false);
    case "not":
      return not(decide(e.arg));
    case "cmp": {
      if (e.kind !== "number") return undecided;
      if (e.a.k === "num" && e.b.k === "num") return compare(e.op, e.a.v, e.b.v);
      const ranged = rangedComparison(e.op, e.a, e.b);
      return ranged ?? undecided;
    }
    case "in": {
      const read = readOf(e.arg);
      if (read?.type.t !== "enum") return undecided;
      const chosen = new Set(e.values);
      const results = read.type.enum.values.map((v) => isIn(v.name, chosen, e.negated));
      return results.every((r) => r === true) ? true : results.every((r) => r === false) ? false : undecided;
    }
    default:
      return undecided;
  }
}

/** Whether a condition decides to a value whatever the request says, and which fact's range it rests on. */
export function decided(e: IrExpr): boolean | undefined {
  const v = decide(e);
  return v === true || v === false ? v : undefined;
}

/** Every comparison or `in` under a condition that is always true or false whenever its fact is documented. */
export function constantParts(e: IrExpr, visit: (part: IrExpr, value: boolean) => void): void {
  if (e.k === "cmp" || e.k === "in") {
    const reads = e.k === "cmp" ? readOf(e.a) ?? readOf(e.b) : readOf(e.arg);
    const v = decided(e);
    if (reads && v !== undefined) visit(e, v);
    return;
  }
  if (e.k === "and" || e.k === "or") for (const x of e.args) constantParts(x, visit);
  if (e.k === "not") constantParts(e.arg, visit);
}

/** A comparison or `in` as pol writes it, for messages. */
export function describe(e: IrExpr): string {
  switch (e.k) {
    case "fact":
      return e.fact.path;
    case "field":
      return `${describe(e.of)}.${e.field.name}`;
    case "var":
      return e.name;
    case "num":
      return String(e.v);
    case "bool":
      return String(e.v);
    case "cmp":
      return `${describe(e.a)} ${e.op} ${describe(e.b)}`;
    case "in":
      return `${describe(e.arg)} ${e.negated ? "not in" : "in"} {${e.values.join(", ")}}`;
    default:
      return "…";
  }
}

/** The range a fact's type allows, for messages. */
export function rangeOf(e: IrExpr): string {
  const read = e.k === "cmp" ? readOf(e.a) ?? readOf(e.b) : e.k === "in" ? readOf(e.arg) : undefined;
  if (!read) return "";
  if (read.type.t === "number") return `${read.name} is ${read.type.min} to ${read.type.max}`;
  if (read.type.t === "enum") return `${read.name} is one of ${read.type.enum.values.map((v) => v.name).join(", ")}`;
  return "";
}
