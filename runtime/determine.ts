/**
 * Evaluating a request against a policy: validate it, run the policy's generated requirements in
 * one context (recording the trace when asked), and turn their results into a determination — the
 * outcome, the pathway, the unmet criteria, the missing facts and the reasons in the guideline's words.
 */
import type { SectionKind } from "./vocabulary.js";
import type { CriterionRef, Decision, DecisionOptions, Determination, EvaluateOptions, MissingFact, Outcome, PathwayResult, Referred, ServiceLineResult } from "./determination.js";
import { Context, type EvaluationObserver } from "./context.js";
import { InputError, readInput, type InputRead } from "./validate.js";
import type { Value } from "./values.js";
import type { PlacedRequirement, PlacedSection, PlacedService, Policy } from "./policy.js";
import { and2, missingOf, not, or2, truthText, Unknown, unknownOf, type Referral, type Tri } from "./tri.js";
import { OpenStatus, statusText } from "./status.js";
import { assumptionsOf } from "./assumptions.js";
import { checkedState } from "./states.js";
import { decidingFacts, openCriteriaPerFact, valueAt, type DecidingFacts } from "./deciding-facts.js";
import { isRange } from "./values.js";
import { formatDay, formatDayRange, parseIsoDate } from "./dates.js";

/** Whether a section's requirements hold (or, for exclusions and the like, whether one applies). */
function sectionValue(c: Context, layout: PlacedSection, when: Tri): Tri {
  const s = layout.section;
  if (when === false) return !layout.triggers;
  let value: Tri;
  if (s.kind === "indications") {
    // A pathway is a way to meet only where it applies: one that is not applicable never is.
    let anyPathway: Tri = false;
    for (const p of layout.pathways) anyPathway = or2(anyPathway, c.appliesTo(p.requirement));
    value = anyPathway;
    for (const p of layout.others) value = and2(value, c.met(p.requirement));
  } else if (layout.triggers) {
    value = false;
    for (const p of layout.items) value = or2(value, c.appliesTo(p.requirement));
  } else {
    value = true;
    for (const p of layout.items) value = and2(value, c.met(p.requirement));
  }
  return layout.triggers ? and2(when, value) : or2(not(when), value);
}

export interface SectionResult {
  readonly layout: PlacedSection;
  /** The gate and the section's own `when`. */
  readonly when: Tri;
  readonly value: Tri;
}

function sectionResult(c: Context, layout: PlacedSection, gate: Tri): SectionResult {
  const when = layout.section.when ? and2(gate, layout.section.when(c)) : gate;
  return { layout, when, value: sectionValue(c, layout, when) };
}

/** The unmet criteria under a requirement that is not met: itself, or the bullets that fail. */
function addUnmet(c: Context, placed: PlacedRequirement, out: CriterionRef[]): void {
  if (c.met(placed.requirement) !== false) return;
  if (!placed.unmetBullets) {
    out.push(placed.ref);
    return;
  }
  for (const bullet of placed.unmetBullets) addUnmet(c, bullet, out);
}

/** The exclusions (or contraindications, or non-covered services) that apply. */
function triggeredIn(c: Context, results: readonly SectionResult[], kind: SectionKind): CriterionRef[] {
  const found: CriterionRef[] = [];
  for (const r of results) {
    if (r.layout.section.kind !== kind || r.value !== true) continue;
    for (const p of r.layout.items) if (c.appliesTo(p.requirement) === true) found.push(p.ref);
  }
  return found;
}

/**
 * A line's outcome from its sections: the first of not-covered, excluded, does-not-meet (a
 * contraindication, or a requirement that surely fails), meets that is sure; else needs-info
 * (before referrals are told apart), with the decisions still open.
 */
export function lineOutcome(results: readonly SectionResult[]): { outcome: Outcome; open: Unknown[] } {
  let notCovered: Tri = false;
  let excluded: Tri = false;
  let contraindicated: Tri = false;
  let satisfied: Tri = true;
  for (const r of results) {
    const kind = r.layout.section.kind;
    // Advisories flag without deciding anything.
    if (kind === "advisories") continue;
    if (kind === "not-covered") notCovered = or2(notCovered, r.value);
    else if (kind === "exclusions") excluded = or2(excluded, r.value);
    else if (kind === "contraindications") contraindicated = or2(contraindicated, r.value);
    else satisfied = and2(satisfied, r.value);
  }

  let outcome: Outcome;
  if (notCovered === true) outcome = "not-covered";
  else if (excluded === true) outcome = "excluded";
  else if (contraindicated === true) outcome = "does-not-meet";
  else if (satisfied === false) outcome = "does-not-meet";
  else if (notCovered === false && excluded === false && contraindicated === false && satisfied === true) outcome = "meets";
  else outcome = "needs-info";
  const open = outcome === "needs-info" ? [notCovered, excluded, contraindicated, satisfied].filter((d): d is Unknown => d instanceof Unknown) : [];
  return { outcome, open };
}

