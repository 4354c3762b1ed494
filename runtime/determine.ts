/**
 * Evaluating a request against a policy: validate it, run the policy's generated requirements in
 * one context (recording the trace when asked), and turn their results into a determination — the
 * outcome, the pathway, the unmet criteria, the missing facts and the reasons in the guideline's words.
 */
import type { SectionKind } from "./vocabulary.js";
import type { CriterionRef, Determination, EvaluateOptions, MissingFact, Outcome, PathwayResult, Referred, ServiceLineResult } from "./determination.js";
import { Context, type EvaluationObserver } from "./context.js";
import { InputError, readInput } from "./validate.js";
import type { PlacedRequirement, PlacedSection, PlacedService, Policy } from "./policy.js";
import { and2, missingOf, not, or2, truthText, Unknown, unknownOf, type Referral, type Tri } from "./tri.js";
import { statusText } from "./status.js";
import { assumptionsOf } from "./assumptions.js";
import { checkedState } from "./states.js";

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

/** What one line of a request (the main service, or a service line) comes to. */
interface LineDecision {
  readonly outcome: Outcome;
  readonly unmet: CriterionRef[];
  readonly missing: MissingFact[];
  readonly referrals: readonly Referral[];
  readonly reasons: string[];
  readonly advisories: CriterionRef[];
}

/**
 * A line's decision: its outcome (see lineOutcome), or refer-for-review when only clauses left to
 * a clinician are open, with what explains it.
 */
function decide(policy: Policy, c: Context, results: readonly SectionResult[], pathways: readonly PathwayResult[], matched: PathwayResult | undefined): LineDecision {
  const decided = lineOutcome(results);
  const open = decided.open;
  let outcome = decided.outcome;
  const facts = outcome === "needs-info" ? missingOf(open) : new Set<string>();
  // Open only on clauses the guideline leaves to individual consideration: a clinician decides.
  const referrals = outcome === "needs-info" && facts.size === 0 ? unknownOf(open).referrals : [];
  if (referrals.length > 0) outcome = "refer-for-review";

  const unmet: CriterionRef[] = [];
  const reasons: string[] = [];
  if (outcome === "not-covered") {
    for (const ref of triggeredIn(c, results, "not-covered")) {
      unmet.push(ref);
      reasons.push(`Not covered: ${ref.wording}`);
    }
  } else if (outcome === "excluded") {
    for (const ref of triggeredIn(c, results, "exclusions")) {
      unmet.push(ref);
      reasons.push(`Excluded from consideration under this guideline: ${ref.wording}`);
    }
  } else if (outcome === "does-not-meet") {
    for (const ref of triggeredIn(c, results, "contraindications")) {
      unmet.push(ref);
      reasons.push(`Contraindication: ${ref.wording}`);
    }
    for (const r of results) {
      if (r.value !== false || r.layout.triggers) continue;
      const s = r.layout.section;
      if (s.kind === "indications") {
        const failed = r.layout.others.filter((p) => c.met(p.requirement) === false);
        if (!pathways.some((p) => p.section === s.title && p.result === "true")) {
          reasons.push(`No indication is met under "${s.title}".`);
          for (const p of pathways) {
            if (p.section !== s.title) continue;
            for (const u of p.unmet) if (!unmet.some((x) => x.id === u.id)) unmet.push(u);
          }
        }
        for (const p of failed) addUnmet(c, p, unmet);
      } else {
        for (const p of r.layout.items) addUnmet(c, p, unmet);
      }
    }
    for (const u of unmet) if (!reasons.some((x) => x.endsWith(u.wording))) reasons.push(`Not met: ${u.wording}`);
  } else if (outcome === "meets") {
    reasons.push(matched ? `Meets: ${matched.wording}` : "Meets the guideline's criteria.");
  } else if (outcome === "refer-for-review") {
    for (const r of referrals) reasons.push(`Refer for clinical review: ${r.clause}`);
  }

  const missing: MissingFact[] = [];
  if (outcome === "needs-info") {
    for (const fact of [...facts].sort()) missing.push({ fact, description: describeFact(policy, fact) });
    reasons.push(`More information is needed: ${missing.map((m) => m.description).join("; ")}`);
  }

  const advisories: CriterionRef[] = [];
  for (const r of results) {
    if (r.layout.section.kind !== "advisories" || r.when === false) continue;
    for (const p of r.layout.items) {
      if (c.appliesTo(p.requirement) !== true) continue;
      advisories.push(p.ref);
      reasons.push(`Advisory: ${p.ref.wording}`);
    }
  }
  return { outcome, unmet, missing, referrals, reasons, advisories };
}

