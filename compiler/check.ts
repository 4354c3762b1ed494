/**
 * Type checking. Every declaration of the library is checked exactly once, in the scope of its
 * file; every mistake becomes a diagnostic and checking goes on, so that one run reports
 * everything. What the checker resolves (the type of each expression, what each name and `use`
 * means, the type each type name denotes) is recorded in a `Checked` library, which lowering and
 * the docs read instead of resolving names again.
 */
import type * as A from "./ast.js";
import type { ComparisonOp } from "../runtime/vocabulary.js";
import { error, suggest, type Diagnostic } from "./diagnostics.js";
import { builtinFunctions, builtinNames, builtinTypes, type BuiltinFunction, type Namespaces, type Scope, type SymbolEntry } from "./scope.js";
import { isValidIsoDate } from "../runtime/dates.js";
import type { Extensions } from "./extensions.js";
import { parseLevels } from "../runtime/levels.js";

export type FactEntry = Extract<SymbolEntry, { kind: "fact" }>;
export type GroupEntry = Extract<SymbolEntry, { kind: "group" }>;

export type Ty =
  | { readonly t: "boolean" }
  | { readonly t: "number"; readonly min?: number; readonly max?: number; readonly integer?: boolean; readonly percent?: boolean; readonly name?: string }
  | { readonly t: "date" }
  | { readonly t: "duration" }
  | { readonly t: "text" }
  | { readonly t: "levels" }
  | { readonly t: "enum"; readonly decl: A.EnumDecl }
  | { readonly t: "record"; readonly decl: A.RecordDecl; readonly optional?: boolean }
  | { readonly t: "list"; readonly decl: A.RecordDecl }
  | { readonly t: "group"; readonly entry: GroupEntry }
  | { readonly t: "error" };

const errorTy: Ty = { t: "error" };
const booleanTy: Ty = { t: "boolean" };

/** What a name in an expression stands for. */
export type Resolution =
  | { readonly kind: "fact"; readonly entry: FactEntry }
  | { readonly kind: "group"; readonly entry: GroupEntry }
  | { readonly kind: "define"; readonly decl: A.DefineDecl }
  | { readonly kind: "requirement"; readonly decl: A.RequirementDecl }
  /** A definition's parameter or a query's entry. */
  | { readonly kind: "local" }
  | { readonly kind: "date_of_service" }
  | { readonly kind: "builtin"; readonly name: "later_of" | "earlier_of" | "recent_run" }
  /** A built-in function of values (percent_change, same_level, …). */
  | { readonly kind: "function"; readonly name: BuiltinFunction }
  /** A bare name that is one of an enum's values. */
  | { readonly kind: "enumValue"; readonly decl: A.EnumDecl }
  | { readonly kind: "error" };

/** What `x.name` reads: a fact of a group, a group inside one, or a field of a record. */
export type FieldResolution =
  | { readonly kind: "fact"; readonly entry: FactEntry }
  | { readonly kind: "group"; readonly entry: GroupEntry }
  | { readonly kind: "recordField"; readonly record: A.RecordDecl; readonly field: A.FieldDecl }
  | { readonly kind: "error" };

/** The checked library: the files, what each sees, and what the checker resolved. */
export interface Checked {
  readonly files: ReadonlyMap<string, A.PolFile>;
  readonly scopes: ReadonlyMap<string, Scope>;
  readonly types: ReadonlyMap<A.Expr, Ty>;
  readonly refs: ReadonlyMap<A.RefExpr, Resolution>;
  readonly fields: ReadonlyMap<A.FieldExpr, FieldResolution>;
  /** The criterion each `use` item and each checked note stands for. */
  readonly items: ReadonlyMap<A.UseItem | A.NoteItem, A.RequirementDecl>;
  readonly typeRefs: ReadonlyMap<A.TypeRef, Ty>;
  /** The type of each definition's body. */
  readonly defineTypes: ReadonlyMap<A.DefineDecl, Ty>;
  /** The record each `extend record` extends, and the extensions each file sees. */
  readonly extensions: Extensions;
  /** The policies each `meets NAME` reads: the policy of that id, or the versions of that guideline. */
  readonly meets: ReadonlyMap<A.MeetsExpr, MeetsResolution>;
}

/** What `meets NAME` names: one policy, or the versions of a guideline (the date of service chooses). */
export interface MeetsResolution {
  readonly name: string;
  readonly policies: readonly A.PolicyDecl[];
}

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
    case "levels":
      return "spinal levels";
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

export type Locals = ReadonlyMap<string, Ty>;

/** Sums are evaluated by recursion, so their length is bounded like nesting. */
const maxTerms = 64;

export class Checker {
  private readonly types = new Map<A.Expr, Ty>();
  private readonly refs = new Map<A.RefExpr, Resolution>();
  private readonly fieldRefs = new Map<A.FieldExpr, FieldResolution>();
  private readonly items = new Map<A.UseItem | A.NoteItem, A.RequirementDecl>();
  private readonly typeRefs = new Map<A.TypeRef, Ty>();
  private readonly defineTypes = new Map<A.DefineDecl, Ty>();
  private readonly meets = new Map<A.MeetsExpr, MeetsResolution>();
  /** Declarations checked, or being checked (a criterion or definition that reaches itself). */
  private readonly checked = new Set<A.Declaration>();
  private readonly inProgress = new Set<A.Declaration>();

  constructor(
    private readonly files: ReadonlyMap<string, A.PolFile>,
    private readonly scopes: ReadonlyMap<string, Scope>,
    readonly diagnostics: Diagnostic[],
    private readonly namespaces: Namespaces = new Map(),
    /** Whether a syntax error spoils a declaration: its type is not known, so its uses are not checked against it. */
    private readonly spoilt: (decl: { readonly span: A.Span }) => boolean = () => false,
    private readonly extensions: Extensions = { targets: new Map(), visible: new Map() },
    /** Each file with the files it imports, transitively (for the policies `meets` may name). */
    private readonly visibleFiles: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
  ) {}

