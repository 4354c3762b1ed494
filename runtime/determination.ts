/**
 * What `evaluate` returns: the outcome and everything a reviewer or a letter needs to explain it.
 */

export type Outcome = "meets" | "does-not-meet" | "excluded" | "not-covered" | "needs-info" | "refer-for-review";

/** Three-valued results as they appear in a determination. */
export type TruthValue = "true" | "false" | "unknown";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface CriterionRef {
  /** The criterion's id in the policy. */
  readonly id: string;
  /** The guideline's own wording. */
  readonly wording: string;
  /** The guideline's reference numbers, as printed ("2-5"), or "". */
  readonly refs: string;
  /** The title of the section the criterion stands in. */
  readonly section: string;
}

export interface PathwayResult extends CriterionRef {
  /** Whether it is met; `not-applicable` when its `when` does not hold (then it is never the way a request meets). */
  readonly result: TruthValue | "not-applicable";
  /** The criteria of this pathway that are not met. */
  readonly unmet: readonly CriterionRef[];
}

export interface MissingFact {
  /** Where the fact lives in the input, e.g. `pain.average` or `prior_procedures[2].relief_percent`. */
  readonly fact: string;
  /** What a reviewer should look for in the chart. */
  readonly description: string;
}

/** One service line of a request and what it comes to. */
export interface ServiceLineResult {
  readonly id: string;
  readonly wording: string;
  readonly refs: string;
  /** Whether the request asks for it (unknown when that is undocumented). */
  readonly requested: TruthValue;
  readonly outcome: Outcome;
  readonly unmet: readonly CriterionRef[];
  readonly missing: readonly MissingFact[];
  /** Undocumented facts the line's open parts read that `missing` does not need to decide it. */
  readonly alsoUndocumented: readonly MissingFact[];
  readonly referrals: readonly Referred[];
  readonly reasons: readonly string[];
}

/** A clause of the guideline that leaves the decision to a clinician, as the determination quotes it. */
export interface Referred {
  readonly clause: string;
  /** The guideline's reference numbers, as printed, or "". */
  readonly refs: string;
}

export interface OverlayResult {
  readonly id: string;
  readonly title: string;
  readonly state: string;
  readonly applies: TruthValue;
  /**
   * Why it applies or not, in a sentence: the member's state is not its state, every applies
   * clause holds, or the clause that does not hold (or is undocumented), in the overlay's words.
   */
  readonly reason: string;
}

/** A fact charted only when present that the request leaves out, taken as absent where it decided something. */
export interface Assumption {
  /** Where the fact lives in the input, e.g. `findings.active_infection`. */
  readonly fact: string;
  /** The guideline's finding, as the fact describes it. */
  readonly description: string;
  /** The value it was read as: `false`, or `[]` for a list. */
  readonly value: JsonValue;
  /** The sentence a reviewer or a letter states: "Not documented, so taken as absent: …". */
  readonly statement: string;
}

/** A fact (or a field of an entry) a criterion read, and the value it saw. */
export interface FactValue {
  /** Where it is in the request, e.g. `pain.average` or `prior_procedures[2].date`. */
  readonly fact: string;
  /** As the request gives it (a list as how many entries it has); null when undocumented. */
  readonly value: JsonValue;
  /** Present (true) when the request leaves the fact out and it was taken as absent: `value` is then the absent value. */
  readonly assumed?: true;
}

/** How the policy's author read ambiguous guideline text (`reading "…"` in the policy). */
export interface Reading {
  /** The reading, in the author's words. */
  readonly text: string;
  /** What it explains: the criterion's id, or a definition, fact (`pain.duration`) or group its rule reads. */
  readonly of: string;
}

export interface TraceEntry extends CriterionRef {
  readonly result: TruthValue | "not-applicable";
  /**
   * The readings that shape this result: the criterion's own, then those of the definitions and
   * facts its rule reads. Empty when the guideline's text needed no reading.
   */
  readonly readings: readonly Reading[];
  /**
   * The facts the criterion read, each once, in the order first read; those of the criteria and
   * definitions it uses included. Entries share these: one fact read by several criteria is one
   * object.
   */
  readonly values: readonly FactValue[];
}

