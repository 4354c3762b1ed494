import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { polc } from "../support/polc.js";

const meetsCase = "test/cases/nia-cg-300/acute-radicular-meets.json";
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "polc-cli-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("polc check", () => {
  it("exits 1 on a broken file and prints each error with file:line:col", async () => {
    const path = file("broken.pol", 'fact x: boolean "X"\nfact flag boolean "Flag"\n');
    const run = await polc("check", path);
    expect(run.code).toBe(1);
    expect(run.out).toBe("");
    expect(run.err).toBe(
      [
        `${relative(process.cwd(), path)}:2:11: error POL002: expected ':', but found 'boolean'`,
        "  |",
        '2 | fact flag boolean "Flag"',
        "  |           ^^^^^^^",
        "1 error in 1 file",
      ].join("\n"),
    );
  });

  it("exits 0 on a good file", async () => {
    const path = file("good.pol", 'fact x: boolean "X"\ncriterion c "C": x\n');
    expect(await polc("check", path)).toEqual({ code: 0, out: "no errors in 1 file", err: "" });
  });

  it("checks the policy library", async () => {
    const run = await polc("check", "policies");
    expect(run.code).toBe(0);
    expect(run.err).toBe("");
    expect(run.out).toMatch(/^no errors in \d+ files$/);
  });

  it("exits 2 for a path that does not exist", async () => {
    const missing = join(dir, "missing.pol");
    expect(await polc("check", missing)).toEqual({ code: 2, out: "", err: `polc: no such file or folder: ${missing}` });
  });
});

describe("usage errors", () => {
  it("exits 2 on an unknown command, without a stack trace", async () => {
    const run = await polc("frobnicate");
    expect(run.code).toBe(2);
    expect(run.err).toBe("error: unknown command 'frobnicate'\n(run polc --help, or polc COMMAND --help, for usage)");
  });

  it("exits 2 on an unknown flag, without a stack trace", async () => {
    const run = await polc("check", "--bogus", "policies");
    expect(run.code).toBe(2);
    expect(run.err).toBe("error: unknown option '--bogus'\n(run polc --help, or polc COMMAND --help, for usage)");
  });

  it("prints help and exits 0 with --help", async () => {
    const run = await polc("--help");
    expect(run.code).toBe(0);
    expect(run.out.split("\n")[0]).toBe("Usage: polc [options] [command]");
    for (const command of ["build", "check", "eval", "docs"]) expect(run.out).toContain(`  ${command} `);
    expect(run.err).toBe("");
  });
});

