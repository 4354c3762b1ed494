/**
 * The printer: one entry per grammar rule, typed against the generated CST so that a rule
 * without a printer fails the type check. It works on the concrete tree, so every token the
 * author wrote (`≥` or `>=`, `1 week` or `1 weeks`) is printed as written; only spaces, line
 * breaks and indentation change.
 *
 * Layout, as the library is written: one declaration, bullet or entry per line; blocks indented
 * by two; a condition after a colon stays on the colon's line if it fits and the author put it
 * there, otherwise it goes on the next line, indented; a long condition breaks before each `and`,
 * `or` or `unless` of its loosest chain, the rest indented by two. Blank lines between
 * statements are kept (at most one).
 */
import type { CstNode, ICstVisitor, IToken } from "chevrotain";
import type { Doc } from "prettier";
import { builders, utils } from "prettier/doc";
import type * as C from "../../../grammar/cst.generated.js";
import type { CommentPlacement } from "./comments.js";
import { tokenBounds } from "./parse.js";

const { align, group, indent, line, hardline, lineSuffix } = builders;

/** What every printer entry can use. */
export interface PrintContext {
  /** Prints a node through its rule's printer. */
  readonly print: (node: CstNode) => Doc;
  /** Prints a token as written, with the comments that follow it on its line. */
  readonly tok: (token: IToken) => Doc;
  /** Prints statements one per line, each with its own-line comments, keeping blank lines. */
  readonly statements: (nodes: readonly CstNode[], separators?: readonly IToken[]) => Doc;
  /** `{ statements }`, with the comments that stand before the `}`. */
  readonly block: (open: IToken, nodes: readonly CstNode[], close: IToken, separators?: readonly IToken[]) => Doc;
  /** Whether the author put a line break between two offsets. */
  readonly brokenBetween: (from: number, to: number) => boolean;
  /** Conditions printed on one line (in a heading, after `when`). */
  readonly flat: boolean;
  readonly withFlat: () => PrintContext;
}

type RuleName = Exclude<keyof C.ICstNodeVisitor<unknown, unknown>, keyof ICstVisitor<unknown, unknown>>;
type ChildrenOf<K extends RuleName> = Parameters<C.ICstNodeVisitor<unknown, unknown>[K]>[0];

/** The exhaustive map from rule to printer (a new rule without an entry is a type error). */
export type Printers = { readonly [K in RuleName]: (children: ChildrenOf<K>, ctx: PrintContext) => Doc };

function opt<T>(list: readonly T[] | undefined): T | undefined {
  return list?.[0];
}

function byOffset(nodes: readonly CstNode[]): CstNode[] {
  return [...nodes].sort((a, b) => (tokenBounds(a)?.first.startOffset ?? 0) - (tokenBounds(b)?.first.startOffset ?? 0));
}

/** `a and b and c`: breaks before every operator of the chain, or none. */
function chain(operands: readonly CstNode[], operators: readonly IToken[] | undefined, ctx: PrintContext): Doc {
  const [first, ...rest] = operands;
  if (rest.length === 0) return ctx.print(first);
  const separator = ctx.flat ? " " : line;
  // The first operand is indented too, so that a chain inside it breaks deeper than this one's operators.
  return group([indent(ctx.print(first)), indent(rest.map((operand, i) => [separator, ctx.tok(operators![i]), " ", ctx.print(operand)]))]);
}

/** Whether a printed condition has a place to break (a chain or a question over a list). */
function canBreak(printed: Doc): boolean {
  return utils.findInDoc(printed, (d) => (typeof d === "object" && !Array.isArray(d) && d.type === "line" ? true : undefined), false) === true;
}