/** A line's outcome, facts still open and clauses left to a clinician: refer-for-review when only such clauses are open. */
export function lineVerdict(results: readonly SectionResult[]): { outcome: Outcome; facts: ReadonlySet<string>; referrals: readonly Referral[] } {
  const decided = lineOutcome(results);
  let outcome = decided.outcome;
  const facts = outcome === "needs-info" ? missingOf(decided.open) : noFacts;
  // Open only on clauses the guideline leaves to individual consideration: a clinician decides.
  const referrals = outcome === "needs-info" && facts.size === 0 ? unknownOf(decided.open).referrals : [];
  if (referrals.length > 0) outcome = "refer-for-review";
  return { outcome, facts, referrals };
}

/** What one line of a request (the main service, or a service line) comes to. */
interface LineDecision {
  readonly outcome: Outcome;
  readonly unmet: CriterionRef[];
  /** For needs-info: every undocumented fact the open parts of the decision read. */
  readonly facts: ReadonlySet<string>;
  readonly referrals: readonly Referral[];
  /** The reasons before the one that asks for more information, and those after it. */
  readonly reasons: readonly string[];
  readonly later: readonly string[];
  readonly advisories: readonly CriterionRef[];
}

/** What a line without facts, reasons or advisories holds: shared, never changed. */
const noFacts: ReadonlySet<string> = new Set();
const none: readonly never[] = Object.freeze([]);

/** The wording of a pathway as one line says it. */
function quoted(ref: CriterionRef): string {
  return `"${ref.wording}"`;
}

/**
 * The unmet criteria under an indications section that did not hold (or may not): in full, those
 * of the pathways that came closest (the fewest unmet criteria, all of them when tied); and one
 * line for every other pathway on why it does not apply. A pathway that does not apply to the
 * request (its `when` does not hold) is never quoted in full.
 */
function indicationReasons(c: Context, layout: PlacedSection, pathways: readonly PathwayResult[], unmet: CriterionRef[], reasons: string[] | undefined, sure: boolean): void {
  const s = layout.section;
  const own = pathways.filter((p) => p.section === s.title);
  if (own.some((p) => p.result === "true")) {
    // A pathway is met: what fails is a requirement of the section beside its pathways.
    for (const p of layout.others) addUnmet(c, p, unmet);
    return;
  }
  const failed = own.filter((p) => p.result === "false" && p.unmet.length > 0);
  if (!sure) {
    // Still open: every criterion of a pathway that has surely failed, for the reviewer to weigh.
    for (const p of failed) for (const u of p.unmet) if (!unmet.some((x) => x.id === u.id)) unmet.push(u);
    for (const p of layout.others) addUnmet(c, p, unmet);
    return;
  }
  const fewest = failed.length === 0 ? 0 : Math.min(...failed.map((p) => p.unmet.length));
  const closest = failed.filter((p) => p.unmet.length === fewest);
  reasons?.push(`No indication is met under "${s.title}".`);
  for (const p of closest) {
    if (closest.length < own.length) reasons?.push(`Closest indication: ${quoted(p)}.`);
    for (const u of p.unmet) {
      if (!unmet.some((x) => x.id === u.id)) unmet.push(u);
      reasons?.push(`Not met: ${u.wording}`);
    }
  }
  if (reasons) for (const p of own) {
    if (closest.includes(p)) continue;
    if (p.result === "not-applicable") reasons.push(`Does not apply: ${quoted(p)} (its condition does not hold for this request).`);
    else if (p.result === "false") reasons.push(`Not met: ${quoted(p)} (${p.unmet.length === 0 ? "not met" : `${p.unmet.length} unmet, first: ${quoted(p.unmet[0])}`}).`);
    else if (p.result === "unknown") reasons.push(`Not yet decided: ${quoted(p)}.`);
  }
  for (const p of layout.others) addUnmet(c, p, unmet);
}

