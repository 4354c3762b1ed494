/**
 * `polc quotes`: every criterion's wording is the guideline's own. Each wording must appear word
 * for word in the published text, once the artefacts of converting it from PDF or HTML are set
 * aside (superscript citations, emphasis marks, struck-through words, links, spacing, curly
 * quotes). A wording that joins a heading to its sub-bullets is found in parts: each part, split
 * at "; " and ": ", appears on its own.
 */
import type { CompileResult } from "./compile.js";

export type QuoteStatus = "found" | "found in parts" | "not found";

export interface QuoteResult {
  readonly policy: string;
  readonly id: string;
  readonly wording: string;
  readonly status: QuoteStatus;
}

/** Wordings the compiler writes itself for a list without one: not the guideline's. */
const fallbackWording = /^(All|One|None|At least \d+|At most \d+) of the following$/;

/** Text with conversion artefacts removed, for comparing wordings with the published text. */
export function normaliseQuote(text: string): string {
  return text
    .replace(/\*\*|~~[^~]*~~|\^\{[^}]*\}|[¹²³⁴⁵⁶⁷⁸⁹⁰⁻]+|\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[“”]/g, '"')
    .replace(/[‘’]/g, "'")
    .replace(/\*/g, "")
    .replace(/\s+/g, " ")
    .replace(/\( /g, "(")
    .replace(/ ([),;.])/g, "$1")
    .trim()
    .toLowerCase();
}

/** Every criterion of every policy in the result, checked against the source text. */
export function checkQuotes(result: CompileResult, source: string): QuoteResult[] {
  const text = normaliseQuote(source);
  const found = (wording: string) => text.includes(normaliseQuote(wording));
  const results: QuoteResult[] = [];
  for (const { ir } of result.policies) {
    for (const r of ir.requirements) {
      if (!r.wording || (r.role === "group" && fallbackWording.test(r.wording))) continue;
      const parts = r.wording.split(/; |: /).filter((p) => p.trim());
      const status: QuoteStatus = found(r.wording) ? "found" : parts.length > 1 && parts.every(found) ? "found in parts" : "not found";
      results.push({ policy: ir.id, id: r.id, wording: r.wording, status });
    }
  }
  return results;
}
