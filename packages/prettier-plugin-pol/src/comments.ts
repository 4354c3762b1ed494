/**
 * Where each comment goes. A comment on the same line as a token stays after that token; a
 * comment on a line of its own goes before the declaration, bullet or entry that follows it, or
 * stays at the end of its block (or file). The rare comment on its own line inside a declaration
 * moves to the end of the line before it. Every comment is placed exactly once, and the printer
 * checks that it printed them all.
 */
import type { CstNode, IToken } from "chevrotain";
import { tokenBounds } from "./parse.js";

/** Rules whose nodes start on a line of their own: the places own-line comments attach to. */
const statementRules: ReadonlySet<string> = new Set([
  "importDecl",
  "topItem",
  "item",
  "policyMember",
  "factDecl",
  "groupDecl",
  "groupMember",
  "serviceSection",
  "enumMember",
  "fieldDecl",
  "referenceEntry",
  "historyEntry",
  "section",
]);

/** Rules whose `}` closes a block of statements (not a set of values like `{a, b}`). */
const blockRules: ReadonlySet<string> = new Set([
  "groupDecl",
  "enumDecl",
  "recordDecl",
  "groupBody",
  "policyDecl",
  "overlayDecl",
  "section",
  "referencesDecl",
  "historyDecl",
  "serviceDecl",
]);

export interface CommentPlacement {
  /** After a token, by the token's offset: printed at the end of that token's line. */
  readonly trailing: ReadonlyMap<number, readonly IToken[]>;
  /** Before a statement, by its first token's offset: printed on lines of their own. */
  readonly leading: ReadonlyMap<number, readonly IToken[]>;
  /** Before a block's `}`, by its offset. */
  readonly dangling: ReadonlyMap<number, readonly IToken[]>;
  /** After the last token of the file. */
  readonly end: readonly IToken[];
}

export function placeComments(root: CstNode, tokens: readonly IToken[], comments: readonly IToken[], text: string): CommentPlacement {
  const statementStarts = new Set<number>();
  const closers = new Set<number>();
  const visit = (node: CstNode) => {
    // A condition holds no statements and no blocks.
    if (node.name === "expression") return;
    if (statementRules.has(node.name)) {
      const bounds = tokenBounds(node);
      if (bounds) statementStarts.add(bounds.first.startOffset);
    }
    if (blockRules.has(node.name)) {
      for (const close of node.children.RCurly ?? []) if (!("children" in close)) closers.add(close.startOffset);
    }
    for (const children of Object.values(node.children)) for (const child of children) if ("children" in child) visit(child);
  };
  visit(root);

  const trailing = new Map<number, IToken[]>();
  const leading = new Map<number, IToken[]>();
  const dangling = new Map<number, IToken[]>();
  const end: IToken[] = [];
  const add = (map: Map<number, IToken[]>, key: number, comment: IToken) => {
    const list = map.get(key);
    if (list) list.push(comment);
    else map.set(key, [comment]);
  };
  let next = 0; // index of the first token after the current comment
  for (const comment of comments) {
    while (next < tokens.length && tokens[next].startOffset < comment.startOffset) next++;
    const before = next > 0 ? tokens[next - 1] : undefined;
    const after = next < tokens.length ? tokens[next] : undefined;
    if (before && !/[\r\n]/.test(text.slice(before.endOffset! + 1, comment.startOffset))) add(trailing, before.startOffset, comment);
    else if (!after) end.push(comment);
    else if (statementStarts.has(after.startOffset)) add(leading, after.startOffset, comment);
    else if (closers.has(after.startOffset)) add(dangling, after.startOffset, comment);
    else if (before) add(trailing, before.startOffset, comment);
    else add(leading, after.startOffset, comment);
  }
  return { trailing, leading, dangling, end };
}
