/**
 * A clinician's decision on a determination. A `does-not-meet` is a recommendation for clinical
 * review, never a denial (only a clinician may deny); the reviewer's decision is recorded beside
 * the determination, naming exactly what was reviewed (policy, version, sources digest, the
 * outcome recommended), who decided, when, whether they agreed or overrode it, and why.
 */
import type { Determination, Outcome } from "./determination.js";
import { InputError, type InputProblem } from "./validate.js";

export type ReviewVerdict = "agree" | "override";

export interface ReviewDecision {
  /** What was reviewed: the determination's policy and the outcome it recommended. */
  readonly reviewed: {
    readonly policy: string;
    readonly version: string;
    /** The digest of the policy's sources the determination came from ("" when it carries none). */
    readonly digest: string;
    readonly outcome: Outcome;
  };
  readonly reviewer: {
    /** The reviewer's identifier in the service (an NPI, a staff id). */
    readonly id: string;
    readonly name?: string;
    /** MD, DO, RN… */
    readonly credentials?: string;
  };
  /** When the decision was made: an ISO 8601 date and time with its offset, 2024-06-15T14:03:00Z. */
  readonly decidedAt: string;
  readonly decision: ReviewVerdict;
  /** The outcome decided: the recommended one when agreeing, another when overriding. */
  readonly outcome: Outcome;
  /** Why, in the reviewer's words. */
  readonly rationale: string;
}

/** What a reviewer gives; the rest comes from the determination. */
export interface ReviewInput {
  readonly reviewer: ReviewDecision["reviewer"];
  readonly decidedAt: string;
  readonly decision: ReviewVerdict;
  /** Required when overriding; when agreeing, the recommended outcome (or left out). */
  readonly outcome?: Outcome;
  readonly rationale: string;
}

export const outcomes: readonly Outcome[] = ["meets", "does-not-meet", "excluded", "not-covered", "needs-info", "refer-for-review"];

const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The review of a determination, checked: throws InputError naming each field that is wrong. */
export function recordReview(determination: Determination, input: ReviewInput): ReviewDecision {
  const problems: InputProblem[] = [];
  const recommended = determination.outcome;
  if (typeof input.reviewer?.id !== "string" || input.reviewer.id.trim() === "") problems.push({ path: "reviewer.id", message: "is required: who decided (an NPI or staff id)" });
  if (typeof input.decidedAt !== "string" || !dateTime.test(input.decidedAt) || Number.isNaN(Date.parse(input.decidedAt))) {
    problems.push({ path: "decidedAt", message: `expected an ISO 8601 date and time with its offset like 2024-06-15T14:03:00Z, got ${JSON.stringify(input.decidedAt)}` });
  }
  if (input.decision !== "agree" && input.decision !== "override") problems.push({ path: "decision", message: `expected agree or override, got ${JSON.stringify(input.decision)}` });
  if (typeof input.rationale !== "string" || input.rationale.trim() === "") problems.push({ path: "rationale", message: "is required: why, in the reviewer's words" });
  let outcome: Outcome = recommended;
  if (input.outcome !== undefined && !outcomes.includes(input.outcome)) problems.push({ path: "outcome", message: `expected one of ${outcomes.join(", ")}, got ${JSON.stringify(input.outcome)}` });
  else if (input.decision === "agree" && input.outcome !== undefined && input.outcome !== recommended) problems.push({ path: "outcome", message: `agreeing keeps the recommended outcome ${recommended}, not ${input.outcome}: override instead` });
  else if (input.decision === "override") {
    if (input.outcome === undefined) problems.push({ path: "outcome", message: `is required when overriding: the outcome decided instead of ${recommended}` });
    else if (input.outcome === recommended) problems.push({ path: "outcome", message: `overriding needs an outcome other than the recommended ${recommended}: agree instead` });
    else outcome = input.outcome;
  }
  if (problems.length > 0) throw new InputError(problems);
  const reviewer = { id: input.reviewer.id, ...(input.reviewer.name ? { name: input.reviewer.name } : {}), ...(input.reviewer.credentials ? { credentials: input.reviewer.credentials } : {}) };
  const { id, version } = determination.policy;
  const { digest } = determination.policy;
  return { reviewed: { policy: id, version, digest, outcome: recommended }, reviewer, decidedAt: input.decidedAt, decision: input.decision, outcome, rationale: input.rationale };
}

/**
 * A determination given back for review (as `polc eval --json` or the service printed it), checked
 * for what a review names: its outcome and its policy's id and version. One of an earlier release
 * carries no digest: the review says so with "". Throws InputError at `path`.
 */
export function reviewedDetermination(value: unknown, path: string): Determination {
  const d = value as Partial<Determination> | null;
  if (d === null || typeof d !== "object" || Array.isArray(d) || typeof d.outcome !== "string" || !outcomes.includes(d.outcome) || typeof d.policy?.id !== "string" || typeof d.policy.version !== "string") {
    throw new InputError([{ path, message: 'expected a determination as polc eval --json prints it (with "outcome" and "policy": {"id", "version", …})' }]);
  }
  const digest = typeof d.policy.digest === "string" ? d.policy.digest : "";
  const defaults = { title: "", compiler: "", effective: null };
  return { ...d, policy: Object.assign(defaults, d.policy, { digest }) } as Determination;
}
