/**
 * Three-valued logic. `Unknown` remembers which undocumented facts it came from, so that a
 * needs-info determination can list exactly the facts that would decide it.
 */

export class Unknown {
  constructor(readonly missing: ReadonlySet<string>) {}
}

export type Tri = boolean | Unknown;

export function unknownOf(parts: readonly Unknown[]): Unknown {
  if (parts.length === 1) return parts[0];
  const missing = new Set<string>();
  for (const part of parts) for (const fact of part.missing) missing.add(fact);
  return new Unknown(missing);
}

/** False wins over unknown; unknown wins over true. */
export function and(values: readonly Tri[]): Tri {
  const unknowns: Unknown[] = [];
  for (const v of values) {
    if (v === false) return false;
    if (v instanceof Unknown) unknowns.push(v);
  }
  return unknowns.length ? unknownOf(unknowns) : true;
}

/** True wins over unknown; unknown wins over false. */
export function or(values: readonly Tri[]): Tri {
  const unknowns: Unknown[] = [];
  for (const v of values) {
    if (v === true) return true;
    if (v instanceof Unknown) unknowns.push(v);
  }
  return unknowns.length ? unknownOf(unknowns) : false;
}

export function not(value: Tri): Tri {
  return value instanceof Unknown ? value : !value;
}

export function truthText(value: Tri): "true" | "false" | "unknown" {
  return value instanceof Unknown ? "unknown" : value ? "true" : "false";
}