/** The outcomes from the one that weighs most for the request as a whole to the one that weighs least. */
const severity: readonly Outcome[] = ["not-covered", "excluded", "does-not-meet", "needs-info", "refer-for-review", "meets"];

/** The determination, without the trace (the context that kept one adds it). */
export function determine(policy: Policy, c: Context, state: string | null): Determination {
  const { considered, results, services } = evaluateSections(policy, c, state);

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
  const main = decide(policy, c, results, pathways, matched);

  // Service lines the request asks for (or may): each decided by its own sections.
  const lines: ServiceLineResult[] = [];
  let outcome = main.outcome;
  const unmet = [...main.unmet];
  const missing = [...main.missing];
  const referrals = [...main.referrals];
  const reasons: string[] = [];
  const advisories = [...main.advisories];
  for (const { placed, requested, results: lineResults } of services) {
    const line = decide(policy, c, lineResults, [], undefined);
    const { id, wording, refs } = placed.service;
    lines.push({ id, wording, refs, requested: truthText(requested), outcome: line.outcome, unmet: line.unmet, missing: line.missing, referrals: line.referrals.map(referred), reasons: line.reasons });
    if (severity.indexOf(line.outcome) < severity.indexOf(outcome)) outcome = line.outcome;
    for (const u of line.unmet) if (!unmet.includes(u)) unmet.push(u);
    for (const m of line.missing) if (!missing.some((x) => x.fact === m.fact)) missing.push(m);
    for (const r of line.referrals) if (!referrals.includes(r)) referrals.push(r);
    for (const a of line.advisories) if (!advisories.includes(a)) advisories.push(a);
    for (const reason of line.reasons) reasons.push(`${wording}: ${reason}`);
  }

  const { id, title, version } = policy.metadata;
  // With service lines, each reason says which line it is about.
  reasons.unshift(...(lines.length === 0 ? main.reasons : main.reasons.map((r) => `${title}: ${r}`)));
  return {
    outcome,
    policy: { id, title, version },
    state,
    pathway: matched?.id ?? null,
    pathways,
    unmet,
    missing,
    assumptions: assumptionsOf(policy, c, state),
    referrals: referrals.map(referred),
    advisories,
    lines: lines.length === 0 ? [] : [{ id, wording: title, refs: "", requested: "true", outcome: main.outcome, unmet: main.unmet, missing: main.missing, referrals: main.referrals.map(referred), reasons: main.reasons }, ...lines],
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

/** Evaluates the policy's sections, those of the overlays for the member's state, and each service line's. */
export function evaluateSections(policy: Policy, c: Context, state: string | null): EvaluatedSections {
  const considered = consideredOverlays(policy, c, state);
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
  readonly reason: string;
}

/**
 * Every overlay of the policy: one for another state (or with no state given) does not apply; one
 * for the member's state applies when each `applies` clause allows it.
 */
export function consideredOverlays(policy: Policy, c: Context, state: string | null): ConsideredOverlay[] {
  const considered: ConsideredOverlay[] = [];
  for (let index = 0; index < policy.overlays.length; index++) {
    const overlay = policy.overlays[index];
    if (state === null) {
      considered.push({ index, inState: false, applies: false, reason: `No state was given; the overlay is for members in ${overlay.state}.` });
      continue;
    }
    if (overlay.state.toUpperCase() !== state.toUpperCase()) {
      considered.push({ index, inState: false, applies: false, reason: `The member's state is ${state}; the overlay is for members in ${overlay.state}.` });
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
    const reason =
      applies === true
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

function referred(r: Referral): Referred {
  return { clause: r.clause, refs: r.refs };
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
  const determination = determine(policy, c, state);
  return tracing ? { ...determination, trace: c.trace } : determination;
}
