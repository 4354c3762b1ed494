/**
 * What changed between two versions of a policy library, as a reviewer of a pull request asks:
 * per policy, the criteria added, removed and changed (wording apart from rules; thresholds
 * before and after), the definitions whose rules changed, the facts added and removed (changes to
 * the input type flagged as breaking for integrators), the service lines and the overlays changed. Both versions are
 * compared in their intermediate form, so a change of layout or comments is no change.
 */
import type { IrDefinition, IrExpr, IrFact, IrPolicy, IrRequirement, IrSection, IrService, IrType } from "../ir.js";
import { subexpressions } from "../ir.js";
import { canonical, typeText } from "./canonical.js";
import { conditionsOf, sectionsOf } from "./policy-parts.js";

export interface ThresholdChange {
  readonly before: string;
  readonly after: string;
}

export interface RequirementChange {
  readonly id: string;
  readonly section: string;
  readonly kind: "added" | "removed" | "changed";
  readonly wording?: { readonly before: string; readonly after: string };
  /** The rule changed; with `thresholds` when only literals did. */
  readonly rule?: { readonly before: string; readonly after: string };
  readonly thresholds?: readonly ThresholdChange[];
  readonly sectionBefore?: string;
  /** Changed definitions it uses, directly or not (its own rule may be the same). */
  readonly through?: readonly string[];
  readonly wordingText?: string;
}

export interface DefinitionChange {
  readonly name: string;
  readonly kind: "added" | "removed" | "changed";
  readonly thresholds?: readonly ThresholdChange[];
}

export interface FactChange {
  readonly path: string;
  readonly kind: "added" | "removed" | "type changed" | "description changed";
  readonly before?: string;
  readonly after?: string;
  /** Why integrators' requests may no longer be accepted, when they may not. */
  readonly breaking?: string;
}

export interface OverlayChange {
  readonly id: string;
  readonly kind: "added" | "removed" | "changed";
  readonly details: readonly string[];
}

/** A service line added, removed or changed (its wording, the rule that asks for it, its sections or their criteria). */
export interface ServiceChange {
  readonly id: string;
  /** The overlay it belongs to, for an overlay's service line. */
  readonly overlay?: string;
  readonly kind: "added" | "removed" | "changed";
  readonly wordingText?: string;
  readonly details: readonly string[];
}

export interface PolicyDiff {
  readonly id: string;
  readonly title: string;
  readonly kind: "added" | "removed" | "changed" | "unchanged";
  readonly version?: { readonly before: string; readonly after: string };
  readonly requirements: readonly RequirementChange[];
  readonly definitions: readonly DefinitionChange[];
  readonly facts: readonly FactChange[];
  readonly services: readonly ServiceChange[];
  readonly overlays: readonly OverlayChange[];
}

/** Each requirement a policy reaches, with the title of the section it stands in (overlays' included). */
function placed(p: IrPolicy): Map<string, { req: IrRequirement; section: string }> {
  const out = new Map<string, { req: IrRequirement; section: string }>();
  const visit = (r: IrRequirement, section: string) => {
    if (out.has(r.id)) return;
    out.set(r.id, { req: r, section });
    for (const item of r.list?.items ?? []) visit(item, section);
  };
  for (const { section, overlay, service } of sectionsOf(p)) for (const r of section.items) visit(r, sectionLabel(section, overlay, service));
  for (const r of p.requirements) visit(r, "");
  return out;
}

/** Where a section stands, as the diff names it: `Indications`, `WA_X: Limits`, `service rfa: Requirements`. */
function sectionLabel(section: IrSection, overlay: string | undefined, service: string | undefined): string {
  const title = service ? `service ${service}: ${section.title}` : section.title;
  return overlay ? `${overlay}: ${title}` : title;
}

/** A section's kind, title, condition and bullets, to tell whether it changed. */
function sectionText(s: IrSection): string {
  return `${s.kind}:${s.title}:${canonical(s.when).text}:${s.items.map((i) => i.id).join(",")}`;
}

