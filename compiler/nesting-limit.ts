/**
 * A limit on how deeply a file may nest brackets, checked on the tokens before
 * parsing: the parser and the checker recurse once per level, and a file nested thousands of
 * levels deep must get a clear error, not exhaust the stack.
 */
import type { IToken } from "chevrotain";
import { error, type Diagnostic } from "./diagnostics.js";

export const maxNesting = 128;

const opening = new Set(["LParen", "LCurly", "LSquare"]);
const closing = new Set(["RParen", "RCurly", "RSquare"]);

export function nestingDiagnostic(tokens: readonly IToken[], file: string): Diagnostic | undefined {
  let depth = 0;
  for (const token of tokens) {
    const name = token.tokenType.name;
    if (opening.has(name)) depth++;
    else if (closing.has(name)) depth = Math.max(0, depth - 1);
    if (depth > maxNesting) {
      const what = `brackets nested more than ${maxNesting} levels deep`;
      return error(
        "POL032",
        { file, start: token.startOffset, end: (token.endOffset ?? token.startOffset) + 1, line: token.startLine ?? 1, column: token.startColumn ?? 1 },
        `this file has ${what}; it is not read further`,
        { hint: "split the condition into named definitions or criteria" },
      );
    }
  }
  return undefined;
}
