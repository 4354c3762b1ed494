/**
 * The language server knows the fields an extension adds (`extend record`): a field read in a
 * rule goes to where the extension adds it, and the extension's record name to the record.
 */
import { describe, expect, it } from "vitest";
import { compileText } from "../../compiler/compile.js";
import { LibraryIndex } from "../../packages/language-server/src/analysis.js";

const shared = ['record visit "A visit" {', '  date: date "Date of the visit"', "}", 'fact visits: list of visit "Visits"', ""].join("\n");
const extending = [
  'import "shared.pol"',
  "extend record visit {",
  '  relief_hours: duration "Hours of relief after the visit"',
  "}",
  'criterion relief "At least 6 hours of relief": exists(v in visits where v.relief_hours >= 6 hours)',
  "",
].join("\n");

describe("an extension in the language server", () => {
  it("goes from a field an extension adds to where it adds it, and from the extension to its record", () => {
    const result = compileText({ "shared.pol": shared, "ext.pol": extending });
    expect(result.diagnostics).toEqual([]);
    const index = new LibraryIndex(result);
    const read = index.occurrenceAt("ext.pol", extending.indexOf("v.relief_hours") + 3)!;
    expect(index.occurrencesOf(read.target).map((o) => `${o.range.file}:${o.range.start}${o.declaration ? " declared" : ""}`)).toEqual([
      `ext.pol:${extending.indexOf("relief_hours")} declared`,
      `ext.pol:${extending.indexOf("v.relief_hours") + 2}`,
    ]);
    const record = index.occurrenceAt("ext.pol", extending.indexOf("visit {") + 1)!;
    expect(record.target.decl.nameSpan).toMatchObject({ file: "shared.pol", line: 1 });
  });
});