/** The service lines of one side (the policy's, or an overlay's) compared with the other's. */
function serviceChanges(before: readonly IrService[], after: readonly IrService[], overlay: string | undefined, requirements: readonly RequirementChange[]): ServiceChange[] {
  const out: ServiceChange[] = [];
  const at = overlay ? { overlay } : {};
  for (const v of before) {
    const n = after.find((x) => x.id === v.id);
    if (!n) {
      out.push({ id: v.id, ...at, kind: "removed", wordingText: v.wording, details: [] });
      continue;
    }
    const details: string[] = [];
    if (v.wording !== n.wording) details.push(`wording "${v.wording}" → "${n.wording}"`);
    if (v.refs !== n.refs) details.push(`references [${v.refs}] → [${n.refs}]`);
    if (!v.when && n.when) details.push("now asked for only when its condition holds");
    else if (v.when && !n.when) details.push("now asked for on every request");
    else {
      const when = ruleChange(v.when, n.when);
      if (when.rule) details.push(when.thresholds?.length ? `when it is asked for: thresholds ${when.thresholds.map((t) => `${t.before} → ${t.after}`).join(", ")}` : "when it is asked for: its rule changed");
    }
    const titles = (x: IrService) => x.sections.map((s) => `${s.kind} "${s.title}"`);
    const gone = titles(v).filter((t) => !titles(n).includes(t));
    const added = titles(n).filter((t) => !titles(v).includes(t));
    if (gone.length) details.push(`sections removed: ${gone.join(", ")}`);
    if (added.length) details.push(`sections added: ${added.join(", ")}`);
    if (!gone.length && !added.length && v.sections.map(sectionText).join("|") !== n.sections.map(sectionText).join("|")) details.push("its sections' conditions or bullets changed");
    const prefix = `${overlay ? `${overlay}: ` : ""}service ${v.id}:`;
    const criteria = requirements.filter((r) => r.section.startsWith(prefix)).length;
    if (criteria) details.push(`${criteria} of its criteria changed (see the criteria)`);
    if (details.length) out.push({ id: v.id, ...at, kind: "changed", details });
  }
  for (const n of after) if (!before.some((x) => x.id === n.id)) out.push({ id: n.id, ...at, kind: "added", wordingText: n.wording, details: [] });
  return out;
}

function ruleOf(r: IrRequirement): IrExpr | undefined {
  return r.test;
}

function listText(r: IrRequirement): string {
  return r.list ? `${r.list.quantifier}${r.list.quantifier === "atLeast" || r.list.quantifier === "atMost" ? ` ${r.list.n}` : ""} of {${r.list.items.map((i) => i.id).join(", ")}}` : "";
}

/** Old and new literals where the shapes agree. */
function thresholdChanges(before: readonly string[], after: readonly string[]): ThresholdChange[] {
  const out: ThresholdChange[] = [];
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) out.push({ before: before[i], after: after[i] });
  return out;
}

function definitionsUsed(e: IrExpr | undefined, into: Set<IrDefinition>): void {
  if (!e) return;
  if (e.k === "call" && !into.has(e.def)) {
    into.add(e.def);
    definitionsUsed(e.def.body, into);
  }
  for (const sub of subexpressions(e)) definitionsUsed(sub, into);
}

function allDefinitions(p: IrPolicy): Map<string, IrDefinition> {
  const found = new Set<IrDefinition>();
  for (const r of p.requirements) {
    definitionsUsed(r.when, found);
    definitionsUsed(r.test, found);
  }
  for (const e of conditionsOf(p)) definitionsUsed(e, found);
  return new Map([...found].map((d) => [d.name, d]));
}

function ruleChange(before: IrExpr | undefined, after: IrExpr | undefined): { rule?: { before: string; after: string }; thresholds?: ThresholdChange[] } {
  const a = canonical(before);
  const b = canonical(after);
  if (a.text === b.text) return {};
  const rule = { before: a.text, after: b.text };
  return a.shape === b.shape ? { rule, thresholds: thresholdChanges(a.literals, b.literals) } : { rule };
}

