import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { polc } from "../support/polc.js";

// Inside the repository, so that the Prettier configuration looked up is the project's own.
const dir = join("test", `.tmp-fmt-${process.pid}`);
const tidy = 'fact flag: boolean "A finding"\n';
const untidy = 'fact   flag :boolean "A finding"\n';
const broken = 'fact flag boolean "A finding"\n';

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(() => mkdirSync(dir, { recursive: true }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("polc fmt", () => {
  it("--check lists the files that are not formatted, exits 1, and writes nothing", async () => {
    const a = file("a.pol", tidy);
    const b = file("b.pol", untidy);
    const run = await polc("fmt", "--check", a, b);
    expect(run).toEqual({ code: 1, out: b, err: "1 file of 2 not formatted; run polc fmt to format them" });
    expect(readFileSync(b, "utf8")).toBe(untidy);
  });

  it("--check exits 0 when every file is formatted", async () => {
    const run = await polc("fmt", "--check", file("c.pol", tidy));
    expect(run).toEqual({ code: 0, out: "all 1 file formatted", err: "" });
  });

  it("formats files in place", async () => {
    const a = file("d.pol", untidy);
    const b = file("e.pol", tidy);
    const run = await polc("fmt", a, b);
    expect(run).toEqual({ code: 0, out: `formatted ${a}\n1 file formatted, 1 already formatted`, err: "" });
    expect(readFileSync(a, "utf8")).toBe(tidy);
  });

  it("never rewrites a file that does not parse, and reports its syntax errors as polc check does", async () => {
    const bad = file("f.pol", broken);
    const good = file("g.pol", untidy);
    const run = await polc("fmt", bad, good);
    expect(run.code).toBe(1);
    expect(run.out).toBe(`formatted ${good}\n1 file formatted, 0 already formatted`);
    expect(run.err).toBe(
      [`${bad}:1:11: error POL002: expected ':', but found 'boolean'`, "  |", '1 | fact flag boolean "A finding"', "  |           ^^^^^^^", "1 file not formatted because of syntax errors; fix them and run polc fmt again"].join("\n"),
    );
    expect(readFileSync(bad, "utf8")).toBe(broken);
  });

  it("takes the print width from a Prettier configuration beside the files", async () => {
    const sub = join(dir, "narrow");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, ".prettierrc.json"), JSON.stringify({ printWidth: 40 }));
    const path = join(sub, "h.pol");
    writeFileSync(path, 'fact alpha: boolean "A"\ndefine d: alpha and alpha and alpha and alpha\n');
    expect((await polc("fmt", path)).code).toBe(0);
    expect(readFileSync(path, "utf8")).toBe('fact alpha: boolean "A"\ndefine d:\n  alpha and alpha and alpha and alpha\n');
  });

  it("is a usage error on a path that does not exist", async () => {
    const run = await polc("fmt", join(dir, "missing.pol"));
    expect(run).toEqual({ code: 2, out: "", err: `polc: no such file or folder: ${join(dir, "missing.pol")}` });
  });
});