/** `: condition`, on the colon's line when the author put it there and it fits. */
function body(colon: IToken, expression: C.ExpressionCstNode, ctx: PrintContext): Doc {
  const start = tokenBounds(expression)!.first.startOffset;
  const printed = ctx.print(expression);
  if (ctx.brokenBetween(colon.endOffset! + 1, start)) return [ctx.tok(colon), indent([hardline, printed])];
  // A heading is as long as its wording, which cannot break: a single fact or comparison the
  // author put after the colon stays there when it cannot break, as in the library's lists of short criteria.
  if (!canBreak(printed)) return [ctx.tok(colon), " ", printed];
  return group([ctx.tok(colon), indent([line, printed])]);
}

/** `"wording" [refs]` and the like: each present part after a space. */
function spaced(...parts: (Doc | undefined)[]): Doc {
  return parts.filter((p): p is Doc => p !== undefined).flatMap((p, i) => (i === 0 ? [p] : [" ", p]));
}

function tokIf(token: IToken | undefined, ctx: PrintContext): Doc | undefined {
  return token ? ctx.tok(token) : undefined;
}

function printIf(node: CstNode | undefined, ctx: PrintContext): Doc | undefined {
  return node ? ctx.print(node) : undefined;
}

/** `a + b`, `a * b`: operands and operators in turn, never broken. */
function arithmetic(operands: readonly CstNode[], operators: readonly IToken[] | undefined, ctx: PrintContext): Doc {
  const [first, ...rest] = operands;
  return [ctx.print(first), ...rest.map((operand, i) => [" ", ctx.tok(operators![i]), " ", ctx.print(operand)])];
}

/**
 * The clauses after a question's list, each after a comma: `counting p and q as one when …`,
 * `one per p.date`, `in any 12 months`. They share token lists (`and`, `one`, `in`), so they are
 * read back in source order and split at the commas.
 */
function queryClauses(c: C.QueryExprCstNode["children"], ctx: PrintContext): Doc {
  const commas = c.Comma ?? [];
  if (commas.length === 0) return "";
  const separator = ctx.flat ? " " : line;
  const afterFirstComma = commas[0].startOffset;
  const parts: (IToken | CstNode)[] = [];
  for (const [key, list] of Object.entries(c) as [string, (IToken | CstNode)[]][]) {
    if (key === "RParen") continue;
    for (const child of list) {
      const start = "children" in child ? tokenBounds(child)!.first.startOffset : child.startOffset;
      if (start >= afterFirstComma) parts.push(child);
    }
  }
  parts.sort((a, b) => ("children" in a ? tokenBounds(a)!.first.startOffset : a.startOffset) - ("children" in b ? tokenBounds(b)!.first.startOffset : b.startOffset));
  const clauses: (IToken | CstNode)[][] = [];
  for (const part of parts) {
    if (!("children" in part) && part.tokenType.name === "Comma") clauses.push([]);
    else clauses[clauses.length - 1].push(part);
  }
  return clauses.map((clause, i) => {
    const printed = (part: IToken | CstNode) => ("children" in part ? ctx.print(part) : ctx.tok(part));
    const when = clause.findIndex((part) => !("children" in part) && part.tokenType.name === "When");
    // `counting p and q as one when` heads its condition, which goes on the next line when long.
    const words = when >= 0 ? clause.slice(0, when + 1) : clause;
    const condition = when >= 0 ? clause.slice(when + 1) : [];
    return [
      ctx.tok(commas[i]),
      indent([separator, spaced(...words.map(printed)), condition.length ? indent([separator, condition.map(printed)]) : ""]),
    ];
  });
}

/** `a, b, c` with the author's comma tokens. */
function commaList(nodes: readonly Doc[], commas: readonly IToken[] | undefined, ctx: PrintContext, separator: Doc = " "): Doc {
  return nodes.map((node, i) => (i < nodes.length - 1 ? [node, ctx.tok(commas![i]), separator] : node));
}