/** Why a new type may refuse a value the old one took, if it may. */
export function narrowing(before: IrType, after: IrType): string | undefined {
  if (before.t !== after.t) return `its type changed from ${typeText(before)} to ${typeText(after)}`;
  if (before.t === "number" && after.t === "number") {
    if (after.integer && !before.integer) return "it must now be a whole number";
    if ((after.min ?? -Infinity) > (before.min ?? -Infinity)) return `its least value rose from ${before.min ?? "none"} to ${after.min}`;
    if ((after.max ?? Infinity) < (before.max ?? Infinity)) return `its greatest value fell from ${before.max ?? "none"} to ${after.max}`;
  }
  if (before.t === "enum" && after.t === "enum") {
    const kept = new Set(after.enum.values.map((v) => v.name));
    const gone = before.enum.values.filter((v) => !kept.has(v.name)).map((v) => v.name);
    if (gone.length) return `it no longer takes ${gone.join(", ")}`;
  }
  if (before.t === "list" && after.t === "list") {
    for (const f of before.record.fields) {
      const g = after.record.fields.find((x) => x.name === f.name);
      if (!g) return `its entries no longer take '${f.name}'`;
      const why = narrowing(f.type, g.type);
      if (why) return `its entries' '${f.name}': ${why}`;
    }
  }
  return undefined;
}

function factChanges(before: readonly IrFact[], after: readonly IrFact[]): FactChange[] {
  const out: FactChange[] = [];
  const old = new Map(before.map((f) => [f.path, f]));
  const now = new Map(after.map((f) => [f.path, f]));
  for (const [path, f] of old) {
    const g = now.get(path);
    if (!g) out.push({ path, kind: "removed", before: typeText(f.type), breaking: "requests that give it are refused as having an unknown field" });
    else if (typeText(f.type) !== typeText(g.type)) {
      const why = narrowing(f.type, g.type);
      out.push({ path, kind: "type changed", before: typeText(f.type), after: typeText(g.type), ...(why ? { breaking: why } : {}) });
    } else if (f.description !== g.description) out.push({ path, kind: "description changed", before: f.description, after: g.description });
  }
  for (const [path, g] of now) if (!old.has(path)) out.push({ path, kind: "added", after: typeText(g.type) });
  return out;
}

