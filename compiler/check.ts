/**
 * Type checking and lowering. Each expression is resolved in its file's scope, given a type,
 * and lowered to the runtime's plain-data form; every mistake becomes a diagnostic and checking
 * goes on, so that one run reports everything.
 */
import type * as A from "./ast.js";
import type { ComparisonOp, FactSchema, FieldType, IrExpr, IrRequirement, IrSection } from "../runtime/program.js";
import { error, suggest, type Diagnostic } from "./diagnostics.js";
import { builtinNames, builtinTypes, type Scope, type SymbolEntry } from "./scope.js";
import { isValidIsoDate } from "../runtime/dates.js";

export type Ty =
  | { readonly t: "boolean" }
  | { readonly t: "number"; readonly min?: number; readonly max?: number; readonly integer?: boolean; readonly percent?: boolean; readonly name?: string }
  | { readonly t: "date" }
  | { readonly t: "duration" }
  | { readonly t: "text" }
  | { readonly t: "enum"; readonly decl: A.EnumDecl }
  | { readonly t: "record"; readonly decl: A.RecordDecl; readonly optional?: boolean }
  | { readonly t: "list"; readonly decl: A.RecordDecl }
  | { readonly t: "group"; readonly entry: Extract<SymbolEntry, { kind: "group" }> }
  | { readonly t: "error" };

const errorTy: Ty = { t: "error" };
const booleanTy: Ty = { t: "boolean" };

export function describeType(ty: Ty): string {
  switch (ty.t) {
    case "boolean":
      return "a yes/no value";
    case "number":
      if (ty.percent) return "a percentage";
      return ty.min !== undefined && ty.max !== undefined ? `a number from ${ty.min} to ${ty.max}` : "a number";
    case "date":
      return "a date";
    case "duration":
      return "a duration";
    case "text":
      return "a text";
    case "enum":
      return `one of ${ty.decl.name} (${ty.decl.members.map((m) => m.name).join(", ")})`;
    case "record":
      return `a ${ty.decl.name}`;
    case "list":
      return `a list of ${ty.decl.name}`;
    case "group":
      return `the group '${ty.entry.decl.name}'`;
    case "error":
      return "an unknown value";
  }
}

interface Typed {
  readonly ir: IrExpr;
  readonly ty: Ty;
}

/** What one policy's lowering accumulates: every requirement, definition and fact it reaches. */
export class ProgramBuilder {
  readonly requirements: Record<string, IrRequirement> = {};
  readonly definitions: Record<string, { params: string[]; body: IrExpr }> = {};
  readonly facts = new Map<string, FactSchema>();
  readonly records = new Map<string, FactSchema[]>();
  private readonly inProgress = new Set<string>();
  private readonly defineTypes = new Map<string, Ty>();

  constructor(
    private readonly scopes: ReadonlyMap<string, Scope>,
    readonly diagnostics: Diagnostic[],
  ) {}

  scopeOf(span: A.Span): Scope {
    return this.scopes.get(span.file) ?? new Map();
  }

  // ── Requirements ─────────────────────────────────────────────────────────────────────────

  section(section: A.Section, idPrefix: string): IrSection {
    const scope = this.scopeOf(section.span);
    const when = section.when ? this.condition(section.when, scope, new Map()) : undefined;
    const items = this.items(section.items, idPrefix, scope, section.sectionKind === "indications");
    if (section.sectionKind === "indications" && !section.items.some((i) => i.kind === "Requirement" && i.role === "pathway")) {
      this.diagnostics.push(error("POL028", section.span, "an indications section needs at least one pathway", { hint: 'write: pathway NAME "wording": all of { … }' }));
    }
    return { kind: section.sectionKind, title: section.title, when, items };
  }

