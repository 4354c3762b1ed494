/**
 * A rule of the intermediate form as text that two compiles of a library can compare: the
 * declarations it points at by name (a fact by its path, a definition by its name), literals
 * as written. With the literals taken out, the rule's shape: two rules of one shape that differ
 * only in literals differ in thresholds.
 */
import type { IrExpr, IrType } from "../ir.js";

type Node = Readonly<Record<string, unknown>>;

/** How a literal reads in a policy: `6`, `3 months`, `2024-01-01`, `true`. */
export function literalText(e: IrExpr): string | undefined {
  switch (e.k) {
    case "num":
      return String(e.v);
    case "dur":
      return `${e.amount} ${e.unit}`;
    case "date":
      return e.v;
    case "text":
      return JSON.stringify(e.v);
    default:
      return undefined;
  }
}

/** Whether an expression is a threshold: a number, a duration or a date. */
export function isThreshold(e: IrExpr): boolean {
  return e.k === "num" || e.k === "dur" || e.k === "date";
}

function text(value: unknown, withLiterals: boolean, literals: string[]): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "undefined";
  if (Array.isArray(value)) return `[${value.map((v) => text(v, withLiterals, literals)).join(",")}]`;
  const node = value as Node;
  const e = node as unknown as IrExpr;
  if (typeof node.k === "string") {
    if (isThreshold(e)) {
      literals.push(literalText(e)!);
      if (!withLiterals) return "#";
    }
    switch (e.k) {
      case "fact":
        return `fact(${e.fact.path})`;
      case "field":
        return `field(${text(e.of, withLiterals, literals)}.${e.field.name})`;
      case "call":
        return `call(${e.def.name},${text(e.args, withLiterals, literals)})`;
      case "crit":
        return `crit(${e.req.id})`;
      case "meets":
        return `meets(${e.name})`;
    }
  }
  return `{${Object.keys(node)
    .sort()
    .map((k) => `${k}:${text(node[k], withLiterals, literals)}`)
    .join(",")}}`;
}

/** A rule as comparable text, its shape without literals, and its literals in order. */
export function canonical(e: IrExpr | undefined): { text: string; shape: string; literals: string[] } {
  if (!e) return { text: "", shape: "", literals: [] };
  const literals: string[] = [];
  const full = text(e, true, []);
  const shape = text(e, false, literals);
  return { text: full, shape, literals };
}

/** A type as the input type has it, for the facts' part of a diff. */
export function typeText(type: IrType): string {
  switch (type.t) {
    case "number":
      return `${type.integer ? "integer" : "number"}${type.min !== undefined || type.max !== undefined ? ` ${type.min ?? ""} to ${type.max ?? ""}` : ""}`;
    case "enum":
      return `${type.enum.name} {${type.enum.values.map((v) => v.name).join(", ")}}`;
    case "list":
      return `list of ${type.record.name} {${type.record.fields.map((f) => `${f.name}: ${typeText(f.type)}`).join(", ")}}`;
    default:
      return type.t;
  }
}