export function diffPolicy(before: IrPolicy | undefined, after: IrPolicy | undefined): PolicyDiff {
  const id = (after ?? before)!.id;
  const title = (after ?? before)!.title;
  if (!before || !after) {
    const p = (after ?? before)!;
    const kind: "added" | "removed" = after ? "added" : "removed";
    const services = [...p.services.map((v) => ({ id: v.id, kind, wordingText: v.wording, details: [] })), ...p.overlays.flatMap((o) => o.services.map((v) => ({ id: v.id, overlay: o.id, kind, wordingText: v.wording, details: [] })))];
    return { id, title, kind, requirements: [], definitions: [], facts: [], services, overlays: p.overlays.map((o) => ({ id: o.id, kind, details: [] })) };
  }
  const oldDefs = allDefinitions(before);
  const newDefs = allDefinitions(after);
  const definitions: DefinitionChange[] = [];
  const changedDefs = new Set<string>();
  for (const [name, d] of oldDefs) {
    const e = newDefs.get(name);
    if (!e) definitions.push({ name, kind: "removed" });
    else {
      const change = ruleChange(d.body, e.body);
      if (change.rule) {
        changedDefs.add(name);
        definitions.push({ name, kind: "changed", ...(change.thresholds ? { thresholds: change.thresholds } : {}) });
      }
    }
  }
  for (const name of newDefs.keys()) if (!oldDefs.has(name)) definitions.push({ name, kind: "added" });

  const oldReqs = placed(before);
  const newReqs = placed(after);
  const requirements: RequirementChange[] = [];
  for (const [rid, { req, section }] of oldReqs) {
    const now = newReqs.get(rid);
    if (!now) {
      requirements.push({ id: rid, section, kind: "removed", wordingText: req.wording });
      continue;
    }
    const wording = req.wording !== now.req.wording ? { before: req.wording, after: now.req.wording } : undefined;
    const test = ruleChange(ruleOf(req), ruleOf(now.req));
    const when = ruleChange(req.when, now.req.when);
    const list = listText(req) !== listText(now.req) ? { before: listText(req), after: listText(now.req) } : undefined;
    const rule = test.rule ?? when.rule ?? list;
    const thresholds = test.rule || when.rule ? (test.rule && !test.thresholds) || (when.rule && !when.thresholds) ? undefined : [...(test.thresholds ?? []), ...(when.thresholds ?? [])] : undefined;
    const used = new Set<IrDefinition>();
    definitionsUsed(now.req.test, used);
    definitionsUsed(now.req.when, used);
    const through = [...used].map((d) => d.name).filter((n) => changedDefs.has(n));
    const moved = section !== now.section ? section : undefined;
    if (wording || rule || moved !== undefined || through.length) {
      requirements.push({ id: rid, section: now.section, kind: "changed", ...(wording ? { wording } : {}), ...(rule ? { rule } : {}), ...(thresholds?.length ? { thresholds } : {}), ...(moved !== undefined ? { sectionBefore: moved } : {}), ...(through.length ? { through } : {}) });
    }
  }
  for (const [rid, { req, section }] of newReqs) if (!oldReqs.has(rid)) requirements.push({ id: rid, section, kind: "added", wordingText: req.wording });

  const services = serviceChanges(before.services, after.services, undefined, requirements);
  for (const o of before.overlays) services.push(...serviceChanges(o.services, after.overlays.find((x) => x.id === o.id)?.services ?? [], o.id, requirements));
  for (const n of after.overlays) if (!before.overlays.some((x) => x.id === n.id)) services.push(...serviceChanges([], n.services, n.id, requirements));

  const overlays: OverlayChange[] = [];
  for (const o of before.overlays) {
    const n = after.overlays.find((x) => x.id === o.id);
    if (!n) {
      overlays.push({ id: o.id, kind: "removed", details: [] });
      continue;
    }
    const details: string[] = [];
    if (o.state !== n.state) details.push(`state ${o.state} → ${n.state}`);
    if (o.title !== n.title) details.push(`title "${o.title}" → "${n.title}"`);
    const count = Math.max(o.applies.length, n.applies.length);
    for (let i = 0; i < count; i++) {
      const a = o.applies[i];
      const b = n.applies[i];
      if (!a) details.push(`applies clause ${i + 1} added: ${b.mode} "${b.wording}"`);
      else if (!b) details.push(`applies clause ${i + 1} removed: ${a.mode} "${a.wording}"`);
      else {
        if (a.mode !== b.mode || canonical(a.test).text !== canonical(b.test).text) details.push(`applies clause ${i + 1}: its rule changed`);
        if (a.wording !== b.wording) details.push(`applies clause ${i + 1}: wording "${a.wording}" → "${b.wording}"`);
      }
    }
    const sections = (x: typeof o) => x.sections.map((s) => `${s.kind}:${s.title}:${s.items.map((i) => i.id).join(",")}`).join("|");
    if (sections(o) !== sections(n)) details.push("its sections or their criteria changed (see the criteria)");
    if (details.length || requirements.some((r) => r.section.startsWith(`${o.id}:`))) overlays.push({ id: o.id, kind: "changed", details });
  }
  for (const n of after.overlays) if (!before.overlays.some((x) => x.id === n.id)) overlays.push({ id: n.id, kind: "added", details: [] });

  const facts = factChanges(before.facts, after.facts);
  const version = before.version !== after.version ? { before: before.version, after: after.version } : undefined;
  const changed = requirements.length || definitions.length || facts.length || services.length || overlays.length || version || before.title !== after.title;
  return { id, title, kind: changed ? "changed" : "unchanged", ...(version ? { version } : {}), requirements, definitions, facts, services, overlays };
}

export function diffLibraries(before: readonly IrPolicy[], after: readonly IrPolicy[]): PolicyDiff[] {
  const ids = [...new Set([...before.map((p) => p.id), ...after.map((p) => p.id)])].sort();
  return ids.map((id) => diffPolicy(before.find((p) => p.id === id), after.find((p) => p.id === id)));
}