  private items(items: readonly A.Item[], idPrefix: string, scope: Scope, pathwaysAllowed: boolean): string[] {
    const ids: string[] = [];
    items.forEach((item, index) => {
      switch (item.kind) {
        case "Requirement":
          if (item.role === "pathway" && !pathwaysAllowed) {
            this.diagnostics.push(error("POL028", item.nameSpan, `pathway '${item.name}' can only stand directly in an indications section`));
          }
          if (item.name) {
            this.requirement(item.name, item, scope);
            ids.push(item.name);
          }
          break;
        case "Use": {
          const entry = this.lookup(item.name, item.span, scope, "requirement");
          if (entry?.kind === "requirement") {
            this.requirement(entry.decl.name, entry.decl, this.scopeOf(entry.decl.span));
            ids.push(entry.decl.name);
          } else if (entry) {
            this.diagnostics.push(error("POL020", item.span, `'${item.name}' is a ${entry.kind}, not a criterion; only criteria can be used as bullets`));
          }
          break;
        }
        case "Note":
          if (item.name && item.rule) {
            const entry = scope.get(item.name);
            if (entry?.kind === "requirement") {
              this.requirement(item.name, entry.decl, scope, "note");
              ids.push(item.name);
            }
          } else if (item.rule) {
            this.diagnostics.push(error("POL028", item.span, "a checked note needs a name", { hint: 'write: note NAME "text": rule' }));
          }
          break;
        case "GroupBody": {
          const id = `${idPrefix}.${index + 1}`;
          this.requirements[id] = this.group(id, item.wording ?? "", item.refs, undefined, item, scope);
          ids.push(id);
          break;
        }
      }
    });
    return ids;
  }

  requirement(name: string, decl: A.RequirementDecl, scope: Scope, role?: IrRequirement["role"]): void {
    if (this.requirements[name] || this.inProgress.has(name)) return;
    this.inProgress.add(name);
    const when = decl.when ? this.condition(decl.when, scope, new Map()) : undefined;
    if (decl.body.kind === "GroupBody") {
      this.requirements[name] = { ...this.group(name, decl.wording, decl.refs, when, decl.body, scope), role: decl.role };
    } else {
      this.requirements[name] = {
        id: name,
        wording: decl.wording,
        refs: formatRefs(decl.refs),
        role: role ?? decl.role,
        when,
        rule: this.condition(decl.body, scope, new Map()),
      };
    }
    this.inProgress.delete(name);
  }

  private group(id: string, wording: string, refs: readonly A.RefRange[], when: IrExpr | undefined, body: A.GroupBody, scope: Scope): IrRequirement {
    const items = this.items(body.items, id, scope, false);
    const n = body.quantifier.kind === "atLeast" || body.quantifier.kind === "atMost" ? body.quantifier.n : 0;
    if ((body.quantifier.kind === "atLeast" || body.quantifier.kind === "atMost") && (n < 1 || n > items.length)) {
      this.diagnostics.push(
        error("POL027", body.span, `'${body.quantifier.kind === "atLeast" ? "at least" : "at most"} ${n} of' cannot count ${n} among ${items.length} bullet${items.length === 1 ? "" : "s"}`, {
          hint: `give a number from 1 to ${items.length}, or add the missing bullets`,
        }),
      );
    }
    if (items.length === 0) this.diagnostics.push(error("POL027", body.span, "this list has no bullets"));
    const allRefs = [...refs, ...body.refs];
    const fallback = { all: "All of the following", any: "One of the following", none: "None of the following", atLeast: `At least ${n} of the following`, atMost: `At most ${n} of the following` }[body.quantifier.kind];
    const groupWording = wording || body.wording || fallback;
    return { id, wording: groupWording, refs: formatRefs(allRefs), role: "group", when, group: { quantifier: body.quantifier.kind, n, items } };
  }

  /** An expression that must be yes/no. */
  condition(expr: A.Expr, scope: Scope, locals: Locals): IrExpr {
    const typed = this.expr(expr, scope, locals);
    if (typed.ty.t !== "boolean" && typed.ty.t !== "error") {
      this.diagnostics.push(error("POL020", expr.span, `expected a yes/no condition here, but this is ${describeType(typed.ty)}`));
    }
    return typed.ir;
  }

  // ── Expressions ──────────────────────────────────────────────────────────────────────────