  /**
   * The names `nia.NAME` reaches, where `at` is written: those of the file imported as nia (what
   * that file sees). Undefined, reported, when the file imports nothing under that name.
   */
  private namespaceScope(namespace: string, at: A.Span): Scope | undefined {
    if (!namespace) return undefined;
    const imported = this.namespaces.get(at.file)?.get(namespace);
    if (imported) return this.scopes.get(imported.file) ?? new Map();
    const names = [...(this.namespaces.get(at.file)?.keys() ?? [])];
    const guess = suggest(namespace, names);
    this.diagnostics.push(
      error("POL011", at, `'${namespace}' is not the name of an imported file`, {
        hint: guess ? `did you mean '${guess}'?` : `import a file under that name: import "…" as ${namespace}`,
      }),
    );
    return undefined;
  }

  /** A parameter or a question's entry may not take a name a file is imported under: `nia.x` would be ambiguous. */
  private localName(name: string, span: A.Span): void {
    const imported = this.namespaces.get(span.file)?.get(name);
    if (imported) this.diagnostics.push(error("POL010", span, `'${name}' already names an imported file`, { related: [{ message: "named here", span: imported.span }], hint: "choose another name" }));
  }

  result(): Checked {
    return { files: this.files, scopes: this.scopes, types: this.types, refs: this.refs, fields: this.fieldRefs, items: this.items, typeRefs: this.typeRefs, defineTypes: this.defineTypes, extensions: this.extensions, meets: this.meets };
  }

  private scopeOf(span: A.Span): Scope {
    return this.scopes.get(span.file) ?? new Map();
  }

  // ── Declarations ─────────────────────────────────────────────────────────────────────────

  /** Every declaration of a file, used or not, so that errors in unused ones are reported too. */
  declarations(file: A.PolFile): void {
    const scope = this.scopeOf(file.span);
    for (const decl of file.declarations) {
      if (decl.kind === "Define") this.define(decl);
      else if (decl.kind === "Requirement") this.requirement(decl);
      else if (decl.kind === "Fact") this.absenceReading(decl, this.factType(decl, scope));
      else if (decl.kind === "Record" || decl.kind === "Extend") for (const f of decl.fields) this.fieldType(f, scope);
      else if (decl.kind === "Group") this.groupTypes(decl, scope);
    }
  }

  private groupTypes(group: A.GroupDecl, scope: Scope): void {
    for (const member of group.members) {
      if (member.kind === "Fact") this.absenceReading(member, this.factType(member, scope));
      else this.groupTypes(member, scope);
    }
  }

  section(section: A.Section): void {
    const scope = this.scopeOf(section.span);
    if (section.when) this.condition(section.when, scope, new Map());
    this.itemList(section.items, scope, section.sectionKind === "indications");
    if (section.sectionKind === "indications" && !section.items.some((i) => i.kind === "Requirement" && i.role === "pathway")) {
      this.diagnostics.push(error("POL060", section.span, "an indications section needs at least one pathway", { hint: 'write: pathway NAME "wording": all of { … }' }));
    }
  }

  /** A service line: whether the request asks for it, and its own sections. */
  service(service: A.ServiceDecl): void {
    if (service.when) this.condition(service.when, this.scopeOf(service.span), new Map());
    if (service.sections.length === 0) this.diagnostics.push(error("POL071", service.span, `service '${service.name}' has no sections`, { hint: 'give it the sections that decide it, like contraindications "…" { … }' }));
    for (const section of service.sections) {
      if (section.sectionKind === "indications") this.diagnostics.push(error("POL061", section.span, "a service line has no pathways of its own: use requirements, contraindications, exclusions, not covered or advisories"));
      this.section(section);
    }
  }

  appliesClause(clause: A.AppliesClause): void {
    this.condition(clause.condition, this.scopeOf(clause.span), new Map());
  }

  /** Checks the items of a section or list; returns how many of them are bullets (requirements). */
  private itemList(items: readonly A.Item[], scope: Scope, pathwaysAllowed: boolean): number {
    let bullets = 0;
    for (const item of items) {
      switch (item.kind) {
        case "Requirement":
          if (item.role === "pathway" && !pathwaysAllowed) {
            this.diagnostics.push(error("POL028", item.nameSpan, `pathway '${item.name}' can only stand directly in an indications section`));
          }
          if (item.name) {
            this.requirement(item);
            bullets++;
          }
          break;
        case "Use": {
          const home = item.namespace !== undefined ? this.namespaceScope(item.namespace, item.span) : scope;
          const entry = home ? this.lookup(item.name, item.span, home, "requirement") : undefined;
          if (entry?.kind === "requirement") {
            this.items.set(item, entry.decl);
            this.requirement(entry.decl);
            bullets++;
          } else if (entry) {
            this.diagnostics.push(error("POL033", item.span, `'${item.name}' is a ${entry.kind}, not a criterion; only criteria can be used as bullets`));
          }
          break;
        }
        case "Note":
          if (item.name && item.rule) {
            const entry = scope.get(item.name);
            if (entry?.kind === "requirement") {
              this.items.set(item, entry.decl);
              this.requirement(entry.decl);
              bullets++;
            }
          } else if (item.rule) {
            this.diagnostics.push(error("POL062", item.span, "a checked note needs a name", { hint: 'write: note NAME "text": rule' }));
          }
          break;
        case "GroupBody":
          this.groupBody(item, scope);
          bullets++;
          break;
      }
    }
    return bullets;
  }

  /** A criterion, pathway or checked note, once; a reference back to one being checked is a cycle. */
  requirement(decl: A.RequirementDecl, reference?: A.RefExpr): void {
    if (this.inProgress.has(decl)) {
      if (reference) this.diagnostics.push(error("POL024", reference.span, `criterion '${reference.name}' depends on itself`));
      return;
    }
    if (this.checked.has(decl)) return;
    this.checked.add(decl);
    this.inProgress.add(decl);
    const scope = this.scopeOf(decl.span);
    if (decl.when) this.condition(decl.when, scope, new Map());
    if (decl.body.kind === "GroupBody") this.groupBody(decl.body, scope);
    else this.condition(decl.body, scope, new Map());
    this.inProgress.delete(decl);
  }

  private groupBody(body: A.GroupBody, scope: Scope): void {
    const bullets = this.itemList(body.items, scope, false);
    if ((body.quantifier === "atLeast" || body.quantifier === "atMost") && (body.n < 1 || body.n > bullets)) {
      this.diagnostics.push(
        error("POL027", body.span, `'${body.quantifier === "atLeast" ? "at least" : "at most"} ${body.n} of' cannot count ${body.n} among ${bullets} bullet${bullets === 1 ? "" : "s"}`, {
          hint: `give a number from 1 to ${bullets}, or add the missing bullets`,
        }),
      );
    }
    if (bullets === 0) this.diagnostics.push(error("POL074", body.span, "this list has no bullets"));
  }

