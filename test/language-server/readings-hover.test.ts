/**
 * Hover shows a declaration's readings (`reading "…"`, `reading of "…": "…"`) after its wording,
 * as the docs page shows them beside the item.
 */
import { describe, expect, it } from "vitest";
import { compileText } from "../../compiler/compile.js";
import { LibraryIndex } from "../../packages/language-server/src/analysis.js";

const source = [
  'fact constant: boolean "The pain is constant"',
  "",
  'reading of "3 months": "the chart says constant; how long is not asked"',
  'reading "a second reading"',
  'criterion explained "Constant pain for 3 months": constant',
  "",
].join("\n");

describe("hover on a declaration with readings", () => {
  it("shows each reading after the wording, the part of the wording it reads named", () => {
    const result = compileText({ "a.pol": source });
    expect(result.diagnostics).toEqual([]);
    const index = new LibraryIndex(result);
    const occurrence = index.occurrenceAt("a.pol", source.indexOf("explained") + 2)!;
    expect(index.describe(occurrence.target)).toBe(
      [
        "**criterion** `explained`",
        '"Constant pain for 3 months"',
        '*Reading of "3 months":* the chart says constant; how long is not asked',
        "*Reading:* a second reading",
        "Declared in `a.pol:5`",
      ].join("\n\n"),
    );
  });
});
