/**
 * POL053: an overlay's criterion that restates a criterion of the policy it overlays (the same
 * rule, written again), or contradicts one (its negation): the first adds nothing for the state's
 * members, the second means no request can meet both.
 */
import type { IrExpr, IrRequirement, IrSection } from "../ir.js";
import type { LintRule } from "./rule.js";
import { sameExpr } from "./same-expression.js";
import { sectionsOf } from "../tools/policy-parts.js";

const negated: Readonly<Record<string, string>> = { "<": ">=", ">=": "<", ">": "<=", "<=": ">", "=": "!=", "!=": "=" };

/** Whether one condition is the other's negation, written as `not` or as the opposite comparison. */
function contradicts(a: IrExpr, b: IrExpr): boolean {
  if (a.k === "not" && sameExpr(a.arg, b)) return true;
  if (b.k === "not" && sameExpr(b.arg, a)) return true;
  if (a.k === "cmp" && b.k === "cmp" && a.kind === b.kind && negated[a.op] === b.op) return sameExpr(a.a, b.a) && sameExpr(a.b, b.b);
  return false;
}

/** Every requirement with a rule under some sections, bullets included. */
function rules(sections: readonly IrSection[]): IrRequirement[] {
  const out: IrRequirement[] = [];
  const visit = (r: IrRequirement) => {
    if (out.includes(r)) return;
    out.push(r);
    for (const item of r.list?.items ?? []) visit(item);
  };
  for (const s of sections) for (const r of s.items) visit(r);
  return out;
}

export const overlayRestates: LintRule = {
  code: "POL053",
  name: "overlay restates or contradicts the policy",
  run(ctx) {
    for (const p of ctx.library.policies) {
      const base = rules(sectionsOf(p).filter((x) => x.overlay === undefined).map((x) => x.section));
      for (const o of p.overlays) {
        for (const r of rules(sectionsOf(p).filter((x) => x.overlay === o.id).map((x) => x.section))) {
          if (!r.test || base.includes(r)) continue;
          for (const b of base) {
            if (!b.test || (r.when ? !b.when || !sameExpr(r.when, b.when) : b.when !== undefined)) continue;
            const at = ctx.at(r.module.file, r.line);
            const related = [{ message: `${p.id}'s criterion '${b.id}' is here`, span: ctx.at(b.module.file, b.line) }];
            if (sameExpr(r.test, b.test)) ctx.report("POL053", at, `overlay ${o.id}'s criterion '${r.id}' restates ${p.id}'s criterion '${b.id}': the same rule`, { hint: `use ${b.id} in the overlay if the state repeats it, or remove it`, related });
            else if (contradicts(r.test, b.test)) ctx.report("POL053", at, `overlay ${o.id}'s criterion '${r.id}' contradicts ${p.id}'s criterion '${b.id}': one is the other's negation`, { related });
          }
        }
      }
    }
  },
};