  expr(expr: A.Expr, scope: Scope, locals: Locals): Typed {
    switch (expr.kind) {
      case "Bool":
        return { ir: { k: "bool", v: expr.value }, ty: expr.recovered ? errorTy : booleanTy };
      case "Number":
        if (expr.unit === "percent") {
          if (expr.value < 0 || expr.value > 100) this.diagnostics.push(error("POL021", expr.span, `a percentage is between 0% and 100%, not ${expr.value}%`));
          return { ir: { k: "num", v: expr.value }, ty: { t: "number", percent: true } };
        }
        if (expr.unit) {
          if (expr.value < 0) this.diagnostics.push(error("POL021", expr.span, "a duration cannot be negative"));
          return { ir: { k: "dur", amount: expr.value, unit: expr.unit }, ty: { t: "duration" } };
        }
        return { ir: { k: "num", v: expr.value }, ty: { t: "number" } };
      case "Text":
        return { ir: { k: "text", v: expr.value }, ty: { t: "text" } };
      case "Date":
        if (!isValidIsoDate(expr.value)) {
          this.diagnostics.push(error("POL023", expr.span, `${expr.value} is not a date in the calendar`));
          return { ir: { k: "bool", v: false }, ty: errorTy };
        }
        return { ir: { k: "date", v: expr.value }, ty: { t: "date" } };
      case "Ref":
        return this.ref(expr, scope, locals);
      case "Field":
        return this.field(expr, scope, locals);
      case "Not": {
        // not not a = a, also with unknowns; collapsing keeps long chains of 'not' shallow.
        const arg = this.condition(expr.operand, scope, locals);
        return { ir: arg.k === "not" ? arg.arg : { k: "not", arg }, ty: booleanTy };
      }
      case "Binary":
        return this.binary(expr, scope, locals);
      case "In":
        return this.inSet(expr, scope, locals);
      case "Known": {
        const operand = this.expr(expr.operand, scope, locals);
        if (operand.ty.t === "group") {
          this.diagnostics.push(error("POL020", expr.operand.span, `'is known' asks about one fact; '${operand.ty.entry.decl.name}' is a group of facts`, { hint: "ask about a fact in the group, like group.fact is known" }));
        }
        const known: IrExpr = { k: "known", arg: operand.ir };
        return { ir: expr.negated ? { k: "not", arg: known } : known, ty: booleanTy };
      }
      case "Query":
        return this.query(expr, scope, locals);
      case "Time": {
        if (expr.from.kind === "Bool" && expr.from.recovered) return { ir: { k: "bool", v: false }, ty: errorTy };
        const from = this.expect(expr.from, scope, locals, "date", "time since/between needs a date");
        if (!expr.to) return { ir: { k: "span", from }, ty: { t: "duration" } };
        const to = this.expect(expr.to, scope, locals, "date", "time between needs two dates");
        return { ir: { k: "span", from, to }, ty: { t: "duration" } };
      }
    }
  }

  private expect(expr: A.Expr, scope: Scope, locals: Locals, t: Ty["t"], message: string): IrExpr {
    const typed = this.expr(expr, scope, locals);
    if (typed.ty.t !== t && typed.ty.t !== "error") {
      this.diagnostics.push(error("POL020", expr.span, `${message}, but this is ${describeType(typed.ty)}`));
    }
    return typed.ir;
  }

  private lookup(name: string, span: A.Span, scope: Scope, wanted: string, locals: Locals = new Map()): SymbolEntry | undefined {
    if (!name) return undefined;
    const entry = scope.get(name);
    if (entry) return entry;
    const candidates = [...scope.keys(), ...locals.keys(), ...builtinNames];
    const guess = suggest(name, candidates);
    this.diagnostics.push(
      error("POL011", span, `unknown ${wanted} '${name}'`, { hint: guess ? `did you mean '${guess}'?` : undefined }),
    );
    return undefined;
  }