/** The one sentence that makes a does-not-meet a recommendation: only a clinician may deny. */
export const CLINICAL_REVIEW_NOTICE = "Recommendation for clinical review, not a denial: the request does not meet the guideline as documented; only a clinician may deny it.";

/**
 * A line's decision: its outcome (see lineOutcome), or refer-for-review when only clauses left to
 * a clinician are open, with what explains it. Without `explain`, only the outcome, the unmet
 * criteria, the open facts and the referrals: no reasons and no advisories (see `decision`).
 */
function decide(c: Context, results: readonly SectionResult[], pathways: readonly PathwayResult[], matched: PathwayResult | undefined, explain: boolean): LineDecision {
  const { outcome, facts, referrals } = lineVerdict(results);
  const unmet: CriterionRef[] = [];
  // `reasons?.push(…)` builds no text without `explain`: the call and its argument are skipped.
  const reasons: string[] | undefined = explain ? [] : undefined;
  if (outcome === "not-covered") {
    for (const ref of triggeredIn(c, results, "not-covered")) {
      unmet.push(ref);
      reasons?.push(`Not covered: ${ref.wording}`);
    }
  } else if (outcome === "excluded") {
    for (const ref of triggeredIn(c, results, "exclusions")) {
      unmet.push(ref);
      reasons?.push(`Excluded from consideration under this guideline: ${ref.wording}`);
    }
  } else if (outcome === "does-not-meet" || outcome === "needs-info") {
    // A needs-info answer shows the criteria that have surely failed too: a reviewer decides from both lists.
    const sure = outcome === "does-not-meet";
    if (sure) reasons?.push(CLINICAL_REVIEW_NOTICE);
    for (const ref of triggeredIn(c, results, "contraindications")) {
      unmet.push(ref);
      reasons?.push(`Contraindication: ${ref.wording}`);
    }
    for (const r of results) {
      // A denial quotes the sections that failed; a needs-info answer what surely failed in those still open.
      if (r.layout.triggers || r.when === false || (sure ? r.value !== false : r.value === true)) continue;
      if (r.layout.section.kind === "indications") indicationReasons(c, r.layout, pathways, unmet, reasons, sure);
      else for (const p of r.layout.items) addUnmet(c, p, unmet);
    }
    if (reasons) for (const u of unmet) if (!reasons.some((x) => x.endsWith(u.wording))) reasons.push(`Not met: ${u.wording}`);
  } else if (outcome === "meets") {
    reasons?.push(matched ? `Meets: ${matched.wording}` : "Meets the guideline's criteria.");
  } else if (outcome === "refer-for-review") {
    for (const r of referrals) reasons?.push(`Refer for clinical review: ${r.clause}`);
  }

  if (!explain) return { outcome, unmet, facts, referrals, reasons: none, later: none, advisories: none };
  const advisories: CriterionRef[] = [];
  const later: string[] = [];
  for (const r of results) {
    if (r.layout.section.kind !== "advisories" || r.when === false) continue;
    for (const p of r.layout.items) {
      if (c.appliesTo(p.requirement) !== true) continue;
      advisories.push(p.ref);
      later.push(`Advisory: ${p.ref.wording}`);
    }
  }
  return { outcome, unmet, facts, referrals, reasons: reasons ?? none, later, advisories };
}

/** The facts to ask for and the rest, as a determination lists them (see deciding-facts.ts). */
interface Narrowed {
  readonly deciding: readonly string[];
  readonly also: readonly string[];
}

/** A line's missing facts: those of `narrowed.deciding` it is open on, in that order; the rest by path. */
function missingOfLine(policy: Policy, c: Context, facts: ReadonlySet<string>, narrowed: Narrowed | undefined): { missing: MissingFact[]; also: MissingFact[] } {
  const sorted = [...facts].sort();
  const deciding = narrowed ? narrowed.deciding.filter((f) => facts.has(f)) : sorted;
  const chosen = new Set(deciding);
  const fact = (path: string): MissingFact => missingFact(policy, c, path);
  return { missing: deciding.map(fact), also: sorted.filter((f) => !chosen.has(f)).map(fact) };
}