  /** A definition, once; returns the type of its body. */
  define(decl: A.DefineDecl): Ty {
    const known = this.defineTypes.get(decl);
    if (known) return known;
    if (this.inProgress.has(decl)) {
      this.diagnostics.push(error("POL024", decl.nameSpan, `definition '${decl.name}' depends on itself`));
      return errorTy;
    }
    this.inProgress.add(decl);
    const scope = this.scopeOf(decl.span);
    const locals = new Map<string, Ty>();
    for (const param of decl.params) {
      this.localName(param.name, param.nameSpan);
      locals.set(param.name, this.typeRef(param.type, scope));
    }
    const ty = this.expr(decl.body, scope, locals);
    this.inProgress.delete(decl);
    this.defineTypes.set(decl, ty);
    return ty;
  }

  /** An expression that must be yes/no. */
  private condition(expr: A.Expr, scope: Scope, locals: Locals): void {
    const ty = this.expr(expr, scope, locals);
    if (ty.t !== "boolean" && ty.t !== "error") {
      this.diagnostics.push(error("POL020", expr.span, `expected a yes/no condition here, but this is ${describeType(ty)}`));
    }
  }

  // ── Expressions ──────────────────────────────────────────────────────────────────────────

  private expr(expr: A.Expr, scope: Scope, locals: Locals): Ty {
    const ty = this.exprType(expr, scope, locals);
    this.types.set(expr, ty);
    return ty;
  }

  private exprType(expr: A.Expr, scope: Scope, locals: Locals): Ty {
    switch (expr.kind) {
      case "Bool":
        return expr.recovered ? errorTy : booleanTy;
      case "Number":
        if (expr.unit === "percent") {
          if (expr.value < 0 || expr.value > 100) this.diagnostics.push(error("POL076", expr.span, `a percentage is between 0% and 100%, not ${expr.value}%`));
          return { t: "number", percent: true };
        }
        if (expr.unit) {
          if (expr.value < 0) this.diagnostics.push(error("POL077", expr.span, "a duration cannot be negative"));
          return { t: "duration" };
        }
        return { t: "number" };
      case "Text":
        return { t: "text" };
      case "Date":
        if (!isValidIsoDate(expr.value)) {
          this.diagnostics.push(error("POL023", expr.span, `${expr.value} is not a date in the calendar`));
          return errorTy;
        }
        return { t: "date" };
      case "Ref":
        return this.ref(expr, scope, locals);
      case "Field":
        return this.field(expr, scope, locals);
      case "Not":
        this.condition(expr.operand, scope, locals);
        return booleanTy;
      case "Binary":
        return this.binary(expr, scope, locals);
      case "In":
        return this.inSet(expr, scope, locals);
      case "Known": {
        const operand = this.expr(expr.operand, scope, locals);
        if (operand.t === "group") {
          this.diagnostics.push(error("POL048", expr.operand.span, `'is known' asks about one fact; '${operand.entry.decl.name}' is a group of facts`, { hint: "ask about a fact in the group, like group.fact is known" }));
        }
        return booleanTy;
      }
      case "Query":
        return this.query(expr, scope, locals);
      case "Time": {
        if (expr.from.kind === "Bool" && expr.from.recovered) return errorTy;
        this.expect(expr.from, scope, locals, "date", "time since/between needs a date");
        if (expr.to) this.expect(expr.to, scope, locals, "date", "time between needs two dates");
        return { t: "duration" };
      }
      case "Refer":
        if (expr.condition) this.condition(expr.condition, scope, locals);
        return booleanTy;
      case "Meets":
        this.meetsExpr(expr);
        return booleanTy;
      case "If": {
        this.condition(expr.condition, scope, locals);
        return this.sameType(expr.then, expr.otherwise, scope, locals, "'if' gives");
      }
      case "Case":
        return this.caseExpr(expr, scope, locals);
    }
  }

  /** Two expressions that must give the same kind of value (the branches of an if or a case); that type. */
  private sameType(a: A.Expr, b: A.Expr, scope: Scope, locals: Locals, what: string): Ty {
    const ta = this.expr(a, scope, locals);
    const tb = this.expr(b, scope, locals);
    if (ta.t === "error" || tb.t === "error") return errorTy;
    return this.unify(ta, tb, b, what);
  }

  private unify(ta: Ty, tb: Ty, at: A.Expr, what: string): Ty {
    if (ta.t === "error" || tb.t === "error") return errorTy;
    if (ta.t === tb.t && compatible(ta, tb) && compatible(tb, ta)) return ta.t === "number" && tb.t === "number" ? { t: "number", percent: ta.percent, integer: ta.integer && tb.integer } : ta;
    this.diagnostics.push(error("POL038", at.span, `${what} ${describeType(ta)} in one case and ${describeType(tb)} in another`, { hint: "every case must give the same kind of value" }));
    return errorTy;
  }

  /** `case X { a or b: A, else: B }`: X is a choice of an enum; every value has an arm, or there is an else. */
  private caseExpr(expr: A.CaseExpr, scope: Scope, locals: Locals): Ty {
    const subject = this.expr(expr.subject, scope, locals);
    if (subject.t !== "enum") {
      if (subject.t !== "error") this.diagnostics.push(error("POL039", expr.subject.span, `'case' needs a choice of an enum, but this is ${describeType(subject)}`));
      for (const arm of expr.arms) this.expr(arm.value, scope, locals);
      return errorTy;
    }
    const covered = new Set<string>();
    let otherwise = false;
    let result: Ty | undefined;
    for (const arm of expr.arms) {
      if (arm.values.length === 0) otherwise = true;
      for (const v of arm.values) {
        if (this.enumValue(undefined, subject.decl, v.name, v.span).t === "error") continue;
        if (covered.has(v.name)) this.diagnostics.push(error("POL010", v.span, `'${v.name}' has an arm already`));
        covered.add(v.name);
      }
      const ty = this.expr(arm.value, scope, locals);
      result = result === undefined ? ty : this.unify(result, ty, arm.value, "'case' gives");
    }
    const left = subject.decl.members.filter((m) => !covered.has(m.name)).map((m) => m.name);
    if (!otherwise && left.length > 0) {
      this.diagnostics.push(error("POL041", expr.span, `this case has no arm for ${left.map((n) => `'${n}'`).join(", ")}`, { hint: "add an arm for each, or an 'else:' arm" }));
    }
    return result ?? errorTy;
  }

