/**
 * From the concrete syntax tree to the AST: a typed Chevrotain CST visitor, one method per
 * grammar rule (the generated `ICstNodeVisitor` of grammar/cst.generated.ts), checked by
 * `validateVisitor()` so that a rule added to the grammar without its method fails at once.
 * Recovery may leave rules half-built, so every child is treated as possibly absent; tokens
 * inserted by recovery have no position and borrow one. Spans come from the offsets the parser
 * records on each node (`nodeLocationTracking: "onlyOffset"`).
 *
 * Each method gets, besides its node's children, the node itself (for its span); methods are
 * called directly, `this.rule(node.children, node)`, so that each returns its own AST type.
 */
import type { CstNode, IToken } from "chevrotain";
import type * as C from "../grammar/cst.generated.js";
import { polParser } from "../grammar/parser.js";
import type * as A from "./ast.js";
import { error, type Diagnostic } from "./diagnostics.js";

/** The tree of one parsed file; `tokens` is the token vector the parser read (sorted by offset). */
export function cstToAst(parsed: { readonly cst: CstNode; readonly tokens: readonly IToken[] }, file: string, diagnostics: Diagnostic[]): A.PolFile {
  const cst = parsed.cst as C.FileCstNode;
  return new AstBuilder(file, diagnostics, parsed.tokens).file(cst.children, cst);
}

const BaseCstVisitor = polParser.getBaseCstVisitorConstructor<CstNode, unknown>();

/** What a member of a policy or overlay gives its document. */
type Member =
  | { readonly kind: "property"; readonly property: A.Property }
  | { readonly kind: "cpt"; readonly cpt: A.CptGroup }
  | { readonly kind: "effective"; readonly effective: A.Effective }
  | { readonly kind: "section"; readonly section: A.Section }
  | { readonly kind: "applies"; readonly applies: A.AppliesClause }
  | { readonly kind: "references"; readonly references: A.Reference[] }
  | { readonly kind: "history"; readonly history: A.HistoryEntry[] }
  | { readonly kind: "service"; readonly service: A.ServiceDecl }
  | { readonly kind: "none" };

type TopLevel = { readonly kind: "declaration"; readonly declaration: A.Declaration } | { readonly kind: "policy"; readonly policy: A.PolicyDecl } | { readonly kind: "overlay"; readonly overlay: A.OverlayDecl } | { readonly kind: "none" };

let validated = false;

export class AstBuilder extends BaseCstVisitor implements C.ICstNodeVisitor<CstNode, unknown> {
  private lastSpan: A.Span;
  /** The names this file imports files under (`import "…" as nia`). */
  private readonly aliases = new Set<string>();

  constructor(
    private readonly fileName: string,
    private readonly diagnostics: Diagnostic[],
    private readonly tokens: readonly IToken[],
  ) {
    super();
    // Once per process: every rule of the grammar has its method here.
    if (!validated) {
      this.validateVisitor();
      validated = true;
    }
    this.lastSpan = { file: fileName, start: 0, end: 0, line: 1, column: 1 };
  }

  // ── Helpers ─────────────────────────────────────────────────────────────────────────────

  private span(token: IToken | undefined): A.Span {
    if (!token || Number.isNaN(token.startOffset) || token.startLine === undefined || Number.isNaN(token.startLine)) {
      return this.lastSpan;
    }
    const span: A.Span = {
      file: this.fileName,
      start: token.startOffset,
      end: (token.endOffset ?? token.startOffset) + 1,
      line: token.startLine,
      column: token.startColumn ?? 1,
    };
    this.lastSpan = { ...span, start: span.end, column: span.column + (span.end - span.start), end: span.end };
    return span;
  }

  private nodeSpan(node: CstNode | undefined): A.Span {
    const first = node?.location ? tokenStartingAt(this.tokens, node.location.startOffset) : undefined;
    const last = node?.location ? tokenEndingAt(this.tokens, node.location.endOffset ?? NaN) : undefined;
    const start = this.span(first);
    if (!last || Number.isNaN(last.endOffset ?? NaN)) return start;
    return { ...start, end: Math.max(start.end, (last.endOffset ?? last.startOffset) + 1) };
  }

  private text(token: IToken | undefined): string {
    if (!token || token.isInsertedInRecovery) return "";
    const raw = token.image;
    try {
      return JSON.parse(raw) as string;
    } catch {
      this.diagnostics.push(error("POL075", this.span(token), "this text has an escape that is not allowed", { hint: "use \\\" for a quote and \\\\ for a backslash" }));
      return raw.slice(1, -1);
    }
  }

  private name(token: IToken | undefined): { name: string; nameSpan: A.Span } {
    return { name: token && !token.isInsertedInRecovery ? token.image : "", nameSpan: this.span(token) };
  }

  /** The first node of a child list through its rule's method, or undefined when recovery left none. */
  private one<N extends CstNode, R>(nodes: readonly N[] | undefined, visit: (children: N["children"], node: N) => R): R | undefined {
    const node = nodes?.[0];
    return node ? visit.call(this, node.children, node) : undefined;
  }

  /** Every node of a child list through its rule's method. */
  private all<N extends CstNode, R>(nodes: readonly N[] | undefined, visit: (children: N["children"], node: N) => R): R[] {
    return (nodes ?? []).map((node) => visit.call(this, node.children, node));
  }

