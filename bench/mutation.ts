/**
 * Threshold mutation over the whole library: every number, duration and "at least N" of every
 * policy's rules is changed by one unit, up and down, and the policies' case files are run on
 * the changed code (compiler/tools/mutation.ts). Prints each mutant that no case notices, then
 * the thresholds no case pins down, per policy.
 *
 *   npx tsx bench/mutation.ts [POLICY…]        # all policies, or some (about 2 minutes for all)
 */
import { compileFiles } from "../compiler/compile.js";
import { polFilesUnder } from "../compiler/cli/main.js";
import { findCasesRoot } from "../compiler/tools/case-folders.js";
import { mutableThresholds, runMutants } from "../compiler/tools/mutation.js";

const only = new Set(process.argv.slice(2));
const result = compileFiles(polFilesUnder("policies"));
if (!result.library) throw new Error("the library has errors: run polc check policies");
const root = findCasesRoot("policies") ?? "test/cases";
const thresholds = mutableThresholds(result).filter((t) => only.size === 0 || t.policies.some((p) => only.has(p)));
const started = performance.now();
const results = runMutants(result, root, thresholds, (r) => {
  if (!r.killedBy) console.log(`survived: ${r.threshold.file}:${r.threshold.line} ${r.threshold.owner}: ${r.change}`);
});
const seconds = (performance.now() - started) / 1000;

const uncovered = new Map<string, string[]>();
for (const r of results.filter((x) => !x.killedBy)) {
  for (const p of r.threshold.policies) {
    if (only.size && !only.has(p)) continue;
    if (!uncovered.has(p)) uncovered.set(p, []);
    uncovered.get(p)!.push(`${r.threshold.owner} (${r.threshold.file}:${r.threshold.line}): ${r.change}`);
  }
}
console.log("");
console.log(`# ${thresholds.length} thresholds, ${results.length} mutants, ${results.filter((r) => r.killedBy).length} noticed by a case, in ${seconds.toFixed(0)} s`);
for (const [policy, list] of [...uncovered].sort()) {
  console.log(`${policy}: ${list.length} mutant${list.length === 1 ? "" : "s"} no case notices`);
  for (const line of list) console.log(`  ${line}`);
}
if (uncovered.size === 0) console.log("every threshold change is noticed by some case");