  private expect(expr: A.Expr, scope: Scope, locals: Locals, t: Ty["t"], message: string): void {
    const ty = this.expr(expr, scope, locals);
    if (ty.t !== t && ty.t !== "error") {
      this.diagnostics.push(error("POL043", expr.span, `${message}, but this is ${describeType(ty)}`));
    }
  }

  private lookup(name: string, span: A.Span, scope: Scope, wanted: string, locals: Locals = new Map()): SymbolEntry | undefined {
    if (!name) return undefined;
    const entry = scope.get(name);
    if (entry) return entry;
    const candidates = [...scope.keys(), ...locals.keys(), ...builtinNames, ...(this.namespaces.get(span.file)?.keys() ?? [])];
    const guess = suggest(name, candidates);
    this.diagnostics.push(error("POL011", span, `unknown ${wanted} '${name}'`, { hint: guess ? `did you mean '${guess}'?` : undefined }));
    return undefined;
  }

  private resolve(expr: A.RefExpr, resolution: Resolution, ty: Ty): Ty {
    this.refs.set(expr, resolution);
    return ty;
  }

  private ref(expr: A.RefExpr, scope: Scope, locals: Locals): Ty {
    if (expr.namespace !== undefined) return this.namespacedRef(expr, expr.namespace, scope, locals);
    const local = locals.get(expr.name);
    if (local && !expr.args) return this.resolve(expr, { kind: "local" }, local);
    if (expr.name === "date_of_service" && !expr.args) return this.resolve(expr, { kind: "date_of_service" }, { t: "date" });
    if (expr.name === "later_of" || expr.name === "earlier_of") {
      const args = expr.args ?? [];
      for (const a of args) this.expect(a, scope, locals, "date", `${expr.name} compares dates`);
      if (args.length < 2) this.diagnostics.push(error("POL022", expr.span, `${expr.name} needs at least two dates`));
      return this.resolve(expr, { kind: "builtin", name: expr.name }, { t: "date" });
    }
    if (expr.name === "recent_run") {
      const args = expr.args ?? [];
      if (args.length !== 2) {
        this.diagnostics.push(error("POL022", expr.span, "recent_run needs a list and a gap: recent_run(injections, 2 years)"));
        return this.resolve(expr, { kind: "error" }, errorTy);
      }
      const list = this.expr(args[0], scope, locals);
      if (list.t !== "list" && list.t !== "error") {
        this.diagnostics.push(error("POL025", args[0].span, `recent_run needs a list, but this is ${describeType(list)}`));
      }
      if (list.t === "list") this.requireDateField(list.decl, args[0].span);
      this.expect(args[1], scope, locals, "duration", "recent_run needs a gap like 2 years");
      return this.resolve(expr, { kind: "builtin", name: "recent_run" }, list);
    }
    if (Object.hasOwn(builtinFunctions, expr.name) && !locals.has(expr.name)) return this.builtinFunction(expr, expr.name as BuiltinFunction, scope, locals);
    if (!scope.has(expr.name) && this.namespaces.get(expr.span.file)?.has(expr.name)) {
      this.diagnostics.push(error("POL044", expr.span, `'${expr.name}' names an imported file; name one of its declarations, like ${expr.name}.NAME`));
      return this.resolve(expr, { kind: "error" }, errorTy);
    }
    const entry = this.lookup(expr.name, expr.span, scope, "name", locals);
    return this.entryRef(expr, entry, scope, locals);
  }

  /** `nia.NAME`: a declaration of the file imported as nia, used like a name of this file. */
  private namespacedRef(expr: A.RefExpr, namespace: string, scope: Scope, locals: Locals): Ty {
    const home = this.namespaceScope(namespace, expr.span);
    if (!home) return this.resolve(expr, { kind: "error" }, errorTy);
    const entry = home.get(expr.name);
    if (!entry && expr.name) {
      const guess = suggest(expr.name, home.keys());
      this.diagnostics.push(error("POL011", expr.span, `'${namespace}' has no declaration '${expr.name}'`, { hint: guess ? `did you mean '${namespace}.${guess}'?` : undefined }));
    }
    return this.entryRef(expr, entry, scope, locals);
  }

  /** A name resolved to a declaration: what it reads, and its type. */
  private entryRef(expr: A.RefExpr, entry: SymbolEntry | undefined, scope: Scope, locals: Locals): Ty {
    if (!entry) return this.resolve(expr, { kind: "error" }, errorTy);
    if (expr.args && entry.kind !== "define") {
      this.diagnostics.push(error("POL068", expr.span, `'${expr.name}' is a ${entry.kind}, and only definitions take arguments`));
    }
    if ((entry.kind === "fact" || entry.kind === "define") && this.spoilt(entry.decl)) {
      return this.resolve(expr, entry.kind === "fact" ? { kind: "fact", entry } : { kind: "define", decl: entry.decl }, errorTy);
    }
    switch (entry.kind) {
      case "fact":
        return this.resolve(expr, { kind: "fact", entry }, this.factTy(entry));
      case "group":
        return this.resolve(expr, { kind: "group", entry }, { t: "group", entry });
      case "enum":
      case "record":
        this.diagnostics.push(error("POL045", expr.span, `'${expr.name}' is a type; a condition needs a fact, criterion or definition here`));
        return this.resolve(expr, { kind: "error" }, errorTy);
      case "requirement":
        this.requirement(entry.decl, expr);
        return this.resolve(expr, { kind: "requirement", decl: entry.decl }, booleanTy);
      case "define":
        return this.resolve(expr, { kind: "define", decl: entry.decl }, this.call(expr, entry.decl, scope, locals));
    }
  }