  /** The readings before an item. */
  private readings(nodes: readonly C.ReadingCstNode[] | undefined): A.Reading[] | undefined {
    return nodes && nodes.length > 0 ? this.all(nodes, this.reading) : undefined;
  }

  private explained<T extends A.Node>(node: T, readings: A.Reading[] | undefined): T {
    return readings ? { ...node, readings } : node;
  }

  private placeholder(): A.Expr {
    return { kind: "Bool", value: false, span: this.lastSpan, recovered: true };
  }

  /** An expression, or a placeholder where recovery left none. */
  private expr(nodes: readonly C.ExpressionCstNode[] | undefined): A.Expr {
    const node = nodes?.[0];
    return node ? this.expression(node.children) : this.placeholder();
  }

  /** Operands joined left to right by their operators: `a - b + c` is `(a - b) + c`. */
  private chain<N>(operands: N[], operators: IToken[], op: A.BinaryOp | ((token: IToken | undefined) => A.BinaryOp), sub: (n: N) => A.Expr): A.Expr {
    if (operands.length === 0) return this.placeholder();
    let result = sub(operands[0]);
    for (let i = 1; i < operands.length; i++) {
      const right = sub(operands[i]);
      const token = operators[i - 1];
      result = { kind: "Binary", op: typeof op === "function" ? op(token) : op, left: result, right, opSpan: this.span(token), span: join(result.span, right.span) };
    }
    return result;
  }

  // ── Files and declarations ──────────────────────────────────────────────────────────────

  file(c: C.FileCstChildren, node: CstNode): A.PolFile {
    const imports = this.all(c.importDecl, this.importDecl);
    for (const imp of imports) if (imp.alias) this.aliases.add(imp.alias);
    const declarations: A.Declaration[] = [];
    const policies: A.PolicyDecl[] = [];
    const overlays: A.OverlayDecl[] = [];
    for (const item of this.all(c.topItem, this.topItem)) {
      if (item.kind === "declaration") declarations.push(item.declaration);
      else if (item.kind === "policy") policies.push(item.policy);
      else if (item.kind === "overlay") overlays.push(item.overlay);
    }
    return { kind: "File", path: this.fileName, imports, declarations, policies, overlays, span: this.nodeSpan(node) };
  }

  importDecl(c: C.ImportDeclCstChildren, node: CstNode): A.ImportDecl {
    const alias = c.alias?.[0];
    return {
      kind: "Import",
      path: this.text(c.StringLiteral?.[0]),
      ...(alias && !alias.isInsertedInRecovery ? { alias: alias.image, aliasSpan: this.span(alias) } : {}),
      span: this.nodeSpan(node),
    };
  }

  topItem(c: C.TopItemCstChildren): TopLevel {
    const readings = this.readings(c.reading);
    const declaration = (d: A.Declaration | undefined): TopLevel => (d ? { kind: "declaration", declaration: this.explained(d, readings) } : { kind: "none" });
    if (c.policyDecl) return { kind: "policy", policy: this.explained((c.policyDecl ? this.policyDecl(c.policyDecl[0].children, c.policyDecl[0]) : undefined)!, readings) };
    if (c.overlayDecl) return { kind: "overlay", overlay: this.explained((c.overlayDecl ? this.overlayDecl(c.overlayDecl[0].children, c.overlayDecl[0]) : undefined)!, readings) };
    if (c.factDecl) return declaration((c.factDecl ? this.factDecl(c.factDecl[0].children, c.factDecl[0]) : undefined));
    if (c.groupDecl) return declaration((c.groupDecl ? this.groupDecl(c.groupDecl[0].children, c.groupDecl[0]) : undefined));
    if (c.enumDecl) return declaration((c.enumDecl ? this.enumDecl(c.enumDecl[0].children, c.enumDecl[0]) : undefined));
    if (c.recordDecl) return declaration((c.recordDecl ? this.recordDecl(c.recordDecl[0].children, c.recordDecl[0]) : undefined));
    if (c.extendDecl) return declaration(this.extendDecl(c.extendDecl[0].children, c.extendDecl[0]));
    if (c.defineDecl) return declaration((c.defineDecl ? this.defineDecl(c.defineDecl[0].children, c.defineDecl[0]) : undefined));
    if (c.criterionDecl) return declaration((c.criterionDecl ? this.criterionDecl(c.criterionDecl[0].children) : undefined));
    return { kind: "none" };
  }

  /**
   * `reading "…"`: each reading's texts joined by a space; `reading of "fragment": "…"` reads a
   * part of the item's wording.
   */
  reading(c: C.ReadingCstChildren, node: CstNode): A.Reading {
    const text = (c.StringLiteral ?? []).map((token) => this.text(token)).join(" ");
    const fragment = c.fragment?.[0];
    return fragment ? { text, fragment: this.text(fragment), span: this.nodeSpan(node) } : { text, span: this.nodeSpan(node) };
  }

