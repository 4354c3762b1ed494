/**
 * The runtime: what generated policy modules import (as `k`), and what a service calls. It never
 * imports the compiler.
 */
export type { Determination, Outcome, TruthValue, CriterionRef, PathwayResult, MissingFact, OverlayResult, TraceEntry, FactValue, EvaluateOptions, JsonValue } from "./determination.js";
export type { DurationUnit, QueryOp, SectionKind, Quantifier, RequirementRole } from "./vocabulary.js";
export type { Length } from "./dates.js";

// What a service calls.
export { evaluate } from "./determine.js";
export { validateInput, InputError, FastReader, type InputProblem, type Row, type RequestObject } from "./validate.js";
export type { Policy, PolicyMetadata, Section, Overlay, AppliesClause, PlacedRequirement } from "./policy.js";
export type { Requirement, BulletList } from "./requirements.js";
export type { FactDescriptor, FieldDescriptor, RecordType, EnumType, ValueType } from "./schema.js";

// What generated modules declare themselves with.
export { policy, section, overlay } from "./policy.js";
export { criterion, pathway, note, group, allOf, anyOf, noneOf, atLeast, atMost } from "./requirements.js";
export { fact, field, record, enumeration, listOf, boolean, number, integer, date, duration, text } from "./schema.js";
export { define, defineOver } from "./definitions.js";
export { Context } from "./context.js";

// What compiled criteria compute with.
export { and, or, not, Unknown, type Tri } from "./tri.js";
export { truth, compare, compareDurations, compareEqual, arithmetic, shiftDate, withinLast, timeBetween, isIn, isKnown, day, length, choices, laterOf, earlierOf, NONE, type Value } from "./values.js";
export { count, exists, every, select, latest, earliest, countPairedAsOne, recentRun } from "./queries.js";

/** A duration fact as the input carries it. */
export interface Duration {
  readonly amount: number;
  readonly unit: "days" | "weeks" | "months" | "years";
}

/** A calendar date in ISO form, 2024-03-15. */
export type IsoDate = string;
