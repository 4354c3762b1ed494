/**
 * The code frame under a diagnostic quotes its line as the lexer counts lines (\n, \r\n, a lone
 * \r). A compile's sources are read into lines once for all its diagnostics (a 1 MB file with
 * forty errors once took half a second to render, one split of the file per error); a file given
 * a new text in the same map is read again.
 */
import { describe, expect, it } from "vitest";
import { compileText } from "../../compiler/compile.js";
import { error, renderDiagnostic } from "../../compiler/diagnostics.js";
import type { Span } from "../../compiler/ast.js";

const at = (file: string, line: number, column: number, start: number, end: number): Span => ({ file, line, column, start, end }) as Span;

describe("code frames", () => {
  it("quotes each error's own line, whatever ends the lines", () => {
    for (const end of ["\n", "\r\n", "\r"]) {
      const text = ['fact a: boolean "A"', 'criterion c "C": nope', 'criterion d "D": nada', ""].join(end);
      const result = compileText({ "a.pol": text });
      expect(result.diagnostics.map((d) => renderDiagnostic(d, result.sources).split("\n").slice(1, 4))).toEqual([
        ["  |", '2 | criterion c "C": nope', "  |                  ^^^^"],
        ["  |", '3 | criterion d "D": nada', "  |                  ^^^^"],
      ]);
    }
  });

  it("quotes a line past the end of the file, or of a file that does not read as text, not at all", () => {
    const sources = new Map([
      ["a.pol", "fact a: boolean\n"],
      ["b.pol", "fact\u0000 b\n"],
    ]);
    expect(renderDiagnostic(error("POL001", at("a.pol", 9, 1, 16, 16), "past the end"), sources)).toBe("a.pol:9:1: error POL001: past the end");
    expect(renderDiagnostic(error("POL001", at("b.pol", 1, 5, 4, 5), "a NUL"), sources)).toBe("b.pol:1:5: error POL001: a NUL");
  });

  it("reads a file again when the same sources give it a new text, as an editor's do", () => {
    const sources = new Map([["a.pol", "fact a: boolean\nfact b: number\n"]]);
    const d = error("POL001", at("a.pol", 2, 6, 21, 22), "here");
    expect(renderDiagnostic(d, sources).split("\n")[2]).toBe("2 | fact b: number");
    sources.set("a.pol", "fact a: boolean\nfact z: text\n");
    expect(renderDiagnostic(d, sources).split("\n")[2]).toBe("2 | fact z: text");
    sources.set("a.pol", "fact a: boolean\u0000\nfact z: text\n");
    expect(renderDiagnostic(d, sources)).toBe("a.pol:2:6: error POL001: here");
  });
});
