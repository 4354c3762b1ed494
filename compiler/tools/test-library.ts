/**
 * A test run over a compiled library: which case files belong to which policy (by the folder
 * convention of case-folders.ts), each run by run-cases.ts, and, when asked, the coverage they
 * give. `polc test`, the docs' coverage table and the test suite's case-file test all call this.
 */
import { noProgress, type Progress } from "../progress.js";
import type { CompileResult } from "../compile.js";
import type { Policy } from "../../runtime/policy.js";
import type { EvaluateOptions } from "../../runtime/determination.js";
import { loadPolicies } from "../load-modules.js";
import { caseFolders, jsonFilesUnder, policyOfCaseFile } from "./case-folders.js";
import { caseName, runCase, type CaseResult } from "./run-cases.js";
import { PolicyCoverage } from "./coverage.js";

export interface TestSelection {
  /** Only these policies (all when empty). */
  readonly policies?: ReadonlySet<string>;
  /** Only these case files or folders (all of the selected policies' when empty). */
  readonly cases?: readonly string[];
}

export interface TestRun {
  readonly root: string;
  readonly results: readonly CaseResult[];
  /** Per policy with cases, in the library's order, when coverage was asked for. */
  readonly coverage: readonly PolicyCoverage[];
  /** Policies of the selection with no case folder, and folders named for no policy. */
  readonly withoutCases: readonly string[];
  readonly strays: readonly string[];
}

export function runLibraryCases(
  result: CompileResult,
  root: string,
  selection: TestSelection = {},
  withCoverage = false,
  policies: ReadonlyMap<string, Policy> = loadPolicies(result),
  progress: Progress = noProgress,
  options: Pick<EvaluateOptions, "fewestFacts"> = {},
): TestRun {
  const ids = result.policies.map((p) => p.ir.id);
  const folders = caseFolders(root, ids);
  const chosen = ids.filter((id) => !selection.policies?.size || selection.policies.has(id));
  const files = new Map<string, string[]>();
  if (selection.cases?.length) {
    // A case outside the policies' folders is for the one policy named, or the library's only one.
    const only = selection.policies?.size === 1 ? [...selection.policies][0] : ids.length === 1 ? ids[0] : "";
    for (const path of selection.cases) {
      for (const file of jsonFilesUnder(path)) {
        const id = policyOfCaseFile(root, file, ids) ?? only;
        if (!files.has(id)) files.set(id, []);
        files.get(id)!.push(file);
      }
    }
  } else for (const id of chosen) if (folders.byPolicy.has(id)) files.set(id, [...folders.byPolicy.get(id)!]);

  const results: CaseResult[] = [];
  const coverage: PolicyCoverage[] = [];
  progress.phase("running cases", [...files.values()].reduce((n, list) => n + list.length, 0));
  for (const [id, list] of files) {
    const compiled = result.policies.find((p) => p.ir.id === id);
    const policy = policies.get(id);
    const cov = withCoverage && compiled && policy ? new PolicyCoverage(compiled, policy) : undefined;
    if (cov) coverage.push(cov);
    for (const file of list) {
      const name = caseName(root, file);
      const r = runCase(file, root, id, policy, cov?.observe(name), options);
      if (cov && r.determination) cov.record(name, r.determination);
      results.push(r);
      progress.step();
    }
  }
  return {
    root,
    results,
    coverage,
    withoutCases: chosen.filter((id) => !folders.byPolicy.has(id) && !selection.cases?.length),
    strays: folders.strays,
  };
}