/** A line's reasons, with the one that asks for the missing facts in its place. */
function reasonsOfLine(line: LineDecision, missing: readonly MissingFact[], also: readonly MissingFact[]): string[] {
  if (line.outcome !== "needs-info") return [...line.reasons, ...line.later];
  const asked = `More information is needed: ${missing.map((m) => m.description).join("; ")}`;
  const rest = also.length === 0 ? [] : [`Also undocumented, but not needed to decide: ${also.map((m) => m.fact).join(", ")}.`];
  return [asked, ...rest, ...line.reasons, ...line.later];
}

/** The outcomes from the one that weighs most for the request as a whole to the one that weighs least. */
const severity: readonly Outcome[] = ["not-covered", "excluded", "does-not-meet", "needs-info", "refer-for-review", "meets"];

/** A service line the request asks for (or may), and what it comes to. */
interface DecidedLine {
  readonly placed: PlacedService;
  readonly requested: Tri;
  readonly line: LineDecision;
}

/**
 * What a request comes to before it is explained: the overlays considered, every pathway, the
 * main line's decision and each service line's, and the request's outcome (the weightiest line's),
 * unmet criteria and open facts (sorted, the main line's first). The determination and the
 * decision both start here; only the determination is explained (`explain`: reasons, advisories,
 * the overlays' reasons).
 */
interface DecidedRequest {
  readonly considered: readonly ConsideredOverlay[];
  readonly pathways: readonly PathwayResult[];
  readonly matched: PathwayResult | undefined;
  readonly main: LineDecision;
  readonly decided: readonly DecidedLine[];
  readonly outcome: Outcome;
  readonly unmet: readonly CriterionRef[];
  readonly facts: readonly string[];
  readonly referrals: readonly Referral[];
  readonly advisories: readonly CriterionRef[];
}

function decideRequest(policy: Policy, c: Context, state: string | null, explain: boolean): DecidedRequest {
  const { considered, results, services } = evaluateSections(policy, c, state, explain);

  const pathways: PathwayResult[] = [];
  let matched: PathwayResult | undefined;
  for (const r of results) {
    // Pathways of a section that does not apply (the first-injection indications on a repeat) are
    // not reported; one is "the" pathway only where its section surely applies.
    const s = r.layout.section;
    if (s.kind !== "indications" || r.when === false) continue;
    for (const p of r.layout.pathways) {
      const unmet: CriterionRef[] = [];
      addUnmet(c, p, unmet);
      const { id, wording, refs, section } = p.ref;
      const pathway: PathwayResult = { id, wording, refs, section, result: statusText(c.status(p.requirement)), unmet };
      pathways.push(pathway);
      if (!matched && r.when === true && pathway.result === "true") matched = pathway;
    }
  }
  const main = decide(c, results, pathways, matched, explain);
  const facts = main.facts.size === 0 ? [] : [...main.facts].sort();
  // Most requests ask for no service line: the main line's lists are the request's, not copied.
  if (services.length === 0) return { considered, pathways, matched, main, decided: [], outcome: main.outcome, unmet: main.unmet, facts, referrals: main.referrals, advisories: main.advisories };

  // Service lines the request asks for (or may): each decided by its own sections.
  const decided: DecidedLine[] = [];
  let outcome = main.outcome;
  const unmet = [...main.unmet];
  const referrals = [...main.referrals];
  const advisories = [...main.advisories];
  for (const { placed, requested, results: lineResults } of services) {
    const line = decide(c, lineResults, [], undefined, explain);
    decided.push({ placed, requested, line });
    if (severity.indexOf(line.outcome) < severity.indexOf(outcome)) outcome = line.outcome;
    for (const u of line.unmet) if (!unmet.includes(u)) unmet.push(u);
    for (const f of [...line.facts].sort()) if (!facts.includes(f)) facts.push(f);
    for (const r of line.referrals) if (!referrals.includes(r)) referrals.push(r);
    for (const a of line.advisories) if (!advisories.includes(a)) advisories.push(a);
  }
  return { considered, pathways, matched, main, decided, outcome, unmet, facts, referrals, advisories };
}

/**
 * The determination, without the trace (the context that kept one adds it). `narrow`, when given,
 * picks the fewest deciding facts of a needs-info request among the facts it is open on.
 */
