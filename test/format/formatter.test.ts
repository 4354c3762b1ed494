import { readFileSync } from "node:fs";
import type { CstNode } from "chevrotain";
import { describe, expect, it } from "vitest";
import { formatPol, PolSyntaxError, printers, type Printers } from "../../packages/prettier-plugin-pol/src/index.js";
import { parsePol } from "../../grammar/parser.js";
import { cstToAst } from "../../compiler/cst-to-ast.js";
import { compileFiles } from "../../compiler/compile.js";
import type { Diagnostic } from "../../compiler/diagnostics.js";
import { readLibrary } from "../support/library.js";

const widths = [80, 100, 120];
const kitchenSink = readFileSync("test/format/kitchen-sink.pol", "utf8");

/** The syntax tree the compiler reads, without positions. */
function astWithoutSpans(text: string): unknown {
  const diagnostics: Diagnostic[] = [];
  const parsed = parsePol(text);
  expect(parsed.parseErrors).toEqual([]);
  const ast = cstToAst(parsed, "file.pol", diagnostics);
  expect(diagnostics).toEqual([]);
  return JSON.parse(JSON.stringify(ast, (key, value) => (key === "span" || key.endsWith("Span") ? undefined : value)));
}

function ruleNames(node: CstNode, into = new Set<string>()): Set<string> {
  into.add(node.name);
  for (const children of Object.values(node.children)) for (const child of children) if ("children" in child) ruleNames(child, into);
  return into;
}

describe("the formatter's fixed points", () => {
  for (const width of widths) {
    it(`formats every library file and the kitchen sink stably at width ${width}`, async () => {
      for (const [path, text] of [...Object.entries(readLibrary()), ["kitchen-sink.pol", kitchenSink] as const]) {
        const once = await formatPol(text, { printWidth: width });
        const twice = await formatPol(once, { printWidth: width });
        expect(twice, `${path} at width ${width}`).toBe(once);
      }
    });
  }
});

describe("the kitchen sink", () => {
  it("has a printer for every rule of the grammar, checked by the type checker", () => {
    const { file: omitted, ...withoutFile } = printers;
    // @ts-expect-error: a map without the printer of a rule is not Printers (npm run typecheck fails if it were)
    const incomplete: Printers = withoutFile;
    expect(Object.keys(incomplete)).not.toContain("file");
    expect(omitted).toBeTypeOf("function");
  });

  it("is a library the compiler accepts", () => {
    expect(compileFiles(["test/format/kitchen-sink.pol"]).diagnostics).toEqual([]);
  });

  it("uses every rule of the grammar", () => {
    const used = ruleNames(parsePol(kitchenSink).cst);
    expect([...used].sort()).toEqual(Object.keys(printers).sort());
  });

  for (const width of [40, ...widths]) {
    it(`round-trips parse → print → parse to the same tree at width ${width}`, async () => {
      const formatted = await formatPol(kitchenSink, { printWidth: width });
      expect(astWithoutSpans(formatted)).toEqual(astWithoutSpans(kitchenSink));
    });
  }

  it("keeps every comment, in order", async () => {
    const comments = (text: string) => parsePol(text).comments.map((c) => c.image.trimEnd());
    const formatted = await formatPol(kitchenSink);
    expect(comments(formatted)).toEqual(comments(kitchenSink));
    expect(comments(kitchenSink)).toHaveLength(12);
  });
});

