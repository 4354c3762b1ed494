/**
 * The criteria, pathways, checked notes and bullet lists of a policy, as generated modules declare
 * them: each with the guideline's wording and reference numbers, where it is written in the
 * `.pol` source, and the compiled function that decides it (or the bullets it combines).
 */
import type { Quantifier, RequirementRole } from "./vocabulary.js";
import type { Context } from "./context.js";
import type { Reading } from "./determination.js";
import type { Tri } from "./tri.js";
import { allocateSlot } from "./slots.js";

export interface BulletList {
  readonly quantifier: Quantifier;
  /** For at least / at most. */
  readonly n: number;
  readonly items: readonly Requirement[];
}

export interface Requirement {
  /** Where an evaluation keeps whether it is met (see Context). */
  readonly slot: number;
  readonly id: string;
  readonly role: RequirementRole;
  /** The guideline's own words. */
  readonly wording: string;
  /** The guideline's reference numbers, as printed ("2-5"), or "". */
  readonly refs: string;
  /** The `.pol` file and line it is written at. */
  readonly source: string;
  readonly line: number;
  /** When it applies; without it, always. */
  readonly when?: (c: Context) => Tri;
  /** A criterion's rule. */
  readonly test?: (c: Context) => Tri;
  /** A pathway's or list's bullets. */
  readonly list?: BulletList;
  /** The readings its trace entry quotes (see TraceEntry). */
  readonly readings: readonly Reading[];
}

export interface RequirementSpec {
  readonly id: string;
  readonly wording: string;
  readonly refs?: string;
  readonly source: string;
  readonly line: number;
  readonly when?: (c: Context) => Tri;
  readonly readings?: readonly Reading[];
}

const noReadings: readonly Reading[] = Object.freeze([]);

function requirement(role: RequirementRole, spec: RequirementSpec, rule: { test?: (c: Context) => Tri; list?: BulletList }): Requirement {
  // Every requirement has the same properties, so the code that evaluates them sees one shape.
  return Object.freeze({ slot: allocateSlot(), id: spec.id, role, wording: spec.wording, refs: spec.refs ?? "", source: spec.source, line: spec.line, when: spec.when, test: rule.test, list: rule.list, readings: spec.readings ?? noReadings });
}

/** A criterion: the guideline's wording and the rule that checks it, or the bullets it lists. */
export function criterion(spec: RequirementSpec & ({ readonly test: (c: Context) => Tri } | { readonly list: BulletList })): Requirement {
  return requirement("criterion", spec, "test" in spec ? { test: spec.test } : { list: spec.list });
}

/** A checked note: text of the guideline that is also a rule. */
export function note(spec: RequirementSpec & { readonly test: (c: Context) => Tri }): Requirement {
  return requirement("note", spec, { test: spec.test });
}

/** An indication pathway: one way a request meets the guideline. */
export function pathway(spec: RequirementSpec & ({ readonly test: (c: Context) => Tri } | { readonly list: BulletList })): Requirement {
  return requirement("pathway", spec, "test" in spec ? { test: spec.test } : { list: spec.list });
}

/** A bullet list written without a name of its own. */
export function group(spec: RequirementSpec & { readonly list: BulletList }): Requirement {
  return requirement("group", spec, { list: spec.list });
}

export function allOf(items: readonly Requirement[]): BulletList {
  return { quantifier: "all", n: 0, items };
}
export function anyOf(items: readonly Requirement[]): BulletList {
  return { quantifier: "any", n: 0, items };
}
export function noneOf(items: readonly Requirement[]): BulletList {
  return { quantifier: "none", n: 0, items };
}
export function atLeast(n: number, items: readonly Requirement[]): BulletList {
  return { quantifier: "atLeast", n, items };
}
export function atMost(n: number, items: readonly Requirement[]): BulletList {
  return { quantifier: "atMost", n, items };
}
