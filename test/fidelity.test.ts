/**
 * Clinical fidelity: every criterion's wording is the guideline's own. Each wording must appear
 * word for word in the source guidelines (../shared/source), once PDF artefacts (superscript
 * citations, emphasis marks, struck-through words) and spacing are set aside. The few bullets
 * that join a heading to its sub-bullets are listed, with the reason.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileFiles } from "../compiler/compile.js";
import { polFilesUnder } from "../compiler/cli/main.js";

const sourcePath = "../shared/source/000_fc2de44da7ae47dd.txt";

const normalise = (text: string) =>
  text
    .replace(/\*\*|~~[^~]*~~|\^\{[^}]*\}|[¹²³⁴⁵⁶⁷⁸⁹⁰⁻]+|\[[^\]]*\]\([^)]*\)/g, "")
    .replace(/[“”]/g, '"')
    .replace(/[‘’]/g, "'")
    .replace(/\*/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();

/**
 * Bullets whose wording joins a heading with its sub-bullets (or, in CG_301, reads "e.g." where the
 * PDF shows a struck-through "ie."): each part is the guideline's, the joined whole is not one run.
 */
const joined = new Set([
  "NIA_CG_301 diagnostic_phase_spacing",
  "NIA_CG_301 first_injection_unsuccessful",
  "NIA_CG_404 vasomotor_changes",
  "NIA_CG_404 sudomotor_changes",
  "NIA_CG_404 trophic_changes",
]);
const fallbackWording = /^(All|One|None|At least \d+|At most \d+) of the following$/;

describe("criteria quote the guideline", () => {
  it("finds the source guidelines beside the project", () => expect(existsSync(sourcePath)).toBe(true));

  it("every criterion's wording appears word for word in the source", () => {
    const source = normalise(readFileSync(sourcePath, "utf8"));
    const result = compileFiles(polFilesUnder("policies"));
    const notFound: string[] = [];
    let checked = 0;
    for (const { program } of result.policies) {
      for (const r of Object.values(program.requirements)) {
        if (!r.wording || fallbackWording.test(r.wording)) continue;
        checked++;
        const key = `${program.id} ${r.id}`;
        if (!source.includes(normalise(r.wording)) && !joined.has(key)) notFound.push(`${key}: ${r.wording}`);
      }
    }
    expect(notFound).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  });
});
