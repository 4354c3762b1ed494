/**
 * From the concrete syntax tree to the AST. Recovery may leave rules half-built, so every child
 * is treated as possibly absent; tokens inserted by recovery have no position and borrow one.
 */
import type { CstNode, IToken } from "chevrotain";
import type * as C from "../grammar/cst.generated.js";
import type * as A from "./ast.js";
import { error, type Diagnostic } from "./diagnostics.js";

/** The tree of one parsed file; `tokens` is the token vector the parser read (sorted by offset). */
export function cstToAst(parsed: { readonly cst: CstNode; readonly tokens: readonly IToken[] }, file: string, diagnostics: Diagnostic[]): A.PolFile {
  return new Builder(file, diagnostics, parsed.tokens).build(parsed.cst as C.FileCstNode);
}

class Builder {
  private lastSpan: A.Span;
  /** The names this file imports files under (`import "…" as nia`). */
  private readonly aliases = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly diagnostics: Diagnostic[],
    private readonly tokens: readonly IToken[],
  ) {
    this.lastSpan = { file, start: 0, end: 0, line: 1, column: 1 };
  }

  private span(token: IToken | undefined): A.Span {
    if (!token || Number.isNaN(token.startOffset) || token.startLine === undefined || Number.isNaN(token.startLine)) {
      return this.lastSpan;
    }
    const span: A.Span = {
      file: this.file,
      start: token.startOffset,
      end: (token.endOffset ?? token.startOffset) + 1,
      line: token.startLine,
      column: token.startColumn ?? 1,
    };
    this.lastSpan = { ...span, start: span.end, column: span.column + (span.end - span.start), end: span.end };
    return span;
  }

  private nodeSpan(node: CstNode | undefined): A.Span {
    const first = node ? this.firstToken(node) : undefined;
    const last = node?.location ? tokenEndingAt(this.tokens, node.location.endOffset ?? NaN) : undefined;
    const start = this.span(first);
    if (!last || Number.isNaN(last.endOffset ?? NaN)) return start;
    return { ...start, end: Math.max(start.end, (last.endOffset ?? last.startOffset) + 1) };
  }

  private firstToken(node: CstNode): IToken | undefined {
    return node.location ? tokenStartingAt(this.tokens, node.location.startOffset) : undefined;
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

  /** The readings before an item: each `reading`'s texts joined by a space. */
  private readings(nodes: readonly C.ReadingCstNode[] | undefined): A.Reading[] | undefined {
    if (!nodes || nodes.length === 0) return undefined;
    return nodes.map((node) => {
      const text = (node.children.StringLiteral ?? []).map((token) => this.text(token)).join(" ");
      const fragment = node.children.fragment?.[0];
      return fragment ? { text, fragment: this.text(fragment), span: this.nodeSpan(node) } : { text, span: this.nodeSpan(node) };
    });
  }

  private explained<T extends A.Node>(node: T, readings: A.Reading[] | undefined): T {
    return readings ? { ...node, readings } : node;
  }

  build(cst: C.FileCstNode): A.PolFile {
    const imports: A.ImportDecl[] = (cst.children.importDecl ?? []).map((node) => {
      const alias = node.children.alias?.[0];
      return {
        kind: "Import" as const,
        path: this.text(node.children.StringLiteral?.[0]),
        ...(alias && !alias.isInsertedInRecovery ? { alias: alias.image, aliasSpan: this.span(alias) } : {}),
        span: this.nodeSpan(node),
      };
    });
    for (const imp of imports) if (imp.alias) this.aliases.add(imp.alias);
    const declarations: A.Declaration[] = [];
    const policies: A.PolicyDecl[] = [];
    const overlays: A.OverlayDecl[] = [];
    for (const item of cst.children.topItem ?? []) {
      const c = item.children;
      const readings = this.readings(c.reading);
      if (c.policyDecl) policies.push(this.explained(this.policy(c.policyDecl[0]), readings));
      else if (c.overlayDecl) overlays.push(this.explained(this.overlay(c.overlayDecl[0]), readings));
      else if (c.factDecl) declarations.push(this.explained(this.fact(c.factDecl[0]), readings));
      else if (c.groupDecl) declarations.push(this.explained(this.group(c.groupDecl[0]), readings));
      else if (c.enumDecl) declarations.push(this.explained(this.enumDecl(c.enumDecl[0]), readings));
      else if (c.recordDecl) declarations.push(this.explained(this.record(c.recordDecl[0]), readings));
      else if (c.defineDecl) declarations.push(this.explained(this.define(c.defineDecl[0]), readings));
      else if (c.criterionDecl) declarations.push(this.explained(this.requirement(c.criterionDecl[0].children.requirementHead?.[0], "criterion"), readings));
    }
    return { kind: "File", path: this.file, imports, declarations, policies, overlays, span: this.nodeSpan(cst) };
  }

  private fact(node: C.FactDeclCstNode): A.FactDecl {
    const c = node.children;
    return {
      kind: "Fact",
      ...this.name(c.Identifier?.[0]),
      type: this.typeRef(c.typeRef?.[0]),
      doc: c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined,
      absentUnlessDocumented: c.absenceReading ? this.absenceReading(c.absenceReading[0]) : undefined,
      span: this.nodeSpan(node),
    };
  }

  /** `absent unless documented "why"`; the two words are names to the lexer, so they are checked here. */
  private absenceReading(node: C.AbsenceReadingCstNode): A.AbsenceReading {
    const c = node.children;
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

  private typeRef(node: C.TypeRefCstNode | undefined): A.TypeRef {
    const c = node?.children;
    const min = c?.min ? this.signedNumber(c.min[0]) : undefined;
    const max = c?.max ? this.signedNumber(c.max[0]) : undefined;
    const member = c?.member?.[0];
    if (member) return { kind: "TypeRef", name: member.isInsertedInRecovery ? "" : member.image, namespace: c?.Identifier?.[0]?.image ?? "", list: Boolean(c?.List), range: min !== undefined && max !== undefined ? { min, max } : undefined, span: this.nodeSpan(node) };
    return {
      kind: "TypeRef",
      name: c?.Identifier?.[0]?.image ?? "",
      list: Boolean(c?.List),
      range: min !== undefined && max !== undefined ? { min, max } : undefined,
      span: this.nodeSpan(node),
    };
  }

  private signedNumber(node: C.SignedNumberCstNode): number {
    const value = Number(node.children.NumberLiteral?.[0]?.image ?? "0");
    return node.children.Minus ? -value : value;
  }

  private group(node: C.GroupDeclCstNode): A.GroupDecl {
    const c = node.children;
    const members: (A.FactDecl | A.GroupDecl)[] = [];
    for (const member of c.groupMember ?? []) {
      const m = member.children;
      const readings = this.readings(m.reading);
      if (m.factDecl) members.push(this.explained(this.fact(m.factDecl[0]), readings));
      else if (m.groupDecl) members.push(this.explained(this.group(m.groupDecl[0]), readings));
    }
    return {
      kind: "Group",
      ...this.name(c.Identifier?.[0]),
      doc: c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined,
      members,
      span: this.nodeSpan(node),
    };
  }

  private enumDecl(node: C.EnumDeclCstNode): A.EnumDecl {
    const c = node.children;
    return {
      kind: "Enum",
      ...this.name(c.Identifier?.[0]),
      doc: c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined,
      members: (c.enumMember ?? []).map((m) => ({
        kind: "EnumMember" as const,
        ...this.name(m.children.Identifier?.[0]),
        label: m.children.StringLiteral ? this.text(m.children.StringLiteral[0]) : undefined,
        span: this.nodeSpan(m),
      })),
      span: this.nodeSpan(node),
    };
  }

  private record(node: C.RecordDeclCstNode): A.RecordDecl {
    const c = node.children;
    return {
      kind: "Record",
      ...this.name(c.Identifier?.[0]),
      doc: c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined,
      fields: (c.fieldDecl ?? []).map((f) => ({
        kind: "FieldDecl" as const,
        ...this.name(f.children.Identifier?.[0]),
        type: this.typeRef(f.children.typeRef?.[0]),
        doc: f.children.StringLiteral ? this.text(f.children.StringLiteral[0]) : undefined,
        span: this.nodeSpan(f),
      })),
      span: this.nodeSpan(node),
    };
  }

  private define(node: C.DefineDeclCstNode): A.DefineDecl {
    const c = node.children;
    return {
      kind: "Define",
      ...this.name(c.Identifier?.[0]),
      params: (c.paramList?.[0]?.children.param ?? []).map((p) => ({
        kind: "Param" as const,
        ...this.name(p.children.Identifier?.[0]),
        type: this.typeRef(p.children.typeRef?.[0]),
        span: this.nodeSpan(p),
      })),
      wording: c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined,
      refs: this.refs(c.refs?.[0]),
      approximated: this.approximation(c.approximation?.[0]),
      body: this.expression(c.expression?.[0]),
      span: this.nodeSpan(node),
    };
  }

  private approximation(node: C.ApproximationCstNode | undefined): string | undefined {
    return node ? this.text(node.children.StringLiteral?.[0]) : undefined;
  }

  private requirement(node: C.RequirementHeadCstNode | undefined, role: "criterion" | "pathway"): A.RequirementDecl {
    const c = node?.children;
    return {
      kind: "Requirement",
      role,
      ...this.name(c?.Identifier?.[0]),
      wording: this.text(c?.StringLiteral?.[0]),
      refs: this.refs(c?.refs?.[0]),
      approximated: this.approximation(c?.approximation?.[0]),
      when: c?.whenClause ? this.expression(c.whenClause[0].children.expression?.[0]) : undefined,
      body: c?.groupBody ? this.groupBody(c.groupBody[0]) : this.expression(c?.expression?.[0]),
      span: this.nodeSpan(node),
    };
  }

  private refs(node: C.RefsCstNode | undefined): A.RefRange[] {
    return (node?.children.refRange ?? []).map((r) => {
      const from = Number(r.children.from?.[0]?.image ?? NaN);
      const toToken = r.children.to?.[0];
      const to = toToken && !toToken.isInsertedInRecovery ? Number(toToken.image) : from;
      const span = this.nodeSpan(r);
      if (to < from) this.diagnostics.push(error("POL019", span, `reference range ${from}-${to} runs backwards`));
      return { kind: "RefRange", from, to, span };
    });
  }

  private groupBody(node: C.GroupBodyCstNode): A.GroupBody {
    const c = node.children;
    const q = c.quantifier?.[0]?.children;
    let quantifier: A.Quantifier = "all";
    let n = 0;
    if (q?.Any) quantifier = "any";
    else if (q?.None) quantifier = "none";
    else if (q?.At) {
      n = Number(q.NumberLiteral?.[0]?.image ?? "1");
      quantifier = q.Most ? "atMost" : "atLeast";
    }
    return {
      kind: "GroupBody",
      quantifier,
      n,
      wording: c.StringLiteral ? this.text(c.StringLiteral[0]) : undefined,
      refs: this.refs(c.refs?.[0]),
      items: (c.item ?? []).map((i) => this.item(i)),
      span: this.nodeSpan(node),
    };
  }

  private item(node: C.ItemCstNode): A.Item {
    return this.explained(this.bullet(node), this.readings(node.children.reading));
  }

  private bullet(node: C.ItemCstNode): A.Item {
    const c = node.children;
    if (c.criterionDecl) return this.requirement(c.criterionDecl[0].children.requirementHead?.[0], "criterion");
    if (c.pathwayDecl) return this.requirement(c.pathwayDecl[0].children.requirementHead?.[0], "pathway");
    if (c.useItem) {
      const token = c.useItem[0].children.Identifier?.[0];
      const member = c.useItem[0].children.member?.[0];
      const name = (t: IToken | undefined) => (t?.isInsertedInRecovery ? "" : (t?.image ?? ""));
      if (member) return { kind: "Use", name: name(member), namespace: name(token), span: this.nodeSpan(c.useItem[0]) };
      return { kind: "Use", name: name(token), span: this.nodeSpan(c.useItem[0]) };
    }
    if (c.noteItem) return this.note(c.noteItem[0]);
    if (c.groupBody) return this.groupBody(c.groupBody[0]);
    // Readings with no item after them (recovery from a syntax error, already reported).
    return { kind: "Note", text: "", refs: [], span: this.nodeSpan(node) };
  }

  private note(node: C.NoteItemCstNode): A.NoteItem {
    const c = node.children;
    const nameToken = c.Identifier?.[0];
    return {
      kind: "Note",
      name: nameToken?.image,
      nameSpan: nameToken ? this.span(nameToken) : undefined,
      text: this.text(c.StringLiteral?.[0]),
      refs: this.refs(c.refs?.[0]),
      approximated: this.approximation(c.approximation?.[0]),
      notExpressible: c.Expressible ? this.text(c.why?.[0]) : undefined,
      when: c.whenClause ? this.expression(c.whenClause[0].children.expression?.[0]) : undefined,
      rule: c.expression ? this.expression(c.expression[0]) : undefined,
      span: this.nodeSpan(node),
    };
  }

  private documentBody(members: C.PolicyMemberCstNode[]) {
    const properties: A.Property[] = [];
    const cpt: A.CptGroup[] = [];
    const sections: A.Section[] = [];
    const applies: A.AppliesClause[] = [];
    const references: A.Reference[] = [];
    const history: A.HistoryEntry[] = [];
    const services: A.ServiceDecl[] = [];
    const order: ("section" | "references" | "history" | "service")[] = [];
    let effective: A.Effective | undefined;
    for (const member of members) {
      const c = member.children;
      const readings = this.readings(c.reading);
      if (readings && !(c.section || c.appliesDecl || c.serviceDecl)) {
        this.diagnostics.push(
          error("POL063", readings[0].span, "a reading explains the section, applies clause or service line after it, not a property, CPT codes, references or history", {
            hint: "put the reading before the item whose rule it explains, or make it a comment",
          }),
        );
      }
      if (c.property) {
        const p = c.property[0].children;
        properties.push({ kind: "Property", key: p.Identifier?.[0]?.image ?? "", value: this.text(p.StringLiteral?.[0]), span: this.nodeSpan(c.property[0]) });
      } else if (c.cptDecl) {
        const d = c.cptDecl[0].children;
        cpt.push({
          kind: "CptGroup",
          label: this.text(d.StringLiteral?.[0]),
          codes: (d.cptCode ?? []).map((code) => ({
            kind: "CptCode" as const,
            code: (code.children.NumberLiteral ?? code.children.CodeLiteral)?.[0]?.image ?? "",
            addOn: Boolean(code.children.Plus),
            span: this.nodeSpan(code),
          })),
          span: this.nodeSpan(c.cptDecl[0]),
        });
      } else if (c.effectiveDecl) {
        const d = c.effectiveDecl[0].children;
        effective = { kind: "Effective", from: d.from?.[0]?.image ?? "", to: d.to?.[0]?.image ?? "", span: this.nodeSpan(c.effectiveDecl[0]) };
      } else if (c.section) {
        sections.push(this.explained(this.section(c.section[0]), readings));
        order.push("section");
      } else if (c.appliesDecl) {
        const d = c.appliesDecl[0].children;
        applies.push(this.explained({
          kind: "Applies",
          mode: d.When ? "when" : "unless",
          wording: d.StringLiteral ? this.text(d.StringLiteral[0]) : undefined,
          refs: this.refs(d.refs?.[0]),
          condition: this.expression(d.expression?.[0]),
          span: this.nodeSpan(c.appliesDecl[0]),
        } satisfies A.AppliesClause, readings));
      } else if (c.referencesDecl) {
        order.push("references");
        for (const entry of c.referencesDecl[0].children.referenceEntry ?? []) {
          references.push({
            kind: "Reference",
            number: Number(entry.children.NumberLiteral?.[0]?.image ?? NaN),
            text: this.text(entry.children.StringLiteral?.[0]),
            span: this.nodeSpan(entry),
          });
        }
      } else if (c.serviceDecl) {
        const d = c.serviceDecl[0].children;
        const keyword = d.keyword?.[0];
        // A misspelt word read as a service line's first word (`critrion x "…"`) is already reported where it stands.
        const reported = (token: IToken) => this.diagnostics.some((d) => d.span.file === this.file && d.span.start === token.startOffset);
        if (keyword && !keyword.isInsertedInRecovery && keyword.image !== "service" && !reported(keyword)) {
          this.diagnostics.push(error("POL002", this.span(keyword), `expected a property, a section or 'service', but found '${keyword.image}'`, { hint: 'a property is a name and a text: version "2024"; a service line starts with the word service' }));
        }
        order.push("service");
        services.push(this.explained({
          kind: "Service",
          ...this.name(d.name?.[0]),
          wording: this.text(d.StringLiteral?.[0]),
          refs: this.refs(d.refs?.[0]),
          when: d.whenClause ? this.expression(d.whenClause[0].children.expression?.[0]) : undefined,
          sections: (d.serviceSection ?? []).flatMap((x) => (x.children.section ? [this.explained(this.section(x.children.section[0]), this.readings(x.children.reading))] : [])),
          span: this.nodeSpan(c.serviceDecl[0]),
        } satisfies A.ServiceDecl, readings));
      } else if (c.historyDecl) {
        order.push("history");
        for (const entry of c.historyDecl[0].children.historyEntry ?? []) {
          history.push({ kind: "HistoryEntry", date: this.text(entry.children.date?.[0]), summary: this.text(entry.children.summary?.[0]), span: this.nodeSpan(entry) });
        }
      }
    }
    return { properties, cpt, effective, sections, services, applies, references, history, order };
  }

  private policy(node: C.PolicyDeclCstNode): A.PolicyDecl {
    const c = node.children;
    return {
      kind: "Policy",
      ...this.name(c.Identifier?.[0]),
      title: this.text(c.StringLiteral?.[0]),
      ...this.documentBody(c.policyMember ?? []),
      span: this.nodeSpan(node),
    };
  }

  private overlay(node: C.OverlayDeclCstNode): A.OverlayDecl {
    const c = node.children;
    return {
      kind: "Overlay",
      ...this.name(c.name?.[0]),
      title: this.text(c.StringLiteral?.[0]),
      refs: this.refs(c.refs?.[0]),
      target: c.target?.[0]?.image ?? "",
      targetSpan: this.span(c.target?.[0]),
      state: c.state?.[0]?.image ?? "",
      ...this.documentBody(c.policyMember ?? []),
      span: this.nodeSpan(node),
    };
  }

  private section(node: C.SectionCstNode): A.Section {
    const c = node.children;
    const k = c.sectionKind?.[0]?.children;
    const sectionKind: A.SectionKind = k?.Indications
      ? "indications"
      : k?.Requirements
        ? "requirements"
        : k?.Exclusions
          ? "exclusions"
          : k?.Contraindications
            ? "contraindications"
            : k?.Notes
              ? "notes"
              : k?.Advisories
                ? "advisories"
                : "not-covered";
    return {
      kind: "Section",
      sectionKind,
      title: this.text(c.StringLiteral?.[0]),
      refs: this.refs(c.refs?.[0]),
      when: c.whenClause ? this.expression(c.whenClause[0].children.expression?.[0]) : undefined,
      items: (c.item ?? []).map((i) => this.item(i)),
      span: this.nodeSpan(node),
    };
  }

  // ── Expressions ─────────────────────────────────────────────────────────────────────────

  expression(node: C.ExpressionCstNode | undefined): A.Expr {
    if (!node) return this.placeholder();
    return this.chain(node.children.operands ?? [], node.children.Unless ?? [], "unless", (n) => this.or(n));
  }

  private placeholder(): A.Expr {
    return { kind: "Bool", value: false, span: this.lastSpan, recovered: true };
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

  private or(node: C.OrExprCstNode): A.Expr {
    return this.chain(node.children.operands ?? [], node.children.Or ?? [], "or", (n) => this.and(n));
  }

  private and(node: C.AndExprCstNode): A.Expr {
    return this.chain(node.children.operands ?? [], node.children.And ?? [], "and", (n) => this.not(n));
  }

  private not(node: C.NotExprCstNode): A.Expr {
    const c = node.children;
    if (c.Not) {
      const span = this.span(c.Not[0]);
      const operand = c.notExpr ? this.not(c.notExpr[0]) : this.placeholder();
      return { kind: "Not", operand, span: join(span, operand.span) };
    }
    return c.comparison ? this.comparison(c.comparison[0]) : this.placeholder();
  }

  private comparison(node: C.ComparisonCstNode): A.Expr {
    const c = node.children;
    const left = c.left ? this.additive(c.left[0]) : this.placeholder();
    if (c.ComparisonOperator) {
      const token = c.ComparisonOperator[0];
      const op = comparisonOps[token.tokenType.name] ?? "=";
      const right = c.right ? this.additive(c.right[0]) : this.placeholder();
      return { kind: "Binary", op, left, right, opSpan: this.span(token), span: join(left.span, right.span) };
    }
    if (c.In) {
      const members = (c.setLiteral?.[0]?.children.Identifier ?? []).map((t) => ({ kind: "SetMember" as const, name: t.image, span: this.span(t) }));
      return { kind: "In", operand: left, members, negated: Boolean(c.negated), span: this.nodeSpan(node) };
    }
    const dateOp: [IToken[] | undefined, A.BinaryOp][] = [
      [c.Within, "within"],
      [c.Before, "before"],
      [c.After, "after"],
    ];
    for (const [tokens, op] of dateOp) {
      if (tokens) {
        const right = c.right ? this.additive(c.right[0]) : this.placeholder();
        return { kind: "Binary", op, left, right, opSpan: this.span(tokens[0]), span: join(left.span, right.span) };
      }
    }
    if (c.Known) return { kind: "Known", operand: left, negated: Boolean(c.isNot), span: this.nodeSpan(node) };
    return left;
  }

  private additive(node: C.AdditiveCstNode): A.Expr {
    const c = node.children;
    return this.chain(c.operands ?? [], c.operators ?? [], (t) => (t?.tokenType.name === "Plus" ? "+" : "-"), (n) => this.multiplicative(n));
  }

  private multiplicative(node: C.MultiplicativeCstNode): A.Expr {
    const c = node.children;
    return this.chain(c.operands ?? [], c.operators ?? [], (t) => (t?.tokenType.name === "Slash" ? "/" : "*"), (n) => this.postfix(n));
  }

  private postfix(node: C.PostfixCstNode): A.Expr {
    const c = node.children;
    let result = c.primary ? this.primary(c.primary[0]) : this.placeholder();
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

  private primary(node: C.PrimaryCstNode): A.Expr {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.numberLiteral) return this.number(c.numberLiteral[0]);
    if (c.DateLiteral) return { kind: "Date", value: c.DateLiteral[0].image, span };
    if (c.StringLiteral) return { kind: "Text", value: this.text(c.StringLiteral[0]), span };
    if (c.True) return { kind: "Bool", value: true, span };
    if (c.False) return { kind: "Bool", value: false, span };
    if (c.reference) {
      const r = c.reference[0].children;
      const first = r.Identifier?.[0];
      const token = r.member?.[0] ?? first;
      return {
        kind: "Ref",
        name: token && !token.isInsertedInRecovery ? token.image : "",
        ...(r.member ? { namespace: first?.image ?? "" } : {}),
        args: r.LParen ? (r.args ?? []).map((a) => this.expression(a)) : undefined,
        span,
      };
    }
    if (c.queryExpr) return this.query(c.queryExpr[0]);
    if (c.referExpr) {
      const r = c.referExpr[0].children;
      return { kind: "Refer", clause: this.text(r.StringLiteral?.[0]), refs: this.refs(r.refs?.[0]), condition: r.condition ? this.expression(r.condition[0]) : undefined, span };
    }
    if (c.ifExpr) {
      const r = c.ifExpr[0].children;
      return { kind: "If", condition: this.expression(r.condition?.[0]), then: this.expression(r.then?.[0]), otherwise: this.expression(r.otherwise?.[0]), span };
    }
    if (c.caseExpr) {
      const r = c.caseExpr[0].children;
      return {
        kind: "Case",
        subject: r.subject ? this.additive(r.subject[0]) : this.placeholder(),
        arms: (r.caseArm ?? []).map((arm) => ({
          kind: "CaseArm" as const,
          values: (arm.children.values ?? []).map((t) => ({ kind: "SetMember" as const, name: t.isInsertedInRecovery ? "" : t.image, span: this.span(t) })),
          value: this.expression(arm.children.expression?.[0]),
          span: this.nodeSpan(arm),
        })),
        span,
      };
    }
    if (c.timeExpr) {
      const t = c.timeExpr[0].children;
      const from = t.from ? this.postfix(t.from[0]) : this.placeholder();
      const to = t.to ? this.postfix(t.to[0]) : undefined;
      return { kind: "Time", from, to, span };
    }
    return this.expression(c.expression?.[0]);
  }

  private number(node: C.NumberLiteralCstNode): A.NumberLit {
    const c = node.children;
    const magnitude = Number(c.NumberLiteral?.[0]?.image ?? "0");
    const value = c.Minus ? -magnitude : magnitude;
    let unit: A.NumberLit["unit"];
    if (c.Percent) unit = "percent";
    else if (c.DurationUnit) unit = unitOf(c.DurationUnit[0]);
    return { kind: "Number", value, unit, span: this.nodeSpan(node) };
  }

  private query(node: C.QueryExprCstNode): A.QueryExpr {
    const c = node.children;
    const op = (c.op?.[0]?.image ?? "count") as A.QueryOp;
    const binder = c.binder?.[0];
    return {
      kind: "Query",
      op,
      binder: binder && !binder.isInsertedInRecovery ? binder.image : "",
      binderSpan: this.span(binder),
      source: c.source ? this.additive(c.source[0]) : this.placeholder(),
      filter: c.filter ? this.expression(c.filter[0]) : undefined,
      body: c.body ? this.expression(c.body[0]) : undefined,
      merge: c.merge
        ? {
            kind: "Merge",
            first: c.first?.[0]?.image ?? "",
            second: c.second?.[0]?.image ?? "",
            condition: this.expression(c.merge[0]),
            span: this.span(c.Counting?.[0]),
          }
        : undefined,
      keys: c.keys ? c.keys.map((k) => this.additive(k)) : undefined,
      window: c.window ? this.additive(c.window[0]) : undefined,
      span: this.nodeSpan(node),
    };
  }
}

const comparisonOps: Record<string, A.BinaryOp> = {
  GreaterEqual: ">=",
  LessEqual: "<=",
  NotEqual: "!=",
  Equal: "=",
  Less: "<",
  Greater: ">",
};

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