  factDecl(c: C.FactDeclCstChildren, node: CstNode): A.FactDecl {
    return {
      kind: "Fact",
      ...this.name(c.Identifier?.[0]),
      type: this.typeOf(c.typeRef),
      doc: c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined,
      absentUnlessDocumented: (c.absenceReading ? this.absenceReading(c.absenceReading[0].children, c.absenceReading[0]) : undefined),
      span: this.nodeSpan(node),
    };
  }

  /** `absent unless documented "why"`; the two words are names to the lexer, so they are checked here. */
  absenceReading(c: C.AbsenceReadingCstChildren, node: CstNode): A.AbsenceReading {
    for (const [token, word] of [
      [c.absent?.[0], "absent"],
      [c.documented?.[0], "documented"],
    ] as const) {
      if (token && !token.isInsertedInRecovery && token.image !== word) {
        this.diagnostics.push(error("POL002", this.span(token), `expected '${word}', but found '${token.image}'`, { hint: 'after a fact\'s description only "absent unless documented" may follow' }));
      }
    }
    return { reason: c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined, span: this.nodeSpan(node) };
  }

  /** A type, or an empty one where recovery left none. */
  private typeOf(nodes: readonly C.TypeRefCstNode[] | undefined): A.TypeRef {
    return this.one(nodes, this.typeRef) ?? { kind: "TypeRef", name: "", list: false, range: undefined, span: this.nodeSpan(undefined) };
  }

  typeRef(c: C.TypeRefCstChildren, node: CstNode): A.TypeRef {
    const min = (c.min ? this.signedNumber(c.min[0].children) : undefined);
    const max = (c.max ? this.signedNumber(c.max[0].children) : undefined);
    const range = min !== undefined && max !== undefined ? { min, max } : undefined;
    const member = c.member?.[0];
    if (member) return { kind: "TypeRef", name: member.isInsertedInRecovery ? "" : member.image, namespace: c.Identifier?.[0]?.image ?? "", list: Boolean(c.List), range, span: this.nodeSpan(node) };
    return { kind: "TypeRef", name: c.Identifier?.[0]?.image ?? "", list: Boolean(c.List), range, span: this.nodeSpan(node) };
  }

  signedNumber(c: C.SignedNumberCstChildren): number {
    const value = Number(c.NumberLiteral?.[0]?.image ?? "0");
    return c.Minus ? -value : value;
  }

  groupDecl(c: C.GroupDeclCstChildren, node: CstNode): A.GroupDecl {
    const members = this.all(c.groupMember, this.groupMember).filter((m): m is A.FactDecl | A.GroupDecl => m !== undefined);
    return {
      kind: "Group",
      ...this.name(c.Identifier?.[0]),
      doc: c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined,
      members,
      span: this.nodeSpan(node),
    };
  }

  groupMember(c: C.GroupMemberCstChildren): A.FactDecl | A.GroupDecl | undefined {
    const readings = this.readings(c.reading);
    const member = c.factDecl ? (c.factDecl ? this.factDecl(c.factDecl[0].children, c.factDecl[0]) : undefined) : (c.groupDecl ? this.groupDecl(c.groupDecl[0].children, c.groupDecl[0]) : undefined);
    return member ? this.explained(member, readings) : undefined;
  }

  enumDecl(c: C.EnumDeclCstChildren, node: CstNode): A.EnumDecl {
    const name = this.name(c.Identifier?.[0]);
    const doc = c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined;
    return { kind: "Enum", ...name, doc, members: this.all(c.enumMember, this.enumMember), span: this.nodeSpan(node) };
  }

  enumMember(c: C.EnumMemberCstChildren, node: CstNode): A.EnumMember {
    return {
      kind: "EnumMember",
      ...this.name(c.Identifier?.[0]),
      label: c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined,
      span: this.nodeSpan(node),
    };
  }

  recordDecl(c: C.RecordDeclCstChildren, node: CstNode): A.RecordDecl {
    const name = this.name(c.Identifier?.[0]);
    const doc = c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined;
    return { kind: "Record", ...name, doc, fields: this.all(c.fieldDecl, this.fieldDecl), span: this.nodeSpan(node) };
  }

  extendDecl(c: C.ExtendDeclCstChildren, node: CstNode): A.ExtendDecl {
    const first = c.target?.[0];
    const member = c.member?.[0];
    const name = this.name(member ?? first);
    return { kind: "Extend", ...name, ...(member ? { namespace: first?.image ?? "" } : {}), fields: this.all(c.fieldDecl, this.fieldDecl), span: this.nodeSpan(node) };
  }

  fieldDecl(c: C.FieldDeclCstChildren, node: CstNode): A.FieldDecl {
    return {
      kind: "FieldDecl",
      ...this.name(c.Identifier?.[0]),
      type: this.typeOf(c.typeRef),
      doc: c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined,
      span: this.nodeSpan(node),
    };
  }

  defineDecl(c: C.DefineDeclCstChildren, node: CstNode): A.DefineDecl {
    return {
      kind: "Define",
      ...this.name(c.Identifier?.[0]),
      params: (c.paramList ? this.paramList(c.paramList[0].children) : undefined) ?? [],
      wording: c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined,
      refs: this.refsOf(c.refs),
      approximated: (c.approximation ? this.approximation(c.approximation[0].children) : undefined),
      body: this.expr(c.expression),
      span: this.nodeSpan(node),
    };
  }