export function determine(policy: Policy, c: Context, state: string | null, narrow?: (facts: readonly string[]) => Narrowed): Determination {
  const { considered, pathways, matched, main, decided, outcome, unmet, facts, referrals, advisories } = decideRequest(policy, c, state, true);

  // The fewest facts that decide, when the request as a whole is open on some.
  const narrowed = outcome === "needs-info" && narrow ? narrow(facts) : undefined;
  const mainMissing = missingOfLine(policy, c, main.facts, narrowed);
  const mainReasons = reasonsOfLine(main, mainMissing.missing, mainMissing.also);
  const lines: ServiceLineResult[] = [];
  const reasons: string[] = [];
  for (const { placed, requested, line } of decided) {
    const { id, wording, refs } = placed.service;
    const { missing: lineMissing, also } = missingOfLine(policy, c, line.facts, narrowed);
    const lineReasons = reasonsOfLine(line, lineMissing, also);
    lines.push({ id, wording, refs, requested: truthText(requested), outcome: line.outcome, unmet: line.unmet, missing: lineMissing, alsoUndocumented: also, referrals: line.referrals.map(referred), reasons: lineReasons });
    for (const reason of lineReasons) reasons.push(`${wording}: ${reason}`);
  }
  const fact = (path: string): MissingFact => missingFact(policy, c, path);
  const missing = outcome !== "needs-info" ? [] : narrowed ? narrowed.deciding.map(fact) : facts.map(fact);
  const alsoUndocumented = narrowed ? narrowed.also.map(fact) : [];

  const { id, title, version, digest = "", compiler = "", effective } = policy.metadata;
  // With service lines, each reason says which line it is about.
  reasons.unshift(...(lines.length === 0 ? mainReasons : mainReasons.map((r) => `${title}: ${r}`)));
  // The policies this one read through `meets` that did not meet, in their own words.
  if (outcome !== "meets" && policy.consults && evaluationOf(c)?.policy === policy) reasons.push(...consultedReasons(c));
  return {
    outcome,
    policy: { id, title, version, digest, compiler, effective },
    recommendation: outcome === "does-not-meet" ? "clinical-review" : null,
    state,
    pathway: matched?.id ?? null,
    pathways,
    unmet,
    missing,
    alsoUndocumented,
    assumptions: assumptionsOf(policy, c, state),
    referrals: referrals.map(referred),
    advisories,
    lines: lines.length === 0 ? [] : [{ id, wording: title, refs: "", requested: "true", outcome: main.outcome, unmet: main.unmet, missing: mainMissing.missing, alsoUndocumented: mainMissing.also, referrals: main.referrals.map(referred), reasons: mainReasons }, ...lines],
    overlays: considered.map(({ index, applies, reason }) => {
      const o = policy.overlays[index];
      return { id: o.id, title: o.title, state: o.state, applies: truthText(applies), reason };
    }),
    reasons,
    trace: [],
  };
}

/** What a request is decided by: the overlays considered, the sections of the main line, and each service line the request asks for (or may). */
export interface EvaluatedSections {
  readonly considered: readonly ConsideredOverlay[];
  readonly results: readonly SectionResult[];
  readonly services: readonly { readonly placed: PlacedService; readonly requested: Tri; readonly results: readonly SectionResult[] }[];
}

/**
 * Evaluates the policy's sections, those of the overlays for the member's state, and each service
 * line's; with `explain`, each overlay considered says why it applies or not.
 */
export function evaluateSections(policy: Policy, c: Context, state: string | null, explain = false): EvaluatedSections {
  // The first policy evaluated in a context is the one asked about; `meets` reads its list of policies.
  c.evaluation ??= { policy, state, consulted: undefined } satisfies Evaluation;
  const considered = consideredOverlays(policy, c, state, explain);
  const overlays = considered.filter((o) => o.inState);
  const results: SectionResult[] = [];
  for (const l of policy.placedSections) results.push(sectionResult(c, l, true));
  for (const o of overlays) for (const l of policy.placedOverlaySections[o.index]) results.push(sectionResult(c, l, o.applies));
  const services: EvaluatedSections["services"][number][] = [];
  for (const placed of policy.placedServices) {
    const gate = placed.overlay === undefined ? true : (overlays.find((o) => o.index === placed.overlay)?.applies ?? false);
    const requested = gate === false ? false : and2(gate, placed.service.when ? placed.service.when(c) : true);
    if (requested === false) continue;
    services.push({ placed, requested, results: placed.sections.map((l) => sectionResult(c, l, requested)) });
  }
  return { considered, results, services };
}

