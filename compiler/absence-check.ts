/**
 * A fact read as absent unless documented never decides what a request must show. A finding the
 * chart mentions only when present (an infection, a contraindication, a red flag) may be taken as
 * absent where it would stop a request; where an indication, a requirement, a checked note or the
 * choice of a service line reads it, taking it as absent would approve (or deny) on what the
 * chart never said, so the library is refused.
 */
import type { IrFact, IrPolicy, IrRequirement, IrSection, IrService } from "./ir.js";
import { reach } from "./lower.js";
import { triggeringSections } from "../runtime/vocabulary.js";

/** A fact declared absent unless documented and the first place that requires what it says. */
export interface AssumedWhereRequired {
  readonly fact: IrFact;
  readonly policy: IrPolicy;
  /** The criterion (or the section or service line whose `when`) that reads it. */
  readonly place: { readonly what: string; readonly section: string; readonly file: string; readonly line: number };
}

export function assumedWhereRequired(policies: readonly IrPolicy[]): AssumedWhereRequired[] {
  const found: AssumedWhereRequired[] = [];
  const reported = new Set<IrFact>();
  for (const policy of policies) {
    // Most policies declare no such fact: nothing to walk.
    if (!policy.facts.some((f) => f.absentUnlessDocumented)) continue;
    const report = (facts: readonly IrFact[], place: AssumedWhereRequired["place"]) => {
      for (const fact of facts) {
        if (!fact.absentUnlessDocumented || reported.has(fact)) continue;
        reported.add(fact);
        found.push({ fact, policy, place });
      }
    };
    // The innermost criterion that reads the fact is named: a list's bullets before the list.
    const requirement = (r: IrRequirement, section: IrSection) => {
      for (const item of r.list?.items ?? []) requirement(item, section);
      const own: IrRequirement = { ...r, list: undefined };
      report(reach([{ kind: section.kind, title: section.title, items: [own] }], [], []).facts, { what: `criterion '${r.id}'`, section: section.title, file: r.module.file, line: r.line });
    };
    const section = (s: IrSection) => {
      if (triggeringSections.has(s.kind)) return;
      if (s.when) report(reach([{ kind: s.kind, title: s.title, when: s.when, items: [] }], [], []).facts, { what: "the section's when", section: s.title, file: policy.file, line: 0 });
      for (const item of s.items) requirement(item, s);
    };
    const service = (v: IrService) => {
      if (v.when) report(reach([], [{ ...v, sections: [] }], []).facts, { what: `whether service line '${v.id}' is requested`, section: v.wording, file: policy.file, line: 0 });
      for (const s of v.sections) section(s);
    };
    for (const s of policy.sections) section(s);
    for (const v of policy.services) service(v);
    for (const o of policy.overlays) {
      for (const s of o.sections) section(s);
      for (const v of o.services) service(v);
    }
  }
  return found;
}