  private ref(expr: A.RefExpr, scope: Scope, locals: Locals): Typed {
    const local = locals.get(expr.name);
    if (local && !expr.args) return { ir: { k: "var", name: expr.name }, ty: local };
    if (expr.name === "date_of_service" && !expr.args) return { ir: { k: "dos" }, ty: { t: "date" } };
    if (expr.name === "later_of" || expr.name === "earlier_of") {
      const args = (expr.args ?? []).map((a) => this.expect(a, scope, locals, "date", `${expr.name} compares dates`));
      if (args.length < 2) this.diagnostics.push(error("POL022", expr.span, `${expr.name} needs at least two dates`));
      return { ir: { k: expr.name, args }, ty: { t: "date" } };
    }
    if (expr.name === "recent_run") {
      const args = expr.args ?? [];
      if (args.length !== 2) {
        this.diagnostics.push(error("POL022", expr.span, "recent_run needs a list and a gap: recent_run(injections, 2 years)"));
        return { ir: { k: "bool", v: false }, ty: errorTy };
      }
      const list = this.expr(args[0], scope, locals);
      if (list.ty.t !== "list" && list.ty.t !== "error") {
        this.diagnostics.push(error("POL025", args[0].span, `recent_run needs a list, but this is ${describeType(list.ty)}`));
      }
      if (list.ty.t === "list") this.requireDateField(list.ty.decl, args[0].span);
      const gap = this.expect(args[1], scope, locals, "duration", "recent_run needs a gap like 2 years");
      return { ir: { k: "recent_run", list: list.ir, gap }, ty: list.ty };
    }
    const entry = this.lookup(expr.name, expr.span, scope, "name", locals);
    if (!entry) return { ir: { k: "bool", v: false }, ty: errorTy };
    if (expr.args && entry.kind !== "define") {
      this.diagnostics.push(error("POL022", expr.span, `'${expr.name}' is a ${entry.kind}, and only definitions take arguments`));
    }
    switch (entry.kind) {
      case "fact":
        return { ir: { k: "fact", path: entry.path }, ty: this.useFact(entry) };
      case "group":
        return { ir: { k: "bool", v: false }, ty: { t: "group", entry } };
      case "enum":
      case "record":
        this.diagnostics.push(error("POL020", expr.span, `'${expr.name}' is a type; a condition needs a fact, criterion or definition here`));
        return { ir: { k: "bool", v: false }, ty: errorTy };
      case "requirement":
        this.requirement(entry.decl.name, entry.decl, this.scopeOf(entry.decl.span));
        // Still being lowered means the criterion reached itself through its own rule.
        if (this.inProgress.has(entry.decl.name)) {
          this.diagnostics.push(error("POL024", expr.span, `criterion '${expr.name}' depends on itself`));
        }
        return { ir: { k: "crit", id: entry.decl.name }, ty: booleanTy };
      case "define":
        return this.call(expr, entry.decl, scope, locals);
    }
  }

  private call(expr: A.RefExpr, decl: A.DefineDecl, scope: Scope, locals: Locals): Typed {
    const args = expr.args ?? [];
    if (args.length !== decl.params.length) {
      this.diagnostics.push(
        error("POL022", expr.span, `'${decl.name}' takes ${decl.params.length} argument${decl.params.length === 1 ? "" : "s"}, not ${args.length}`, {
          related: [{ message: "declared here", span: decl.nameSpan }],
        }),
      );
    }
    const defScope = this.scopeOf(decl.span);
    const irArgs = args.map((arg, i) => {
      const param = decl.params[i];
      const expected = param ? this.typeRef(param.type, defScope) : errorTy;
      // A bare name passed where the definition expects an enum is one of its values.
      if (expected.t === "enum" && arg.kind === "Ref" && !arg.args && !locals.has(arg.name) && !scope.has(arg.name)) {
        return this.enumValue(expected.decl, arg.name, arg.span).ir;
      }
      const typed = this.expr(arg, scope, locals);
      if (param) {
        if (!compatible(expected, typed.ty)) {
          this.diagnostics.push(error("POL020", arg.span, `'${param.name}' of '${decl.name}' expects ${describeType(expected)}, but this is ${describeType(typed.ty)}`));
        }
      }
      return typed.ir;
    });
    const ty = this.define(decl);
    return { ir: { k: "call", def: decl.name, args: irArgs }, ty };
  }

  /** Lowers a definition once per program and returns the type of its body. */
  define(decl: A.DefineDecl): Ty {
    const known = this.defineTypes.get(decl.name);
    if (known) return known;
    const key = `define:${decl.name}`;
    if (this.inProgress.has(key)) {
      this.diagnostics.push(error("POL024", decl.nameSpan, `definition '${decl.name}' depends on itself`));
      return errorTy;
    }
    this.inProgress.add(key);
    const scope = this.scopeOf(decl.span);
    const locals: Locals = new Map();
    for (const param of decl.params) locals.set(param.name, this.typeRef(param.type, scope));
    const body = this.expr(decl.body, scope, locals);
    this.inProgress.delete(key);
    this.definitions[decl.name] = { params: decl.params.map((p) => p.name), body: body.ir };
    this.defineTypes.set(decl.name, body.ty);
    return body.ty;
  }

