/**
 * POL056: a fact a policy reads that none of the policy's case files documents, so no case shows
 * what it does. Checked only when the cases root is known (polc check --cases, or by convention).
 */
import type { LintRule } from "./rule.js";

export const undocumentedFacts: LintRule = {
  code: "POL056",
  name: "fact in no case file",
  run(ctx) {
    const documented = ctx.documented;
    if (!documented) return;
    const reported = new Set<string>();
    for (const p of ctx.library.policies) {
      const paths = documented.get(p.id);
      if (!paths) continue;
      for (const f of p.facts) {
        const key = `${p.id}\u0000${f.path}`;
        if (paths.has(f.path) || reported.has(key)) continue;
        reported.add(key);
        ctx.report("POL056", ctx.at(f.module.file, f.line), `fact '${f.path}' is read by ${p.id} but documented in none of its case files`, { hint: `add a case to the policy's case folder that gives ${f.path}` });
      }
    }
  },
};