export const printers: Printers = {
  file: (c, ctx) => ctx.statements(byOffset([...(c.importDecl ?? []), ...(c.topItem ?? [])])),
  importDecl: (c, ctx) => spaced(ctx.tok(c.Import[0]), ctx.tok(c.StringLiteral[0]), tokIf(opt(c.As), ctx), tokIf(opt(c.alias), ctx)),
  topItem: (c, ctx) => explained(c, ctx),
  // `reading "…"`, a long one continued in further texts, each on its own line under the first.
  reading: (c, ctx) => {
    const of = opt(c.Of);
    const head = of ? [ctx.tok(c.Reading[0]), " ", ctx.tok(of), " ", ctx.tok(c.fragment![0]), ctx.tok(c.Colon![0]), " "] : [ctx.tok(c.Reading[0]), " "];
    // Continued texts stand under the first text of a plain reading, past the word `reading`.
    return [head, align(c.Reading[0].image.length + 1, c.StringLiteral.map((text, i) => (i === 0 ? ctx.tok(text) : [hardline, ctx.tok(text)])))];
  },

  factDecl: (c, ctx) => {
    const head = spaced([ctx.tok(c.Fact[0]), " ", ctx.tok(c.Identifier[0]), ctx.tok(c.Colon[0])], ctx.print(c.typeRef[0]), tokIf(opt(c.StringLiteral), ctx));
    const reading = opt(c.absenceReading);
    // The reading goes on a line of its own, indented, when the declaration is too long for one.
    return reading ? group([head, indent([line, ctx.print(reading)])]) : head;
  },
  absenceReading: (c, ctx) => spaced(ctx.tok(c.absent[0]), ctx.tok(c.Unless[0]), ctx.tok(c.documented[0]), tokIf(opt(c.StringLiteral), ctx)),
  typeRef: (c, ctx) =>
    spaced(
      tokIf(opt(c.List), ctx),
      tokIf(opt(c.Of), ctx),
      c.member ? [ctx.tok(c.Identifier[0]), ctx.tok(c.Dot![0]), ctx.tok(c.member[0])] : ctx.tok(c.Identifier[0]),
      printIf(opt(c.min), ctx),
      tokIf(opt(c.To), ctx),
      printIf(opt(c.max), ctx),
    ),
  signedNumber: (c, ctx) => [tokIf(opt(c.Minus), ctx) ?? "", ctx.tok(c.NumberLiteral[0])],
  groupDecl: (c, ctx) =>
    spaced(
      ctx.tok(c.Group[0]),
      ctx.tok(c.Identifier[0]),
      tokIf(opt(c.StringLiteral), ctx),
      ctx.block(c.LCurly[0], c.groupMember ?? [], c.RCurly[0]),
    ),
  groupMember: (c, ctx) => explained(c, ctx),
  enumDecl: (c, ctx) =>
    spaced(ctx.tok(c.Enum[0]), ctx.tok(c.Identifier[0]), tokIf(opt(c.StringLiteral), ctx), ctx.block(c.LCurly[0], c.enumMember ?? [], c.RCurly[0], c.Comma)),
  enumMember: (c, ctx) => spaced(ctx.tok(c.Identifier[0]), tokIf(opt(c.StringLiteral), ctx)),
  recordDecl: (c, ctx) =>
    spaced(ctx.tok(c.Record[0]), ctx.tok(c.Identifier[0]), tokIf(opt(c.StringLiteral), ctx), ctx.block(c.LCurly[0], c.fieldDecl ?? [], c.RCurly[0])),
  extendDecl: (c, ctx) =>
    spaced(ctx.tok(c.Extend[0]), ctx.tok(c.Record[0]), [ctx.tok(c.target[0]), ...(c.member ? [ctx.tok(c.Dot![0]), ctx.tok(c.member[0])] : [])], ctx.block(c.LCurly[0], c.fieldDecl ?? [], c.RCurly[0])),
  fieldDecl: (c, ctx) => spaced([ctx.tok(c.Identifier[0]), ctx.tok(c.Colon[0])], ctx.print(c.typeRef[0]), tokIf(opt(c.StringLiteral), ctx)),

  defineDecl: (c, ctx) => [
    spaced(
      ctx.tok(c.Define[0]),
      [ctx.tok(c.Identifier[0]), printIf(opt(c.paramList), ctx) ?? ""],
      tokIf(opt(c.StringLiteral), ctx),
      printIf(opt(c.refs), ctx),
      printIf(opt(c.approximation), ctx),
    ),
    body(c.Colon[0], c.expression[0], ctx),
  ],
  approximation: (c, ctx) => spaced(ctx.tok(c.Approximated[0]), ctx.tok(c.StringLiteral[0])),
  paramList: (c, ctx) => [ctx.tok(c.LParen[0]), commaList((c.param ?? []).map((p) => ctx.print(p)), c.Comma, ctx), ctx.tok(c.RParen[0])],
  param: (c, ctx) => [ctx.tok(c.Identifier[0]), ctx.tok(c.Colon[0]), " ", ctx.print(c.typeRef[0])],
  criterionDecl: (c, ctx) => [ctx.tok(c.Criterion[0]), " ", ctx.print(c.requirementHead[0])],
  pathwayDecl: (c, ctx) => [ctx.tok(c.Pathway[0]), " ", ctx.print(c.requirementHead[0])],
  requirementHead: (c, ctx) => {
    const head = spaced(ctx.tok(c.Identifier[0]), ctx.tok(c.StringLiteral[0]), printIf(opt(c.refs), ctx), printIf(opt(c.approximation), ctx), printIf(opt(c.whenClause), ctx));
    const list = opt(c.groupBody);
    if (list) return [head, ctx.tok(c.Colon[0]), " ", ctx.print(list)];
    return [head, body(c.Colon[0], c.expression![0], ctx)];
  },
  whenClause: (c, ctx) => [ctx.tok(c.When[0]), " ", ctx.withFlat().print(c.expression[0])],
  refs: (c, ctx) => [ctx.tok(c.LSquare[0]), commaList(c.refRange.map((r) => ctx.print(r)), c.Comma, ctx), ctx.tok(c.RSquare[0])],
  refRange: (c, ctx) => [ctx.tok(c.from[0]), tokIf(opt(c.Minus), ctx) ?? "", tokIf(opt(c.to), ctx) ?? ""],
  groupBody: (c, ctx) =>
    spaced(
      ctx.print(c.quantifier[0]),
      ctx.tok(c.Of[0]),
      tokIf(opt(c.StringLiteral), ctx),
      printIf(opt(c.refs), ctx),
      ctx.block(c.LCurly[0], c.item ?? [], c.RCurly[0]),
    ),
  quantifier: (c, ctx) =>
    spaced(
      tokIf(opt(c.All), ctx),
      tokIf(opt(c.Any), ctx),
      tokIf(opt(c.None), ctx),
      tokIf(opt(c.At), ctx),
      tokIf(opt(c.Least), ctx),
      tokIf(opt(c.Most), ctx),
      tokIf(opt(c.NumberLiteral), ctx),
    ),
  item: (c, ctx) => explained(c, ctx),
  useItem: (c, ctx) => spaced(ctx.tok(c.Use[0]), c.member ? [ctx.tok(c.Identifier[0]), ctx.tok(c.Dot![0]), ctx.tok(c.member[0])] : ctx.tok(c.Identifier[0])),
  noteItem: (c, ctx) => {
    const head = spaced(
      ctx.tok(c.Note[0]),
      tokIf(opt(c.Identifier), ctx),
      ctx.tok(c.StringLiteral[0]),
      printIf(opt(c.refs), ctx),
      printIf(opt(c.approximation), ctx),
      tokIf(opt(c.Not), ctx),
      tokIf(opt(c.Expressible), ctx),
      tokIf(opt(c.why), ctx),
      printIf(opt(c.whenClause), ctx),
    );
    const colon = opt(c.Colon);
    return colon ? [head, body(colon, c.expression![0], ctx)] : head;
  },

  policyDecl: (c, ctx) =>
    spaced(ctx.tok(c.Policy[0]), ctx.tok(c.Identifier[0]), ctx.tok(c.StringLiteral[0]), ctx.block(c.LCurly[0], c.policyMember ?? [], c.RCurly[0])),
  overlayDecl: (c, ctx) =>
    spaced(
      ctx.tok(c.Overlay[0]),
      ctx.tok(c.name[0]),
      ctx.tok(c.StringLiteral[0]),
      printIf(opt(c.refs), ctx),
      ctx.tok(c.For[0]),
      ctx.tok(c.target[0]),
      ctx.tok(c.In[0]),
      ctx.tok(c.State[0]),
      ctx.tok(c.state[0]),
      ctx.block(c.LCurly[0], c.policyMember ?? [], c.RCurly[0]),
    ),
  policyMember: (c, ctx) => explained(c, ctx),
  serviceDecl: (c, ctx) =>
    spaced(
      ctx.tok(c.keyword[0]),
      ctx.tok(c.name[0]),
      ctx.tok(c.StringLiteral[0]),
      printIf(opt(c.refs), ctx),
      printIf(opt(c.whenClause), ctx),
      ctx.block(c.LCurly[0], c.serviceSection ?? [], c.RCurly[0]),
    ),
  serviceSection: (c, ctx) => explained(c, ctx),
  property: (c, ctx) => spaced(ctx.tok(c.Identifier[0]), ctx.tok(c.StringLiteral[0])),
  cptDecl: (c, ctx) => [spaced(ctx.tok(c.Cpt[0]), ctx.tok(c.StringLiteral[0])), ctx.tok(c.Colon[0]), " ", commaList(c.cptCode.map((code) => ctx.print(code)), c.Comma, ctx)],
  cptCode: (c, ctx) => [tokIf(opt(c.Plus), ctx) ?? "", tokIf(opt(c.NumberLiteral), ctx) ?? "", tokIf(opt(c.CodeLiteral), ctx) ?? ""],
  effectiveDecl: (c, ctx) => spaced(ctx.tok(c.Effective[0]), ctx.tok(c.from[0]), ctx.tok(c.To[0]), ctx.tok(c.to[0])),
  section: (c, ctx) =>
    spaced(
      ctx.print(c.sectionKind[0]),
      ctx.tok(c.StringLiteral[0]),
      printIf(opt(c.refs), ctx),
      printIf(opt(c.whenClause), ctx),
      ctx.block(c.LCurly[0], c.item ?? [], c.RCurly[0]),
    ),
  sectionKind: (c, ctx) =>
    spaced(
      tokIf(opt(c.Indications), ctx),
      tokIf(opt(c.Requirements), ctx),
      tokIf(opt(c.Exclusions), ctx),
      tokIf(opt(c.Contraindications), ctx),
      tokIf(opt(c.Notes), ctx),
      tokIf(opt(c.Advisories), ctx),
      tokIf(opt(c.Not), ctx),
      tokIf(opt(c.Covered), ctx),
    ),
  appliesDecl: (c, ctx) => [
    spaced(ctx.tok(c.Applies[0]), tokIf(opt(c.Unless), ctx), tokIf(opt(c.When), ctx), tokIf(opt(c.StringLiteral), ctx), printIf(opt(c.refs), ctx)),
    body(c.Colon[0], c.expression[0], ctx),
  ],
  referencesDecl: (c, ctx) => spaced(ctx.tok(c.References[0]), ctx.block(c.LCurly[0], c.referenceEntry ?? [], c.RCurly[0])),
  referenceEntry: (c, ctx) => spaced(ctx.tok(c.NumberLiteral[0]), ctx.tok(c.StringLiteral[0])),
  historyDecl: (c, ctx) => spaced(ctx.tok(c.History[0]), ctx.block(c.LCurly[0], c.historyEntry ?? [], c.RCurly[0])),
  historyEntry: (c, ctx) => spaced(ctx.tok(c.date[0]), ctx.tok(c.summary[0])),

  expression: (c, ctx) => chain(c.operands, c.Unless, ctx),
  orExpr: (c, ctx) => chain(c.operands, c.Or, ctx),
  andExpr: (c, ctx) => chain(c.operands, c.And, ctx),
  notExpr: (c, ctx) => {
    const not = opt(c.Not);
    return not ? [ctx.tok(not), " ", ctx.print(c.notExpr![0])] : ctx.print(c.comparison![0]);
  },
  comparison: (c, ctx) => {
    const left = ctx.print(c.left[0]);
    const operator = opt(c.ComparisonOperator);
    if (operator) return spaced(left, ctx.tok(operator), ctx.print(c.right![0]));
    const set = opt(c.setLiteral);
    if (set) return spaced(left, tokIf(opt(c.negated), ctx), ctx.tok(c.In![0]), ctx.print(set));
    const within = opt(c.Within);
    if (within) return spaced(left, ctx.tok(within), ctx.tok(c.Last![0]), ctx.print(c.right![0]));
    const order = opt(c.Before) ?? opt(c.After);
    if (order) return spaced(left, ctx.tok(order), ctx.print(c.right![0]));
    const is = opt(c.Is);
    if (is) return spaced(left, ctx.tok(is), tokIf(opt(c.isNot), ctx), ctx.tok(c.Known![0]));
    return left;
  },
  setLiteral: (c, ctx) => {
    // A set of values reads as one unit: it is not broken over lines.
    return [ctx.tok(c.LCurly[0]), commaList(c.Identifier.map((value) => ctx.tok(value)), c.Comma, ctx), ctx.tok(c.RCurly[0])];
  },
  additive: (c, ctx) => arithmetic(c.operands, c.operators, ctx),
  multiplicative: (c, ctx) => arithmetic(c.operands, c.operators, ctx),
  postfix: (c, ctx) => [ctx.print(c.primary[0]), ...(c.fields ?? []).map((field, i) => [ctx.tok(c.Dot![i]), ctx.tok(field)])],
  primary: (c, ctx) => {
    const open = opt(c.LParen);
    if (open) return [ctx.tok(open), ctx.print(c.expression![0]), ctx.tok(c.RParen![0])];
    // Otherwise one literal token or one sub-rule, whichever the author wrote.
    for (const list of Object.values(c) as (CstNode | IToken)[][]) {
      const only = list[0];
      if (only) return "children" in only ? ctx.print(only) : ctx.tok(only);
    }
    throw new Error("an empty value in the syntax tree");
  },
  numberLiteral: (c, ctx) => {
    const unit = opt(c.DurationUnit);
    return [tokIf(opt(c.Minus), ctx) ?? "", ctx.tok(c.NumberLiteral[0]), tokIf(opt(c.Percent), ctx) ?? "", unit ? [" ", ctx.tok(unit)] : ""];
  },
  reference: (c, ctx) => {
    const name = c.member ? [ctx.tok(c.Identifier[0]), ctx.tok(c.Dot![0]), ctx.tok(c.member[0])] : ctx.tok(c.Identifier[0]);
    const open = opt(c.LParen);
    if (!open) return name;
    // Arguments are short (a value, a duration, an enum value): a call is not broken over lines.
    return [name, ctx.tok(open), commaList((c.args ?? []).map((arg) => ctx.withFlat().print(arg)), c.Comma, ctx), ctx.tok(c.RParen![0])];
  },
  queryExpr: (c, ctx) => {
    const separator = ctx.flat ? " " : line;
    const where = opt(c.Where);
    const head = group([
      ctx.tok(c.op![0]),
      ctx.tok(c.LParen[0]),
      spaced(ctx.tok(c.binder[0]), ctx.tok(c.In[0]), ctx.print(c.source[0])),
      where ? indent([separator, ctx.tok(where), " ", ctx.print(c.filter![0])]) : "",
    ]);
    const colon = opt(c.Colon);
    const bodyDoc = colon ? [ctx.tok(colon), indent([separator, ctx.print(c.body![0])])] : "";
    return group([head, bodyDoc, queryClauses(c, ctx), ctx.tok(c.RParen[0])]);
  },
  referExpr: (c, ctx) => {
    const when = opt(c.When);
    return spaced(ctx.tok(c.Refer[0]), ctx.tok(c.StringLiteral[0]), printIf(opt(c.refs), ctx), when ? [ctx.tok(when), " ", ctx.print(c.condition![0])] : undefined);
  },
  meetsExpr: (c, ctx) => spaced(ctx.tok(c.Meets[0]), [ctx.tok(c.policy[0]), ...(c.member ? [ctx.tok(c.Dot![0]), ctx.tok(c.member[0])] : [])]),
  ifExpr: (c, ctx) => {
    const separator = ctx.flat ? " " : line;
    return group([
      ctx.tok(c.If[0]),
      " ",
      ctx.print(c.condition[0]),
      indent([separator, ctx.tok(c.Then[0]), " ", ctx.print(c.then[0]), separator, ctx.tok(c.Else[0]), " ", ctx.print(c.otherwise[0])]),
    ]);
  },
  caseExpr: (c, ctx) => {
    // A lookup table: one arm per line, unless the whole case fits on one.
    const separator = ctx.flat ? " " : line;
    const arms = c.caseArm.map((arm, i) => [ctx.print(arm), i < c.caseArm.length - 1 ? ctx.tok(c.Comma![i]) : ""]);
    return group([
      spaced(ctx.tok(c.Case[0]), ctx.print(c.subject[0]), ctx.tok(c.LCurly[0])),
      indent(arms.map((arm) => [separator, arm])),
      separator,
      ctx.tok(c.RCurly[0]),
    ]);
  },
  caseArm: (c, ctx) => {
    const otherwise = opt(c.Else);
    const values = otherwise ? ctx.tok(otherwise) : (c.values ?? []).map((value, i) => (i === 0 ? ctx.tok(value) : [" ", ctx.tok(c.Or![i - 1]), " ", ctx.tok(value)]));
    return [values, ctx.tok(c.Colon[0]), " ", ctx.print(c.expression[0])];
  },
  timeExpr: (c, ctx) => {
    const since = opt(c.Since);
    if (since) return spaced(ctx.tok(c.Time[0]), ctx.tok(since), ctx.print(c.from![0]));
    return spaced(ctx.tok(c.Time[0]), ctx.tok(c.Between![0]), ctx.print(c.from![0]), ctx.tok(c.And![0]), ctx.print(c.to![0]));
  },
};