  private field(expr: A.FieldExpr, scope: Scope, locals: Locals): Typed {
    const object = this.expr(expr.object, scope, locals);
    const ty = object.ty;
    if (ty.t === "error") return { ir: { k: "bool", v: false }, ty: errorTy };
    if (ty.t === "group") {
      const member = ty.entry.members.get(expr.field);
      if (!member) {
        const guess = suggest(expr.field, ty.entry.members.keys());
        this.diagnostics.push(error("POL013", expr.fieldSpan, `group '${ty.entry.decl.name}' has no fact '${expr.field}'`, { hint: guess ? `did you mean '${guess}'?` : undefined }));
        return { ir: { k: "bool", v: false }, ty: errorTy };
      }
      if (member.kind === "group") return { ir: { k: "bool", v: false }, ty: { t: "group", entry: member } };
      if (member.kind === "fact") return { ir: { k: "fact", path: member.path }, ty: this.useFact(member) };
    }
    if (ty.t === "record") {
      const field = ty.decl.fields.find((f) => f.name === expr.field);
      if (!field) {
        const guess = suggest(expr.field, ty.decl.fields.map((f) => f.name));
        this.diagnostics.push(error("POL013", expr.fieldSpan, `a ${ty.decl.name} has no field '${expr.field}'`, { hint: guess ? `did you mean '${guess}'?` : undefined }));
        return { ir: { k: "bool", v: false }, ty: errorTy };
      }
      return { ir: { k: "field", of: object.ir, field: expr.field }, ty: this.typeRef(field.type, this.scopeOf(ty.decl.span)) };
    }
    this.diagnostics.push(error("POL013", expr.fieldSpan, `${describeType(ty)} has no fields`));
    return { ir: { k: "bool", v: false }, ty: errorTy };
  }

  private binary(expr: A.BinaryExpr, scope: Scope, locals: Locals): Typed {
    switch (expr.op) {
      case "and":
      case "or":
      case "unless": {
        // A chain `a and b and c` is one list, gathered without recursion however long it is.
        const operands: A.Expr[] = [];
        let node: A.Expr = expr;
        while (node.kind === "Binary" && node.op === expr.op) {
          operands.push(node.right);
          node = node.left;
        }
        operands.push(node);
        operands.reverse();
        const k = expr.op === "and" ? "and" : "or";
        const args = operands.flatMap((operand) => {
          const ir = this.condition(operand, scope, locals);
          return ir.k === k ? ir.args : [ir];
        });
        return { ir: { k, args }, ty: booleanTy };
      }
      case "+":
      case "-":
        return this.arithmetic(expr, scope, locals);
      case "within": {
        const arg = this.expect(expr.left, scope, locals, "date", "'within last' applies to a date");
        const window = this.expect(expr.right, scope, locals, "duration", "'within last' needs a duration like 12 months");
        return { ir: { k: "within", arg, window }, ty: booleanTy };
      }
      case "before":
      case "after": {
        const a = this.expect(expr.left, scope, locals, "date", `'${expr.op}' compares dates`);
        const b = this.expect(expr.right, scope, locals, "date", `'${expr.op}' compares dates`);
        return { ir: { k: "cmp", op: expr.op === "before" ? "<" : ">", a, b, kind: "date" }, ty: booleanTy };
      }
      default:
        return this.comparison(expr, expr.op, scope, locals);
    }
  }

  private arithmetic(expr: A.BinaryExpr, scope: Scope, locals: Locals): Typed {
    let terms = 1;
    for (let node: A.Expr = expr; node.kind === "Binary" && (node.op === "+" || node.op === "-"); node = node.left) terms++;
    if (terms > maxTerms) {
      this.diagnostics.push(error("POL032", expr.span, `this sum has ${terms} terms; at most ${maxTerms} are allowed`, { hint: "split it into named definitions" }));
      return { ir: { k: "num", v: 0 }, ty: errorTy };
    }
    const left = this.expr(expr.left, scope, locals);
    const right = this.expr(expr.right, scope, locals);
    const op = expr.op as "+" | "-";
    if (left.ty.t === "error" || right.ty.t === "error") return { ir: left.ir, ty: errorTy };
    if (left.ty.t === "date" && right.ty.t === "duration") {
      return { ir: { k: "arith", op, a: left.ir, b: right.ir, kind: "date" }, ty: { t: "date" } };
    }
    if (left.ty.t === "number" && right.ty.t === "number") {
      return { ir: { k: "arith", op, a: left.ir, b: right.ir, kind: "number" }, ty: { t: "number", integer: left.ty.integer && right.ty.integer } };
    }
    this.diagnostics.push(
      error("POL020", expr.opSpan, `cannot ${op === "+" ? "add" : "subtract"} ${describeType(right.ty)} ${op === "+" ? "to" : "from"} ${describeType(left.ty)}`, {
        hint: "numbers combine with numbers, and a date with a duration (date_of_service - 6 months)",
      }),
    );
    return { ir: left.ir, ty: errorTy };
  }

