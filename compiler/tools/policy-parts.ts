/**
 * The parts of a policy in its intermediate form that the authoring tools walk: every section
 * (the policy's, its service lines', its overlays' and theirs) and every condition that is not a
 * requirement's own (sections' and service lines' `when`, overlays' `applies`).
 */
import type { IrExpr, IrPolicy, IrSection } from "../ir.js";

/** Every section of a policy, with the overlay and the service line it belongs to (if any). */
export function sectionsOf(p: IrPolicy): { section: IrSection; overlay?: string; service?: string }[] {
  const out: { section: IrSection; overlay?: string; service?: string }[] = [];
  for (const s of p.sections) out.push({ section: s });
  for (const v of p.services) for (const s of v.sections) out.push({ section: s, service: v.id });
  for (const o of p.overlays) {
    for (const s of o.sections) out.push({ section: s, overlay: o.id });
    for (const v of o.services) for (const s of v.sections) out.push({ section: s, overlay: o.id, service: v.id });
  }
  return out;
}

/** The conditions of a policy outside its requirements: sections' and service lines' `when`, overlays' clauses. */
export function conditionsOf(p: IrPolicy): IrExpr[] {
  const out: IrExpr[] = [];
  for (const { section } of sectionsOf(p)) if (section.when) out.push(section.when);
  for (const v of [...p.services, ...p.overlays.flatMap((o) => o.services)]) if (v.when) out.push(v.when);
  for (const o of p.overlays) for (const a of o.applies) out.push(a.test);
  return out;
}
