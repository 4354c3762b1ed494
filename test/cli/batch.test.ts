/**
 * `polc eval --batch`: one line out per line in, in input order, the same with worker threads as
 * without; lines that are not cases give an error line and the batch goes on.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { generateCorpus } from "../../bench/corpus.js";
import { runBatch } from "../../compiler/cli/batch.js";
import { compileFiles } from "../../compiler/compile.js";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { scriptLibrary } from "../../compiler/load-modules.js";

const corpus = generateCorpus(200);
const library = scriptLibrary(compileFiles(polFilesUnder("policies")));

class Collect extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe("polc eval --batch", () => {
  it("writes one line per case in input order, the same with workers as without, and reports bad lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pol-batch-"));
    try {
      const cases = corpus.slice(0, 60);
      const lines = cases.map((c, i) => (i % 2 ? JSON.stringify(c.input) : JSON.stringify({ input: c.input, state: c.state })));
      lines.splice(3, 0, "{not json", "", JSON.stringify({ date_of_service: "2024-01-01", pain: { average: 11 } }));
      const file = join(dir, "cases.ndjson");
      writeFileSync(file, `${lines.join("\n")}\n`);
      const inline = new Collect();
      const threaded = new Collect();
      const a = await runBatch(library, "NIA_CG_300", file, { workers: 0, output: inline, progress: false, chunkSize: 7 });
      const b = await runBatch(library, "NIA_CG_300", file, { workers: 2, output: threaded, progress: false, chunkSize: 7 });
      expect(a).toMatchObject({ lines: 62, evaluated: 60, errors: 2 });
      expect(b).toMatchObject({ lines: 62, evaluated: 60, errors: 2, workers: 2 });
      expect(threaded.text).toBe(inline.text);
      const out = threaded.text.trimEnd().split("\n").map((l) => JSON.parse(l) as { outcome?: string; line?: number; error?: string; trace?: unknown[] });
      expect(out).toHaveLength(62);
      expect(out[3]).toMatchObject({ line: 4 });
      expect(out[3].error).toMatch(/^not valid JSON/);
      expect(out[4]).toEqual({ line: 6, error: "input.pain.average: expected a number from 0 to 10, got 11" });
      const { evaluate } = await import("../../generated/nia-cg-300.js");
      const determinations = out.filter((o) => o.outcome !== undefined);
      expect(determinations.map((d) => d.outcome)).toEqual(cases.map((c, i) => evaluate(c.input, { state: i % 2 ? undefined : c.state, trace: false }).outcome));
      expect(determinations.every((d) => Array.isArray(d.trace) && d.trace.length === 0)).toBe(true);
      expect(readFileSync(file, "utf8").length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("reads CRLF line ends and a last line without one, and numbers lines across chunks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pol-batch-"));
    try {
      const good = corpus.slice(0, 5).map((c) => JSON.stringify(c.input));
      const lines = [good[0], "", good[1], "[1]", good[2], "", "", good[3], "{", good[4]];
      const lf = join(dir, "lf.ndjson");
      const crlf = join(dir, "crlf.ndjson");
      writeFileSync(lf, `${lines.join("\n")}\n`);
      writeFileSync(crlf, lines.join("\r\n"));
      const fromLf = new Collect();
      const fromCrlf = new Collect();
      expect(await runBatch(library, "NIA_CG_300", lf, { workers: 0, output: fromLf, progress: false, chunkSize: 2 })).toMatchObject({ lines: 7, evaluated: 5, errors: 2 });
      expect(await runBatch(library, "NIA_CG_300", crlf, { workers: 0, output: fromCrlf, progress: false, chunkSize: 3 })).toMatchObject({ lines: 7, evaluated: 5, errors: 2 });
      expect(fromCrlf.text).toBe(fromLf.text);
      // Lone "\r" line ends and a byte order mark, read by workers; an id with letters of more than one byte.
      const cr = join(dir, "cr.ndjson");
      writeFileSync(cr, `\uFEFF${lines.join("\r")}\r`);
      const fromCr = new Collect();
      expect(await runBatch(library, "NIA_CG_300", cr, { workers: 2, output: fromCr, progress: false, chunkSize: 2 })).toMatchObject({ lines: 7, evaluated: 5, errors: 2 });
      expect(fromCr.text).toBe(fromLf.text);
      const named = join(dir, "named.ndjson");
      writeFileSync(named, `${JSON.stringify({ id: "Zoë – ü", input: corpus[0].input })}\n{"id": "é", "input": 1}\n`);
      const fromNamed = new Collect();
      await runBatch(library, "NIA_CG_300", named, { workers: 1, output: fromNamed, progress: false, chunkSize: 1, compact: true });
      expect(fromNamed.text.split("\n").map((l) => (l === "" ? "" : (JSON.parse(l) as { id?: string }).id))).toEqual(["Zoë – ü", "é", ""]);
      const errors = fromLf.text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as { line?: number; error?: string })
        .filter((o) => o.error !== undefined);
      expect(errors.map((e) => e.line)).toEqual([4, 9]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("--compact writes only the outcome, the pathway, the unmet ids and the missing facts of each case; --fewest-facts narrows the missing facts as a determination does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pol-batch-"));
    try {
      const cases = corpus.slice(0, 40);
      const file = join(dir, "cases.ndjson");
      writeFileSync(file, `${cases.map((c, i) => JSON.stringify({ id: i, input: c.input, state: c.state })).join("\n")}\n`);
      const { evaluate } = await import("../../generated/nia-cg-300.js");
      const projected = (id: number, d: ReturnType<typeof evaluate>) => ({ id, outcome: d.outcome, pathway: d.pathway, unmet: d.unmet.map((u) => u.id), missing: d.missing.map((m) => m.fact) });
      const lines = (text: string) => text.trimEnd().split("\n").map((l) => JSON.parse(l) as unknown);

      // Every undocumented fact the open criteria read: the determination with fewestFacts off.
      const compact = new Collect();
      const summary = await runBatch(library, "NIA_CG_300", file, { workers: 2, output: compact, progress: false, chunkSize: 9, compact: true });
      expect(summary).toMatchObject({ lines: 40, evaluated: 40, errors: 0 });
      const all = cases.map((c, i) => projected(i, evaluate(c.input, { state: c.state, trace: false, fewestFacts: false })));
      expect(lines(compact.text)).toEqual(all);
      // Some of them are needs-info with missing facts and does-not-meet with unmet ids: the fields are exercised.
      expect(all.some((e) => e.missing.length > 0) && all.some((e) => e.unmet.length > 0)).toBe(true);

      // The fewest that decide: the default determination's `missing`, which for some cases is shorter.
      const narrowed = new Collect();
      await runBatch(library, "NIA_CG_300", file, { workers: 2, output: narrowed, progress: false, chunkSize: 9, compact: true, fewestFacts: true });
      const fewest = cases.map((c, i) => projected(i, evaluate(c.input, { state: c.state, trace: false })));
      expect(lines(narrowed.text)).toEqual(fewest);
      expect(fewest.some((e, i) => e.missing.length < all[i].missing.length)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