/** An overlay of the policy and whether it applies to the member, with why. */
export interface ConsideredOverlay {
  readonly index: number;
  /** Whether it is for the member's state (only then are its clauses and sections evaluated). */
  readonly inState: boolean;
  readonly applies: Tri;
  /** Why, in a sentence; "" unless asked to explain. */
  readonly reason: string;
}

/**
 * Every overlay of the policy: one for another state (or with no state given) does not apply; one
 * for the member's state applies when each `applies` clause allows it. With `explain`, each says why.
 */
export function consideredOverlays(policy: Policy, c: Context, state: string | null, explain: boolean): ConsideredOverlay[] {
  const considered: ConsideredOverlay[] = [];
  for (let index = 0; index < policy.overlays.length; index++) {
    const overlay = policy.overlays[index];
    if (state === null) {
      considered.push({ index, inState: false, applies: false, reason: explain ? `No state was given; the overlay is for members in ${overlay.state}.` : "" });
      continue;
    }
    if (overlay.state.toUpperCase() !== state.toUpperCase()) {
      considered.push({ index, inState: false, applies: false, reason: explain ? `The member's state is ${state}; the overlay is for members in ${overlay.state}.` : "" });
      continue;
    }
    let applies: Tri = true;
    const against: string[] = [];
    const open: string[] = [];
    for (const clause of overlay.applies) {
      const holds = c.clause(clause);
      const allows = clause.mode === "unless" ? not(holds) : holds;
      applies = and2(applies, allows);
      if (allows === false) against.push(clause.mode === "unless" ? `it does not apply when "${clause.wording}"` : `it applies only when "${clause.wording}"`);
      else if (allows !== true) open.push(`"${clause.wording}"`);
    }
    const where = `The member's state is ${overlay.state}`;
    const reason = !explain
      ? ""
      : applies === true
        ? overlay.applies.length === 0
          ? `${where}.`
          : `${where}, and each of its applies clauses allows it.`
        : applies === false
          ? `${where}, but ${against.join("; and ")}.`
          : `${where}; whether it applies is undocumented: ${open.join("; ")}.`;
    considered.push({ index, inState: true, applies, reason });
  }
  return considered;
}

/** What one evaluation is about: the policy asked about, the member's state, and the policies consulted so far. */
interface Evaluation {
  readonly policy: Policy;
  readonly state: string | null;
  /** Made by the first `meets` (most evaluations have none). */
  consulted: Map<string, Consulted> | undefined;
}

/** A policy read through `meets`: the version in force (none when no version is), and what it came to. */
interface Consulted {
  readonly name: string;
  readonly policy: Policy | undefined;
  readonly value: Tri;
}

/** What a context's evaluation is about (see Context.evaluation: a field, not a WeakMap entry per evaluation, which cost about 3 % of one). */
function evaluationOf(c: Context): Evaluation | undefined {
  return c.evaluation as Evaluation | undefined;
}

/**
 * `meets NAME`: the determination of another policy on the same request and state, evaluated in
 * the same context (its facts are this request's; what both read is worked out once). Meets is
 * true; does-not-meet, excluded and not-covered are false; needs-info and refer-for-review are
 * unknown on what it is open on, its undocumented facts (which this request then asks for) or the
 * clauses it leaves to a clinician (which this determination then quotes). Of a guideline's
 * versions, the one in force on the date of service; when none is, false.
 */
export function meets(c: Context, name: string): Tri {
  const evaluation = evaluationOf(c);
  if (!evaluation) throw new Error(`'meets ${name}' was evaluated outside a determination`);
  const known = evaluation.consulted?.get(name);
  if (known) return known.value;
  const policy = versionOn(evaluation.policy.consults?.get(name) ?? [], c.dos);
  let value: Tri = false;
  if (policy) {
    const { results, services } = evaluateSections(policy, c, evaluation.state);
    const verdicts = [lineOutcome(results), ...services.map((line) => lineOutcome(line.results))];
    let outcome: Outcome = "meets";
    for (const v of verdicts) if (severity.indexOf(v.outcome) < severity.indexOf(outcome)) outcome = v.outcome;
    value = outcome === "meets" ? true : outcome === "needs-info" ? unknownOf(verdicts.filter((v) => v.outcome === "needs-info").flatMap((v) => v.open)) : false;
  }
  (evaluation.consulted ??= new Map()).set(name, { name, policy, value });
  return value;
}