describe("polc eval", () => {
  it("exits 2 naming the known policies for an unknown policy id", async () => {
    const run = await polc("eval", "NIA_CG_999", meetsCase);
    expect(run.code).toBe(2);
    expect(run.out).toBe("");
    // The list grows with the library; NIA_CG_300 is in it.
    expect(run.err).toMatch(/^polc: no policy 'NIA_CG_999' in policies \(the policies are: (\w+, )*NIA_CG_300(, \w+)*\)$/);
  });

  it("exits 2 naming a case file that is not valid JSON", async () => {
    const path = file("broken.json", '{ "input": { "date_of_service": "2024-03-15", } }');
    const run = await polc("eval", "NIA_CG_300", path);
    expect(run.code).toBe(2);
    expect(run.out).toBe("");
    expect(run.err.startsWith(`polc: ${path} is not valid JSON: `)).toBe(true);
  });

  it("exits 2 naming the case file that cannot be read", async () => {
    const missing = join(dir, "nothing.json");
    expect(await polc("eval", "NIA_CG_300", missing)).toEqual({ code: 2, out: "", err: `polc: cannot read the case file ${missing}` });
  });

  it("exits 2 naming input.pain.average when the pain is 11", async () => {
    const path = file("pain-11.json", JSON.stringify({ input: { date_of_service: "2024-03-15", pain: { average: 11 } } }));
    expect(await polc("eval", "NIA_CG_300", path)).toEqual({
      code: 2,
      out: "",
      err: `${path}: the case does not match NIA_CG_300's input:\n  - input.pain.average: expected a number from 0 to 10, got 11`,
    });
  });

  it("exits 2 on a --state that is not a US state or territory code, naming it", async () => {
    expect(await polc("eval", "NIA_CG_300", meetsCase, "--state", "Washington")).toEqual({
      code: 2,
      out: "",
      err: 'polc: --state: expected a US state or territory code such as "WA" (any case), got "Washington"',
    });
    expect(await polc("eval", "NIA_CG_300", meetsCase, "--state", "XX")).toMatchObject({ code: 2, err: 'polc: --state: expected a US state or territory code such as "WA" (any case), got "XX"' });
  });

  it("prints the determination of a case that meets the guideline", async () => {
    const run = await polc("eval", "NIA_CG_300", meetsCase);
    expect(run.code).toBe(0);
    expect(run.err).toBe("");
    const lines = run.out.split("\n");
    expect(lines[1]).toMatch(/^Sources sha256:[0-9a-f]{64}, compiled by polc \d+\.\d+\.\d+$/);
    expect([lines[0], ...lines.slice(2, 4)]).toEqual([
      "NIA_CG_300 Epidural Spine Injections (version 2024)",
      "Outcome: MEETS the guideline",
      "Pathway: For the treatment of acute pain or exacerbation of chronic radicular pain [1]",
    ]);
    expect(run.out).toContain("Outcome: MEETS");
  });

  it("names the member's state when given one", async () => {
    const run = await polc("eval", "NIA_CG_300", meetsCase, "--state", "wa");
    expect(run.code).toBe(0);
    expect(run.out.split("\n")[0]).toBe("NIA_CG_300 Epidural Spine Injections (version 2024) — member in WA");
  });

  it("prints the determination as JSON with --json", async () => {
    const run = await polc("eval", "NIA_CG_300", meetsCase, "--json");
    expect(run.code).toBe(0);
    const determination = JSON.parse(run.out) as { outcome: string; pathway: string | null; state: string | null };
    expect([determination.outcome, determination.pathway, determination.state]).toEqual(["meets", "acute_radicular_pain", null]);
  });
});

describe("polc build", () => {
  const policy = (id: string) => `fact a: boolean "A"\npolicy ${id} "Probe ${id}" {\n  version "1"\n  requirements "R" {\n    criterion c "C": a\n  }\n}\n`;

  it("writes the modules and docs, then names each file it removes when a policy is deleted, and leaves a user's file alone", async () => {
    const library = join(dir, "build-library");
    const out = join(dir, "build-out");
    const docs = join(dir, "build-docs");
    const { mkdirSync, existsSync } = await import("node:fs");
    mkdirSync(library);
    writeFileSync(join(library, "one.pol"), policy("ONE"));
    writeFileSync(join(library, "two.pol"), policy("TWO"));
    const first = await polc("build", library, "--out", out, "--docs", docs);
    expect([first.code, first.err]).toEqual([0, ""]);
    expect(first.out).toBe("built 2 policies: 12 files written, 0 unchanged");
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(out, { recursive: true }).sort()).toEqual([
      ".polc-outputs",
      "one.determination.schema.json",
      "one.input.schema.json",
      "one.pol.ts",
      "one.ts",
      "two.determination.schema.json",
      "two.input.schema.json",
      "two.pol.ts",
      "two.ts",
    ]);
    expect(readdirSync(docs, { recursive: true }).sort()).toEqual([".polc-outputs", "criteria.md", "index.md", "policies", "policies/one.md", "policies/two.md"]);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "notes.ts"), "// a user's own file\n");

    rmSync(join(library, "two.pol"));
    const second = await polc("build", library, "--out", out, "--docs", docs);
    expect(second.code).toBe(0);
    // Each output folder in turn; the index and the criteria count change with the library.
    const removed = [...["two.determination.schema.json", "two.input.schema.json", "two.pol.ts", "two.ts"].map((f) => join(out, f)), join(docs, "policies", "two.md")].map((p) => relative(process.cwd(), p));
    expect(second.out.split("\n")).toEqual([...removed.map((p) => `removed ${p} (no policy builds it any more)`), "built 1 policy: 2 files written, 5 unchanged, 5 stale removed"]);
    expect(existsSync(join(out, "notes.ts"))).toBe(true);
  });
});