  private call(expr: A.RefExpr, decl: A.DefineDecl, scope: Scope, locals: Locals): Ty {
    const args = expr.args ?? [];
    if (args.length !== decl.params.length) {
      this.diagnostics.push(
        error("POL022", expr.span, `'${decl.name}' takes ${decl.params.length} argument${decl.params.length === 1 ? "" : "s"}, not ${args.length}`, {
          related: [{ message: "declared here", span: decl.nameSpan }],
        }),
      );
    }
    const defScope = this.scopeOf(decl.span);
    args.forEach((arg, i) => {
      const param = decl.params[i];
      const expected = param ? this.typeRef(param.type, defScope) : errorTy;
      // A bare name passed where the definition expects an enum is one of its values.
      if (expected.t === "enum" && arg.kind === "Ref" && !arg.args && !arg.namespace && !locals.has(arg.name) && !scope.has(arg.name)) {
        this.types.set(arg, this.enumValue(arg, expected.decl, arg.name, arg.span));
        return;
      }
      const ty = this.expr(arg, scope, locals);
      if (param && !compatible(expected, ty)) {
        this.diagnostics.push(error("POL043", arg.span, `'${param.name}' of '${decl.name}' expects ${describeType(expected)}, but this is ${describeType(ty)}`));
      }
    });
    return this.define(decl);
  }

  private field(expr: A.FieldExpr, scope: Scope, locals: Locals): Ty {
    const ty = this.expr(expr.object, scope, locals);
    const resolve = (resolution: FieldResolution, result: Ty): Ty => {
      this.fieldRefs.set(expr, resolution);
      return result;
    };
    if (ty.t === "error") return resolve({ kind: "error" }, errorTy);
    if (ty.t === "group") {
      const member = ty.entry.members.get(expr.field);
      // A group or record a syntax error spoils may lack what the broken line declared.
      if (this.spoilt(ty.entry.decl)) return resolve(member?.kind === "fact" ? { kind: "fact", entry: member } : { kind: "error" }, errorTy);
      if (!member) {
        const guess = suggest(expr.field, ty.entry.members.keys());
        this.diagnostics.push(error("POL013", expr.fieldSpan, `group '${ty.entry.decl.name}' has no fact '${expr.field}'`, { hint: guess ? `did you mean '${guess}'?` : undefined }));
        return resolve({ kind: "error" }, errorTy);
      }
      if (member.kind === "group") return resolve({ kind: "group", entry: member }, { t: "group", entry: member });
      if (member.kind === "fact") return resolve({ kind: "fact", entry: member }, this.factTy(member));
    }
    if (ty.t === "record") {
      const fields = this.fieldsOf(ty.decl, expr.span.file);
      const field = fields.find((f) => f.name === expr.field);
      if (this.spoilt(ty.decl)) return resolve(field ? { kind: "recordField", record: ty.decl, field } : { kind: "error" }, errorTy);
      if (!field) {
        const guess = suggest(
          expr.field,
          fields.map((f) => f.name),
        );
        this.diagnostics.push(error("POL013", expr.fieldSpan, `a ${ty.decl.name} has no field '${expr.field}'`, { hint: guess ? `did you mean '${guess}'?` : undefined }));
        return resolve({ kind: "error" }, errorTy);
      }
      return resolve({ kind: "recordField", record: ty.decl, field }, this.typeRef(field.type, this.scopeOf(field.span)));
    }
    this.diagnostics.push(error("POL013", expr.fieldSpan, `${describeType(ty)} has no fields`));
    return resolve({ kind: "error" }, errorTy);
  }

  /** A record's fields as a file sees them: its own, then those the extensions the file sees add. */
  private fieldsOf(record: A.RecordDecl, file: string): readonly A.FieldDecl[] {
    const added = (this.extensions.visible.get(file) ?? []).filter((x) => this.extensions.targets.get(x) === record);
    return added.length === 0 ? record.fields : [...record.fields, ...added.flatMap((x) => x.fields)];
  }

  /**
   * `meets NAME`: a policy this file sees (declared here or in a file it imports), by its id, or
   * the versions of a guideline by its name.
   */
  private meetsExpr(expr: A.MeetsExpr): void {
    if (!expr.policy) return;
    let home = expr.span.file;
    if (expr.namespace !== undefined) {
      const imported = this.namespaces.get(expr.span.file)?.get(expr.namespace);
      if (!imported) {
        this.diagnostics.push(error("POL084", expr.policySpan, `'${expr.namespace}' is not the name of an imported file`, { hint: `import a file under that name: import "…" as ${expr.namespace}` }));
        return;
      }
      home = imported.file;
    }
    const seen = this.visibleFiles.get(home) ?? new Set([home]);
    const policies = [...seen].flatMap((f) => this.files.get(f)?.policies ?? []);
    const byId = policies.filter((p) => p.name === expr.policy);
    const versions = byId.length > 0 ? byId : policies.filter((p) => p.properties.some((x) => x.key === "guideline" && x.value === expr.policy));
    if (versions.length > 0) {
      const sorted = [...versions].sort((a, b) => (a.effective?.from ?? "").localeCompare(b.effective?.from ?? "") || a.name.localeCompare(b.name));
      this.meets.set(expr, { name: expr.policy, policies: sorted });
      return;
    }
    const names = [...new Set(policies.flatMap((p) => [p.name, ...p.properties.filter((x) => x.key === "guideline").map((x) => x.value)]))];
    const guess = suggest(expr.policy, names);
    this.diagnostics.push(
      error("POL084", expr.policySpan, `'${expr.policy}' is not a policy or guideline this file sees`, { hint: guess ? `did you mean '${guess}'?` : "import the file that declares the policy" }),
    );
  }

  private binary(expr: A.BinaryExpr, scope: Scope, locals: Locals): Ty {
    switch (expr.op) {
      case "and":
      case "or":
      case "unless": {
        // A chain `a and b and c` is checked as one list, without recursion however long it is.
        for (const operand of chainOperands(expr)) this.condition(operand, scope, locals);
        return booleanTy;
      }
      case "+":
      case "-":
        return this.arithmetic(expr, scope, locals);
      case "*":
      case "/":
        return this.multiplication(expr, expr.op, scope, locals);
      case "within":
        this.expect(expr.left, scope, locals, "date", "'within last' applies to a date");
        this.expect(expr.right, scope, locals, "duration", "'within last' needs a duration like 12 months");
        return booleanTy;
      case "before":
      case "after":
        this.expect(expr.left, scope, locals, "date", `'${expr.op}' compares dates`);
        this.expect(expr.right, scope, locals, "date", `'${expr.op}' compares dates`);
        return booleanTy;
      default:
        return this.comparison(expr, expr.op, scope, locals);
    }
  }