  private comparison(expr: A.BinaryExpr, op: ComparisonOp, scope: Scope, locals: Locals): Typed {
    let left = this.expr(expr.left, scope, locals);
    let right: Typed;
    // A bare name on the other side of an enum is one of its values.
    const isBareValue = (side: A.Expr, decl: A.EnumDecl) =>
      side.kind === "Ref" && !side.args && !locals.has(side.name) && (decl.members.some((m) => m.name === side.name) || (!scope.has(side.name) && side.name !== "date_of_service"));
    if (left.ty.t === "enum" && isBareValue(expr.right, left.ty.decl)) {
      right = this.enumValue(left.ty.decl, (expr.right as A.RefExpr).name, expr.right.span);
    } else {
      right = this.expr(expr.right, scope, locals);
      if (right.ty.t === "enum" && isBareValue(expr.left, right.ty.decl)) {
        left = this.enumValue(right.ty.decl, (expr.left as A.RefExpr).name, expr.left.span);
      }
    }
    const a = left.ty;
    const b = right.ty;
    const result = (kind: "boolean" | "number" | "date" | "duration" | "enum" | "text"): Typed => ({
      ir: { k: "cmp", op, a: left.ir, b: right.ir, kind },
      ty: booleanTy,
    });
    if (a.t === "error" || b.t === "error") return result("boolean");
    const ordered = op !== "=" && op !== "!=";
    if (a.t === "number" && b.t === "number") {
      if (Boolean(a.percent) !== Boolean(b.percent) && (a.percent ? expr.right.kind === "Number" : expr.left.kind === "Number")) {
        const literal = a.percent ? expr.right : expr.left;
        this.diagnostics.push(error("POL020", literal.span, `this compares a percentage with a plain number`, { hint: "write the number as a percentage, like 50%" }));
      }
      this.checkRange(a, expr.right, op);
      this.checkRange(b, expr.left, op);
      return result("number");
    }
    if (a.t === "date" && b.t === "date") return result("date");
    if (a.t === "duration" && b.t === "duration") return result("duration");
    if (a.t === "boolean" && b.t === "boolean" && !ordered) return result("boolean");
    if (a.t === "text" && b.t === "text" && !ordered) return result("text");
    if (a.t === "enum" && b.t === "enum" && !ordered) {
      if (a.decl !== b.decl) this.diagnostics.push(error("POL020", expr.opSpan, `cannot compare ${a.decl.name} with ${b.decl.name}`));
      return result("enum");
    }
    const hint =
      (a.t === "duration" && b.t === "number") || (a.t === "number" && b.t === "duration")
        ? "give the number a unit, like 3 months"
        : ordered && (a.t === "enum" || a.t === "boolean")
          ? "values of this kind can only be compared with = or !="
          : undefined;
    this.diagnostics.push(error("POL020", expr.opSpan, `cannot compare ${describeType(a)} with ${describeType(b)}`, { hint }));
    return result("boolean");
  }

  private checkRange(ty: Ty, literal: A.Expr, op: ComparisonOp): void {
    if (ty.t !== "number" || literal.kind !== "Number" || ty.min === undefined || ty.max === undefined) return;
    const v = literal.value;
    if (v < ty.min || v > ty.max) {
      this.diagnostics.push(
        error("POL021", literal.span, `${v}${literal.unit === "percent" ? "%" : ""} is outside ${ty.name ? `the range of '${ty.name}'` : "the range"}, ${ty.min} to ${ty.max}`, {
          hint: op === "=" ? "this comparison can never be true" : "check the number against the guideline",
        }),
      );
    }
  }

  private enumValue(decl: A.EnumDecl, name: string, span: A.Span): Typed {
    if (!decl.members.some((m) => m.name === name)) {
      const guess = suggest(name, decl.members.map((m) => m.name));
      this.diagnostics.push(
        error("POL014", span, `'${name}' is not a value of ${decl.name}`, {
          hint: guess ? `did you mean '${guess}'?` : `the values are: ${decl.members.map((m) => m.name).join(", ")}`,
        }),
      );
      return { ir: { k: "enum", v: name }, ty: errorTy };
    }
    return { ir: { k: "enum", v: name }, ty: { t: "enum", decl } };
  }

