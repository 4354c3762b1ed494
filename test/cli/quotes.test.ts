/**
 * `polc quotes`: each criterion's wording is found word for word in the published text (PDF and
 * HTML artefacts set aside), or in parts where it joins a heading to its bullets; one that is not
 * found fails the check.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../compiler/cli/main.js";
import { normaliseQuote } from "../../compiler/quotes.js";

const dir = mkdtempSync(join(tmpdir(), "polc-quotes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = join(dir, "guideline.md");
writeFileSync(
  source,
  [
    "## INDICATIONS",
    "- Pain causing functional disability or average pain level of ≥ 6 on a scale of 0 to 10²⁻⁵",
    "- Failure to respond to **conservative therapy** for a minimum of 2 weeks^{2, 3}",
    "- a change in technique (~~ie.~~ *e.g.*, from an injection to a block)",
    "- Unilateral trophic changes, including:",
    "  - Skin is smooth or shiny",
    "  - Soft tissue atrophy",
    "",
  ].join("\n"),
);

const policy = (criteria: string[]) =>
  ['fact a: boolean "A"', 'policy P "P" {', '  version "1"', '  requirements "R" {', ...criteria.map((c, i) => `    criterion c${i + 1} ${JSON.stringify(c)}: a`), "  }", "}", ""].join("\n");

async function quotes(criteria: string[], ...flags: string[]) {
  const file = join(dir, "p.pol");
  writeFileSync(file, policy(criteria));
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "polc", "quotes", "--source", source, file, ...flags], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out, err };
}

describe("polc quotes", () => {
  it("finds wordings word for word, citations, emphasis and struck-through words set aside, and joined bullets in parts", async () => {
    const r = await quotes([
      "Pain causing functional disability or average pain level of ≥ 6 on a scale of 0 to 10",
      "Failure to respond to conservative therapy for a minimum of 2 weeks",
      "a change in technique (e.g., from an injection to a block)",
      "Unilateral trophic changes, including: Skin is smooth or shiny; Soft tissue atrophy",
    ]);
    expect(r).toEqual({
      code: 0,
      out: [
        'P c4: found in parts: "Unilateral trophic changes, including: Skin is smooth or shiny; Soft tissue atrophy"',
        `3 of 4 criteria found word for word, 1 in parts, 0 not found in ${source}`,
      ],
      err: [],
    });
  });

  it("fails naming each wording that is not in the source", async () => {
    const r = await quotes(["Pain causing functional disability", "Pain lasting 3 months or more"]);
    expect(r).toEqual({ code: 1, out: ['P c2: not found: "Pain lasting 3 months or more"', `1 of 2 criteria found word for word, 0 in parts, 1 not found in ${source}`], err: [] });
  });

  it("prints every result as JSON with --json", async () => {
    const r = await quotes(["Soft tissue atrophy"], "--json");
    expect(JSON.parse(r.out.join("\n"))).toEqual([{ policy: "P", id: "c1", wording: "Soft tissue atrophy", status: "found" }]);
  });

  it("exits 2 naming a source it cannot read", async () => {
    const file = join(dir, "p.pol");
    writeFileSync(file, policy(["x"]));
    const err: string[] = [];
    const code = await main(["node", "polc", "quotes", "--source", join(dir, "nothing.md"), file], { out: () => {}, err: (s) => err.push(s) });
    expect({ code, err }).toEqual({ code: 2, err: [`polc: cannot read the source text ${join(dir, "nothing.md")}`] });
  });

  it("normalises curly quotes, spacing and links", () => {
    expect(normaliseQuote("“Clearly”   documented ( see [the note](https://x) )")).toBe('"clearly" documented (see the note)');
  });
});
