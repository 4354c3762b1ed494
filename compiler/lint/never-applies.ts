/** POL050: a criterion, or a section, whose `when` is false whatever the request says can never apply. */
import type { LintRule } from "./rule.js";
import { decided } from "./decide.js";
import { sectionsOf } from "../tools/policy-parts.js";

export const neverApplies: LintRule = {
  code: "POL050",
  name: "criterion never applies",
  run(ctx) {
    for (const m of ctx.library.modules) {
      for (const r of m.requirements) {
        if (r.when && decided(r.when) === false) ctx.report("POL050", ctx.at(m.file, r.line), `${r.role === "group" ? "list" : r.role} '${r.id}' can never apply: its 'when' condition is false for every request`, { hint: "remove the criterion, or correct its condition" });
      }
    }
    for (const p of ctx.library.policies) {
      for (const { section: s } of sectionsOf(p)) {
        const first = s.items[0];
        if (s.when && first && decided(s.when) === false) ctx.report("POL050", ctx.at(first.module.file, first.line), `section "${s.title}" of ${p.id} can never apply: its 'when' condition is false for every request, so none of its criteria is ever checked`);
      }
    }
  },
};
