/** Whether two conditions of the intermediate form are the same rule, written alike. */
import type { IrExpr } from "../ir.js";

type Node = Readonly<Record<string, unknown>>;

/** Keys that point at declarations, compared by identity rather than by content. */
const declarationKeys = new Set(["fact", "field", "def", "req", "enum", "record"]);

export function sameExpr(a: IrExpr, b: IrExpr): boolean {
  return same(a as unknown as Node, b as unknown as Node);
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object" || Array.isArray(a) || Array.isArray(b)) return false;
  const x = a as Node;
  const y = b as Node;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(y, key)) return false;
    if (declarationKeys.has(key) ? x[key] !== y[key] : !same(x[key], y[key])) return false;
  }
  return true;
}
