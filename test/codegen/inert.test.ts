/**
 * Policy text never becomes code. A policy whose every text (criterion wording, fact and group
 * descriptions, enum labels, title, properties, CPT labels, references, history, overlay wording)
 * carries quotes, backticks, `${…}`, `*\/`, `</script>`, line breaks, NUL, right-to-left marks,
 * emoji and `"; process.exit(1); //` compiles and renders; the generated modules type-check, call
 * only the runtime, the context and their own definitions (checked over their syntax tree), have
 * the same code as the same policy with plain texts, import without side effects and give back
 * every text exactly; the Markdown shows HTML escaped.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { compileText, type CompileResult } from "../../compiler/compile.js";
import { renderOutputs, type OutputFile } from "../../compiler/build.js";
import { inertness, inertPolicy, overlayId, payloadKeys, payloads, policyId, pwnedFlag, typeCheck, type PayloadKey } from "../support/inert.js";
import { repoRoot } from "../support/library.js";
import type { Policy } from "../../runtime/policy.js";

const tempDir = join(repoRoot, "test", `.tmp-inert-${process.pid}`);
const runtimeEntry = join(repoRoot, "runtime", "index.js");

/** Writes the generated modules into the temporary folder, each importing the real runtime. */
function writeModules(files: readonly OutputFile[]): void {
  for (const file of files) {
    const path = join(tempDir, relative("generated", file.path));
    mkdirSync(dirname(path), { recursive: true });
    const runtime = relative(dirname(path), runtimeEntry).split("\\").join("/");
    const rewritten = file.text.replace(/from "(\.\.\/)+runtime\/index\.js"/, `from ${JSON.stringify(runtime.startsWith(".") ? runtime : `./${runtime}`)}`);
    expect(rewritten, file.path).not.toBe(file.text); // the import was found and rewritten
    writeFileSync(path, rewritten);
  }
}

const source = inertPolicy();
let result: CompileResult;
let outputs: OutputFile[];
let modules: OutputFile[];

const codeOf = (files: readonly OutputFile[]) => files.filter((f) => f.path.endsWith(".ts"));

beforeAll(async () => {
  mkdirSync(tempDir, { recursive: true });
  result = compileText({ "inert.pol": source });
  outputs = await renderOutputs(result, { code: "generated", docs: "docs" });
  modules = codeOf(outputs);
  writeModules(modules);
});

afterAll(() => {
  rmSync(tempDir, { recursive: true, force: true });
  delete (globalThis as Record<string, unknown>)[pwnedFlag];
});

