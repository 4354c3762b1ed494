/**
 * The runtime: what generated policy modules import (as `k`), and what a service calls. It never
 * imports the compiler.
 */
export type { Determination, Decision, DecisionOptions, Outcome, TruthValue, CriterionRef, PathwayResult, MissingFact, OverlayResult, TraceEntry, FactValue, EvaluateOptions, JsonValue, Referred, ServiceLineResult, PolicyRef, Assumption, Reading } from "./determination.js";
export { recordReview, type ReviewDecision, type ReviewInput, type ReviewVerdict } from "./review.js";
export type { DurationUnit, QueryOp, SectionKind, Quantifier, RequirementRole } from "./vocabulary.js";
import type { DurationUnit } from "./vocabulary.js";
export type { Length } from "./dates.js";

// What a service calls.
export { evaluate, decision, meets } from "./determine.js";
export { StateError, stateCode } from "./states.js";
export { versionInForce, versionsOf } from "./versions.js";
export { validateInput, InputError, FastReader, type InputProblem, type Row, type RequestObject } from "./validate.js";
export type { Policy, PolicyMetadata, Section, Overlay, AppliesClause, PlacedRequirement } from "./policy.js";
export type { Requirement, BulletList } from "./requirements.js";
export type { FactDescriptor, FieldDescriptor, RecordType, EnumType, ValueType } from "./schema.js";

// What generated modules declare themselves with.
export { policy, section, overlay, service } from "./policy.js";
export { criterion, pathway, note, group, allOf, anyOf, noneOf, atLeast, atMost } from "./requirements.js";
export { fact, factAs, field, record, extendRecord, enumeration, listOf, boolean, number, integer, date, duration, text, spinalLevels } from "./schema.js";
export { define, defineOver, type DefinitionSite } from "./definitions.js";
export { Context, type EvaluationObserver } from "./context.js";

// What compiled criteria compute with.
export { and, or, not, Unknown, referral, type Tri } from "./tri.js";
export { truth, compare, compareDurations, compareEqual, arithmetic, scaleLength, percentChange, percentReduction, shiftDate, withinLast, timeBetween, isIn, isKnown, isAbsent, choose, refer, day, length, choices, laterOf, earlierOf, NONE, type Value } from "./values.js";
export { count, countBy, exists, every, select, latest, earliest, union, countPairedAsOne, recentRun, datedQuestion, existsDated, countDated, questionSlot, type DatedQuestion } from "./queries.js";
export { levels, sameLevel, adjacentLevel, levelsWithin, levelsApart, countLevels, levelRange, levelUnion, levelsText, parseLevels } from "./levels.js";

/** A duration fact as the input carries it. */
export interface Duration {
  readonly amount: number;
  /** A JSON request may also write a unit in the singular ("1 year"). */
  readonly unit: DurationUnit;
}

/** Spinal levels as a chart writes them: `"L4-5"`, `"L4-L5, L5-S1"` or `["L4-5", "L5-S1"]`. */
export type SpinalLevels = string | readonly string[];

/** A calendar date in ISO form, 2024-03-15; a fact or field (not the date of service) may be a month, 2024-03, or a year, 2024, where the chart gives no day. */
export type IsoDate = string;