describe("layout", () => {
  it("breaks a long condition before each operator of its loosest chain, the rest indented", async () => {
    const text = [
      'fact alpha_finding: boolean "A"',
      'fact beta_finding: boolean "B"',
      'fact gamma_finding: boolean "C"',
      'criterion c "Wording": alpha_finding and (beta_finding or gamma_finding) and not alpha_finding unless beta_finding',
      "",
    ].join("\n");
    expect(await formatPol(text, { printWidth: 80 })).toBe(
      [
        'fact alpha_finding: boolean "A"',
        'fact beta_finding: boolean "B"',
        'fact gamma_finding: boolean "C"',
        'criterion c "Wording":',
        "  alpha_finding and (beta_finding or gamma_finding) and not alpha_finding",
        "    unless beta_finding",
        "",
      ].join("\n"),
    );
    expect(await formatPol(text, { printWidth: 44 })).toBe(
      [
        'fact alpha_finding: boolean "A"',
        'fact beta_finding: boolean "B"',
        'fact gamma_finding: boolean "C"',
        'criterion c "Wording":',
        "  alpha_finding",
        "      and (beta_finding or gamma_finding)",
        "      and not alpha_finding",
        "    unless beta_finding",
        "",
      ].join("\n"),
    );
  });

  it("keeps a single condition on the colon's line where the author put it, and a condition on the next line there", async () => {
    const text = 'fact a: boolean "A"\ncriterion on_line "A very long wording that runs past the print width on its own, as guideline text does": a\ncriterion below "Short":\n  a\n';
    expect(await formatPol(text, { printWidth: 40 })).toBe(text);
  });

  it("breaks a question over a list after its source, then before `where`", async () => {
    const text = 'define d: exists(p in prior_procedures where p.kind = spinal_surgery and p.date after date_of_service)\n';
    expect(await formatPol(text, { printWidth: 60 })).toBe(
      [
        "define d:",
        "  exists(p in prior_procedures",
        "    where p.kind = spinal_surgery",
        "      and p.date after date_of_service)",
        "",
      ].join("\n"),
    );
  });

  it("lays out blocks one statement per line, keeps one blank line where there were several, and tidies spaces", async () => {
    const text = 'enum e "E" { a "A",   b }\n\n\n\ngroup  g  "G"  {  fact x :  boolean  "X"  }\npolicy P "P" { version "1"\n\n  notes "N" { note "n" } }\n';
    expect(await formatPol(text)).toBe(
      ['enum e "E" {', '  a "A",', "  b", "}", "", 'group g "G" {', '  fact x: boolean "X"', "}", 'policy P "P" {', '  version "1"', "", '  notes "N" {', '    note "n"', "  }", "}", ""].join("\n"),
    );
  });
});

describe("readings", () => {
  it("puts each reading on lines of its own before what it explains, a continued one aligned under its first text", async () => {
    const text = 'group g { reading   "a" fact x: boolean }\nreading "one"   "two"\n  "three" reading "again"\ndefine d: g.x\n';
    expect(await formatPol(text)).toBe(
      ["group g {", '  reading "a"', "  fact x: boolean", "}", 'reading "one"', '        "two"', '        "three"', 'reading "again"', "define d: g.x", ""].join("\n"),
    );
  });
});

describe("line endings and empty files", () => {
  it("writes \\n line ends whatever the file had, and keeps its blank lines", async () => {
    expect(await formatPol('fact a: boolean "A"\r\n\r\n\r\ncriterion c "C":\r\n  a # why\r\n')).toBe('fact a: boolean "A"\n\ncriterion c "C":\n  a # why\n');
  });

  it("leaves an empty file empty and a file of comments as it is", async () => {
    expect(await formatPol("\n\n")).toBe("");
    expect(await formatPol("# only\n\n# comments\n")).toBe("# only\n\n# comments\n");
  });
});

describe("comments", () => {
  it("keeps own-line, trailing, end-of-block and end-of-file comments where the author put them", async () => {
    const text = [
      "# header",
      "",
      "# before the group",
      'group g "G" {   # after the brace',
      '  fact x: boolean "X"    # after a fact',
      "  # at the end of the block",
      "}",
      "# at the end of the file",
      "",
    ].join("\n");
    expect(await formatPol(text)).toBe(text.replace("   # after the brace", " # after the brace").replace("    # after a fact", " # after a fact"));
  });

  it("moves a comment on its own line inside a condition to the end of the line before it", async () => {
    const text = 'fact a: boolean "A"\ndefine d:\n  a\n    # why\n    and a\n';
    expect(await formatPol(text)).toBe('fact a: boolean "A"\ndefine d:\n  a and a # why\n');
  });
});

describe("files that do not parse", () => {
  it("are refused with the compiler's syntax errors", async () => {
    const error = await formatPol('fact x boolean "X"\n', { filepath: "bad.pol" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolSyntaxError);
    expect((error as PolSyntaxError).diagnostics.map((d) => `${d.span.line}:${d.span.column} ${d.code} ${d.message}`)).toEqual([
      "1:8 POL002 expected ':', but found 'boolean'",
    ]);
  });
});