describe("generated code is inert", () => {
  it("keeps a source path inside the banner comment, whatever characters the path holds", async () => {
    const path = `evil\u2028globalThis.${pwnedFlag} = 1; //.pol`;
    const r = compileText({ [path]: 'fact a: boolean "A"\npolicy P "T" { version "1" requirements "R" { criterion c "C": a } }\n' });
    const files = codeOf(await renderOutputs(r, { code: "generated", docs: "docs" }));
    expect(files).toHaveLength(2);
    for (const file of files) expect(inertness(file.path, file.text).problems, file.path).toEqual([]);
  });

  it("compiles the payload policy without a diagnostic and renders every output", () => {
    expect(result.diagnostics).toEqual([]);
    expect(result.policies.map((p) => p.ir.id)).toEqual([policyId]);
    expect(outputs.map((f) => f.path).sort()).toEqual([
      "docs/criteria.md",
      "docs/index.md",
      "docs/policies/inert-test.md",
      "generated/inert-test.determination.schema.json",
      "generated/inert-test.input.schema.json",
      "generated/inert-test.ts",
      "generated/inert.pol.ts",
    ]);
  });

  it("generates modules that type-check against the real runtime", () => {
    // A second file misuses the module, to show that the check is real: exactly its mistake is reported.
    const misuse = join(tempDir, "misuse.ts");
    writeFileSync(misuse, 'import { evaluate } from "./inert-test.js";\nexport const d = evaluate({ date_of_service: "2024-03-15", flag: "yes" });\n');
    const messages = typeCheck([join(tempDir, "inert-test.ts"), misuse]);
    expect(messages.filter((m) => !m.includes("misuse.ts"))).toEqual([]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/misuse\.ts:2: Type 'string' is not assignable to type 'boolean/);
  }, 30_000);

  it("generates the same code, token for token, whatever the policy's texts say: text reaches a module only inside strings and comments", async () => {
    const plain = Object.fromEntries(payloadKeys.map((key) => [key, "x"])) as Record<PayloadKey, string>;
    const neutral = codeOf(await renderOutputs(compileText({ "inert.pol": inertPolicy(plain) }), { code: "generated", docs: "docs" }));
    // Layout aside: where Prettier wraps a long line, it adds a trailing comma.
    const tokens = (text: string) =>
      inertness("m.ts", text)
        .codeOnly.replace(/\s+/g, "")
        .replace(/,(?=[}\])])/g, "");
    expect(neutral.map((f) => f.path)).toEqual(modules.map((f) => f.path));
    modules.forEach((m, i) => expect(tokens(m.text), m.path).toBe(tokens(neutral[i].text)));
    // The compiled criteria are there: the check compares code, not two empty modules.
    expect(tokens(modules.find((m) => m.path.endsWith("inert.pol.ts"))!.text)).toContain("exportconstcriterion_top=k.criterion({");
  });

  it("generates modules whose code is only what the generator writes: calls to the runtime, the context and its own definitions, no forbidden name, no payload outside strings and comments", () => {
    for (const m of modules) {
      const { problems, codeOnly } = inertness(m.path, m.text);
      expect(problems, m.path).toEqual([]);
      for (const marker of ["process", "exit(", pwnedFlag, "globalThis", "</script", "<script", "rm -rf", "${"]) {
        expect(codeOnly, `${m.path}: ${marker}`).not.toContain(marker);
      }
      // A module holds no raw control character: NUL and BEL appear only as escapes.
      expect(m.text, m.path).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
    }
  });

  it("writes bidirectional controls in the generated modules as escapes, so that the code displays as what it is", () => {
    for (const m of modules) expect(m.text, m.path).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200e\u200f]/);
  });

  it("imports without side effects and gives back every text exactly", async () => {
    const exit = vi.spyOn(process, "exit").mockImplementation((() => {
      throw new Error("process.exit called by a generated module");
    }) as never);
    try {
      const mod = (await import(pathToFileURL(join(tempDir, "inert-test.ts")).href)) as {
        policy: Policy;
        metadata: Policy["metadata"];
        evaluate: (input: unknown, options?: { trace?: boolean }) => import("../../runtime/determination.js").Determination;
      };
      expect((globalThis as Record<string, unknown>)[pwnedFlag]).toBeUndefined();
      expect(exit).not.toHaveBeenCalled();

      const wordingOf = new Map(mod.policy.requirements.map((r) => [r.ref.id, r.ref.wording]));
      for (const key of payloadKeys) expect(wordingOf.get(`c_${key}`), key).toBe(payloads[key]);
      expect(wordingOf.get("wa_rule")).toBe(payloads.singleBreakout);
      expect(mod.metadata.title).toBe(payloads.closeComment);
      expect(mod.metadata.guideline).toBe(payloads.breakout);
      expect(mod.metadata.version).toBe(payloads.script);
      expect(mod.metadata.original_date).toBe(payloads.newlines);
      expect(mod.metadata.last_revised).toBe(payloads.template);
      expect(mod.metadata.implementation_date).toBe(payloads.rtl);
      expect(mod.metadata.cpt).toEqual([{ region: payloads.singleBreakout, codes: ["62320", "+64480"] }]);
      expect(mod.metadata.overlays).toEqual([{ id: overlayId, title: payloads.script, state: "WA" }]);
      const facts = Object.fromEntries(mod.policy.facts.map((f) => [f.path, f.description]));
      expect(facts).toMatchObject({ flag: payloads.breakout, "g.inner": payloads.newlines, kind_value: payloads.nul, history_list: payloads.emoji });

      // Evaluating carries the texts through to the determination unchanged.
      const determination = mod.evaluate({ date_of_service: "2024-03-15", flag: false, g: { inner: 3 }, kind_value: "k_b" });
      const wording = Object.fromEntries(determination.trace.map((t) => [t.id, t.wording]));
      for (const key of payloadKeys) expect(wording[`c_${key}`], key).toBe(payloads[key]);
      expect(determination.policy.title).toBe(payloads.closeComment);
      // Without the trace, the same code gives the same determination, texts and all.
      const untraced = mod.evaluate({ date_of_service: "2024-03-15", flag: false, g: { inner: 3 }, kind_value: "k_b" }, { trace: false });
      expect(untraced).toEqual({ ...determination, trace: [] });
      expect(untraced.unmet.length).toBeGreaterThan(0);
      expect((globalThis as Record<string, unknown>)[pwnedFlag]).toBeUndefined();
      expect(exit).not.toHaveBeenCalled();
    } finally {
      exit.mockRestore();
    }
  }, 30_000);

  it("shows HTML in the Markdown escaped, never as markup", () => {
    const page = outputs.find((f) => f.path === "docs/policies/inert-test.md")!.text;
    expect(page).toContain("&lt;script&gt;");
    expect(page).toContain("&lt;/script&gt;");
    for (const file of outputs.filter((f) => f.path.endsWith(".md"))) {
      expect(file.text, file.path).not.toMatch(/<\/?script/i);
    }
  });

  it("keeps control characters out of the Markdown", () => {
    for (const file of outputs.filter((f) => f.path.endsWith(".md"))) {
      expect(file.text, file.path).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
    }
  });
});
