/**
 * POL052: a bullet list that no request can meet: `at least N of` fewer than N bullets (or fewer
 * that can ever hold), `all of` with a bullet that never holds, `any of` whose bullets never hold.
 */
import type { IrRequirement } from "../ir.js";
import type { LintRule } from "./rule.js";
import { decided } from "./decide.js";

/** Whether a bullet can never hold (its rule is false for every request). */
function neverHolds(r: IrRequirement): boolean {
  return r.test !== undefined && r.when === undefined && decided(r.test) === false;
}

export const unmeetableList: LintRule = {
  code: "POL052",
  name: "list cannot be met",
  run(ctx) {
    for (const m of ctx.library.modules) {
      for (const r of m.requirements) {
        const list = r.list;
        if (!list) continue;
        const possible = list.items.filter((i) => !neverHolds(i)).length;
        const name = `${r.role === "group" ? "list" : r.role} '${r.id}'`;
        let problem: string | undefined;
        if (list.quantifier === "atLeast" && list.n > list.items.length) problem = `asks for at least ${list.n} of its ${list.items.length} bullets`;
        else if (list.quantifier === "atLeast" && list.n > possible) problem = `asks for at least ${list.n} of its bullets, but only ${possible} can ever hold`;
        else if (list.quantifier === "all" && possible < list.items.length) problem = `needs all of its bullets, but '${list.items.find(neverHolds)!.id}' never holds`;
        else if (list.quantifier === "any" && possible === 0) problem = "needs one of its bullets, but none can ever hold";
        if (problem) ctx.report("POL052", ctx.at(m.file, r.line), `${name} can never be met: it ${problem}`);
      }
    }
  },
};
