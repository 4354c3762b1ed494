/**
 * A limit on how deeply a file may nest, checked on the tokens before parsing: the parser, the
 * checker and the back ends recurse once per level, and a file nested thousands of levels deep
 * must get a clear error, not exhaust the stack. Brackets nest, and so do chains that each
 * apply to what follows or precedes them: `not not not …`, `time since time since …` and field
 * chains `a.b.c.…`. Each counts one level per link, on top of the brackets around it.
 */
import type { IToken } from "chevrotain";
import { error, type Diagnostic } from "./diagnostics.js";

export const maxNesting = 128;

const opening: ReadonlySet<string> = new Set(["LParen", "LCurly", "LSquare"]);
const closing: ReadonlySet<string> = new Set(["RParen", "RCurly", "RSquare"]);

/** Tokens each adding a level to what follows (or, for `.`, to the chain it extends). */
const chainLinks: ReadonlyMap<string, string> = new Map([
  ["Not", "'not'"],
  ["Time", "'time since' or 'time between'"],
  ["Dot", "fields ('.')"],
]);

/** Tokens that continue a chain without adding a level: a name between dots, `since`, `between`. */
const chainMiddles: ReadonlySet<string> = new Set(["Identifier", "Since", "Between"]);

export function nestingDiagnostic(tokens: readonly IToken[], file: string): Diagnostic | undefined {
  // The levels below each open bracket (its own included), and the length of the chain now running.
  const below: number[] = [];
  let depth = 0;
  let chain = 0;
  for (const token of tokens) {
    const name = token.tokenType.name;
    const link = chainLinks.get(name);
    if (link !== undefined) chain++;
    else if (opening.has(name)) {
      below.push(depth);
      depth += chain + 1;
      chain = 0;
    } else if (closing.has(name)) {
      depth = below.pop() ?? 0;
      chain = 0;
    } else if (!chainMiddles.has(name)) chain = 0;
    if (depth + chain > maxNesting) {
      const what =
        link === undefined
          ? depth === below.length
            ? `brackets nested more than ${maxNesting} levels deep`
            : `brackets and chains of 'not', 'time since' or fields nested more than ${maxNesting} levels deep`
          : depth === 0
            ? `a chain of ${link} more than ${maxNesting} long`
            : `a chain of ${link} nested more than ${maxNesting} levels deep, counting the brackets around it`;
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