  /** `approximated "what is approximated, and why"`. */
  approximation(c: C.ApproximationCstChildren): string {
    return this.text(c.StringLiteral?.[0]);
  }

  paramList(c: C.ParamListCstChildren): A.Param[] {
    return this.all(c.param, this.param);
  }

  param(c: C.ParamCstChildren, node: CstNode): A.Param {
    return { kind: "Param", ...this.name(c.Identifier?.[0]), type: this.typeOf(c.typeRef), span: this.nodeSpan(node) };
  }

  criterionDecl(c: C.CriterionDeclCstChildren): A.RequirementDecl {
    const head = c.requirementHead?.[0];
    return this.requirementHead(head?.children ?? {}, head);
  }

  pathwayDecl(c: C.PathwayDeclCstChildren): A.RequirementDecl {
    const head = c.requirementHead?.[0];
    return { ...this.requirementHead(head?.children ?? {}, head), role: "pathway" };
  }

  /** `NAME "wording" [refs] when CONDITION: body`, a criterion's (a pathway's role is set by pathwayDecl). */
  requirementHead(c: Partial<C.RequirementHeadCstChildren>, node?: CstNode): A.RequirementDecl {
    return {
      kind: "Requirement",
      role: "criterion",
      ...this.name(c.Identifier?.[0]),
      wording: this.text(c.StringLiteral?.[0]),
      refs: this.refsOf(c.refs),
      approximated: (c.approximation ? this.approximation(c.approximation[0].children) : undefined),
      when: (c.whenClause ? this.whenClause(c.whenClause[0].children) : undefined),
      body: (c.groupBody ? this.groupBody(c.groupBody[0].children, c.groupBody[0]) : undefined) ?? this.expr(c.expression),
      span: this.nodeSpan(node),
    };
  }

  whenClause(c: C.WhenClauseCstChildren): A.Expr {
    return this.expr(c.expression);
  }

  /** The references of an item (none where it gives none). */
  private refsOf(nodes: readonly C.RefsCstNode[] | undefined): A.RefRange[] {
    return this.one(nodes, this.refs) ?? [];
  }

  refs(c: C.RefsCstChildren): A.RefRange[] {
    return this.all(c.refRange, this.refRange);
  }

  refRange(c: C.RefRangeCstChildren, node: CstNode): A.RefRange {
    const from = Number(c.from?.[0]?.image ?? NaN);
    const toToken = c.to?.[0];
    const to = toToken && !toToken.isInsertedInRecovery ? Number(toToken.image) : from;
    const span = this.nodeSpan(node);
    if (to < from) this.diagnostics.push(error("POL019", span, `reference range ${from}-${to} runs backwards`));
    return { kind: "RefRange", from, to, span };
  }

  groupBody(c: C.GroupBodyCstChildren, node: CstNode): A.GroupBody {
    const { quantifier, n } = (c.quantifier ? this.quantifier(c.quantifier[0].children) : undefined) ?? { quantifier: "all" as const, n: 0 };
    return {
      kind: "GroupBody",
      quantifier,
      n,
      wording: c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined,
      refs: this.refsOf(c.refs),
      items: this.all(c.item, this.item),
      span: this.nodeSpan(node),
    };
  }

  quantifier(c: C.QuantifierCstChildren): { quantifier: A.Quantifier; n: number } {
    if (c.Any) return { quantifier: "any", n: 0 };
    if (c.None) return { quantifier: "none", n: 0 };
    if (c.At) return { quantifier: c.Most ? "atMost" : "atLeast", n: Number(c.NumberLiteral?.[0]?.image ?? "1") };
    return { quantifier: "all", n: 0 };
  }

  /** One bullet of a list, with the readings before it. */
  item(c: C.ItemCstChildren, node: CstNode): A.Item {
    const bullet =
      (c.criterionDecl ? this.criterionDecl(c.criterionDecl[0].children) : undefined) ??
      (c.pathwayDecl ? this.pathwayDecl(c.pathwayDecl[0].children) : undefined) ??
      (c.useItem ? this.useItem(c.useItem[0].children, c.useItem[0]) : undefined) ??
      (c.noteItem ? this.noteItem(c.noteItem[0].children, c.noteItem[0]) : undefined) ??
      (c.groupBody ? this.groupBody(c.groupBody[0].children, c.groupBody[0]) : undefined) ??
      // Readings with no item after them (recovery from a syntax error, already reported).
      ({ kind: "Note", text: "", refs: [], span: this.nodeSpan(node) } satisfies A.NoteItem);
    return this.explained(bullet, this.readings(c.reading));
  }

  useItem(c: C.UseItemCstChildren, node: CstNode): A.UseItem {
    const token = c.Identifier?.[0];
    const member = c.member?.[0];
    const name = (t: IToken | undefined) => (t?.isInsertedInRecovery ? "" : (t?.image ?? ""));
    if (member) return { kind: "Use", name: name(member), namespace: name(token), span: this.nodeSpan(node) };
    return { kind: "Use", name: name(token), span: this.nodeSpan(node) };
  }