  private inSet(expr: A.InExpr, scope: Scope, locals: Locals): Typed {
    const operand = this.expr(expr.operand, scope, locals);
    // An empty set is a syntax error, already reported.
    if (expr.members.length === 0) return { ir: { k: "bool", v: false }, ty: errorTy };
    if (operand.ty.t !== "enum") {
      if (operand.ty.t !== "error") {
        this.diagnostics.push(error("POL020", expr.operand.span, `'in {…}' needs a value from a list of choices, but this is ${describeType(operand.ty)}`));
      }
      return { ir: { k: "bool", v: false }, ty: booleanTy };
    }
    for (const member of expr.members) this.enumValue(operand.ty.decl, member.name, member.span);
    const ir: IrExpr = expr.negated
      ? { k: "in", arg: operand.ir, values: expr.members.map((m) => m.name), negated: true }
      : { k: "in", arg: operand.ir, values: expr.members.map((m) => m.name) };
    return { ir, ty: booleanTy };
  }

  private query(expr: A.QueryExpr, scope: Scope, locals: Locals): Typed {
    const source = this.expr(expr.source, scope, locals);
    if (source.ty.t !== "list") {
      if (source.ty.t !== "error") {
        this.diagnostics.push(error("POL025", expr.source.span, `${expr.op} needs a list to look through, but this is ${describeType(source.ty)}`));
      }
      return { ir: { k: "bool", v: false }, ty: expr.op === "count" ? { t: "number", integer: true } : errorTy };
    }
    const element: Ty = { t: "record", decl: source.ty.decl };
    const inner = new Map(locals);
    inner.set(expr.binder, element);
    const filter = expr.filter ? this.condition(expr.filter, scope, inner) : undefined;
    let body: IrExpr | undefined;
    if (expr.body) {
      if (expr.op !== "every") this.diagnostics.push(error("POL028", expr.body.span, `only 'every' takes a condition after ':'`));
      body = this.condition(expr.body, scope, inner);
    } else if (expr.op === "every") {
      this.diagnostics.push(error("POL028", expr.span, "every needs a condition after ':', as in every(p in injections: p.relief >= 50%)"));
    }
    let merge: { a: string; b: string; cond: IrExpr } | undefined;
    if (expr.merge) {
      if (expr.op !== "count") this.diagnostics.push(error("POL028", expr.merge.span, "only count can count two entries as one"));
      const pair = new Map(locals);
      pair.set(expr.merge.first, element);
      pair.set(expr.merge.second, element);
      merge = { a: expr.merge.first, b: expr.merge.second, cond: this.condition(expr.merge.condition, scope, pair) };
    }
    if (expr.op === "latest" || expr.op === "earliest") this.requireDateField(source.ty.decl, expr.span);
    const ir: IrExpr = { k: "query", op: expr.op, binder: expr.binder, source: source.ir, filter, body, merge };
    switch (expr.op) {
      case "count":
        return { ir, ty: { t: "number", integer: true, min: 0 } };
      case "exists":
      case "every":
        return { ir, ty: booleanTy };
      case "select":
        return { ir, ty: source.ty };
      case "latest":
      case "earliest":
        return { ir, ty: { t: "record", decl: source.ty.decl, optional: true } };
    }
  }

  private requireDateField(decl: A.RecordDecl, span: A.Span): void {
    const date = decl.fields.find((f) => f.name === "date");
    if (!date || date.type.name !== "date") {
      this.diagnostics.push(error("POL026", span, `this needs each ${decl.name} to have a field 'date: date'`, { related: [{ message: `${decl.name} is declared here`, span: decl.nameSpan }] }));
    }
  }

  // ── Types and facts ──────────────────────────────────────────────────────────────────────

  /** A fact's type: anything but a single record, which the input could not tell apart from a group. */
  factType(decl: A.FactDecl, scope: Scope): Ty {
    const ty = this.typeRef(decl.type, scope);
    if (ty.t === "record") {
      this.diagnostics.push(error("POL012", decl.type.span, `a fact cannot hold a single ${ty.decl.name}`, { hint: `use 'list of ${ty.decl.name}', or a group of facts` }));
      return errorTy;
    }
    return ty;
  }