/** The version in force on the date of service: a single policy always; of several, the one whose period holds the day. */
function versionOn(versions: readonly Policy[], dos: number | Unknown): Policy | undefined {
  if (versions.length <= 1) return versions[0];
  if (typeof dos !== "number") return undefined;
  return versions.find((v) => {
    const period = v.metadata.effective;
    return period === null || (dos >= parseIsoDate(period.from)! && dos <= parseIsoDate(period.to)!);
  });
}

/**
 * The reasons a determination gives for each policy it read through `meets` that did not meet:
 * the policy, its outcome, and its own reasons (its unmet criteria in its guideline's words).
 */
function consultedReasons(c: Context): string[] {
  const evaluation = evaluationOf(c);
  if (!evaluation) return [];
  const reasons: string[] = [];
  for (const x of evaluation.consulted?.values() ?? []) {
    if (x.value !== false) continue;
    if (!x.policy) {
      const day = typeof c.dos === "number" ? formatDay(c.dos) : "the date of service";
      reasons.push(`No version of ${x.name} is in force on ${day}, so it is not met.`);
      continue;
    }
    const other = determine(x.policy, c, evaluation.state);
    const { id, title, version } = x.policy.metadata;
    reasons.push(`${id} ${title} (version ${version}) is not met: ${other.outcome}.`);
    for (const reason of other.reasons) if (reason !== CLINICAL_REVIEW_NOTICE) reasons.push(`${id}: ${reason}`);
  }
  return reasons;
}

function referred(r: Referral): Referred {
  return { clause: r.clause, refs: r.refs };
}

/**
 * A fact a needs-info determination asks for, with what to look for in the chart; a date the
 * request gives only to the month or the year is documented, but not to the day that decides.
 */
function missingFact(policy: Policy, c: Context, path: string): MissingFact {
  const description = describeFact(policy, path);
  const value = valueAt(policy, c, path);
  if (value !== undefined && isRange(value) && !value.undocumented) {
    return { fact: path, description: `${description}: given as ${formatDayRange(value.lo, value.hi)}, the exact date is needed` };
  }
  return { fact: path, description };
}

const descriptions = new WeakMap<Policy, Map<string, string>>();

/** What a reviewer looks for in the chart, for a missing fact's path; worked out once per path. */
function describeFact(policy: Policy, path: string): string {
  let known = descriptions.get(policy);
  if (!known) descriptions.set(policy, (known = new Map()));
  let description = known.get(path);
  if (description === undefined) {
    // Paths of entries are as many as histories are long: the memory is bounded.
    if (known.size >= 10_000) known.clear();
    known.set(path, (description = describeFactOnce(policy, path)));
  }
  return description;
}

function describeFactOnce(policy: Policy, path: string): string {
  const direct = policy.factsByPath.get(path);
  if (direct) return direct.description;
  // prior_procedures[2].relief_percent → the record field's description.
  const match = /^(.*)\[(\d+)\]\.(\w+)$/.exec(path);
  if (match) {
    const list = policy.factsByPath.get(match[1]);
    const field = list?.type.t === "list" ? list.type.of().fieldsByName.get(match[3]) : undefined;
    if (field) return `${field.description} (entry ${Number(match[2]) + 1} of ${match[1]})`;
  }
  return path;
}

/**
 * Reads and validates the request, then evaluates it; throws InputError listing every problem, or
 * StateError when the state is not a US state or territory code.
 * The request is read once: validation takes out the facts that evaluation then uses.
 */
export function evaluate(policy: Policy, input: unknown, options: EvaluateOptions = {}, observer?: EvaluationObserver): Determination {
  // A state that is not one would skip its overlays without a word: refused first.
  const state = options.state === undefined || options.state === null ? null : checkedState(options.state);
  const read = readInput(policy, input);
  if (read.problems.length > 0) throw new InputError(read.problems);
  const tracing = options.trace !== false;
  const c = new Context(read, tracing, policy, observer);
  const determination = determine(policy, c, state, options.fewestFacts === false ? undefined : narrowing(policy, c, read, state));
  return tracing ? { ...determination, trace: c.trace } : determination;
}

