/**
 * Every case file under test/cases/ against the policy its folder names
 * (test/cases/nia-cg-300/*.json → NIA_CG_300; a new policy's folder is found by itself). Each case
 * is evaluated by the committed module and by the generated code polc runs in memory, with the
 * trace and without: all four give the same determination (the trace aside), and it is the one
 * the case expects.
 */
import { describe, it, expect, beforeAll } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { compileFiles } from "../../compiler/compile.js";
import { polFilesUnder, main } from "../../compiler/cli/main.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import { policySlug } from "../../compiler/build.js";
import { validateInput } from "../../runtime/validate.js";
import { evaluate } from "../../runtime/determine.js";
import type { Determination, EvaluateOptions } from "../../runtime/determination.js";
import { repoRoot } from "../support/library.js";
import { expectDetermination } from "../support/policies.js";

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
  expect?: { outcome?: Determination["outcome"]; pathway?: string | null; unmet?: string[]; missing?: string[] };
}

const files = jsonFilesUnder(casesRoot);
const compiled = compileFiles(polFilesUnder("policies"));
const errors = compiled.diagnostics.filter((d) => d.severity === "error");
const policies = loadPolicies(compiled);
/** The policy a case folder is for: the policy whose module has the folder's name. */
const policyOfFolder = new Map(compiled.policies.map((p) => [policySlug(p.ir.id), p.ir.id]));

/** The committed generated modules, by policy id: what users import. */
const committed = new Map<string, { evaluate: (input: never, options?: EvaluateOptions) => Determination }>();
beforeAll(async () => {
  for (const [slug, id] of policyOfFolder) committed.set(id, await import(pathToFileURL(join(repoRoot, "generated", `${slug}.ts`)).href));
});

describe("policy library", () => {
  it("compiles without errors", () => {
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it("has a folder of case files for every policy, and at least 40 for NIA_CG_300", () => {
    const folders = new Set(files.map((f) => basename(dirname(f))));
    expect([...policyOfFolder.keys()].filter((slug) => !folders.has(slug))).toEqual([]);
    expect(files.filter((f) => basename(dirname(f)) === "nia-cg-300").length).toBeGreaterThanOrEqual(40);
  });
});

describe("case files", () => {
  for (const file of files) {
    const name = relative(casesRoot, file);
    it(name, () => {
      const testCase = JSON.parse(readFileSync(file, "utf8")) as CaseFile;
      const policyId = policyOfFolder.get(basename(dirname(file)));
      expect(policyId, `no policy has a module named ${basename(dirname(file))}`).toBeDefined();
      const policy = policies.get(policyId!)!;
      expect(testCase.expect?.outcome, `${name} has no expect.outcome`).toBeTypeOf("string");

      expect(validateInput(policy, testCase.input)).toEqual([]);
      const state = testCase.state?.toUpperCase();
      const determination = evaluate(policy, testCase.input, { state });
      // Without the trace the same code gives the same determination, and so does the committed module.
      const untraced = evaluate(policy, testCase.input, { state, trace: false });
      expect(untraced).toEqual({ ...determination, trace: [] });
      expect(committed.get(policyId!)!.evaluate(testCase.input as never, { state })).toEqual(determination);

      expectDetermination(determination, testCase.expect!);
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
    const determination = JSON.parse(outs.join("\n")) as Determination;
    expectDetermination(determination, { outcome: "meets", pathway: "acute_radicular_pain" });
  });
});