  noteItem(c: C.NoteItemCstChildren, node: CstNode): A.NoteItem {
    const nameToken = c.Identifier?.[0];
    return {
      kind: "Note",
      name: nameToken?.image,
      nameSpan: nameToken ? this.span(nameToken) : undefined,
      text: this.text(c.StringLiteral?.[0]),
      refs: this.refsOf(c.refs),
      approximated: (c.approximation ? this.approximation(c.approximation[0].children) : undefined),
      notExpressible: c.Expressible ? this.text(c.why?.[0]) : undefined,
      when: (c.whenClause ? this.whenClause(c.whenClause[0].children) : undefined),
      rule: c.expression ? this.expr(c.expression) : undefined,
      span: this.nodeSpan(node),
    };
  }

  // ── Policies and overlays ───────────────────────────────────────────────────────────────

  /** The members of a policy or overlay, gathered by kind, with the order of those docs follow. */
  private documentBody(members: readonly C.PolicyMemberCstNode[] | undefined) {
    const properties: A.Property[] = [];
    const cpt: A.CptGroup[] = [];
    const sections: A.Section[] = [];
    const applies: A.AppliesClause[] = [];
    const references: A.Reference[] = [];
    const history: A.HistoryEntry[] = [];
    const services: A.ServiceDecl[] = [];
    const order: ("section" | "references" | "history" | "service")[] = [];
    let effective: A.Effective | undefined;
    for (const member of this.all(members, this.policyMember)) {
      switch (member.kind) {
        case "property":
          properties.push(member.property);
          break;
        case "cpt":
          cpt.push(member.cpt);
          break;
        case "effective":
          effective = member.effective;
          break;
        case "section":
          sections.push(member.section);
          order.push("section");
          break;
        case "applies":
          applies.push(member.applies);
          break;
        case "references":
          order.push("references");
          references.push(...member.references);
          break;
        case "history":
          order.push("history");
          history.push(...member.history);
          break;
        case "service":
          order.push("service");
          services.push(member.service);
          break;
      }
    }
    return { properties, cpt, effective, sections, services, applies, references, history, order };
  }

  policyDecl(c: C.PolicyDeclCstChildren, node: CstNode): A.PolicyDecl {
    return {
      kind: "Policy",
      ...this.name(c.Identifier?.[0]),
      title: this.text(c.StringLiteral?.[0]),
      ...this.documentBody(c.policyMember),
      span: this.nodeSpan(node),
    };
  }

  overlayDecl(c: C.OverlayDeclCstChildren, node: CstNode): A.OverlayDecl {
    return {
      kind: "Overlay",
      ...this.name(c.name?.[0]),
      title: this.text(c.StringLiteral?.[0]),
      refs: this.refsOf(c.refs),
      target: c.target?.[0]?.image ?? "",
      targetSpan: this.span(c.target?.[0]),
      state: c.state?.[0]?.image ?? "",
      ...this.documentBody(c.policyMember),
      span: this.nodeSpan(node),
    };
  }

  policyMember(c: C.PolicyMemberCstChildren): Member {
    const readings = this.readings(c.reading);
    if (readings && !(c.section || c.appliesDecl || c.serviceDecl)) {
      this.diagnostics.push(
        error("POL063", readings[0].span, "a reading explains the section, applies clause or service line after it, not a property, CPT codes, references or history", {
          hint: "put the reading before the item whose rule it explains, or make it a comment",
        }),
      );
    }
    if (c.property) return { kind: "property", property: (c.property ? this.property(c.property[0].children, c.property[0]) : undefined)! };
    if (c.cptDecl) return { kind: "cpt", cpt: (c.cptDecl ? this.cptDecl(c.cptDecl[0].children, c.cptDecl[0]) : undefined)! };
    if (c.effectiveDecl) return { kind: "effective", effective: (c.effectiveDecl ? this.effectiveDecl(c.effectiveDecl[0].children, c.effectiveDecl[0]) : undefined)! };
    if (c.section) return { kind: "section", section: this.explained((c.section ? this.section(c.section[0].children, c.section[0]) : undefined)!, readings) };
    if (c.appliesDecl) return { kind: "applies", applies: this.explained((c.appliesDecl ? this.appliesDecl(c.appliesDecl[0].children, c.appliesDecl[0]) : undefined)!, readings) };
    if (c.referencesDecl) return { kind: "references", references: (c.referencesDecl ? this.referencesDecl(c.referencesDecl[0].children) : undefined)! };
    if (c.serviceDecl) return { kind: "service", service: this.explained((c.serviceDecl ? this.serviceDecl(c.serviceDecl[0].children, c.serviceDecl[0]) : undefined)!, readings) };
    if (c.historyDecl) return { kind: "history", history: (c.historyDecl ? this.historyDecl(c.historyDecl[0].children) : undefined)! };
    return { kind: "none" };
  }