/**
 * What a request comes to, without what explains it: the outcome, the pathway met, the unmet
 * criteria's ids and the missing facts' paths, each exactly as `evaluate` with the trace off gives
 * them (with the same `fewestFacts`). The same reading of the request and the same evaluation;
 * what it leaves out is what only the determination needs: reasons, every pathway's result as
 * data, descriptions of missing facts, the assumptions (a second evaluation with nothing assumed),
 * advisories, the overlays' reasons, the service lines' own results. Throws as `evaluate` does.
 */
export function decision(policy: Policy, input: unknown, options: DecisionOptions = {}): Decision {
  const state = options.state === undefined || options.state === null ? null : checkedState(options.state);
  const read = readInput(policy, input);
  if (read.problems.length > 0) throw new InputError(read.problems);
  const c = new Context(read, false, policy);
  const narrow = options.fewestFacts === true ? narrowing(policy, c, read, state) : undefined;
  const { matched, outcome, unmet, facts } = decideRequest(policy, c, state, false);
  const missing = outcome !== "needs-info" ? [] : narrow ? narrow(facts).deciding : facts;
  return { outcome, pathway: matched?.id ?? null, unmet: unmet.map((u) => u.id), missing };
}

/**
 * The undocumented facts a request is still open on, as determine weighs its lines (empty when it
 * is decided); the reasons, pathways and assumptions a determination adds are not worked out.
 */
function openFacts(policy: Policy, c: Context, state: string | null): string[] {
  const { results, services } = evaluateSections(policy, c, state);
  const verdicts = [lineVerdict(results), ...services.map((line) => lineVerdict(line.results))];
  let outcome: Outcome = "meets";
  for (const v of verdicts) if (severity.indexOf(v.outcome) < severity.indexOf(outcome)) outcome = v.outcome;
  if (outcome !== "needs-info") return [];
  const facts: string[] = [];
  for (const v of verdicts) for (const f of [...v.facts].sort()) if (!facts.includes(f)) facts.push(f);
  return facts;
}

/**
 * How a needs-info determination of this request finds its fewest deciding facts. Made before `c`
 * evaluates anything: `read` is then still the request as read, and each evaluation of the search
 * starts from a copy of it instead of reading the request again (reading was a fifth of the
 * search's time). The copy shares lists and entries; the search copies those it writes to.
 */
function narrowing(policy: Policy, c: Context, read: InputRead, state: string | null): (facts: readonly string[]) => DecidingFacts {
  const first = read.facts.slice();
  const dos = read.dos;
  return (facts) =>
    decidingFacts(policy, facts, openCriteriaPerFact(policy, c), dos, (assign, reuse) => {
      // The request as read, with some of its undocumented facts given values, and evaluated the
      // same way, without a trace or an observer.
      const again: InputRead = { problems: [], dos, facts: first.slice() };
      assign(again);
      if (reuse) seedStatuses(policy, c, again, reuse);
      return openFacts(policy, new Context(again, false, policy), state);
    }, (fact) => valueAt(policy, c, fact));
}

/**
 * Puts into a new reading of the request what the first evaluation found for each requirement
 * that no fact of `given` can change: one that was decided (documenting more never changes a
 * decided result, `is known` apart, which the search rules out), or left open on other facts only.
 */
function seedStatuses(policy: Policy, first: Context, read: InputRead, given: ReadonlySet<string>): void {
  const touches = (u: Unknown | undefined) => u !== undefined && [...u.missing].some((f) => given.has(f));
  for (const placed of policy.requirements) {
    const r = placed.requirement;
    const status = first.peek(r);
    if (status === undefined) continue;
    if (status instanceof OpenStatus ? touches(status.unknown) || touches(status.applies) : status instanceof Unknown && touches(status)) continue;
    read.facts[r.slot] = status as unknown as Value;
  }
}

/**
 * The search behind a needs-info determination's `missing`, with what it found on the way (the
 * witnesses that each listed fact is needed, and how many evaluations it took); undefined when
 * the request is not needs-info. For tests and measurements.
 */
export function searchDecidingFacts(policy: Policy, input: unknown, options: EvaluateOptions = {}): DecidingFacts | undefined {
  const state = options.state === undefined || options.state === null ? null : checkedState(options.state);
  const read = readInput(policy, input);
  if (read.problems.length > 0) throw new InputError(read.problems);
  const c = new Context(read, false, policy);
  const narrow = narrowing(policy, c, read, state);
  let found: DecidingFacts | undefined;
  determine(policy, c, state, (facts) => (found = narrow(facts)));
  return found;
}
