/**
 * From requirement results to a determination: the outcome, the pathway, the unmet criteria, the
 * missing facts and the reasons in the guideline's words. Both evaluators (the interpreter in
 * evaluate.ts and the compiled evaluators of generated modules) answer the same questions, and
 * this file turns the answers into the same determination.
 */
import type { FactSchema, IrExpr, IrSection, Program, SectionKind } from "./program.js";
import type { CriterionRef, Determination, MissingFact, Outcome, PathwayResult } from "./determination.js";
import { and2, not, or2, truthText, Unknown, type Tri } from "./tri.js";

/** What the determination needs from an evaluator. */
export interface RequirementResults {
  /**
   * Whether a requirement is met; with `trigger`, whether it applies (for exclusions,
   * contraindications and non-covered services). The requirement is given by its place in
   * `program.requirements` (see `Layout.ids`); `section` names where it is asked from, for the trace.
   */
  requirementAt(index: number, section: string, trigger: boolean): Tri;
  /** A section's `when` or an overlay's applicability clause. */
  condition(expr: IrExpr): Tri;
}

interface SectionLayout {
  readonly section: IrSection;
  readonly triggers: boolean;
  /** Requirement indexes: every item, the pathways among them, and the rest. */
  readonly items: readonly number[];
  readonly pathways: readonly number[];
  readonly others: readonly number[];
}

/** What the determination needs to know of a program, worked out once per program. */
export interface Layout {
  /** The title of the section each requirement first stands in. */
  readonly sectionOf: ReadonlyMap<string, string>;
  readonly sections: readonly SectionLayout[];
  readonly overlaySections: readonly (readonly SectionLayout[])[];
  /** Requirement ids in the order of `program.requirements`, and each one's reference. */
  readonly ids: readonly string[];
  readonly refs: readonly CriterionRef[];
  /** For each requirement, the indexes of its bullets when it is a list whose unmet bullets are listed. */
  readonly unmetBullets: readonly (readonly number[] | undefined)[];
}

const layouts = new WeakMap<Program, Layout>();

const triggering: ReadonlySet<SectionKind> = new Set(["exclusions", "contraindications", "not-covered"]);

export function layoutOf(program: Program): Layout {
  const known = layouts.get(program);
  if (known) return known;
  const sectionOf = new Map<string, string>();
  const label = (items: readonly string[], title: string): void => {
    for (const id of items) {
      if (sectionOf.has(id)) continue;
      sectionOf.set(id, title);
      label(program.requirements[id].group?.items ?? [], title);
    }
  };
  for (const s of program.sections) label(s.items, s.title);
  for (const o of program.overlays) for (const s of o.sections) label(s.items, s.title);
  const ids = Object.keys(program.requirements);
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const layoutSection = (section: IrSection): SectionLayout => ({
    section,
    triggers: triggering.has(section.kind),
    items: section.items.map((id) => indexOf.get(id)!),
    pathways: section.items.filter((id) => program.requirements[id].role === "pathway").map((id) => indexOf.get(id)!),
    others: section.items.filter((id) => program.requirements[id].role !== "pathway").map((id) => indexOf.get(id)!),
  });
  const refs = ids.map((id) => {
    const r = program.requirements[id];
    return Object.freeze({ id, wording: r.wording, refs: r.refs, section: sectionOf.get(id) ?? "" });
  });
  const unmetBullets = ids.map((id) => {
    const group = program.requirements[id].group;
    // Bullet lists of the kind `all` or `any` are explained by their bullets; the others by themselves.
    return group && (group.quantifier === "all" || group.quantifier === "any") ? group.items.map((item) => indexOf.get(item)!) : undefined;
  });
  const layout: Layout = {
    sectionOf,
    sections: program.sections.map(layoutSection),
    overlaySections: program.overlays.map((o) => o.sections.map(layoutSection)),
    ids,
    refs,
    unmetBullets,
  };
  layouts.set(program, layout);
  return layout;
}