  private arithmetic(expr: A.BinaryExpr, scope: Scope, locals: Locals): Ty {
    let terms = 1;
    for (let node: A.Expr = expr; node.kind === "Binary" && (node.op === "+" || node.op === "-"); node = node.left) terms++;
    if (terms > maxTerms) {
      this.diagnostics.push(error("POL032", expr.span, `this sum has ${terms} terms; at most ${maxTerms} are allowed`, { hint: "split it into named definitions" }));
      return errorTy;
    }
    const left = this.expr(expr.left, scope, locals);
    const right = this.expr(expr.right, scope, locals);
    const op = expr.op as "+" | "-";
    if (left.t === "error" || right.t === "error") return errorTy;
    if (left.t === "date" && right.t === "duration") return { t: "date" };
    if (left.t === "number" && right.t === "number") return { t: "number", integer: left.integer && right.integer };
    this.diagnostics.push(
      error("POL036", expr.opSpan, `cannot ${op === "+" ? "add" : "subtract"} ${describeType(right)} ${op === "+" ? "to" : "from"} ${describeType(left)}`, {
        hint: "numbers combine with numbers, and a date with a duration (date_of_service - 6 months)",
      }),
    );
    return errorTy;
  }

  /** `a * b`, `a / b`: numbers with numbers, a duration scaled by a number; a percentage takes no part (use percent_change). */
  private multiplication(expr: A.BinaryExpr, op: "*" | "/", scope: Scope, locals: Locals): Ty {
    const left = this.expr(expr.left, scope, locals);
    const right = this.expr(expr.right, scope, locals);
    if (left.t === "error" || right.t === "error") return errorTy;
    const plain = (t: Ty) => t.t === "number" && !t.percent;
    if (plain(left) && plain(right)) return { t: "number", integer: op === "*" && left.t === "number" && right.t === "number" && left.integer && right.integer };
    if (left.t === "duration" && plain(right)) return { t: "duration" };
    if (op === "*" && plain(left) && right.t === "duration") return { t: "duration" };
    const percent = (left.t === "number" && left.percent) || (right.t === "number" && right.percent);
    this.diagnostics.push(
      error("POL037", expr.opSpan, `cannot ${op === "*" ? "multiply" : "divide"} ${describeType(left)} ${op === "*" ? "by" : "by"} ${describeType(right)}`, {
        hint: percent ? "for a change from a baseline, use percent_change(baseline, value) or percent_reduction(baseline, value)" : "numbers multiply and divide numbers; a duration can be multiplied or divided by a number",
      }),
    );
    return errorTy;
  }

