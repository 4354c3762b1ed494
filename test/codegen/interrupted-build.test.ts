/**
 * A build killed before it renamed its temporary files into place leaves `<target>.<pid>.<n>.tmp`
 * beside its targets. The next build removes those, and names each, but only what everything
 * says a build made: a target's name, the pid of a process that no longer runs, a plain file,
 * and nothing in it but the start of generated output. A user's file is never touched.
 */
import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { manifestName, writeOutputs, type OutputFile } from "../../compiler/build.js";
import { generatedBanner } from "../../compiler/typescript/modules.js";
import { docsBanner } from "../../compiler/generate-docs.js";

let base: string | undefined;
afterEach(() => {
  if (base) rmSync(base, { recursive: true, force: true });
  base = undefined;
});

/** The pid of a process that has ended. */
function endedPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("temporary files of an interrupted build", () => {
  it("are removed by the next build, each named; a running build's, a user's and a link are kept", () => {
    const dir = (base = mkdtempSync(join(tmpdir(), "polc-interrupted-")));
    mkdirSync(join(dir, "generated"));
    mkdirSync(join(dir, "docs"));
    const dead = endedPid();
    const files: OutputFile[] = [
      { path: "generated/p.ts", text: `${generatedBanner}\nexport const x = 1;\n` },
      { path: "docs/p.md", text: `${docsBanner}\n# P\n` },
    ];
    const leftovers: [string, string][] = [
      [`generated/p.ts.${dead}.0.tmp`, `${generatedBanner}\nexport const x`], // cut off mid-write
      [`generated/p.ts.${dead}.1.tmp`, ""], // killed between creating and writing
      [`generated/p.ts.${dead}.2.tmp`, generatedBanner.slice(0, 5)],
      [`docs/p.md.${dead}.0.tmp`, `${docsBanner}\n# P`],
      [`docs/${manifestName}.${dead}.3.tmp`, '{\n  "policies docs": ['],
    ];
    const kept: [string, string][] = [
      [`generated/p.ts.${process.pid}.7.tmp`, generatedBanner], // a build still running
      [`generated/p.ts.${dead}.8.tmp`, "my own notes\n"], // a user's file with a build-like name
      [`generated/other.ts.${dead}.0.tmp`, generatedBanner], // not beside a target of this build
      [`generated/p.ts.${dead}.tmp`, generatedBanner], // not a build's name
      [`docs/${manifestName}.${dead}.4.tmp`, "notes"],
    ];
    for (const [path, text] of [...leftovers, ...kept]) writeFileSync(join(dir, path), text);
    writeFileSync(join(dir, "outside.txt"), generatedBanner);
    symlinkSync(join(dir, "outside.txt"), join(dir, `generated/p.ts.${dead}.9.tmp`));

    const result = writeOutputs(files, { code: "generated", docs: "docs" }, dir, "policies");
    expect(result.temporariesRemoved).toEqual(leftovers.map(([path]) => path).sort());
    for (const [path] of leftovers) expect(existsSync(join(dir, path)), path).toBe(false);
    for (const [path] of kept) expect(existsSync(join(dir, path)), path).toBe(true);
    expect(existsSync(join(dir, `generated/p.ts.${dead}.9.tmp`))).toBe(true);
    expect(existsSync(join(dir, "outside.txt"))).toBe(true);
    expect(readdirSync(join(dir, "generated")).filter((n) => !n.endsWith(".tmp")).sort()).toEqual([manifestName, "p.ts"]);
  });
});
