/**
 * polc's output as a script reads it: input errors as JSON under --json, a case's id passed
 * through a batch, output folders that cannot be used refused with exit 2, flags that only make
 * sense together refused, and `polc route` naming the policies for CPT codes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { evaluateLine } from "../../compiler/cli/batch.js";
import { compileFiles } from "../../compiler/compile.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import { polc } from "../support/polc.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "polc-script-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("polc eval --json", () => {
  it("prints a case that does not match the policy's input as JSON on stdout, with each field's path, and exits 2", async () => {
    const path = file("bad.json", JSON.stringify({ id: "c-1", input: { date_of_service: "2024-03-15", pain: { average: 11, mood: 3 }, prior_procedures: [{ kind: "epidural_injection" }] } }));
    const run = await polc("eval", "NIA_CG_300", path, "--json");
    expect(run.code).toBe(2);
    expect(run.err).toBe("");
    expect(JSON.parse(run.out)).toEqual({
      error: `${path}: the case does not match NIA_CG_300's input`,
      problems: [
        { path: "input.pain.average", message: "expected a number from 0 to 10, got 11" },
        { path: "input.pain.mood", message: "is not a fact of this policy" },
        { path: "input.prior_procedures[0].date", message: "is required: each entry needs its date" },
      ],
    });
  });

  it("refuses --trace and --workers without --batch, before compiling anything", async () => {
    expect(await polc("eval", "NIA_CG_300", "test/cases/nia-cg-300/acute-radicular-meets.json", "--trace")).toEqual({
      code: 2,
      out: "",
      err: "polc: --trace goes with --batch; a single case's trace is always printed",
    });
    expect(await polc("eval", "NIA_CG_300", "test/cases/nia-cg-300/acute-radicular-meets.json", "--workers", "2")).toEqual({ code: 2, out: "", err: "polc: --workers goes with --batch" });
  });
});

describe("polc eval --batch and a case's id", () => {
  const policy = loadPolicies(compileFiles(polFilesUnder("policies"))).get("NIA_CG_300")!;
  const config = { policy, trace: false };

  it("passes a case's id through to its determination and to its error", () => {
    const ok = JSON.parse(evaluateLine(config, JSON.stringify({ id: "req-17", input: { date_of_service: "2024-03-15" } }), 1).text) as { id: string; outcome: string };
    expect(Object.keys(ok)[0]).toBe("id");
    expect([ok.id, ok.outcome]).toEqual(["req-17", "needs-info"]);
    const numbered = JSON.parse(evaluateLine(config, JSON.stringify({ id: 42, input: { date_of_service: "2024-03-15" } }), 1).text) as { id: number };
    expect(numbered.id).toBe(42);
    expect(JSON.parse(evaluateLine(config, JSON.stringify({ id: "req-18", input: { date_of_service: "2024-03-15", pain: { average: 11 } } }), 3).text)).toEqual({
      line: 3,
      id: "req-18",
      error: "input.pain.average: expected a number from 0 to 10, got 11",
    });
    expect(JSON.parse(evaluateLine(config, JSON.stringify({ id: { x: 1 }, input: {} }), 4).text)).toEqual({ line: 4, error: "'id' must be a text or a number" });
  });

  it("gives no id to a line without one", () => {
    const out = JSON.parse(evaluateLine(config, JSON.stringify({ date_of_service: "2024-03-15" }), 1).text) as Record<string, unknown>;
    expect(Object.hasOwn(out, "id")).toBe(false);
  });
});

describe("output folders", () => {
  it("refuses --out naming a file, with exit 2 and a message naming it", async () => {
    const path = file("a-file.txt", "mine\n");
    expect(await polc("build", "policies", "--out", path, "--docs", join(dir, "docs"))).toEqual({ code: 2, out: "", err: `polc: --out ${path}: is a file, not a folder; give a folder polc can create and write to` });
  });

  it("refuses a folder that cannot be created, at once", async () => {
    const below = join(file("plain.txt", "x"), "inside");
    expect(await polc("build", "policies", "--out", below, "--docs", join(dir, "docs"))).toEqual({
      code: 2,
      out: "",
      err: `polc: --out ${below}: a part of the path is a file, not a folder; give a folder polc can create and write to`,
    });
    expect(await polc("build", "policies", "--out", "/proc/polc-out", "--docs", join(dir, "docs"))).toEqual({
      code: 2,
      out: "",
      err: "polc: --out /proc/polc-out: cannot create this folder (a part of the path cannot hold folders); give a folder polc can create and write to",
    });
    expect(await polc("docs", "policies", "--docs", join(dir, "a-file.txt"))).toEqual({ code: 2, out: "", err: `polc: --docs ${join(dir, "a-file.txt")}: is a file, not a folder; give a folder polc can create and write to` });
  });
});

describe("polc route", () => {
  it("names the policies that list the request's codes, an add-on code with or without its +, and the codes none lists", async () => {
    const run = await polc("route", "--cpt", "64483", "+64484", "99999");
    expect(run).toEqual({
      code: 0,
      out: [
        "NIA_CG_300 Epidural Spine Injections (version 2024): 64483 (Lumbar Sacral Region), 64484 (Lumbar Sacral Region)",
        "NIA_CG_408 Epidural Spine Injections and Single Injection Trials for Intrathecal Pumps (version 2024): 64483 (Lumbar Sacral Region), 64484 (Lumbar Sacral Region)",
        "no policy lists 99999",
      ].join("\n"),
      err: "",
    });
  });

  it("prints JSON, and refuses what is not a code", async () => {
    const run = await polc("route", "--cpt", "27096", "--json");
    expect(JSON.parse(run.out)).toEqual({ matches: [{ policy: "NIA_CG_305", title: "Sacroiliac Joint Injections", version: "2024", codes: [{ code: "27096", region: "CPT Codes" }] }], unmatched: [] });
    expect(await polc("route", "--cpt", "6448", "x")).toEqual({ code: 2, out: "", err: "polc: --cpt expects CPT or HCPCS codes of five letters or digits (64483, +64484, 0213T), not '6448', 'x'" });
  });
});

describe("polc in a pipe", () => {
  it("stops quietly when the reader closes the pipe early (polc sql POLICY | head -1)", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, ["bin/polc.js", "sql", "NIA_CG_300"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    // Read the first chunk, then close the pipe as head does.
    const first = await new Promise<string>((resolve) => child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString())));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(first.startsWith("-- Generated by polc — do not edit. NIA_CG_300")).toBe(true);
    expect(err).toBe("");
    expect(code).toBe(0);
  }, 60_000);
});
