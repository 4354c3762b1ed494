/**
 * Case and batch files as editors and other systems write them: a byte order mark, line ends
 * of any platform (a lone "\r" included), and keys given twice, which a case file refuses with
 * their path (the platform's parser would keep the last, even over an impossible date written
 * first) while a batch line keeps the platform's fast parser, where the last one wins.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { generateCorpus } from "../../bench/corpus.js";
import { runBatch } from "../../compiler/cli/batch.js";
import { CaseFileError, parseCase } from "../../compiler/cli/case-file.js";
import { parseStrictJson } from "../../compiler/cli/strict-json.js";
import { compileFiles } from "../../compiler/compile.js";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { scriptLibrary } from "../../compiler/load-modules.js";

const dir = mkdtempSync(join(tmpdir(), "pol-hostile-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function caseError(text: string): string {
  try {
    parseCase(text, "case.json");
  } catch (e) {
    if (e instanceof CaseFileError) return e.message;
    throw e;
  }
  return "accepted";
}

describe("case files", () => {
  it("refuse a key given twice, naming its path and place", () => {
    expect(caseError('{"date_of_service": "2024-02-30", "date_of_service": "2024-03-01"}')).toBe(
      "case.json: date_of_service is given twice (line 1, column 35); each key may appear once in an object",
    );
    expect(caseError('{\n  "input": {\n    "prior_procedures": [{"date": "2024-01-01"}, {"date": "2024-01-02",\n      "date": "2024-01-03"}]\n  }\n}')).toBe(
      "case.json: input.prior_procedures[1].date is given twice (line 4, column 7); each key may appear once in an object",
    );
    expect(caseError('{"input": {"pain": {"average": 7, "average": 8}}, "state": "WA"}')).toBe(
      "case.json: input.pain.average is given twice (line 1, column 35); each key may appear once in an object",
    );
  });

  it("tell keys apart by their value, not their spelling, and quote a key that is not a name", () => {
    expect(caseError('{"a\\u0062": 1, "ab": 2}')).toBe('case.json: ab is given twice (line 1, column 16); each key may appear once in an object');
    expect(caseError('{"x": {"a b": 1, "a b": 2}}')).toBe('case.json: x["a b"] is given twice (line 1, column 18); each key may appear once in an object');
  });

  it("accept the same key in different objects, and keys inside strings that look like keys", () => {
    expect(parseStrictJson('{"a": {"k": 1}, "b": {"k": "\\"k\\": 2, {\\"k\\": 3}"}, "c": [{"k": 1}, {"k": 2}]}')).toEqual({
      a: { k: 1 },
      b: { k: '"k": 2, {"k": 3}' },
      c: [{ k: 1 }, { k: 2 }],
    });
  });

  it("read a byte order mark at the start as nothing, and still refuse other stray characters", () => {
    expect(parseCase('\uFEFF{"date_of_service": "2024-03-15"}', "case.json")).toEqual({ input: { date_of_service: "2024-03-15" } });
    expect(caseError('\u200B{"date_of_service": "2024-03-15"}')).toMatch(/^case\.json is not valid JSON: /);
  });

  it("read a file nested 100 000 levels deep without exhausting the stack", () => {
    const deep = `{"input": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    expect(caseError(deep)).toMatch(/^case\.json is not valid JSON: |^case\.json:\n {2}- 'input' must be an object of facts$/);
  });
});

class Collect extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe("batch files", () => {
  const library = scriptLibrary(compileFiles(polFilesUnder("policies")));
  const good = generateCorpus(6).map((c) => JSON.stringify(c.input));

  async function run(name: string, text: string, chunkSize: number): Promise<{ summary: unknown; lines: { line?: number; error?: string; outcome?: string }[] }> {
    const file = join(dir, name);
    writeFileSync(file, text);
    const out = new Collect();
    const summary = await runBatch(library, "NIA_CG_300", file, { workers: 0, output: out, progress: false, chunkSize });
    return { summary, lines: out.text.trimEnd().split("\n").map((l) => JSON.parse(l) as { line?: number; error?: string; outcome?: string }) };
  }

  it("treat a lone \\r as a line end, as \\n and \\r\\n, with the same line numbers", async () => {
    const lines = [good[0], "", good[1], "{", good[2], good[3]];
    const lf = await run("lf.ndjson", `${lines.join("\n")}\n`, 2);
    for (const [name, end] of [["cr.ndjson", "\r"], ["crlf.ndjson", "\r\n"], ["mixed.ndjson", "\r"]] as const) {
      for (const chunkSize of [1, 2, 5]) {
        const text = name === "mixed.ndjson" ? `${good[0]}\r\n\n${good[1]}\r{\n${good[2]}\r\n${good[3]}\r` : `${lines.join(end)}${end}`;
        const other = await run(name, text, chunkSize);
        expect(other.summary, `${name}, chunks of ${chunkSize}`).toMatchObject({ lines: 5, evaluated: 4, errors: 1 });
        expect(other.lines, `${name}, chunks of ${chunkSize}`).toEqual(lf.lines);
      }
    }
    expect(lf.lines.filter((l) => l.error !== undefined).map((l) => l.line)).toEqual([4]);
  }, 60_000);

  it("read a byte order mark at the start of the file as nothing", async () => {
    const plain = await run("plain.ndjson", `${good[0]}\n${good[1]}\n`, 1);
    const marked = await run("bom.ndjson", `\uFEFF${good[0]}\n${good[1]}\n`, 1);
    expect(marked.summary).toMatchObject({ lines: 2, evaluated: 2, errors: 0 });
    expect(marked.lines).toEqual(plain.lines);
  }, 30_000);

  it("keep the platform's parser on a line: the last of two equal keys wins, as the docs say", async () => {
    const twice = await run("twice.ndjson", '{"date_of_service": "2024-02-30", "date_of_service": "2024-03-15"}\n', 1);
    expect(twice.summary).toMatchObject({ lines: 1, evaluated: 1, errors: 0 });
  }, 30_000);
});
