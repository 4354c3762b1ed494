/**
 * Every `pol` example in docs/language.md is real: a block that says "# from policies/…" is a
 * word-for-word quote of that file, a block that says it "reports POLxxx" fails with that code,
 * and every other block compiles (with the NIA_CG_300 policy imported for the names it uses).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileFiles } from "../../compiler/compile.js";

const doc = readFileSync("docs/language.md", "utf8");
const blocks = [...doc.matchAll(/```pol\n([\s\S]*?)```/g)].map((m) => m[1]);
const scratch = join("test", ".tmp-language-doc", "policies", "examples");
mkdirSync(scratch, { recursive: true });
afterAll(() => rmSync(join("test", ".tmp-language-doc"), { recursive: true, force: true }));

const normalise = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .join("\n")
    .trim();

describe("docs/language.md", () => {
  it("has examples", () => expect(blocks.length).toBeGreaterThan(30));

  blocks.forEach((text, i) => {
    const first = text.split("\n")[0];
    const quote = /^# from (policies\/\S+)/.exec(first);
    if (quote) {
      it(`block ${i + 1} quotes ${quote[1]} word for word`, () => {
        const source = normalise(readFileSync(quote[1], "utf8"));
        const body = text.split("\n").slice(1).join("\n");
        for (const chunk of body.split(/^\s*…\s*$/m)) {
          if (normalise(chunk)) expect(source).toContain(normalise(chunk));
        }
      });
      return;
    }
    const expected = /^# .*reports (POL\d{3})/.exec(first)?.[1];
    it(`block ${i + 1} ${expected ? `fails with ${expected}` : "compiles"}`, () => {
      const file = join(scratch, `block-${i + 1}.pol`);
      const own = text.replace(/"\.\.\/common\//g, '"../../../../policies/common/').replace(/"\.\.\/nia\//g, '"../../../../policies/nia/');
      writeFileSync(file, `import "../../../../policies/nia/cg300-epidural-spine-injections.pol"\n${own}`);
      const codes = compileFiles([file]).diagnostics.map((d) => `${d.code} ${d.span.file}:${d.span.line} ${d.message}`);
      if (expected) expect(codes.some((c) => c.startsWith(expected))).toBe(true);
      else expect(codes).toEqual([]);
    });
  });
});
