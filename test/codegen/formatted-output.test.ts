/**
 * A build runs no formatter: modules, pages and schemas are generated already laid out. Prettier
 * is the reference for that layout, so here it formats every output of the library and of a
 * policy written to stress the layout (long names, long wordings, deep expressions), and must
 * leave each unchanged.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as prettier from "prettier";
import { compileFiles, compileText } from "../../compiler/compile.js";
import { renderOutputs, type OutputFile } from "../../compiler/build.js";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { syntheticPolicy } from "../../bench/synthetic.js";

function optionsFor(path: string): prettier.Options {
  if (path.endsWith(".ts")) return { parser: "typescript", printWidth: 120 };
  if (path.endsWith(".md")) return { parser: "markdown", printWidth: 120, proseWrap: "preserve" };
  // The schemas are JSON.stringify's: Prettier's parser for such files (it formats package.json so).
  return { parser: "json-stringify", printWidth: 120 };
}

async function expectFormatted(files: readonly OutputFile[]): Promise<void> {
  for (const file of files) {
    const formatted = await prettier.format(file.text, optionsFor(file.path));
    expect(file.text, file.path).toBe(formatted);
  }
}

describe("generated outputs are already formatted", () => {
  let library: OutputFile[];
  beforeAll(async () => {
    library = await renderOutputs(compileFiles(polFilesUnder("policies")), { code: "generated", docs: "docs" });
  });

  it("every module of the library", async () => {
    const modules = library.filter((f) => f.path.endsWith(".ts"));
    expect(modules.length).toBeGreaterThan(20);
    await expectFormatted(modules);
  });

  it("every page of the library", async () => {
    const pages = library.filter((f) => f.path.endsWith(".md"));
    expect(pages.length).toBeGreaterThan(5);
    await expectFormatted(pages);
  });

  it("every JSON Schema of the library", async () => {
    const schemas = library.filter((f) => f.path.endsWith(".json"));
    expect(schemas.length).toBeGreaterThan(10);
    await expectFormatted(schemas);
  });
});

describe("generated outputs of policies written to stress the layout are already formatted", () => {
  const render = async (text: string) => {
    const result = compileText({ "stress.pol": text });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    return renderOutputs(result, { code: "generated", docs: "docs" });
  };

  it("a synthetic policy of every construct", async () => {
    await expectFormatted(await render(syntheticPolicy(300).text));
  });

  it("the same with names long enough to break every line they stand in", async () => {
    const long = syntheticPolicy(120)
      .text.replace(/\bg(\d+)/g, "finding_documented_in_the_chart_at_the_time_of_the_request_$1")
      .replace(/\bkind_(\d)/g, "classification_of_the_finding_as_charted_$1")
      .replace(/"Finding (\d+) is documented"/g, '"Finding $1 is documented in the member\'s chart by the treating physician, with its date, its severity and what was done about it"');
    await expectFormatted(await render(long));
  });
});
