/**
 * Runs every case file under test/cases/ against the policy its folder names
 * (test/cases/nia-cg-300/*.json → NIA_CG_300) and checks the expected determination.
 */
import { describe, it, expect } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { compileFiles } from "../compiler/compile.js";
import { polFilesUnder, main } from "../compiler/cli/main.js";
import { validateInput } from "../runtime/validate.js";
import { evaluateProgram } from "../runtime/evaluate.js";
import { evaluateCompiled } from "../runtime/kernel.js";
import type { Determination } from "../runtime/determination.js";
import { loadEvaluator } from "../compiler/load-evaluator.js";
import * as cg300 from "../generated/nia-cg-300.js";
import * as cg301 from "../generated/nia-cg-301.js";
import * as cg302 from "../generated/nia-cg-302.js";
import * as cg305 from "../generated/nia-cg-305.js";
import * as cg310 from "../generated/nia-cg-310.js";
import * as cg404 from "../generated/nia-cg-404.js";
import * as cg405 from "../generated/nia-cg-405.js";
import * as cg408 from "../generated/nia-cg-408.js";

const casesRoot = join("test", "cases");

function jsonFilesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) found.push(...jsonFilesUnder(full));
    else if (name.endsWith(".json")) found.push(full);
  }
  return found;
}

interface CaseFile {
  description?: string;
  state?: string;
  input: Record<string, unknown>;
  expect?: { outcome?: string; pathway?: string | null; unmet?: string[]; missing?: string[] };
}

const policyIdOf = (file: string) => basename(dirname(file)).toUpperCase().replace(/-/g, "_");
const sorted = (xs: readonly string[]) => [...xs].sort();

/** The committed generated modules, by policy id: what users import. */
const generatedModules = new Map<string, { evaluate: (input: never, options?: { state?: string; trace?: boolean }) => Determination }>(
  [cg300, cg301, cg302, cg305, cg310, cg404, cg405, cg408].map((m) => [m.program.id, m as never]),
);

const files = jsonFilesUnder(casesRoot);
const compiled = compileFiles(polFilesUnder("policies"));
const errors = compiled.diagnostics.filter((d) => d.severity === "error");

describe("policy library", () => {
  it("compiles without errors", () => {
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it("has at least 40 case files for NIA_CG_300", () => {
    expect(files.filter((f) => policyIdOf(f) === "NIA_CG_300").length).toBeGreaterThanOrEqual(40);
  });
});

describe("case files", () => {
  for (const file of files) {
    const name = relative(casesRoot, file);
    it(name, () => {
      const testCase = JSON.parse(readFileSync(file, "utf8")) as CaseFile;
      const policyId = policyIdOf(file);
      const policy = compiled.policies.find((p) => p.policy.name === policyId);
      expect(policy, `no policy ${policyId} for ${name}`).toBeDefined();
      const program = policy!.program;

      const expected = testCase.expect;
      expect(expected?.outcome, `${name} has no expect.outcome`).toBeTypeOf("string");

      expect(validateInput(program, testCase.input)).toEqual([]);
      const state = testCase.state?.toUpperCase();
      const determination = evaluateProgram(program, testCase.input, { state });

      // The interpreter without its trace, the compiled evaluator, and the committed module's
      // compiled functions all give the same determination.
      const untraced = evaluateProgram(program, testCase.input, { state, trace: false });
      expect(untraced).toEqual({ ...determination, trace: [] });
      const evaluator = loadEvaluator(program);
      expect(evaluator.wellFormed(testCase.input)).toBe(true);
      expect(evaluateCompiled(evaluator, testCase.input, state ?? null)).toEqual(untraced);
      expect(generatedModules.get(policyId)!.evaluate(testCase.input as never, { state, trace: false })).toEqual(untraced);

      expect(determination.outcome).toBe(expected!.outcome);
      if (expected && "pathway" in expected) expect(determination.pathway).toBe(expected.pathway);
      if (expected?.unmet) expect(sorted(determination.unmet.map((u) => u.id))).toEqual(sorted(expected.unmet));
      if (expected?.missing) expect(sorted(determination.missing.map((m) => m.fact))).toEqual(sorted(expected.missing));
    });
  }
});

describe("polc eval on a case file", () => {
  it("prints the determination as JSON and exits 0", async () => {
    const file = join(casesRoot, "nia-cg-300", "acute-radicular-meets.json");
    const outs: string[] = [];
    const errs: string[] = [];
    const code = await main(["node", "polc", "eval", "NIA_CG_300", file, "--json"], { out: (s) => outs.push(s), err: (s) => errs.push(s) });
    expect(errs).toEqual([]);
    expect(code).toBe(0);
    const determination = JSON.parse(outs.join("\n")) as { outcome: string; pathway: string | null };
    expect(determination.outcome).toBe("meets");
    expect(determination.pathway).toBe("acute_radicular_pain");
  });
});
