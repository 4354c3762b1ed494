/**
 * The words of the language that the compiler and the runtime share, each declared once: the
 * compiler reads them to check a policy, the runtime to evaluate one.
 */

export const durationUnits = ["minutes", "hours", "days", "weeks", "months", "years"] as const;
export type DurationUnit = (typeof durationUnits)[number];

export const queryOps = ["count", "exists", "every", "select", "latest", "earliest"] as const;
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
