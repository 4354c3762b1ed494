/**
 * POL051: a comparison or `in` that gives the same answer for every value its fact can have (a
 * number against its declared range, an enum against all its values), or a condition made only
 * of literals. It is then decided by whether the fact is documented alone, which is seldom what
 * the guideline says.
 */
import type { IrExpr } from "../ir.js";
import type { LintContext, LintRule } from "./rule.js";
import { constantParts, describe, rangeOf } from "./decide.js";

function check(ctx: LintContext, e: IrExpr | undefined, file: string, line: number, owner: string): void {
  if (!e) return;
  constantParts(e, (part, value) => {
    const range = rangeOf(part);
    ctx.report("POL051", ctx.at(file, line), `in ${owner}: '${describe(part)}' is always ${value} whenever it is documented${range ? ` (${range})` : ""}`, { hint: part.k === "in" ? "it lists every value, or none: drop the condition, or list the values the guideline names" : "compare with a value inside the fact's range, or widen the range the fact declares" });
  });
}

export const constantCondition: LintRule = {
  code: "POL051",
  name: "condition always true or always false",
  run(ctx) {
    for (const m of ctx.library.modules) {
      for (const r of m.requirements) {
        check(ctx, r.when, m.file, r.line, `${r.role === "group" ? "list" : r.role} '${r.id}'`);
        check(ctx, r.test, m.file, r.line, `${r.role === "group" ? "list" : r.role} '${r.id}'`);
      }
      for (const d of m.definitions) check(ctx, d.body, m.file, d.line, `definition '${d.name}'`);
    }
  },
};
