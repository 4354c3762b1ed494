/**
 * Numbers written in a policy stay within the bounds the runtime declares (runtime/limits.ts),
 * checked on the tokens: a 401-digit literal would otherwise become Infinity, and a duration of
 * 10^300 years NaN, deep inside an evaluation.
 */
import type { IToken } from "chevrotain";
import { error, type Diagnostic } from "./diagnostics.js";
import { maxDigits, maxDurationAmount } from "../runtime/limits.js";

export function literalDiagnostics(tokens: readonly IToken[], file: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.tokenType.name !== "NumberLiteral") continue;
    const span = { file, start: token.startOffset, end: (token.endOffset ?? token.startOffset) + 1, line: token.startLine ?? 1, column: token.startColumn ?? 1 };
    const digits = token.image.replace(".", "").length;
    if (digits > maxDigits) {
      diagnostics.push(error("POL078", span, `this number has ${digits} digits; at most ${maxDigits} are allowed`, { hint: "numbers in a policy lie between -10^15 and 10^15" }));
      continue;
    }
    const unit = tokens[i + 1]?.tokenType;
    if (unit?.CATEGORIES?.some((c) => c.name === "DurationUnit") && Number(token.image) > maxDurationAmount) {
      diagnostics.push(error("POL079", span, `a duration of ${token.image} ${tokens[i + 1].image} is longer than the ${maxDurationAmount} that are allowed`));
    }
  }
  return diagnostics;
}
