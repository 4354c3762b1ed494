/**
 * The words of the language that the compiler and the runtime share, each declared once: the
 * compiler reads them to check a policy, the runtime to evaluate one.
 */

export const durationUnits = ["minutes", "hours", "days", "weeks", "months", "years"] as const;
export type DurationUnit = (typeof durationUnits)[number];

/** A request may also write a unit in the singular ("1 year"), as a policy may. */
const singularDurationUnits: ReadonlyMap<string, DurationUnit> = new Map(durationUnits.map((u) => [u.slice(0, -1), u]));

/** Every spelling of a unit that a request may give: the plural, then the singular. */
export const durationUnitSpellings: readonly string[] = [...durationUnits, ...singularDurationUnits.keys()];

/** The unit a request's spelling names ("year" and "years" name one unit), or undefined. */
export function durationUnitNamed(spelling: string): DurationUnit | undefined {
  return (durationUnits as readonly string[]).includes(spelling) ? (spelling as DurationUnit) : singularDurationUnits.get(spelling);
}

export const queryOps = ["count", "exists", "every", "select", "latest", "earliest", "union"] as const;
export type QueryOp = (typeof queryOps)[number];

export const sectionKinds = ["indications", "requirements", "exclusions", "contraindications", "notes", "not-covered", "advisories"] as const;
export type SectionKind = (typeof sectionKinds)[number];

/** Sections whose items apply to a request (and then exclude or deny it) rather than hold for it. */
export const triggeringSections: ReadonlySet<SectionKind> = new Set(["exclusions", "contraindications", "not-covered", "advisories"]);

export type ComparisonOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** How a bullet list combines its bullets. */
export type Quantifier = "all" | "any" | "none" | "atLeast" | "atMost";

/** What a requirement is in the policy: a named criterion, a pathway, a checked note, or an unnamed list. */
export type RequirementRole = "criterion" | "pathway" | "note" | "group";