export interface PolicyRef {
  readonly id: string;
  readonly title: string;
  readonly version: string;
  /** SHA-256 over the policy's sources, `sha256:…` ("" for a module built without one). */
  readonly digest: string;
  /** The version of the compiler that built the module ("" when not recorded). */
  readonly compiler: string;
  readonly effective: { readonly from: string; readonly to: string } | null;
}

export interface Determination {
  readonly outcome: Outcome;
  /**
   * Which policy decided, exactly: its id and version, the digest of its sources and the version
   * of the compiler that built it (both recorded at build time), and its effective period.
   */
  readonly policy: PolicyRef;
  /**
   * "clinical-review" for a does-not-meet: a recommendation for a clinician, never a denial (only
   * a clinician may deny; record the decision with runtime/review.ts). null otherwise.
   */
  readonly recommendation: "clinical-review" | null;
  readonly state: string | null;
  /** The indication pathway that is met, if any. */
  readonly pathway: string | null;
  readonly pathways: readonly PathwayResult[];
  /** The criteria not met, or the exclusion, contraindication or non-covered service that applies. */
  readonly unmet: readonly CriterionRef[];
  /**
   * For needs-info: the fewest undocumented facts that decide the request whatever values they
   * turn out to have (none can be dropped), the fact that bears on the most undecided criteria
   * first. Documenting these and nothing else gives another outcome than needs-info.
   */
  readonly missing: readonly MissingFact[];
  /**
   * The findings charted only when present that the request leaves out and that were taken as
   * absent where that decided something (a contraindication that would otherwise be open), each
   * stated in the guideline's words. Empty when nothing was assumed or nothing assumed mattered.
   */
  readonly assumptions: readonly Assumption[];
  /** For needs-info: the other undocumented facts the open criteria read, not needed to decide. */
  readonly alsoUndocumented: readonly MissingFact[];
  /** For refer-for-review: the guideline's clauses that leave the decision to a clinician. */
  readonly referrals: readonly Referred[];
  /** Advisory items that apply: flagged for the reviewer, never changing the outcome. */
  readonly advisories: readonly CriterionRef[];
  /**
   * For a policy with service lines the request asks for: the main service first (the policy's
   * own sections), then each line with its own outcome. The overall outcome is the weightiest of
   * them (not-covered, excluded, does-not-meet, needs-info, refer-for-review, meets). Empty
   * when no service line is asked for.
   */
  readonly lines: readonly ServiceLineResult[];
  readonly overlays: readonly OverlayResult[];
  /** One plain sentence per reason, in the guideline's words. */
  readonly reasons: readonly string[];
  readonly trace: readonly TraceEntry[];
}

export interface EvaluateOptions {
  /** The member's state; overlays for that state apply (for example "WA"). */
  readonly state?: string;
  /** Leave out the per-criterion trace, for batch work that needs only outcomes. */
  readonly trace?: boolean;
  /**
   * Look for the fewest facts that decide a needs-info request (the default); with false,
   * `missing` lists every undocumented fact the open criteria read, as a quick first answer.
   */
  readonly fewestFacts?: boolean;
}

/**
 * What `decision` returns: the outcome and what a batch over many requests keeps of it, the same
 * as the determination's fields of those names, by id and path.
 */
export interface Decision {
  readonly outcome: Outcome;
  /** The pathway met (its id), as the determination's `pathway`. */
  readonly pathway: string | null;
  /** The ids of the determination's `unmet`, in its order. */
  readonly unmet: readonly string[];
  /** For needs-info, the paths of the determination's `missing`, in its order (see `fewestFacts`). */
  readonly missing: readonly string[];
}

export interface DecisionOptions {
  /** The member's state; overlays for that state apply (for example "WA"). */
  readonly state?: string;
  /**
   * Look for the fewest facts that decide a needs-info request, as a determination does by
   * default. Off by default here: `missing` then lists every undocumented fact the open criteria
   * read, as `evaluate(…, { fewestFacts: false })` does, and the search (several more evaluations
   * of the request) is not run.
   */
  readonly fewestFacts?: boolean;
}
