/**
 * pol as a consumer gets it: `npm pack`, the tarball installed into a fresh project with its own
 * `.pol` file, `polc` from the project's `node_modules/.bin`, the modules built (TypeScript and
 * `--emit js`), type-checked under `strict` by the consumer's own tsconfig, and a determination
 * run with plain `node`. The package is packed from a copy of the sources, so that its build does
 * not rewrite this checkout's `dist/` while other tests use it.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "..", "..");
const root = mkdtempSync(join(tmpdir(), "pol-package-"));
const staging = join(root, "pol");
const project = join(root, "consumer");
let tarball = "";
let packed: string[] = [];

/** The environment without what `npm test` sets for its own project (npm_config_local_prefix and the like), so that npm here works on the project it is run in. */
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

function run(command: string, args: readonly string[], cwd: string): string {
  return execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 });
}

const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");

beforeAll(() => {
  for (const entry of ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.package.json", "README.md", "bin", "grammar", "compiler", "runtime", "json-schema", "fhir", "service", "packages/prettier-plugin-pol", "docs/language.md"]) {
    if (existsSync(join(repo, entry))) cpSync(join(repo, entry), join(staging, entry), { recursive: true });
  }
  symlinkSync(join(repo, "node_modules"), join(staging, "node_modules"), "dir");
  const report = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", root], staging)) as { filename: string; files: { path: string }[] }[];
  tarball = join(root, report[0].filename);
  packed = report[0].files.map((f) => f.path).sort();

  cpSync(join(import.meta.dirname, "consumer"), project, { recursive: true });
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  // The registry only for what the cache does not hold; pol itself from the tarball.
  run("npm", ["install", tarball, "--prefer-offline", "--no-audit", "--no-fund"], project);
}, 300_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("the pol package", () => {
  it("holds the compiler's bundle and the runtime as JavaScript with declarations, and no policy library, tests or sources", () => {
    expect(packed.filter((p) => !p.startsWith("dist/runtime/") && !p.startsWith("dist/json-schema/") && !p.startsWith("dist/fhir/"))).toEqual(["README.md", "bin/polc.js", "dist/polc.mjs", "docs/language.md", "package.json"]);
    expect(packed).toContain("dist/runtime/index.js");
    expect(packed).toContain("dist/runtime/index.d.ts");
    expect(packed.filter((p) => p.endsWith(".ts") && !p.endsWith(".d.ts"))).toEqual([]);
    expect(packed.some((p) => /policies|generated|test\/|nia/i.test(p))).toBe(false);
  });

  it("puts polc on the project's path, and builds the project's own policy into modules that import the runtime by the package's name", () => {
    const polc = join(project, "node_modules", ".bin", "polc");
    expect(existsSync(polc)).toBe(true);
    expect(run(polc, ["build", "policies", "--out", "src/policies", "--docs", "docs"], project).trim()).toBe("built 1 policy: 7 files written, 0 unchanged");
    expect(readdirSync(join(project, "src", "policies")).sort()).toEqual([".polc-outputs", "knee-mri.determination.schema.json", "knee-mri.input.schema.json", "knee-mri.pol.ts", "knee-mri.ts"]);
    const module = readFileSync(join(project, "src", "policies", "knee-mri.ts"), "utf8");
    expect(module).toContain('import * as k from "pol/runtime";');
    expect(run(polc, ["build", "policies", "--out", "lib/policies", "--docs", "docs", "--emit", "js"], project).trim()).toBe("built 1 policy: 6 files written, 3 unchanged");
    expect(readdirSync(join(project, "lib", "policies")).sort()).toEqual([
      ".polc-outputs",
      "knee-mri.d.ts",
      "knee-mri.determination.schema.json",
      "knee-mri.input.schema.json",
      "knee-mri.js",
      "knee-mri.pol.d.ts",
      "knee-mri.pol.js",
    ]);
  });

  it("type-checks the TypeScript modules and the declarations of the JavaScript ones under the project's strict tsconfig, and refuses a misuse", () => {
    // One deliberate error shows that the check is real (a fact of the wrong type); it is the only one.
    writeFileSync(join(project, "src", "wrong.ts"), 'import type { Input } from "./policies/knee-mri.js";\nexport const wrong: Input = { date_of_service: "2025-03-01", symptoms: { pain: "high" } };\n');
    let output = "";
    try {
      run(process.execPath, [tsc, "-p", "."], project);
    } catch (e) {
      output = String((e as { stdout?: string }).stdout);
    }
    expect(output.trim().split("\n")).toEqual(["src/wrong.ts(2,74): error TS2322: Type 'string' is not assignable to type 'number'."]);
  });

  it("runs a determination with plain node, from the JavaScript modules, the runtime, the schemas and FHIR imported by the package's name", () => {
    const out = JSON.parse(run(process.execPath, ["evaluate.mjs"], project)) as unknown;
    expect(out).toEqual({
      outcome: "needs-info",
      pathway: "mechanical",
      unmet: [],
      missing: ["prior_mri"],
      inputError: ["symptoms.pain: expected a number from 0 to 10, got 11"],
      schemaBesideModule: true,
      questions: ["date_of_service", "side", "symptoms", "therapy_courses#none", "therapy_courses", "prior_mri"],
    });
  });
});