  private comparison(expr: A.BinaryExpr, op: ComparisonOp, scope: Scope, locals: Locals): Ty {
    // A bare name on the other side of an enum is one of its values.
    const isBareValue = (side: A.Expr, decl: A.EnumDecl): side is A.RefExpr =>
      side.kind === "Ref" && !side.args && !side.namespace && !locals.has(side.name) && (decl.members.some((m) => m.name === side.name) || (!scope.has(side.name) && side.name !== "date_of_service"));
    const isUnknownBareName = (side: A.Expr) => side.kind === "Ref" && !side.args && !side.namespace && !locals.has(side.name) && !scope.has(side.name) && side.name !== "date_of_service";
    let a = this.expr(expr.left, scope, locals);
    let b: Ty;
    if (a.t === "levels" && expr.right.kind === "Text") {
      b = this.levelsLiteral(expr.right);
    } else if (a.t === "enum" && isBareValue(expr.right, a.decl)) {
      b = this.enumValue(expr.right, a.decl, expr.right.name, expr.right.span);
      this.types.set(expr.right, b);
    } else if (a.t === "error" && isUnknownBareName(expr.right)) {
      // Beside a value already reported, an unknown bare name is likely one of its choices: not a second mistake.
      b = errorTy;
    } else {
      b = this.expr(expr.right, scope, locals);
      if (b.t === "enum" && isBareValue(expr.left, b.decl)) {
        a = this.enumValue(expr.left, b.decl, expr.left.name, expr.left.span);
        this.types.set(expr.left, a);
      } else if (b.t === "levels" && expr.left.kind === "Text") {
        a = this.levelsLiteral(expr.left);
      }
    }
    if (a.t === "error" || b.t === "error") return booleanTy;
    const ordered = op !== "=" && op !== "!=";
    if (a.t === "number" && b.t === "number") {
      if (Boolean(a.percent) !== Boolean(b.percent) && (a.percent ? expr.right.kind === "Number" : expr.left.kind === "Number")) {
        const literal = a.percent ? expr.right : expr.left;
        this.diagnostics.push(error("POL035", literal.span, `this compares a percentage with a plain number`, { hint: "write the number as a percentage, like 50%" }));
      }
      this.checkRange(a, expr.right, op);
      this.checkRange(b, expr.left, op);
      return booleanTy;
    }
    if (a.t === "date" && b.t === "date") return booleanTy;
    if (a.t === "duration" && b.t === "duration") return booleanTy;
    if (a.t === "boolean" && b.t === "boolean" && !ordered) return booleanTy;
    if (a.t === "text" && b.t === "text" && !ordered) return booleanTy;
    if (a.t === "levels" && b.t === "levels" && !ordered) return booleanTy;
    if (a.t === "enum" && b.t === "enum" && !ordered) {
      if (a.decl !== b.decl) this.diagnostics.push(error("POL034", expr.opSpan, `cannot compare ${a.decl.name} with ${b.decl.name}`));
      return booleanTy;
    }
    const hint =
      (a.t === "duration" && b.t === "number") || (a.t === "number" && b.t === "duration")
        ? numberAgainstDurationHint(a.t === "number" ? expr.left : expr.right, a.t === "number" ? expr.right : expr.left)
        : ordered && (a.t === "enum" || a.t === "boolean")
          ? "values of this kind can only be compared with = or !="
          : undefined;
    this.diagnostics.push(error("POL034", expr.opSpan, `cannot compare ${describeType(a)} with ${describeType(b)}`, { hint }));
    return booleanTy;
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

  /** A quoted level where spinal levels are expected: `"L4-5"`, `"L4-5, L5-S1"`. */
  private levelsLiteral(text: A.TextLit): Ty {
    const parsed = parseLevels(text.value);
    const ty: Ty = typeof parsed === "number" ? { t: "levels" } : errorTy;
    if (typeof parsed === "string") this.diagnostics.push(error("POL040", text.span, parsed));
    this.types.set(text, ty);
    return ty;
  }

  /** A built-in function of values: each operand of its type (a quoted level where levels go). */
  private builtinFunction(expr: A.RefExpr, name: BuiltinFunction, scope: Scope, locals: Locals): Ty {
    const spec = builtinFunctions[name];
    const args = expr.args ?? [];
    if (args.length !== spec.params.length) {
      this.diagnostics.push(error("POL022", expr.span, `${name} takes ${spec.params.length === 1 ? "one value" : `${spec.params.length} values`}, not ${args.length}`));
    }
    args.forEach((arg, i) => {
      const param = spec.params[i];
      if (param === "levels" && arg.kind === "Text") {
        this.levelsLiteral(arg);
        return;
      }
      const ty = this.expr(arg, scope, locals);
      if (param === undefined || ty.t === "error") return;
      const fits = param === "levels" ? ty.t === "levels" : ty.t === "number" && !ty.percent;
      if (!fits) this.diagnostics.push(error("POL043", arg.span, `${name} needs ${param === "levels" ? "spinal levels" : "a number (a score, not a percentage)"}, but this is ${describeType(ty)}`));
    });
    this.refs.set(expr, { kind: "function", name });
    switch (spec.result) {
      case "percent":
        return { t: "number", percent: true };
      case "boolean":
        return booleanTy;
      case "integer":
        return { t: "number", integer: true, min: 0 };
      case "levels":
        return { t: "levels" };
    }
  }

  /** A bare name that must be one of an enum's values. */
  private enumValue(ref: A.RefExpr | undefined, decl: A.EnumDecl, name: string, span: A.Span): Ty {
    if (ref) this.refs.set(ref, { kind: "enumValue", decl });
    if (!decl.members.some((m) => m.name === name)) {
      const guess = suggest(
        name,
        decl.members.map((m) => m.name),
      );
      this.diagnostics.push(
        error("POL014", span, `'${name}' is not a value of ${decl.name}`, {
          hint: guess ? `did you mean '${guess}'?` : `the values are: ${decl.members.map((m) => m.name).join(", ")}`,
        }),
      );
      return errorTy;
    }
    return { t: "enum", decl };
  }

  private inSet(expr: A.InExpr, scope: Scope, locals: Locals): Ty {
    const operand = this.expr(expr.operand, scope, locals);
    // An empty set is a syntax error, already reported.
    if (expr.members.length === 0) return errorTy;
    if (operand.t !== "enum") {
      if (operand.t !== "error") {
        this.diagnostics.push(error("POL042", expr.operand.span, `'in {…}' needs a value from a list of choices, but this is ${describeType(operand)}`));
      }
      return booleanTy;
    }
    for (const member of expr.members) this.enumValue(undefined, operand.decl, member.name, member.span);
    return booleanTy;
  }

  private query(expr: A.QueryExpr, scope: Scope, locals: Locals): Ty {
    const source = this.expr(expr.source, scope, locals);
    if (source.t !== "list") {
      if (source.t !== "error") {
        this.diagnostics.push(error("POL025", expr.source.span, `${expr.op} needs a list to look through, but this is ${describeType(source)}`));
      }
      return expr.op === "count" ? { t: "number", integer: true } : errorTy;
    }
    const element: Ty = { t: "record", decl: source.decl };
    this.localName(expr.binder, expr.binderSpan);
    if (expr.merge) for (const name of [expr.merge.first, expr.merge.second]) this.localName(name, expr.merge.span);
    const inner = new Map(locals).set(expr.binder, element);
    if (expr.filter) this.condition(expr.filter, scope, inner);
    if (expr.op === "union") {
      // The levels each entry brings, after ':'.
      if (expr.body?.kind === "Text") this.levelsLiteral(expr.body);
      else if (expr.body) this.expect(expr.body, scope, inner, "levels", "union gathers spinal levels");
      else this.diagnostics.push(error("POL064", expr.span, "union needs the levels each entry brings after ':', as in union(p in session: p.levels)"));
    } else if (expr.body) {
      if (expr.op !== "every") this.diagnostics.push(error("POL065", expr.body.span, `only 'every' takes a condition after ':'`));
      this.condition(expr.body, scope, inner);
    } else if (expr.op === "every") {
      this.diagnostics.push(error("POL064", expr.span, "every needs a condition after ':', as in every(p in injections: p.relief >= 50%)"));
    }
    if (expr.merge) {
      if (expr.op !== "count") this.diagnostics.push(error("POL066", expr.merge.span, "only count can count two entries as one"));
      const pair = new Map(locals).set(expr.merge.first, element).set(expr.merge.second, element);
      this.condition(expr.merge.condition, scope, pair);
    }
    if (expr.keys) {
      if (expr.op !== "count") this.diagnostics.push(error("POL066", expr.keys[0].span, "only count can count one per key"));
      if (expr.merge) this.diagnostics.push(error("POL067", expr.keys[0].span, "count either one per key or counting two entries as one, not both"));
      for (const key of expr.keys) {
        const ty = this.expr(key, scope, inner);
        if (ty.t === "list" || ty.t === "record" || ty.t === "group") this.diagnostics.push(error("POL049", key.span, `a key must be one value, like p.date, but this is ${describeType(ty)}`));
      }
    }
    if (expr.window) {
      if (expr.op !== "count") this.diagnostics.push(error("POL066", expr.window.span, "only count can count within a window"));
      if (expr.merge) this.diagnostics.push(error("POL067", expr.window.span, "counting two entries as one cannot count within a window; count one per key instead"));
      this.expect(expr.window, scope, locals, "duration", "'in any' needs a duration like 12 months");
      this.requireDateField(source.decl, expr.window.span);
    }
    if (expr.op === "latest" || expr.op === "earliest") this.requireDateField(source.decl, expr.span);
    switch (expr.op) {
      case "count":
        return { t: "number", integer: true, min: 0 };
      case "exists":
      case "every":
        return booleanTy;
      case "select":
        return source;
      case "latest":
      case "earliest":
        return { t: "record", decl: source.decl, optional: true };
      case "union":
        return { t: "levels" };
    }
  }

  private requireDateField(decl: A.RecordDecl, span: A.Span): void {
    const date = decl.fields.find((f) => f.name === "date");
    if (!date || date.type.name !== "date") {
      this.diagnostics.push(error("POL026", span, `this needs each ${decl.name} to have a field 'date: date'`, { related: [{ message: `${decl.name} is declared here`, span: decl.nameSpan }] }));
    }
  }

  // ── Types and facts ──────────────────────────────────────────────────────────────────────

  /** A fact's type, as an expression that reads it has it (numbers carry the fact's name for messages). */
  private factTy(entry: FactEntry): Ty {
    const ty = this.factType(entry.decl, this.scopeOf(entry.decl.span));
    return ty.t === "number" ? { ...ty, name: entry.decl.name } : ty;
  }

  /** A fact's type: anything but a single record, which the input could not tell apart from a group. */
  factType(decl: A.FactDecl, scope: Scope): Ty {
    const ty = this.typeRef(decl.type, scope);
    if (ty.t === "record") {
      if (!this.reported.has(decl)) {
        this.reported.add(decl);
        this.diagnostics.push(error("POL069", decl.type.span, `a fact cannot hold a single ${ty.decl.name}`, { hint: `use 'list of ${ty.decl.name}', or a group of facts` }));
      }
      return errorTy;
    }
    return ty;
  }

  private readonly reported = new Set<A.FactDecl>();

  /**
   * `absent unless documented` needs a value that means "not there": no for a yes/no finding, no
   * entries for a list. A number, a date, a text or a choice has none the chart's silence could give.
   */
  private absenceReading(decl: A.FactDecl, ty: Ty): void {
    const reading = decl.absentUnlessDocumented;
    if (!reading || ty.t === "error" || ty.t === "boolean" || ty.t === "list") return;
    const kind = ty.t === "enum" ? `a choice of ${ty.decl.name}` : ty.t === "levels" ? "spinal levels" : `a ${ty.t}`;
    this.diagnostics.push(
      error("POL046", reading.span, `fact '${decl.name}' is ${kind}, which has no absent value: only a yes/no fact or a list can be absent unless documented`, {
        hint: "read as absent: a boolean is false, a list has no entries; declare the finding as a boolean",
      }),
    );
  }

  /** A record field's type: like a fact's, anything but a single record. */
  private fieldType(field: A.FieldDecl, scope: Scope): void {
    const ty = this.typeRef(field.type, scope);
    if (ty.t === "record") this.diagnostics.push(error("POL069", field.type.span, `a field cannot hold a single ${ty.decl.name}`, { hint: `use 'list of ${ty.decl.name}'` }));
  }

  /** The type a type name denotes, resolved once per place it is written. */
  typeRef(ref: A.TypeRef, scope: Scope): Ty {
    const known = this.typeRefs.get(ref);
    if (known) return known;
    const ty = this.resolveType(ref, scope);
    this.typeRefs.set(ref, ty);
    return ty;
  }

  private resolveType(ref: A.TypeRef, fileScope: Scope): Ty {
    // A type the parser could not read is a syntax error, already reported.
    if (!ref.name) return errorTy;
    const scope = ref.namespace !== undefined ? this.namespaceScope(ref.namespace, ref.span) : fileScope;
    if (!scope) return errorTy;
    const range = ref.range;
    if (range && range.min > range.max) this.diagnostics.push(error("POL018", ref.span, `the range ${range.min} to ${range.max} is empty`));
    const withRange = (ty: Ty): Ty => {
      if (range && ty.t !== "number") this.diagnostics.push(error("POL072", ref.span, `only numbers take a range, not ${describeType(ty)}`));
      return ty;
    };
    if (ref.list) {
      const entry = scope.get(ref.name);
      if (entry?.kind === "record") return { t: "list", decl: entry.decl };
      this.diagnostics.push(error("POL070", ref.span, `a list holds records; '${ref.name}' is not a record type`, { hint: suggestHint(ref.name, recordNames(scope)) }));
      return errorTy;
    }
    // `nia.number` names a declaration of that file, never a type of the language.
    if (ref.namespace === undefined) switch (ref.name) {
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
      case "spinal_levels":
        return withRange({ t: "levels" });
    }
    const entry = scope.get(ref.name);
    if (entry?.kind === "enum") return withRange({ t: "enum", decl: entry.decl });
    if (entry?.kind === "record") return withRange({ t: "record", decl: entry.decl });
    const guess = suggest(
      ref.name,
      [...builtinTypes, ...scope.keys()].filter((n) => (builtinTypes as readonly string[]).includes(n) || ["enum", "record"].includes(scope.get(n)?.kind ?? "")),
    );
    this.diagnostics.push(error("POL012", ref.span, `unknown type '${ref.name}'`, { hint: guess ? `did you mean '${guess}'?` : `the types are ${builtinTypes.join(", ")}, an enum or 'list of' a record` }));
    return errorTy;
  }
}

/** The operands of a chain `a and b and c` (or of `or`, `unless`), gathered without recursion. */
export function chainOperands(expr: A.BinaryExpr): A.Expr[] {
  const operands: A.Expr[] = [];
  let node: A.Expr = expr;
  while (node.kind === "Binary" && node.op === expr.op) {
    operands.push(node.right);
    node = node.left;
  }
  operands.push(node);
  return operands.reverse();
}

function compatible(expected: Ty, actual: Ty): boolean {
  if (expected.t === "error" || actual.t === "error") return true;
  if (expected.t !== actual.t) return false;
  if (expected.t === "number" && actual.t === "number") return Boolean(expected.percent) === Boolean(actual.percent) || !actual.percent;
  if (expected.t === "enum" && actual.t === "enum") return expected.decl === actual.decl;
  if ((expected.t === "record" || expected.t === "list") && (actual.t === "record" || actual.t === "list")) return expected.decl === actual.decl;
  return true;
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

/**
 * What to do about a number compared with a duration: a plain number written beside a duration
 * lacks its unit; a unit written beside a count or a score is one too many.
 */
function numberAgainstDurationHint(numberSide: A.Expr, durationSide: A.Expr): string {
  const isLiteral = (e: A.Expr) => e.kind === "Number";
  if (isLiteral(numberSide)) return "give the number a unit, like 3 months";
  if (isLiteral(durationSide)) return `this is a number (a count or a score), not a length of time: write ${durationSide.kind === "Number" ? durationSide.value : "it"} without a unit`;
  return "a number and a length of time cannot be compared";
}
