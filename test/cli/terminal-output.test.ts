/**
 * What polc prints never lets a file act on the terminal: control characters from a policy, a
 * case or a file name are shown escaped, code frames quote only `.pol` files that read as text,
 * and an import can name only a `.pol` file (`import "/proc/self/environ"` once printed the
 * process environment in its code frames).
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { terminalText } from "../../compiler/terminal-text.js";
import { polc } from "../support/polc.js";
import { Writable } from "node:stream";
import { compileText } from "../../compiler/compile.js";
import { scriptLibrary } from "../../compiler/load-modules.js";
import { runBatch } from "../../compiler/cli/batch.js";

const dir = mkdtempSync(join(tmpdir(), "pol-terminal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Nothing a terminal acts on: no C0 control but the line feed, no DEL, C1 or bidirectional control. */
const inert = (text: string) => !/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(text);

describe("terminal output", () => {
  it("escapes ESC, CR, NUL and bidirectional controls, as JSON writes them", () => {
    expect(terminalText("a\u001b[2Jb\rc\u0000d\u202ee\u009bf\tg\nh")).toBe("a\\u001b[2Jb\\u000dc\\u0000d\\u202ee\\u009bf\tg\nh");
    expect(JSON.parse(terminalText(JSON.stringify("\u202e\u009b")))).toBe("\u202e\u009b");
  });

  it("shows a line with ESC in a code frame escaped, the caret still under its place", async () => {
    const path = file("esc.pol", 'fact a: boolean "A"\ncriterion c "C": b # \u001b[2J\u001b[Hno errors in 1 file\n');
    const { code, err } = await polc("check", path);
    expect(code).toBe(1);
    expect(inert(err)).toBe(true);
    const frame = err.split("\n").slice(1, 4);
    expect(frame).toEqual(["  |", '2 | criterion c "C": b # \\u001b[2J\\u001b[Hno errors in 1 file', "  |                  ^"]);
  });

  it("refuses an import of a file that is not a .pol file, without reading it", async () => {
    const secret = file("secret.txt", "SECRET=hunter2\n");
    const path = file("imports.pol", `import "/proc/self/environ"\nimport "${secret}"\nfact a: boolean "A"\n`);
    const { code, err } = await polc("check", path);
    expect(code).toBe(1);
    expect(err).toContain("error POL005: '/proc/self/environ' is not a .pol file; only policy files can be imported");
    expect(err).toContain(`error POL005: '${secret}' is not a .pol file; only policy files can be imported`);
    expect(err).not.toContain("hunter2");
    expect(err).not.toContain("PATH=");
  });

  it("refuses a file given to check that is not a .pol file without reading it, and quotes no line of one that holds NUL", async () => {
    const secret = file("secret.env", "SECRET=hunter2 and more\n");
    expect(await polc("check", secret)).toEqual({ code: 2, out: "", err: `polc: ${secret} is not a .pol file: polc check reads policy files (*.pol) and folders of them` });
    const readme = file("README.md", "# Knee injections\n\nSome *text* and a [link](x).\n\n- one\n- two\n");
    expect(await polc("check", readme)).toEqual({
      code: 2,
      out: "",
      err: `polc: ${readme} is not a .pol file: polc check reads policy files (*.pol) and folders of them; a Markdown page is documentation (polc build writes each policy's page from its .pol file)`,
    });
    const binary = file("binary.pol", 'fact a: boolean "A"\u0000\ncriterion c "C": b\n');
    const { err } = await polc("check", binary);
    expect(err).not.toContain("|");
    expect(err).toContain("binary.pol:1:20: error POL001: unexpected character \"\\u0000\"");
  });

  it("escapes a case's own text in what eval prints", async () => {
    const policy = file("p.pol", 'fact a: boolean "A"\npolicy P "P" {\n  version "1"\n  requirements "R" { criterion c "C": a }\n}\n');
    const request = file("case.json", JSON.stringify({ date_of_service: "2024-03-15", "\u001b[2Jno errors\u202e": true }));
    const { code, err } = await polc("eval", policy, request);
    expect(code).toBe(2);
    expect(inert(err)).toBe(true);
    expect(err).toContain("\\u001b[2Jno errors\\u202e");
  });

  it("escapes a policy's text in what eval --batch prints, as eval --json does: the same JSON", async () => {
    const wording = "Cog\u009b2J\u202enitive";
    const text = `fact a: boolean "A"\npolicy P "P" {\n  version "1"\n  requirements "R" { criterion c "${wording}": a }\n}\n`;
    const cases = file("batch.ndjson", `${JSON.stringify({ input: { date_of_service: "2024-03-15", a: false } })}\n`);
    let printed = "";
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        printed += chunk.toString();
        done();
      },
    });
    await runBatch(scriptLibrary(compileText({ "p.pol": text })), "P", cases, { workers: 0, output, progress: false });
    expect(inert(printed)).toBe(true);
    expect(printed).toContain('"unmet":[{"id":"c","wording":"Cog\\u009b2J\\u202enitive"');
    expect(JSON.parse(printed).unmet[0].wording).toBe(wording);
    const single = await polc("eval", file("p.pol", text), file("case.json", JSON.stringify({ date_of_service: "2024-03-15", a: false })), "--json");
    expect(single.out).toContain('"wording": "Cog\\u009b2J\\u202enitive"');
    expect(JSON.parse(printed)).toEqual({ ...JSON.parse(single.out), trace: [] });
  });
});