/** The one sub-rule of a rule that is a choice between rules (`topItem`, `item`, `policyMember`), past its readings. */
function onlyChild(children: Record<string, CstNode[] | undefined>): CstNode {
  for (const [key, list] of Object.entries(children)) if (key !== "reading" && list && list.length > 0) return list[0];
  throw new Error("an empty choice in the syntax tree");
}

/** An item after its readings, each reading on lines of its own. */
function explained(children: Record<string, CstNode[] | undefined> & { reading?: C.ReadingCstNode[] }, ctx: PrintContext): Doc {
  return [(children.reading ?? []).map((reading) => [ctx.print(reading), hardline]), ctx.print(onlyChild(children))];
}

/** Prints a whole file; throws when a comment could not be placed (never drops one). */
export function printFile(root: C.FileCstNode, text: string, placement: CommentPlacement, commentCount: number): Doc {
  const printedComments = new Set<IToken>();
  const commentDoc = (comment: IToken): Doc => {
    printedComments.add(comment);
    return comment.image.trimEnd();
  };
  const brokenBetween = (from: number, to: number) => /[\r\n]/.test(text.slice(from, to));
  const blankBetween = (from: number, to: number) => /\r?\n[ \t\u00a0\ufeff]*\r?\n/.test(text.slice(from, to));

  /** Own-line comments, each on its line, keeping a blank line after one where the author left it. */
  const ownLineComments = (comments: readonly IToken[], nextStart: number): Doc[] =>
    comments.map((comment, i) => {
      const following = i + 1 < comments.length ? comments[i + 1].startOffset : nextStart;
      return [commentDoc(comment), hardline, blankBetween(comment.endOffset! + 1, following) ? hardline : ""];
    });

  const make = (flat: boolean): PrintContext => {
    const ctx: PrintContext = {
      flat,
      withFlat: () => (flat ? ctx : flatContext()),
      print: (node) => (printers[node.name as RuleName] as (children: CstNode["children"], ctx: PrintContext) => Doc)(node.children, ctx),
      tok: (token) => {
        const after = placement.trailing.get(token.startOffset);
        if (!after) return token.image;
        return [token.image, ...after.map((comment, i) => lineSuffix(i === 0 ? [" ", commentDoc(comment)] : [hardline, commentDoc(comment)]))];
      },
      statements: (nodes, separators) => {
        const parts: Doc[] = [];
        let previousEnd: number | undefined;
        nodes.forEach((node, i) => {
          const bounds = tokenBounds(node)!;
          const leading = placement.leading.get(bounds.first.startOffset) ?? [];
          const firstStart = leading[0]?.startOffset ?? bounds.first.startOffset;
          if (previousEnd !== undefined) {
            parts.push(hardline);
            if (blankBetween(previousEnd, firstStart)) parts.push(hardline);
          }
          parts.push(ownLineComments(leading, bounds.first.startOffset), ctx.print(node));
          const separator = separators?.[i];
          if (separator) parts.push(ctx.tok(separator));
          previousEnd = (separator ?? bounds.last).endOffset! + 1;
        });
        return parts;
      },
      block: (open, nodes, close, separators) => {
        const dangling = placement.dangling.get(close.startOffset) ?? [];
        const openDoc = ctx.tok(open);
        if (nodes.length === 0 && dangling.length === 0) return [openDoc, ctx.tok(close)];
        const inner: Doc[] = [ctx.statements(nodes, separators)];
        if (dangling.length > 0) {
          const last = nodes.length > 0 ? (separators?.[nodes.length - 1] ?? tokenBounds(nodes[nodes.length - 1])!.last) : open;
          if (nodes.length > 0) inner.push(hardline, blankBetween(last.endOffset! + 1, dangling[0].startOffset) ? hardline : "");
          const comments = ownLineComments(dangling, close.startOffset);
          // The last comment's line break is the block's own.
          inner.push(comments.slice(0, -1), commentDoc(dangling[dangling.length - 1]));
        }
        return [openDoc, indent([hardline, inner]), hardline, ctx.tok(close)];
      },
      brokenBetween,
    };
    return ctx;
  };
  let flatOne: PrintContext | undefined;
  const flatContext = () => (flatOne ??= make(true));
  const ctx = make(false);

  const parts: Doc[] = [ctx.print(root)];
  if (placement.end.length > 0) {
    const hasStatements = (root.children.importDecl?.length ?? 0) + (root.children.topItem?.length ?? 0) > 0;
    if (hasStatements) parts.push(hardline);
    const lastToken = hasStatements ? tokenBounds(root)!.last : undefined;
    if (lastToken && blankBetween(lastToken.endOffset! + 1, placement.end[0].startOffset)) parts.push(hardline);
    const comments = ownLineComments(placement.end, text.length);
    parts.push(comments.slice(0, -1), commentDoc(placement.end[placement.end.length - 1]));
  }
  parts.push(hardline);
  const document: Doc = parts;
  // Printing builds the whole document before it is laid out, so every comment is counted here.
  if (printedComments.size !== commentCount) {
    throw new Error(`the formatter placed ${printedComments.size} of ${commentCount} comments; the file is left as it is`);
  }
  return document;
}
