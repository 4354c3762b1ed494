/**
 * The fuzzer's stage part compares `polc eval --json`, run on a library written to disk, with the
 * module compiled from the library's text. Its counted run (seed 1717) reported three builds where
 * they differed; all three were the fuzzer's comparison, not polc:
 *
 *  - mutations #1908 and #2018 put a lone surrogate (`\ud83d`) in a criterion's wording. UTF-8
 *    cannot hold one: the file on disk, which polc reads, has U+FFFD there, while the module was
 *    compiled from the text in memory. The stage part now compiles the text as it is on disk.
 *  - mutation #3557 put a left-to-right mark in a wording. polc prints it as the JSON escape
 *    `\u200e` (what reaches a terminal never acts on it), the same JSON value as JSON.stringify's
 *    raw mark. The stage part now compares the JSON values.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileText } from "../../compiler/compile.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import { evaluate } from "../../runtime/determine.js";
import type { Determination } from "../../runtime/determination.js";
import { polc } from "../support/polc.js";
import { asOnDisk, printsDetermination } from "./agreement.js";

const dir = mkdtempSync(join(tmpdir(), "pol-stage-agreement-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const request = { date_of_service: "2024-03-15", cognitive_ability: true };

/** A one-criterion policy whose wording is `wording`, written to a library folder of its own. */
function library(name: string, wording: string): { files: Record<string, string>; folder: string; caseFile: string } {
  const files = { "p.pol": `fact cognitive_ability: boolean "Cognitive ability"\npolicy P "P" {\n  version "1"\n  requirements "R" { criterion cognitive "${wording}": cognitive_ability }\n}\n` };
  const folder = join(dir, name);
  mkdirSync(folder);
  writeFileSync(join(folder, "p.pol"), files["p.pol"]);
  const caseFile = join(dir, `${name}.json`);
  writeFileSync(caseFile, JSON.stringify(request));
  return { files, folder, caseFile };
}

function moduleDetermination(files: Record<string, string>): Determination {
  return evaluate(loadPolicies(compileText(files)).get("P")!, request, { trace: true });
}

const wordingOf = (printed: string) => printed.split("\n").find((line) => line.includes('"wording"'));

describe("the fuzzer's stage part compares what polc reads and prints", () => {
  it("compiles a lone surrogate as the file on disk holds it: U+FFFD (mutations #1908 and #2018)", async () => {
    const { files, folder, caseFile } = library("surrogate", "Spinal Inj\ud83dections");
    const { code, out } = await polc("eval", "P", caseFile, "--library", folder, "--json");
    expect(code).toBe(0);
    expect(wordingOf(out)).toBe('      "wording": "Spinal Inj\ufffdections",');
    expect(asOnDisk(files)["p.pol"]).toContain('"Spinal Inj\ufffdections"');
    expect(printsDetermination(out, moduleDetermination(asOnDisk(files)))).toBe(true);
    // What the stage part compared before: the module from the text in memory, which no file can hold.
    expect(printsDetermination(out, moduleDetermination(files))).toBe(false);
  });

  it("takes polc's escaped left-to-right mark for the same JSON as the raw one (mutation #3557)", async () => {
    const { files, folder, caseFile } = library("mark", "Demonstration of cogni\u200etive ability");
    const { code, out } = await polc("eval", "P", caseFile, "--library", folder, "--json");
    expect(code).toBe(0);
    expect(wordingOf(out)).toBe('      "wording": "Demonstration of cogni\\u200etive ability",');
    const expected = moduleDetermination(asOnDisk(files));
    expect(out).not.toBe(JSON.stringify(expected, null, 2));
    expect(printsDetermination(out, expected)).toBe(true);
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it("tells a different determination or a text that is not JSON apart", () => {
    const { files } = library("other", "Cognitive ability");
    const expected = moduleDetermination(files);
    expect(printsDetermination(JSON.stringify({ ...expected, outcome: "does-not-meet" }, null, 2), expected)).toBe(false);
    expect(printsDetermination("polc: internal error", expected)).toBe(false);
    expect(printsDetermination(JSON.stringify(expected), expected)).toBe(true);
  });
});
