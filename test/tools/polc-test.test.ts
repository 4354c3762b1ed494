/**
 * polc test through the CLI, on a small library of its own and on the policy library: one line
 * per case, what differs for a failure, exit codes, coverage and its LCOV, the case-folder
 * convention.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCasesRoot, jsonFilesUnder } from "../../compiler/tools/case-folders.js";
import { differences, formatCaseResult } from "../../compiler/tools/run-cases.js";
import type { Determination } from "../../runtime/determination.js";
import { kneePolicy, polc, writeCase } from "./support.js";

let dir: string;
let lib: string;
let pol: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "polc-test-"));
  lib = join(dir, "lib");
  mkdirSync(join(lib, "cases", "knee-1"), { recursive: true });
  writeFileSync(join(lib, "knee.pol"), kneePolicy);
  pol = relative(process.cwd(), join(lib, "knee.pol"));
  writeCase(lib, "knee-1/meets.json", { input: { date_of_service: "2024-06-15", pain_score: 7, therapy_start: "2024-04-01", infection: false }, expect: { outcome: "meets", pathway: "chronic_pain", unmet: [] } });
  writeCase(lib, "knee-1/pain-5.json", { description: "Pain 5 of 10", input: { date_of_service: "2024-06-15", pain_score: 5, therapy_start: "2024-04-01", infection: false }, expect: { outcome: "does-not-meet", unmet: ["severe"] } });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What this Node's JSON parser says of a text. */
function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  return "";
}

describe("the case-folder convention", () => {
  it("finds LIBRARY/cases first, then cases/ or test/cases/ beside the library, and --cases over all", () => {
    expect(findCasesRoot(lib)).toBe(relative(process.cwd(), join(lib, "cases")));
    expect(findCasesRoot("policies")).toBe(join("test", "cases"));
    expect(findCasesRoot("policies", "elsewhere")).toBe("elsewhere");
    expect(findCasesRoot(join(dir, "nothing-here"))).toBeUndefined();
  });
});

describe("comparing a determination with a case's expectation", () => {
  it("compares only the fields the case gives, lists in any order, advisories and referrals included", () => {
    const ref = (id: string) => ({ id, wording: id, refs: "", section: "S" });
    const d = {
      outcome: "refer-for-review",
      pathway: null,
      unmet: [ref("b"), ref("a")],
      missing: [],
      advisories: [ref("note_x")],
      referrals: [{ clause: "at the discretion of the reviewer", refs: "" }],
      assumptions: [],
    } as unknown as Determination;
    expect(differences(d, { outcome: "refer-for-review", unmet: ["a", "b"], referrals: ["at the discretion of the reviewer"] })).toEqual([]);
    const diffs = differences(d, { outcome: "needs-info", advisories: [], referrals: [] });
    expect(diffs.map((x) => x.field)).toEqual(["outcome", "advisories", "referrals"]);
    expect(formatCaseResult({ file: "x.json", name: "x.json", policy: "P", status: "fail", unconfirmed: false, differences: diffs, problems: [] })).toEqual([
      "FAIL P x.json",
      "       outcome: expected needs-info, got refer-for-review",
      "       advisories: expected [], got [note_x] (+note_x)",
      "       referrals: expected [], got [at the discretion of the reviewer] (+at the discretion of the reviewer)",
    ]);
  });
});

describe("comparing assumptions", () => {
  it("compares the facts taken as absent, in any order, and prints what differs", () => {
    const assumed = (fact: string) => ({ fact, description: fact, value: false, statement: `Not documented, so taken as absent: ${fact}` });
    const d = { outcome: "meets", pathway: "p", unmet: [], missing: [], advisories: [], referrals: [], assumptions: [assumed("findings.b"), assumed("findings.a")] } as unknown as Determination;
    expect(differences(d, { outcome: "meets", assumptions: ["findings.a", "findings.b"] })).toEqual([]);
    const diffs = differences(d, { assumptions: ["findings.a", "findings.c"] });
    expect(formatCaseResult({ file: "x.json", name: "x.json", policy: "P", status: "fail", unconfirmed: false, differences: diffs, problems: [] })).toEqual([
      "FAIL P x.json",
      "       assumptions: expected [findings.a, findings.c], got [findings.a, findings.b] (-findings.c +findings.b)",
    ]);
  });
});

