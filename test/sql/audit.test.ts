/**
 * The README's audit, end to end: past requests exported as Parquet, the policy's old version and
 * its new one each run over them in SQL (`polc eval --batch … --engine duckdb --out ….parquet`),
 * and the cases whose outcome changes listed by joining the two results. The old version here is
 * the library with NIA_CG_305's 12-month maximum at 3 sessions instead of 4; the list must be
 * exactly the cases whose outcome the TypeScript modules of the two versions tell apart.
 */
import { describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../compiler/cli/main.js";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { compileFiles } from "../../compiler/compile.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import { DuckDbEngine } from "../../compiler/sql/duckdb.js";
import { evaluate } from "../../runtime/determine.js";
import { generatedHistories, historyVariations, library } from "./support.js";

async function polc(...args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main(["node", "polc", ...args], { out: () => undefined, err: (t) => err.push(t) });
  return { code, err: err.join("\n") };
}

describe("an audit of a policy change in SQL", () => {
  it("lists the cases whose outcome changes between two versions of NIA_CG_305, as the modules do", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pol-sql-audit-"));
    try {
      // The old version: the same library with a stricter 12-month maximum.
      const old = join(dir, "policies-old");
      cpSync("policies", old, { recursive: true });
      const file = join(old, "nia", "cg305-sacroiliac-joint-injections.pol");
      const text = readFileSync(file, "utf8");
      const stricter = text.replace("A maximum of 4 sacroiliac joint injections", "A maximum of 3 sacroiliac joint injections").replace("counting p and q as one when p.date = q.date) < 4", "counting p and q as one when p.date = q.date) < 3");
      expect(stricter).not.toBe(text);
      writeFileSync(file, stricter);

      const cases = generatedHistories(historyVariations.find((v) => v.policy === "NIA_CG_305")!, 300);
      const ndjson = join(dir, "requests.ndjson");
      writeFileSync(ndjson, cases.map((c) => JSON.stringify({ id: c.id, input: c.input, ...(c.state ? { state: c.state } : {}) })).join("\n"));
      const requests = join(dir, "requests.parquet");
      const db = await DuckDbEngine.open();
      try {
        await db.run(`COPY (SELECT * FROM read_json('${ndjson}', format = 'newline_delimited')) TO '${requests}' (FORMAT parquet)`);
        const before = join(dir, "before.parquet");
        const after = join(dir, "after.parquet");
        expect(await polc("eval", "NIA_CG_305", "--batch", requests, "--engine", "duckdb", "--library", old, "--out", before)).toEqual({ code: 0, err: "" });
        expect(await polc("eval", "NIA_CG_305", "--batch", requests, "--engine", "duckdb", "--out", after)).toEqual({ code: 0, err: "" });
        const changed = (
          await db.connection.runAndReadAll(
            `SELECT b.id, b.outcome AS before, a.outcome AS after FROM '${before}' b JOIN '${after}' a USING (line) WHERE b.outcome IS DISTINCT FROM a.outcome ORDER BY b.id`,
          )
        ).getRowObjectsJson();

        const oldPolicy = loadPolicies(compileFiles(polFilesUnder(old))).get("NIA_CG_305")!;
        const newPolicy = library().policies.get("NIA_CG_305")!;
        const expected = cases
          .map((c) => ({ id: c.id, before: evaluate(oldPolicy, c.input, { state: c.state ?? undefined, trace: false }).outcome, after: evaluate(newPolicy, c.input, { state: c.state ?? undefined, trace: false }).outcome }))
          .filter((c) => c.before !== c.after);
        expect(expected.length).toBeGreaterThan(0);
        expect(changed).toEqual(expected);
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