  /**
   * `service NAME "wording" when CONDITION { sections }`. The parser reads any two names in a
   * row here; the first must be the word `service`.
   */
  serviceDecl(c: C.ServiceDeclCstChildren, node: CstNode): A.ServiceDecl {
    const keyword = c.keyword?.[0];
    // Two words in a row that the parser could not read as a service line (its '{' missing: words
    // of a pasted sentence, a misspelt `critrion x "…"`) are a syntax error already reported.
    const reported = (token: IToken) => node.recoveredNode === true || this.diagnostics.some((d) => d.span.file === this.fileName && d.span.start === token.startOffset);
    if (keyword && !keyword.isInsertedInRecovery && keyword.image !== "service" && !reported(keyword)) {
      this.diagnostics.push(error("POL002", this.span(keyword), `expected a property, a section or 'service', but found '${keyword.image}'`, { hint: 'a property is a name and a text: version "2024"; a service line starts with the word service' }));
    }
    return {
      kind: "Service",
      ...this.name(c.name?.[0]),
      wording: this.text(c.StringLiteral?.[0]),
      refs: this.refsOf(c.refs),
      when: (c.whenClause ? this.whenClause(c.whenClause[0].children) : undefined),
      sections: this.all(c.serviceSection, this.serviceSection).filter((s): s is A.Section => s !== undefined),
      span: this.nodeSpan(node),
    };
  }

  serviceSection(c: C.ServiceSectionCstChildren): A.Section | undefined {
    const section = (c.section ? this.section(c.section[0].children, c.section[0]) : undefined);
    return section ? this.explained(section, this.readings(c.reading)) : undefined;
  }

  property(c: C.PropertyCstChildren, node: CstNode): A.Property {
    return { kind: "Property", key: c.Identifier?.[0]?.image ?? "", value: this.text(c.StringLiteral?.[0]), span: this.nodeSpan(node) };
  }

  cptDecl(c: C.CptDeclCstChildren, node: CstNode): A.CptGroup {
    return { kind: "CptGroup", label: this.text(c.StringLiteral?.[0]), codes: this.all(c.cptCode, this.cptCode), span: this.nodeSpan(node) };
  }

  cptCode(c: C.CptCodeCstChildren, node: CstNode): A.CptCode {
    return { kind: "CptCode", code: (c.NumberLiteral ?? c.CodeLiteral)?.[0]?.image ?? "", addOn: Boolean(c.Plus), span: this.nodeSpan(node) };
  }

  effectiveDecl(c: C.EffectiveDeclCstChildren, node: CstNode): A.Effective {
    return { kind: "Effective", from: c.from?.[0]?.image ?? "", to: c.to?.[0]?.image ?? "", span: this.nodeSpan(node) };
  }

  section(c: C.SectionCstChildren, node: CstNode): A.Section {
    return {
      kind: "Section",
      sectionKind: (c.sectionKind ? this.sectionKind(c.sectionKind[0].children) : undefined) ?? "not-covered",
      title: this.text(c.StringLiteral?.[0]),
      refs: this.refsOf(c.refs),
      when: (c.whenClause ? this.whenClause(c.whenClause[0].children) : undefined),
      items: this.all(c.item, this.item),
      span: this.nodeSpan(node),
    };
  }

  sectionKind(c: C.SectionKindCstChildren): A.SectionKind {
    if (c.Indications) return "indications";
    if (c.Requirements) return "requirements";
    if (c.Exclusions) return "exclusions";
    if (c.Contraindications) return "contraindications";
    if (c.Notes) return "notes";
    if (c.Advisories) return "advisories";
    return "not-covered";
  }

  appliesDecl(c: C.AppliesDeclCstChildren, node: CstNode): A.AppliesClause {
    return {
      kind: "Applies",
      mode: c.When ? "when" : "unless",
      wording: c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined,
      refs: this.refsOf(c.refs),
      condition: this.expr(c.expression),
      span: this.nodeSpan(node),
    };
  }

  referencesDecl(c: C.ReferencesDeclCstChildren): A.Reference[] {
    return this.all(c.referenceEntry, this.referenceEntry);
  }

  referenceEntry(c: C.ReferenceEntryCstChildren, node: CstNode): A.Reference {
    return { kind: "Reference", number: Number(c.NumberLiteral?.[0]?.image ?? NaN), text: this.text(c.StringLiteral?.[0]), span: this.nodeSpan(node) };
  }

  historyDecl(c: C.HistoryDeclCstChildren): A.HistoryEntry[] {
    return this.all(c.historyEntry, this.historyEntry);
  }

  historyEntry(c: C.HistoryEntryCstChildren, node: CstNode): A.HistoryEntry {
    return { kind: "HistoryEntry", date: this.text(c.date?.[0]), summary: this.text(c.summary?.[0]), span: this.nodeSpan(node) };
  }

  // ── Expressions ─────────────────────────────────────────────────────────────────────────

  expression(c: C.ExpressionCstChildren): A.Expr {
    return this.chain(c.operands ?? [], c.Unless ?? [], "unless", (n) => this.orExpr(n.children));
  }

  orExpr(c: C.OrExprCstChildren): A.Expr {
    return this.chain(c.operands ?? [], c.Or ?? [], "or", (n) => this.andExpr(n.children));
  }

  andExpr(c: C.AndExprCstChildren): A.Expr {
    return this.chain(c.operands ?? [], c.And ?? [], "and", (n) => this.notExpr(n.children));
  }

  notExpr(c: C.NotExprCstChildren): A.Expr {
    if (c.Not) {
      const span = this.span(c.Not[0]);
      const operand = (c.notExpr ? this.notExpr(c.notExpr[0].children) : undefined) ?? this.placeholder();
      return { kind: "Not", operand, span: join(span, operand.span) };
    }
    return (c.comparison ? this.comparison(c.comparison[0].children, c.comparison[0]) : undefined) ?? this.placeholder();
  }