/** Whether a section's requirements hold (or, for exclusions and the like, whether one applies). */
function sectionValue(ev: RequirementResults, layout: SectionLayout, when: Tri): Tri {
  const s = layout.section;
  if (when === false) return !layout.triggers;
  let value: Tri;
  if (s.kind === "indications") {
    let anyPathway: Tri = false;
    for (const i of layout.pathways) anyPathway = or2(anyPathway, ev.requirementAt(i, s.title, false));
    value = anyPathway;
    for (const i of layout.others) value = and2(value, ev.requirementAt(i, s.title, false));
  } else {
    value = layout.triggers ? false : true;
    for (const i of layout.items) value = (layout.triggers ? or2 : and2)(value, ev.requirementAt(i, s.title, layout.triggers));
  }
  return layout.triggers ? and2(when, value) : or2(not(when), value);
}

interface SectionResult {
  readonly layout: SectionLayout;
  /** The gate and the section's own `when`. */
  readonly when: Tri;
  readonly value: Tri;
}

function sectionResult(ev: RequirementResults, l: SectionLayout, gate: Tri): SectionResult {
  const when = l.section.when ? and2(gate, ev.condition(l.section.when)) : gate;
  return { layout: l, when, value: sectionValue(ev, l, when) };
}

/** The unmet criteria under a requirement that is not met: itself, or the bullets that fail. */
function addUnmet(layout: Layout, ev: RequirementResults, index: number, out: CriterionRef[]): void {
  if (ev.requirementAt(index, "", false) !== false) return;
  const bullets = layout.unmetBullets[index];
  if (!bullets) {
    out.push(layout.refs[index]);
    return;
  }
  for (const bullet of bullets) addUnmet(layout, ev, bullet, out);
}

/** The exclusions (or contraindications, or non-covered services) that apply. */
function triggeredIn(results: readonly SectionResult[], kind: SectionKind, ev: RequirementResults, layout: Layout): CriterionRef[] {
  const found: CriterionRef[] = [];
  for (const r of results) {
    if (r.layout.section.kind !== kind || r.value !== true) continue;
    for (const i of r.layout.items) if (ev.requirementAt(i, r.layout.section.title, true) === true) found.push(layout.refs[i]);
  }
  return found;
}