describe("polc test", () => {
  it("prints one line per case and a summary, and exits 0 when every case passes", async () => {
    expect(await polc("test", "--library", lib, "--no-build")).toEqual({ code: 0, out: ["ok   KNEE_1 knee-1/meets.json", "ok   KNEE_1 knee-1/pain-5.json", "2 cases: 2 passed, 0 failed"].join("\n"), err: "" });
  });

  it("prints what differs for a failing case and exits 1", async () => {
    const wrong = writeCase(lib, "knee-1/wrong.json", { state: "wa", input: { date_of_service: "2024-06-15", pain_score: 5, therapy_start: "2024-06-01" }, expect: { outcome: "meets", pathway: "chronic_pain", unmet: [], missing: [] } });
    try {
      const run = await polc("test", "--library", lib, "--no-build", "KNEE_1");
      expect(run.code).toBe(1);
      expect(run.out).toBe(
        [
          "ok   KNEE_1 knee-1/meets.json",
          "ok   KNEE_1 knee-1/pain-5.json",
          "FAIL KNEE_1 knee-1/wrong.json (WA)",
          "       outcome: expected meets, got does-not-meet",
          "       pathway: expected chronic_pain, got none",
          "       unmet: expected [], got [severe, therapy] (+severe +therapy)",
          "3 cases: 2 passed, 1 failed",
        ].join("\n"),
      );
    } finally {
      rmSync(wrong);
    }
  });

  it("reports a malformed case file and a request the policy refuses as errors, and exits 2", async () => {
    const bad = writeCase(lib, "knee-1/bad.json", { input: { date_of_service: "2024-06-15", pain_score: 11 }, expect: { outcome: "meets" } });
    const broken = join(lib, "cases", "knee-1", "broken.json");
    writeFileSync(broken, "{ not json");
    try {
      const run = await polc("test", "--library", lib, "--no-build", join(lib, "cases", "knee-1", "bad.json"), broken);
      expect(run.code).toBe(2);
      expect(run.out.split("\n")).toEqual([
        "ERROR KNEE_1 knee-1/bad.json",
        "       input.pain_score: expected a number from 0 to 10, got 11",
        "ERROR KNEE_1 knee-1/broken.json",
        `       ${broken} is not valid JSON: ${jsonError("{ not json")}`,
        "2 cases: 0 passed, 0 failed, 2 errors",
      ]);
    } finally {
      rmSync(bad);
      rmSync(broken);
    }
  });

  it("asks for an expectation when a case has none", async () => {
    const open = writeCase(lib, "knee-1/open.json", { input: { date_of_service: "2024-06-15" } });
    try {
      const run = await polc("test", "--library", lib, "--no-build", join(lib, "cases", "knee-1", "open.json"));
      expect(run).toEqual({ code: 1, out: ["FAIL KNEE_1 knee-1/open.json", "       no expect.outcome: write the outcome the guideline gives", "1 case: 0 passed, 1 failed"].join("\n"), err: "" });
    } finally {
      rmSync(open);
    }
  });

  it("reports coverage per criterion from the trace, writes LCOV on the .pol lines, and fails below --coverage-threshold", async () => {
    const lcovPath = join(dir, "out", "pol.lcov");
    const run = await polc("test", "--library", lib, "--no-build", "--coverage", "--lcov", lcovPath, "--coverage-threshold", "80");
    expect(run.code).toBe(1);
    expect(run.err).toBe("coverage 75.0% is below the threshold of 80%");
    expect(run.out).toBe(
      [
        "ok   KNEE_1 knee-1/meets.json",
        "ok   KNEE_1 knee-1/pain-5.json",
        "",
        "Coverage (each criterion, list, definition and overlay clause: the cases that made it true / false / unknown / not applicable):",
        "KNEE_1: 75.0% (6 of 8 outcomes, 2 cases)",
        `  pathway chronic_pain (${pol}:8): true 1, false 1, unknown 0, not applicable 0`,
        `  criterion severe (${pol}:9): true 1, false 1, unknown 0, not applicable 0`,
        `  criterion therapy (${pol}:10): true 2, false 0, unknown 0, not applicable 0`,
        `  criterion infection_present (${pol}:14): true 0, false 2, unknown 0, not applicable 0`,
        "  never seen both ways:",
        "    criterion therapy: never false",
        "    criterion infection_present: never true",
        "total coverage: 75.0% (6 of 8 outcomes)",
        `LCOV written to ${lcovPath}`,
        "2 cases: 2 passed, 0 failed",
      ].join("\n"),
    );
    expect(readFileSync(lcovPath, "utf8")).toBe(
      ["TN:polc", `SF:${pol}`, "BRDA:8,0,0,1", "BRDA:8,0,1,1", "BRDA:9,0,0,1", "BRDA:9,0,1,1", "BRDA:10,0,0,2", "BRDA:10,0,1,0", "BRDA:14,0,0,0", "BRDA:14,0,1,2", "BRF:8", "BRH:6", "DA:8,2", "DA:9,2", "DA:10,2", "DA:14,2", "LF:4", "LH:4", "end_of_record", ""].join("\n"),
    );
    expect((await polc("test", "--library", lib, "--no-build", "--coverage-threshold", "75", "--lcov", lcovPath)).code).toBe(0);
  });

  it("names the cases behind each result in --json, and never overwrites an LCOV file it did not write", async () => {
    const lcovPath = join(dir, "other.lcov");
    const run = await polc("test", "--library", lib, "--no-build", "--coverage", "--json", "--lcov", lcovPath);
    const json = JSON.parse(run.out) as { summary: unknown; coverage: { policies: { items: { id: string; cases: Record<string, string[]> }[] }[] } };
    expect(json.summary).toEqual({ cases: 2, passed: 2, failed: 0, errors: 0, unconfirmed: 0 });
    expect(json.coverage.policies[0].items.find((i) => i.id === "severe")!.cases).toEqual({ true: ["knee-1/meets.json"], false: ["knee-1/pain-5.json"], unknown: [], "not-applicable": [], value: [] });
    writeFileSync(lcovPath, "SF:app.js\nend_of_record\n");
    expect(await polc("test", "--library", lib, "--no-build", "--coverage", "--lcov", lcovPath)).toEqual({ code: 2, out: "", err: `polc: ${lcovPath} exists and is not an LCOV file polc wrote; give --lcov another file` });
    expect(readFileSync(lcovPath, "utf8")).toBe("SF:app.js\nend_of_record\n");
  });

  it("refuses what it cannot run, with exit code 2", async () => {
    expect(await polc("test", "--library", lib, "--no-build", "NOPE")).toEqual({ code: 2, out: "", err: `polc: 'NOPE' is neither a policy of the library (KNEE_1) nor a case file or folder` });
    expect((await polc("test", "--library", lib, "--coverage-threshold", "high")).err).toBe("polc: --coverage-threshold expects a percentage from 0 to 100, not 'high'");
    const bare = join(dir, "bare");
    mkdirSync(bare, { recursive: true });
    writeFileSync(join(bare, "knee.pol"), kneePolicy);
    expect((await polc("test", "--library", bare, "--no-build")).err).toBe(`polc: no case folder for ${bare}: make ${join(bare, "cases")}/ with a folder per policy (for example ${join(bare, "cases", "nia-cg-300")}/), or give --cases DIR`);
  });

  it("rebuilds stale generated output of an earlier build first", async () => {
    const out = join(dir, "gen");
    const docs = join(dir, "gendocs");
    expect((await polc("build", lib, "--out", out, "--docs", docs)).code).toBe(0);
    writeFileSync(join(lib, "knee.pol"), kneePolicy.replace('"Knee Injections"', '"Knee Joint Injections"'));
    try {
      const run = await polc("test", "--library", lib, "--out", out, "--docs", docs);
      expect(run.code).toBe(0);
      // The module, its two JSON Schemas (they carry the title), the policy's page and the index.
      expect(run.out.split("\n")[0]).toBe(
        `rebuilt 5 stale files: ${["gen/knee-1.ts", "gendocs/policies/knee-1.md", "gendocs/index.md", "gen/knee-1.input.schema.json", "gen/knee-1.determination.schema.json"].map((f) => join(dir, f)).join(", ")}`,
      );
      expect(readFileSync(join(out, "knee-1.ts"), "utf8")).toContain("Knee Joint Injections");
      expect((await polc("test", "--library", lib, "--out", out, "--docs", docs)).out.split("\n")[0]).toBe("ok   KNEE_1 knee-1/meets.json");
    } finally {
      writeFileSync(join(lib, "knee.pol"), kneePolicy);
    }
  });

  it("takes a folder of .pol files as the policies (and overlays' policies) it declares", async () => {
    const washington = await polc("test", "policies/washington", "--no-build");
    const policies = new Set(washington.out.split("\n").filter((l) => l.startsWith("ok")).map((l) => l.split(" ")[3]));
    expect([...policies].sort()).toEqual(["NIA_CG_300", "NIA_CG_301", "NIA_CG_302", "NIA_CG_305", "NIA_CG_408"]);
  });

  it("runs every case file of the policy library and passes", async () => {
    const run = await polc("test", "--no-build");
    const count = jsonFilesUnder(join("test", "cases")).length;
    expect(run.code).toBe(0);
    expect(run.out.split("\n").at(-1)).toBe(`${count} cases: ${count} passed, 0 failed`);
    expect(existsSync(join("test", "cases"))).toBe(true);
  });
});