  comparison(c: C.ComparisonCstChildren, node: CstNode): A.Expr {
    const left = (c.left ? this.additive(c.left[0].children) : undefined) ?? this.placeholder();
    if (c.ComparisonOperator) {
      const token = c.ComparisonOperator[0];
      const op = comparisonOps.get(token.tokenType.name) ?? "=";
      const right = (c.right ? this.additive(c.right[0].children) : undefined) ?? this.placeholder();
      return { kind: "Binary", op, left, right, opSpan: this.span(token), span: join(left.span, right.span) };
    }
    if (c.In) {
      return { kind: "In", operand: left, members: (c.setLiteral ? this.setLiteral(c.setLiteral[0].children) : undefined) ?? [], negated: Boolean(c.negated), span: this.nodeSpan(node) };
    }
    const dateOp: [IToken[] | undefined, A.BinaryOp][] = [
      [c.Within, "within"],
      [c.Before, "before"],
      [c.After, "after"],
    ];
    for (const [tokens, op] of dateOp) {
      if (tokens) {
        const right = (c.right ? this.additive(c.right[0].children) : undefined) ?? this.placeholder();
        return { kind: "Binary", op, left, right, opSpan: this.span(tokens[0]), span: join(left.span, right.span) };
      }
    }
    if (c.Known) return { kind: "Known", operand: left, negated: Boolean(c.isNot), span: this.nodeSpan(node) };
    return left;
  }

  setLiteral(c: C.SetLiteralCstChildren): A.SetMember[] {
    return (c.Identifier ?? []).map((t) => ({ kind: "SetMember" as const, name: t.image, span: this.span(t) }));
  }

  additive(c: C.AdditiveCstChildren): A.Expr {
    return this.chain(c.operands ?? [], c.operators ?? [], (t) => (t?.tokenType.name === "Plus" ? "+" : "-"), (n) => this.multiplicative(n.children));
  }

  multiplicative(c: C.MultiplicativeCstChildren): A.Expr {
    return this.chain(c.operands ?? [], c.operators ?? [], (t) => (t?.tokenType.name === "Slash" ? "/" : "*"), (n) => this.postfix(n.children));
  }

  postfix(c: C.PostfixCstChildren): A.Expr {
    let result = (c.primary ? this.primary(c.primary[0].children, c.primary[0]) : undefined) ?? this.placeholder();
    for (const field of c.fields ?? []) {
      const fieldSpan = this.span(field);
      const name = field.isInsertedInRecovery ? "" : field.image;
      // `nia.name`, where this file imports a file as nia, is that file's name, not a field.
      if (result.kind === "Ref" && !result.args && !result.namespace && this.aliases.has(result.name)) {
        result = { kind: "Ref", name, namespace: result.name, span: join(result.span, fieldSpan) };
        continue;
      }
      result = { kind: "Field", object: result, field: name, fieldSpan, span: join(result.span, fieldSpan) };
    }
    return result;
  }

  /** A value; a name, question, `refer`, `if`, `case` or `time` spans as its own node does (the same tokens). */
  primary(c: C.PrimaryCstChildren, node: CstNode): A.Expr {
    if (c.reference) return this.reference(c.reference[0].children, c.reference[0]);
    if (c.numberLiteral) return this.numberLiteral(c.numberLiteral[0].children, c.numberLiteral[0]);
    if (c.queryExpr) return this.queryExpr(c.queryExpr[0].children, c.queryExpr[0]);
    if (c.referExpr) return this.referExpr(c.referExpr[0].children, c.referExpr[0]);
    if (c.meetsExpr) return this.meetsExpr(c.meetsExpr[0].children, c.meetsExpr[0]);
    if (c.ifExpr) return this.ifExpr(c.ifExpr[0].children, c.ifExpr[0]);
    if (c.caseExpr) return this.caseExpr(c.caseExpr[0].children, c.caseExpr[0]);
    if (c.timeExpr) return this.timeExpr(c.timeExpr[0].children, c.timeExpr[0]);
    const span = this.nodeSpan(node);
    if (c.DateLiteral) return { kind: "Date", value: c.DateLiteral[0].image, span };
    if (c.StringLiteral) return { kind: "Text", value: this.text(c.StringLiteral[0]), span };
    if (c.True) return { kind: "Bool", value: true, span };
    if (c.False) return { kind: "Bool", value: false, span };
    return this.expr(c.expression);
  }

  /** A name, or a call of a definition: `conservative_therapy(6 weeks)`, `nia.episode_of(procedures)`. */
  reference(c: C.ReferenceCstChildren, node: CstNode): A.RefExpr {
    const span = this.nodeSpan(node);
    const first = c.Identifier?.[0];
    const token = c.member?.[0] ?? first;
    return {
      kind: "Ref",
      name: token && !token.isInsertedInRecovery ? token.image : "",
      ...(c.member ? { namespace: first?.image ?? "" } : {}),
      args: c.LParen ? (c.args ?? []).map((a) => this.expression(a.children)) : undefined,
      span,
    };
  }

