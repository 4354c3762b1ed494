/**
 * Every case file of the library, run by the same code as `polc test` (compiler/tools): each
 * policy's folder is found by the case-folder convention (test/cases/nia-cg-300/ → NIA_CG_300),
 * so a new policy's cases are run without editing this file. Beyond what `polc test` checks, each
 * case is evaluated by the committed module and without the trace: both give the same
 * determination (the trace aside).
 */
import { describe, it, expect, beforeAll } from "vitest";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compileFiles } from "../../compiler/compile.js";
import { polFilesUnder, main } from "../../compiler/cli/main.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import { policySlug } from "../../compiler/build.js";
import { findCasesRoot } from "../../compiler/tools/case-folders.js";
import { runLibraryCases } from "../../compiler/tools/test-library.js";
import { formatCaseResult } from "../../compiler/tools/run-cases.js";
import { readCaseFile } from "../../compiler/cli/case-file.js";
import { evaluate } from "../../runtime/determine.js";
import type { Determination, EvaluateOptions } from "../../runtime/determination.js";
import { repoRoot } from "../support/library.js";
import { expectDetermination } from "../support/policies.js";

const compiled = compileFiles(polFilesUnder("policies"));
const errors = compiled.diagnostics.filter((d) => d.severity === "error");
const policies = loadPolicies(compiled);
const root = findCasesRoot("policies");
const run = runLibraryCases(compiled, root ?? "test/cases");

/** The committed generated modules, by policy id: what users import. */
const committed = new Map<string, { evaluate: (input: never, options?: EvaluateOptions) => Determination }>();
beforeAll(async () => {
  for (const p of compiled.policies) committed.set(p.ir.id, await import(pathToFileURL(join(repoRoot, "generated", `${policySlug(p.ir.id)}.ts`)).href));
});

describe("policy library", () => {
  it("compiles without errors, and its cases are found in test/cases/ beside it", () => {
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(root).toBe(join("test", "cases"));
  });

  it("has a folder of case files for every policy, none named for no policy, and at least 40 cases for NIA_CG_300", () => {
    expect(run.withoutCases).toEqual([]);
    expect(run.strays).toEqual([]);
    expect(run.results.filter((r) => r.policy === "NIA_CG_300").length).toBeGreaterThanOrEqual(40);
  });
});

describe("case files", () => {
  for (const result of run.results) {
    it(result.name, () => {
      // What polc test prints for the case: one passing line.
      expect(formatCaseResult(result)).toEqual([`ok   ${result.policy} ${result.name}${result.state ? ` (${result.state})` : ""}${result.probe ? `  [probes ${result.probe}]` : ""}`]);
      const testCase = readCaseFile(result.file);
      const policy = policies.get(result.policy)!;
      // Without the trace the same code gives the same determination, and so does the committed module.
      const untraced = evaluate(policy, testCase.input, { state: result.state, trace: false });
      expect(untraced).toEqual({ ...result.determination!, trace: [] });
      expect(committed.get(result.policy)!.evaluate(testCase.input as never, { state: result.state })).toEqual(result.determination);
    });
  }
});

describe("polc eval on a case file", () => {
  it("prints the determination as JSON and exits 0", async () => {
    const file = join("test", "cases", "nia-cg-300", "acute-radicular-meets.json");
    const outs: string[] = [];
    const errs: string[] = [];
    const code = await main(["node", "polc", "eval", "NIA_CG_300", file, "--json"], { out: (s) => outs.push(s), err: (s) => errs.push(s) });
    expect(errs).toEqual([]);
    expect(code).toBe(0);
    const determination = JSON.parse(outs.join("\n")) as Determination;
    expectDetermination(determination, { outcome: "meets", pathway: "acute_radicular_pain" });
  });
});