/** The determination, without a trace: an evaluator that keeps one adds it. */
export function determine(program: Program, ev: RequirementResults, state: string | null): Determination {
  const layout = layoutOf(program);
  const wanted = state?.toUpperCase();
  const overlays: { readonly index: number; readonly applies: Tri }[] = [];
  program.overlays.forEach((overlay, index) => {
    if (wanted === undefined || overlay.state.toUpperCase() !== wanted) return;
    let applies: Tri = true;
    for (const clause of overlay.applies) {
      const holds = ev.condition(clause.cond);
      applies = and2(applies, clause.mode === "unless" ? not(holds) : holds);
    }
    overlays.push({ index, applies });
  });

  const results: SectionResult[] = [];
  for (const l of layout.sections) results.push(sectionResult(ev, l, true));
  for (const o of overlays) for (const l of layout.overlaySections[o.index]) results.push(sectionResult(ev, l, o.applies));

  let notCovered: Tri = false;
  let excluded: Tri = false;
  let contraindicated: Tri = false;
  let satisfied: Tri = true;
  for (const r of results) {
    const kind = r.layout.section.kind;
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

  const pathways: PathwayResult[] = [];
  const surelyApplies = new Set<string>();
  for (const r of results) {
    // Pathways of a section that does not apply (the first-injection indications on a repeat) are
    // not reported; one is "the" pathway only where its section surely applies.
    const s = r.layout.section;
    if (s.kind !== "indications" || r.when === false) continue;
    for (const i of r.layout.pathways) {
      const unmet: CriterionRef[] = [];
      addUnmet(layout, ev, i, unmet);
      const ref = layout.refs[i];
      const pathway: PathwayResult = { id: ref.id, wording: ref.wording, refs: ref.refs, section: ref.section, result: truthText(ev.requirementAt(i, s.title, false)), unmet };
      pathways.push(pathway);
      if (r.when === true) surelyApplies.add(ref.id);
    }
  }
  const matched = pathways.find((p) => p.result === "true" && surelyApplies.has(p.id));

  const unmet: CriterionRef[] = [];
  const reasons: string[] = [];
  if (outcome === "not-covered") {
    for (const ref of triggeredIn(results, "not-covered", ev, layout)) {
      unmet.push(ref);
      reasons.push(`Not covered: ${ref.wording}`);
    }
  } else if (outcome === "excluded") {
    for (const ref of triggeredIn(results, "exclusions", ev, layout)) {
      unmet.push(ref);
      reasons.push(`Excluded from consideration under this guideline: ${ref.wording}`);
    }
  } else if (outcome === "does-not-meet") {
    for (const ref of triggeredIn(results, "contraindications", ev, layout)) {
      unmet.push(ref);
      reasons.push(`Contraindication: ${ref.wording}`);
    }
    for (const r of results) {
      if (r.value !== false || r.layout.triggers) continue;
      const s = r.layout.section;
      if (s.kind === "indications") {
        const failed = r.layout.others.filter((i) => ev.requirementAt(i, s.title, false) === false);
        if (!pathways.some((p) => p.section === s.title && p.result === "true")) {
          reasons.push(`No indication is met under "${s.title}".`);
          for (const p of pathways) {
            if (p.section !== s.title) continue;
            for (const u of p.unmet) if (!unmet.some((x) => x.id === u.id)) unmet.push(u);
          }
        }
        for (const i of failed) addUnmet(layout, ev, i, unmet);
      } else {
        for (const i of r.layout.items) addUnmet(layout, ev, i, unmet);
      }
    }
    for (const u of unmet) if (!reasons.some((x) => x.endsWith(u.wording))) reasons.push(`Not met: ${u.wording}`);
  } else if (outcome === "meets") {
    reasons.push(matched ? `Meets: ${matched.wording}` : "Meets the guideline's criteria.");
  }

  const missing: MissingFact[] = [];
  if (outcome === "needs-info") {
    const facts = new Set<string>();
    for (const d of [notCovered, excluded, contraindicated, satisfied]) if (d instanceof Unknown) for (const f of d.missing) facts.add(f);
    for (const fact of [...facts].sort()) missing.push({ fact, description: describeFact(program, fact) });
    reasons.push(`More information is needed: ${missing.map((m) => m.description).join("; ")}`);
  }

  return {
    outcome,
    policy: { id: program.id, title: program.title, version: program.version },
    state,
    pathway: matched?.id ?? null,
    pathways,
    unmet,
    missing,
    overlays: overlays.map(({ index, applies }) => {
      const o = program.overlays[index];
      return { id: o.id, title: o.title, state: o.state, applies: truthText(applies) };
    }),
    reasons,
    trace: [],
  };
}

const factDescriptions = new WeakMap<Program, Map<string, string>>();

/** What a reviewer looks for in the chart, for a missing fact's path; worked out once per path. */
function describeFact(program: Program, path: string): string {
  let known = factDescriptions.get(program);
  if (!known) factDescriptions.set(program, (known = new Map()));
  let description = known.get(path);
  if (description === undefined) {
    if (known.size >= 10_000) known.clear();
    known.set(path, (description = describeFactOnce(program, path)));
  }
  return description;
}

function describeFactOnce(program: Program, path: string): string {
  const direct = program.facts.find((f) => f.path === path);
  if (direct) return direct.description;
  // prior_procedures[2].relief_percent → the record field's description.
  const match = /^(.*)\[(\d+)\]\.(\w+)$/.exec(path);
  if (match) {
    const list = program.facts.find((f) => f.path === match[1]);
    const record = list?.type.t === "list" ? program.records[list.type.record] : undefined;
    const field: FactSchema | undefined = record?.find((f) => f.path === match[3]);
    if (field) return `${field.description} (entry ${Number(match[2]) + 1} of ${match[1]})`;
  }
  return path;
}