  referExpr(c: C.ReferExprCstChildren, node: CstNode): A.ReferExpr {
    const span = this.nodeSpan(node);
    return { kind: "Refer", clause: this.text(c.StringLiteral?.[0]), refs: this.refsOf(c.refs), condition: c.condition ? this.expr(c.condition) : undefined, span };
  }

  meetsExpr(c: C.MeetsExprCstChildren, node: CstNode): A.MeetsExpr {
    const first = c.policy?.[0];
    const token = c.member?.[0] ?? first;
    return {
      kind: "Meets",
      policy: token && !token.isInsertedInRecovery ? token.image : "",
      policySpan: this.span(token),
      ...(c.member ? { namespace: first?.image ?? "" } : {}),
      span: this.nodeSpan(node),
    };
  }

  ifExpr(c: C.IfExprCstChildren, node: CstNode): A.IfExpr {
    const span = this.nodeSpan(node);
    return { kind: "If", condition: this.expr(c.condition), then: this.expr(c.then), otherwise: this.expr(c.otherwise), span };
  }

  caseExpr(c: C.CaseExprCstChildren, node: CstNode): A.CaseExpr {
    const span = this.nodeSpan(node);
    return { kind: "Case", subject: c.subject ? this.additive(c.subject[0].children) : this.placeholder(), arms: this.all(c.caseArm, this.caseArm), span };
  }

  caseArm(c: C.CaseArmCstChildren, node: CstNode): A.CaseArm {
    return {
      kind: "CaseArm",
      values: (c.values ?? []).map((t) => ({ kind: "SetMember" as const, name: t.isInsertedInRecovery ? "" : t.image, span: this.span(t) })),
      value: this.expr(c.expression),
      span: this.nodeSpan(node),
    };
  }

  timeExpr(c: C.TimeExprCstChildren, node: CstNode): A.TimeExpr {
    const span = this.nodeSpan(node);
    const from = c.from ? this.postfix(c.from[0].children) : this.placeholder();
    const to = c.to ? this.postfix(c.to[0].children) : undefined;
    return { kind: "Time", from, to, span };
  }

  /** `6`, `50%`, `2 weeks`. */
  numberLiteral(c: C.NumberLiteralCstChildren, node: CstNode): A.NumberLit {
    const magnitude = Number(c.NumberLiteral?.[0]?.image ?? "0");
    const value = c.Minus ? -magnitude : magnitude;
    let unit: A.NumberLit["unit"];
    if (c.Percent) unit = "percent";
    else if (c.DurationUnit) unit = unitOf(c.DurationUnit[0]);
    return { kind: "Number", value, unit, span: this.nodeSpan(node) };
  }

  /** Questions over a list: `count(p in injections where p.region = region)`. */
  queryExpr(c: C.QueryExprCstChildren, node: CstNode): A.QueryExpr {
    const span = this.nodeSpan(node);
    const op = (c.op?.[0]?.image ?? "count") as A.QueryOp;
    const binder = c.binder?.[0];
    return {
      kind: "Query",
      op,
      binder: binder && !binder.isInsertedInRecovery ? binder.image : "",
      binderSpan: this.span(binder),
      source: c.source ? this.additive(c.source[0].children) : this.placeholder(),
      filter: c.filter ? this.expr(c.filter) : undefined,
      body: c.body ? this.expr(c.body) : undefined,
      merge: c.merge
        ? {
            kind: "Merge",
            first: c.first?.[0]?.image ?? "",
            second: c.second?.[0]?.image ?? "",
            condition: this.expr(c.merge),
            span: this.span(c.Counting?.[0]),
          }
        : undefined,
      keys: c.keys ? this.all(c.keys, this.additive) : undefined,
      window: c.window ? this.additive(c.window[0].children) : undefined,
      span,
    };
  }
}

const comparisonOps: ReadonlyMap<string, A.BinaryOp> = new Map([
  ["GreaterEqual", ">="],
  ["LessEqual", "<="],
  ["NotEqual", "!="],
  ["Equal", "="],
  ["Less", "<"],
  ["Greater", ">"],
]);

function unitOf(token: IToken): A.DurationUnit {
  const name = token.tokenType.name;
  if (name === "Days") return "days";
  if (name === "Weeks") return "weeks";
  if (name === "Months") return "months";
  if (name === "Hours") return "hours";
  if (name === "Minutes") return "minutes";
  return "years";
}

function join(a: A.Span, b: A.Span): A.Span {
  return { ...a, end: Math.max(a.end, b.end) };
}

/**
 * A node's first and last real token (recovery inserts tokens with no offset), found from the
 * offsets the parser records on every node (`nodeLocationTracking`) by binary search in the
 * token vector: a span is asked of nearly every node, and walking each subtree for it made the
 * conversion quadratic in the depth of a file's nesting.
 */
function tokenStartingAt(tokens: readonly IToken[], offset: number): IToken | undefined {
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = tokens[mid].startOffset;
    if (at === offset) return tokens[mid];
    if (at < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

function tokenEndingAt(tokens: readonly IToken[], offset: number): IToken | undefined {
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = tokens[mid].endOffset ?? tokens[mid].startOffset;
    if (at === offset) return tokens[mid];
    if (at < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