  typeRef(ref: A.TypeRef, scope: Scope): Ty {
    // A type the parser could not read is a syntax error, already reported.
    if (!ref.name) return errorTy;
    const range = ref.range;
    if (range && range.min > range.max) this.diagnostics.push(error("POL018", ref.span, `the range ${range.min} to ${range.max} is empty`));
    const withRange = (ty: Ty): Ty => {
      if (range && ty.t !== "number") this.diagnostics.push(error("POL018", ref.span, `only numbers take a range, not ${describeType(ty)}`));
      return ty;
    };
    if (ref.list) {
      const entry = scope.get(ref.name);
      if (entry?.kind === "record") return { t: "list", decl: entry.decl };
      this.diagnostics.push(error("POL012", ref.span, `a list holds records; '${ref.name}' is not a record type`, { hint: suggestHint(ref.name, recordNames(scope)) }));
      return errorTy;
    }
    switch (ref.name) {
      case "boolean":
        return withRange(booleanTy);
      case "number":
        return { t: "number", min: range?.min, max: range?.max };
      case "integer":
        return { t: "number", integer: true, min: range?.min, max: range?.max };
      case "percent":
        return { t: "number", percent: true, min: range?.min ?? 0, max: range?.max ?? 100 };
      case "duration":
        return withRange({ t: "duration" });
      case "date":
        return withRange({ t: "date" });
      case "text":
        return withRange({ t: "text" });
    }
    const entry = scope.get(ref.name);
    if (entry?.kind === "enum") return withRange({ t: "enum", decl: entry.decl });
    if (entry?.kind === "record") return withRange({ t: "record", decl: entry.decl });
    const guess = suggest(ref.name, [...builtinTypes, ...scope.keys()].filter((n) => (builtinTypes as readonly string[]).includes(n) || ["enum", "record"].includes(scope.get(n)?.kind ?? "")));
    this.diagnostics.push(error("POL012", ref.span, `unknown type '${ref.name}'`, { hint: guess ? `did you mean '${guess}'?` : `the types are ${builtinTypes.join(", ")}, an enum or 'list of' a record` }));
    return errorTy;
  }

  private useFact(entry: Extract<SymbolEntry, { kind: "fact" }>): Ty {
    const scope = this.scopeOf(entry.decl.span);
    const ty = this.factType(entry.decl, scope);
    const named = ty.t === "number" ? { ...ty, name: entry.decl.name } : ty;
    if (!this.facts.has(entry.path)) {
      this.facts.set(entry.path, { path: entry.path, type: fieldType(ty), description: entry.decl.doc ?? entry.decl.name });
      if (ty.t === "list") this.useRecord(ty.decl);
    }
    return named;
  }

  private useRecord(decl: A.RecordDecl): void {
    if (this.records.has(decl.name)) return;
    const fields: FactSchema[] = [];
    this.records.set(decl.name, fields);
    const scope = this.scopeOf(decl.span);
    for (const field of decl.fields) {
      const ty = this.typeRef(field.type, scope);
      fields.push({ path: field.name, type: fieldType(ty), description: field.doc ?? field.name });
      if (ty.t === "list") this.useRecord(ty.decl);
    }
  }
}

export type Locals = Map<string, Ty>;

/** Sums are evaluated by recursion, so their length is bounded like nesting. */
const maxTerms = 64;

function compatible(expected: Ty, actual: Ty): boolean {
  if (expected.t === "error" || actual.t === "error") return true;
  if (expected.t !== actual.t) return false;
  if (expected.t === "number" && actual.t === "number") return Boolean(expected.percent) === Boolean(actual.percent) || !actual.percent;
  if (expected.t === "enum" && actual.t === "enum") return expected.decl === actual.decl;
  if ((expected.t === "record" || expected.t === "list") && (actual.t === "record" || actual.t === "list")) return expected.decl === actual.decl;
  return true;
}

export function fieldType(ty: Ty): FieldType {
  switch (ty.t) {
    case "number":
      return { t: "number", min: ty.min, max: ty.max, integer: ty.integer };
    case "enum":
      return { t: "enum", values: ty.decl.members.map((m) => m.name) };
    case "list":
      return { t: "list", record: ty.decl.name };
    case "date":
    case "duration":
    case "boolean":
    case "text":
      return { t: ty.t };
    default:
      return { t: "boolean" };
  }
}

function recordNames(scope: Scope): string[] {
  return [...scope.entries()].filter(([, e]) => e.kind === "record").map(([n]) => n);
}

function suggestHint(name: string, candidates: string[]): string | undefined {
  const guess = suggest(name, candidates);
  return guess ? `did you mean '${guess}'?` : undefined;
}

/** `[2-5, 7]` → "2-5, 7". */
export function formatRefs(refs: readonly A.RefRange[]): string {
  return refs.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)).join(", ");
}

