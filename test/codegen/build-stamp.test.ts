/**
 * The build stamp: what lets `polc build` skip a build that would change nothing. Its digest must
 * move with every input (a `.pol` file, a case file, an option, polc itself) and its outputs'
 * check with every hand edit.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { inputsDigest, outputStates, outputsIntact, readStamp, writeStamp } from "../../compiler/build-stamp.js";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function library(): { pol: string; cases: string; caseFile: string } {
  dir = mkdtempSync(join(tmpdir(), "pol-stamp-"));
  const pol = join(dir, "a.pol");
  const cases = join(dir, "cases");
  mkdirSync(join(cases, "a"), { recursive: true });
  const caseFile = join(cases, "a", "one.json");
  writeFileSync(pol, 'policy A "A" {}\n');
  writeFileSync(caseFile, "{}\n");
  return { pol, cases, caseFile };
}

/** Moves a file's modification time, as a save does. */
function touch(path: string, seconds: number): void {
  utimesSync(path, seconds, seconds);
}

describe("the build stamp", () => {
  it("is undefined when polc runs from its sources: such a build is never skipped", () => {
    const { pol, cases } = library();
    expect(inputsDigest([], [pol], cases, undefined)).toBeUndefined();
  });

  it("changes with a .pol file, a case file, a new case file, an option and polc itself", () => {
    const { pol, cases, caseFile } = library();
    const digest = (options: string[] = ["gen", "docs"], identity = "polc 1") => inputsDigest(options, [pol], cases, identity);
    const first = digest();
    expect(digest()).toBe(first);
    touch(pol, 1_000);
    const afterPol = digest();
    expect(afterPol).not.toBe(first);
    touch(caseFile, 2_000);
    const afterCase = digest();
    expect(afterCase).not.toBe(afterPol);
    writeFileSync(join(cases, "a", "two.json"), "{}\n");
    expect(digest()).not.toBe(afterCase);
    expect(digest(["gen", "other-docs"])).not.toBe(digest());
    expect(digest(undefined, "polc 2")).not.toBe(digest());
  });

  it("is kept in node_modules/.cache by docs folder and library, and its outputs' check fails when an output is edited or removed", () => {
    const { pol } = library();
    const docs = join(dir, "docs");
    mkdirSync(docs);
    expect(() => writeStamp(dir, docs, "lib", { inputs: "x", policies: 0, sources: [], casesRoot: undefined, outputs: [] })).not.toThrow();
    expect(readStamp(dir, docs, "lib")).toBeUndefined(); // no node_modules: nothing kept
    mkdirSync(join(dir, "node_modules"));
    const out = join(docs, "index.md");
    writeFileSync(out, "# Index\n");
    const stamp = { inputs: "abc", policies: 1, sources: [pol], casesRoot: undefined, outputs: outputStates([{ path: out }], dir) };
    writeStamp(dir, docs, "lib", stamp);
    expect(readStamp(dir, docs, "lib")).toEqual(stamp);
    expect(readStamp(dir, docs, "other")).toBeUndefined();
    expect(readStamp(dir, join(dir, "other-docs"), "lib")).toBeUndefined();
    expect(readdirSync(docs)).toEqual(["index.md"]);
    expect(outputsIntact(stamp, dir)).toBe(true);
    writeFileSync(out, "# Index, edited\n");
    expect(outputsIntact(stamp, dir)).toBe(false);
    rmSync(out);
    expect(outputsIntact(stamp, dir)).toBe(false);
  });
});
