/**
 * The benchmark's three NIA_CG_300 evaluators agree: on a 2 000-case slice of the seeded corpus,
 * the generated module, the hand-written TypeScript and the json-rules-engine encoding give the
 * same outcome, and the hand-written one the same unmet criteria and missing facts. Also checks
 * the corpus itself and `polc eval --batch` (workers against the calling thread).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { program } from "../generated/nia-cg-300.js";
import { validateInput } from "../runtime/validate.js";
import { CORPUS_SIZE, generateCorpus } from "../bench/corpus.js";
import { checkAgreement } from "../bench/agreement.js";
import { runBatch } from "../compiler/cli/batch.js";

const corpus = generateCorpus();
const SLICE = 2_000;

describe("benchmark corpus", () => {
  it("has at least 10 000 cases, the same on every run, all valid input", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10_000);
    expect(corpus.length).toBe(CORPUS_SIZE);
    expect(JSON.stringify(generateCorpus(50))).toBe(JSON.stringify(corpus.slice(0, 50)));
    const invalid = corpus.map((c, i) => ({ i, problems: validateInput(program, c.input) })).filter((x) => x.problems.length > 0);
    expect(invalid.slice(0, 3)).toEqual([]);
    const lengths = corpus.map((c) => c.input.prior_procedures?.length ?? 0);
    expect(Math.min(...lengths)).toBe(0);
    expect(Math.max(...lengths)).toBe(12);
  });
});

describe("generated, hand-written and json-rules-engine evaluators", () => {
  it(`agree on the first ${SLICE} corpus cases`, async () => {
    const report = await checkAgreement(corpus.slice(0, SLICE));
    expect(report.checked).toBe(SLICE);
    // Every outcome occurs in the slice except not-covered (NIA_CG_300 has no not-covered section).
    expect(Object.keys(report.outcomes).sort()).toEqual(["does-not-meet", "excluded", "meets", "needs-info"]);
    const compact = report.disagreements.slice(0, 5).map((d) => ({ ...d, testCase: JSON.stringify(d.testCase) }));
    expect(compact).toEqual([]);
  }, 60_000);
});

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
      const a = await runBatch(program, file, { workers: 0, output: inline, progress: false, chunkSize: 7 });
      const b = await runBatch(program, file, { workers: 2, output: threaded, progress: false, chunkSize: 7 });
      expect(a).toMatchObject({ lines: 62, evaluated: 60, errors: 2 });
      expect(b).toMatchObject({ lines: 62, evaluated: 60, errors: 2, workers: 2 });
      expect(threaded.text).toBe(inline.text);
      const out = threaded.text.trimEnd().split("\n").map((l) => JSON.parse(l) as { outcome?: string; line?: number; error?: string; trace?: unknown[] });
      expect(out).toHaveLength(62);
      expect(out[3]).toMatchObject({ line: 4 });
      expect(out[3].error).toMatch(/^not valid JSON/);
      expect(out[4]).toEqual({ line: 6, error: "input.pain.average: expected a number from 0 to 10, got 11" });
      const { evaluate } = await import("../generated/nia-cg-300.js");
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
      expect(await runBatch(program, lf, { workers: 0, output: fromLf, progress: false, chunkSize: 2 })).toMatchObject({ lines: 7, evaluated: 5, errors: 2 });
      expect(await runBatch(program, crlf, { workers: 0, output: fromCrlf, progress: false, chunkSize: 3 })).toMatchObject({ lines: 7, evaluated: 5, errors: 2 });
      expect(fromCrlf.text).toBe(fromLf.text);
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
});
