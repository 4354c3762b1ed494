/**
 * Parses a `.pol` text for the printer with the compiler's own lexer and parser. A file with a
 * syntax error is never printed: the error carries the compiler's diagnostics, word for word.
 */
import type { CstNode, IToken } from "chevrotain";
import type { FileCstNode } from "../../../grammar/cst.generated.js";
import { lexPol, parsePol } from "../../../grammar/parser.js";
import { renderDiagnostic, type Diagnostic } from "../../../compiler/diagnostics.js";
import { nestingDiagnostic } from "../../../compiler/nesting-limit.js";
import { syntaxDiagnostics } from "../../../compiler/syntax-errors.js";

/** The root the printer receives: the concrete syntax tree with every token and comment. */
export interface PolDocument {
  readonly kind: "pol-document";
  readonly text: string;
  readonly cst: FileCstNode;
  readonly tokens: readonly IToken[];
  /** Not `comments`: Prettier would take those over with its own placement. */
  readonly polComments: readonly IToken[];
  readonly start: number;
  readonly end: number;
}

/** A file that does not parse; `diagnostics` are the ones `polc check` reports. */
export class PolSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly diagnostics: readonly Diagnostic[],
    text: string,
  ) {
    super(diagnostics.map((d) => renderDiagnostic(d, new Map([[file, text]]))).join("\n"));
    this.name = "PolSyntaxError";
  }
}

export function parseForPrinting(text: string, file = "<input>"): PolDocument {
  const lexed = lexPol(text);
  const tooDeep = nestingDiagnostic(lexed.tokens, file);
  if (tooDeep) throw new PolSyntaxError(file, [tooDeep], text);
  const parsed = parsePol(text, lexed);
  if (parsed.lexErrors.length > 0 || parsed.parseErrors.length > 0) throw new PolSyntaxError(file, syntaxDiagnostics(parsed, file, text), text);
  return {
    kind: "pol-document",
    text,
    cst: parsed.cst as FileCstNode,
    tokens: parsed.tokens,
    polComments: parsed.comments,
    start: 0,
    end: text.length,
  };
}

/** Each node's first and last token, kept on the node once found (a property is faster than a map). */
const firstKey = Symbol("firstToken");
const lastKey = Symbol("lastToken");
type CachedNode = CstNode & { [firstKey]?: IToken | null; [lastKey]?: IToken | null };

/**
 * The first and last token of a node, by offset. Each list of children is in source order, so
 * only the first (or last) child of each list needs a look.
 */
export function tokenBounds(node: CstNode): { first: IToken; last: IToken } | undefined {
  const first = edgeToken(node, true);
  const last = edgeToken(node, false);
  return first && last ? { first, last } : undefined;
}

function edgeToken(node: CachedNode, first: boolean): IToken | undefined {
  const cached = first ? node[firstKey] : node[lastKey];
  if (cached !== undefined) return cached ?? undefined;
  let best: IToken | undefined;
  for (const children of Object.values(node.children)) {
    const child = first ? children[0] : children[children.length - 1];
    if (!child) continue;
    const token = "children" in child ? edgeToken(child, first) : child;
    if (token && (!best || (first ? token.startOffset < best.startOffset : token.startOffset > best.startOffset))) best = token;
  }
  if (first) node[firstKey] = best ?? null;
  else node[lastKey] = best ?? null;
  return best;
}
