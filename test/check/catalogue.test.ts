import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { catalogue, type DiagnosticCode } from "../../compiler/diagnostics-catalogue.js";
import { lintRules } from "../../compiler/lint/lint.js";
import { diagnosticsCatalogueMarkdown } from "../../compiler/tools/diagnostics-doc.js";
import { compileText } from "../../compiler/compile.js";

describe("the diagnostic catalogue", () => {
  const codes = Object.keys(catalogue) as DiagnosticCode[];

  it("gives each code its own name, and lint's codes (only those) are warnings", () => {
    expect(new Set(codes.map((c) => catalogue[c].name)).size).toBe(codes.length);
    const lint = new Set(lintRules.map((r) => r.code));
    expect(codes.filter((c) => catalogue[c].severity === "warning").sort()).toEqual([...lint].sort());
  });

  it("is what docs/diagnostics.md lists (npx tsx compiler/tools/diagnostics-doc.ts writes it)", () => {
    expect(readFileSync(new URL("../../docs/diagnostics.md", import.meta.url), "utf8")).toBe(diagnosticsCatalogueMarkdown());
  });

  // What POL020 and POL028 each once covered: every message now has a code of its own.
  it.each([
    ['criterion c "C": n', "POL020", "expected a yes/no condition here, but this is a number from 0 to 10"],
    ['criterion c "C": d > 3', "POL034", "cannot compare a duration with a number"],
    ['criterion c "C": m > 50', "POL035", "this compares a percentage with a plain number"],
    ['criterion c "C": n + d > 3', "POL036", "cannot add a duration to a number from 0 to 10"],
    ['criterion c "C": d * d > 3 days', "POL037", "cannot multiply a duration by a duration"],
    ['criterion c "C": case kind { a: 1, b: true } = 1', "POL038", "'case' gives a number in one case and a yes/no value in another"],
    ['criterion c "C": case n { else: true }', "POL039", "'case' needs a choice of an enum, but this is a number from 0 to 10"],
    ['criterion c "C": n in {a}', "POL042", "'in {…}' needs a value from a list of choices, but this is a number from 0 to 10"],
    ['criterion c "C": time since n > 3 days', "POL043", "time since/between needs a date, but this is a number from 0 to 10"],
    ['criterion c "C": k', "POL045", "'k' is a type; a condition needs a fact, criterion or definition here"],
    ['criterion c "C": every(p in items) ', "POL064", "every needs a condition after ':', as in every(p in injections: p.relief >= 50%)"],
    ['criterion c "C": exists(p in items: p.on)', "POL065", "only 'every' takes a condition after ':'"],
    ['criterion c "C": exists(p in items, one per p.date)', "POL066", "only count can count one per key"],
    ['criterion c "C": n(1) > 3', "POL068", "'n' is a fact, and only definitions take arguments"],
  ])("%s → %s", (rule, code, message) => {
    const source = `enum k { a, b }\nrecord item { date: date, on: boolean }\nfact n: number 0 to 10 "N"\nfact d: duration "D"\nfact items: list of item "I"\nfact m: percent "M"\nfact kind: k "K"\n${rule}\n`;
    const diagnostics = compileText({ "a.pol": source }).diagnostics.filter((d) => d.span.line === 8);
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([[code, message]]);
  });
});
