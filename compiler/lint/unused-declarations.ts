/**
 * POL054 and POL055: facts no policy reads and definitions no policy uses, in a library that has
 * policies (a file of shared declarations checked alone is not reported), in the files checked.
 */
import type { IrDefinition, IrExpr } from "../ir.js";
import { subexpressions } from "../ir.js";
import type { LintRule } from "./rule.js";
import { conditionsOf } from "../tools/policy-parts.js";

function usedDefinitions(e: IrExpr | undefined, into: Set<IrDefinition>): void {
  if (!e) return;
  if (e.k === "call" && !into.has(e.def)) {
    into.add(e.def);
    usedDefinitions(e.def.body, into);
  }
  for (const sub of subexpressions(e)) usedDefinitions(sub, into);
}

export const unusedFacts: LintRule = {
  code: "POL054",
  name: "unused fact",
  run(ctx) {
    if (ctx.library.policies.length === 0) return;
    const read = new Set(ctx.library.policies.flatMap((p) => p.facts));
    for (const m of ctx.library.modules.filter((x) => ctx.checked(x.file))) {
      for (const f of m.facts) if (!read.has(f)) ctx.report("POL054", ctx.at(m.file, f.line), `fact '${f.path}' is read by no policy`, { hint: "remove it, or use it in the criterion it was declared for" });
    }
  },
};

export const unusedDefinitions: LintRule = {
  code: "POL055",
  name: "unused definition",
  run(ctx) {
    if (ctx.library.policies.length === 0) return;
    const used = new Set<IrDefinition>();
    for (const p of ctx.library.policies) {
      for (const r of p.requirements) {
        usedDefinitions(r.when, used);
        usedDefinitions(r.test, used);
      }
      for (const e of conditionsOf(p)) usedDefinitions(e, used);
    }
    for (const m of ctx.library.modules.filter((x) => ctx.checked(x.file))) {
      for (const d of m.definitions) if (!used.has(d)) ctx.report("POL055", ctx.at(m.file, d.line), `definition '${d.name}' is used by no policy`);
    }
  },
};
