/**
 * Lowering: from the checked library to the one intermediate form (ir.ts). This is where the
 * meaning of each construct is decided — `unless` is an `or`, `before` a comparison of dates, a
 * comparison of durations is anchored in time, a bare enum value is a choice — and nowhere else.
 * Each declaration is lowered once, into the module of the file that declares it.
 */
import type * as A from "./ast.js";
import type { Checked, Ty } from "./check.js";
import type { IrBulletList, IrDated, IrMerge, IrReading, IrDefinition, IrEnum, IrExpr, IrExtension, IrFact, IrField, IrGroup, IrLibrary, IrModule, IrOverlay, IrParamType, IrPolicy, IrRecord, IrRequirement, IrSection, IrService, IrType } from "./ir.js";
import { fieldsOf, freeVariables, subexpressions } from "./ir.js";
import { chainOperands, formatRefs } from "./check.js";
import { builtinFunctions, isCheckedNote } from "./scope.js";

/**
 * Lowers an error-free library. `order` lists the files so that each comes after the files it
 * imports; modules follow it.
 */
export function lower(checked: Checked, order: readonly string[]): Lowered {
  return new Lowering(checked).library(order);
}

export interface Lowered {
  readonly library: IrLibrary;
  /** The definitions each policy reaches, in the order it reaches them. */
  readonly definitionsOf: ReadonlyMap<IrPolicy, readonly IrDefinition[]>;
  /** The declaration a definition was lowered from, for the docs. */
  declOf(d: IrDefinition): A.DefineDecl;
  /** The extensions each policy's input has, as written (for the clashes of extensions used together). */
  readonly extensionsOf: ReadonlyMap<IrPolicy, readonly A.ExtendDecl[]>;
}

const fallbackWording: Readonly<Record<A.Quantifier, (n: number) => string>> = {
  all: () => "All of the following",
  any: () => "One of the following",
  none: () => "None of the following",
  atLeast: (n) => `At least ${n} of the following`,
  atMost: (n) => `At most ${n} of the following`,
};

class Lowering {
  private readonly modules = new Map<string, IrModule>();
  private readonly enums = new Map<A.EnumDecl, IrEnum>();
  private readonly records = new Map<A.RecordDecl, IrRecord>();
  private readonly facts = new Map<A.FactDecl, IrFact>();
  private readonly definitions = new Map<A.DefineDecl, IrDefinition>();
  private readonly definitionDecls = new Map<IrDefinition, A.DefineDecl>();
  private readonly definitionsOf = new Map<IrPolicy, readonly IrDefinition[]>();
  private readonly requirements = new Map<A.RequirementDecl | A.GroupBody, IrRequirement>();
  /** For each fact declared in a group, its path and the groups around it. */
  private readonly placeOfFact = new Map<A.FactDecl, { path: string; groups: IrGroup[] }>();
  private readonly extensions = new Map<A.ExtendDecl, IrExtension>();
  private readonly fieldsByDecl = new Map<A.FieldDecl, IrField>();
  /** The extension each added field is written in. */
  private readonly extensionOfField = new Map<A.FieldDecl, A.ExtendDecl>();
  /** Each `meets`, with the policies it names, to point at once every policy is lowered. */
  private readonly pendingMeets: { readonly node: { versions: IrPolicy[] }; readonly policies: readonly A.PolicyDecl[] }[] = [];

  constructor(private readonly checked: Checked) {
    for (const decl of checked.extensions.targets.keys()) for (const f of decl.fields) this.extensionOfField.set(f, decl);
  }

  library(order: readonly string[]): Lowered {
    for (const path of order) {
      const file = this.checked.files.get(path);
      if (file) this.file(file);
    }
    const policies: IrPolicy[] = [];
    const overlayFiles = new Map<IrPolicy, readonly string[]>();
    const allOverlays = [...this.checked.files.values()].flatMap((f) => f.overlays);
    for (const path of order) {
      for (const policy of this.checked.files.get(path)?.policies ?? []) {
        const overlays = allOverlays.filter((o) => o.target === policy.name).sort((a, b) => a.name.localeCompare(b.name));
        const ir = this.policy(policy, overlays);
        policies.push(ir);
        overlayFiles.set(ir, overlays.map((o) => o.span.file));
      }
    }
    policies.sort((a, b) => a.id.localeCompare(b.id));
    const extensionsOf = this.linkPolicies(policies, overlayFiles);
    const modules = order.map((path) => this.module(path));
    for (const m of modules) {
      m.definitions.sort((a, b) => a.line - b.line);
      m.requirements.splice(0, m.requirements.length, ...bulletsFirst(m.requirements));
    }
    const decls = this.definitionDecls;
    return { library: { modules, policies }, definitionsOf: this.definitionsOf, declOf: (d) => decls.get(d)!, extensionsOf };
  }

  /**
   * Once every policy is lowered: each `meets` points at its policies, and each policy's input
   * gains what the policies it consults (transitively) read: their facts and the extensions
   * their files see. Cycles are refused after lowering (policy-criteria.ts), so none is followed twice.
   */
  private linkPolicies(policies: readonly IrPolicy[], overlayFiles: ReadonlyMap<IrPolicy, readonly string[]>): Map<IrPolicy, readonly A.ExtendDecl[]> {
    for (const { node, policies: decls } of this.pendingMeets) node.versions.push(...decls.map((d) => this.policyDecls.get(d)!));
    const direct = new Map<IrPolicy, Map<string, readonly IrPolicy[]>>();
    const own = new Map<IrPolicy, { facts: IrFact[]; requirements: IrRequirement[]; definitions: IrDefinition[] }>();
    for (const p of policies) {
      const found = reach(p.sections, p.services, p.overlays);
      own.set(p, found);
      direct.set(p, found.consults);
    }
    const extensionsOf = new Map<IrPolicy, readonly A.ExtendDecl[]>();
    for (const p of policies) {
      // Every policy reached through `meets`, by name, each once.
      const consults = new Map<string, readonly IrPolicy[]>();
      const reached: IrPolicy[] = [];
      const visit = (q: IrPolicy) => {
        for (const [name, versions] of direct.get(q) ?? []) {
          if (!consults.has(name)) consults.set(name, versions);
          for (const v of versions) {
            if (v === p || reached.includes(v)) continue;
            reached.push(v);
            visit(v);
          }
        }
      };
      visit(p);
      const facts = [...own.get(p)!.facts];
      for (const q of reached) for (const f of own.get(q)!.facts) if (!facts.includes(f)) facts.push(f);
      const files = [p, ...reached].flatMap((q) => [q.file, ...(overlayFiles.get(q) ?? [])]);
      const decls: A.ExtendDecl[] = [];
      for (const file of files) for (const x of this.checked.extensions.visible.get(file) ?? []) if (!decls.includes(x)) decls.push(x);
      extensionsOf.set(p, decls);
      const extensions = decls.map((x) => this.extension(x));
      const { requirements, definitions } = own.get(p)!;
      Object.assign(p, { facts, requirements, records: recordsOf(facts, extensions), extensions, consults });
      this.definitionsOf.set(p, definitions);
    }
    return extensionsOf;
  }

  private readonly policyDecls = new Map<A.PolicyDecl, IrPolicy>();

  private module(file: string): IrModule {
    let m = this.modules.get(file);
    if (!m) this.modules.set(file, (m = { file, enums: [], records: [], extensions: [], facts: [], definitions: [], requirements: [] }));
    return m;
  }

  /** Every declaration of a file, in source order, used or not. */
  private file(file: A.PolFile): void {
    for (const decl of file.declarations) {
      switch (decl.kind) {
        case "Enum":
          this.enumDecl(decl);
          break;
        case "Record":
          this.record(decl);
          break;
        case "Extend":
          this.extension(decl);
          break;
        case "Fact":
          this.fact(decl);
          break;
        case "Group":
          this.placeGroup(decl, [], "");
          break;
        case "Define":
          this.definition(decl);
          break;
        case "Requirement":
          this.requirement(decl);
          break;
      }
    }
  }

  private placeGroup(group: A.GroupDecl, outer: readonly IrGroup[], prefix: string): void {
    const groups = [...outer, { name: group.name, doc: group.doc, readings: readingsOf(group.readings, group.name) }];
    const path = `${prefix}${group.name}.`;
    for (const member of group.members) {
      if (member.kind === "Fact") {
        this.placeOfFact.set(member, { path: `${path}${member.name}`, groups });
        this.fact(member);
      } else this.placeGroup(member, groups, path);
    }
  }

  // ── Declarations ─────────────────────────────────────────────────────────────────────────

  private enumDecl(decl: A.EnumDecl): IrEnum {
    let e = this.enums.get(decl);
    if (!e) {
      e = { kind: "enum", module: this.module(decl.span.file), name: decl.name, doc: decl.doc, values: decl.members.map((m) => ({ name: m.name, label: m.label })) };
      this.enums.set(decl, e);
      e.module.enums.push(e);
    }
    return e;
  }

  private record(decl: A.RecordDecl): IrRecord {
    let r = this.records.get(decl);
    if (!r) {
      const fields: IrRecord["fields"] = [];
      r = { kind: "record", module: this.module(decl.span.file), name: decl.name, doc: decl.doc, fields, extensions: [] };
      this.records.set(decl, r);
      r.module.records.push(r);
      const record = r;
      decl.fields.forEach((f, index) => {
        const field: IrField = { kind: "field", record, index, name: f.name, type: this.type(this.checked.typeRefs.get(f.type)), description: f.doc ?? f.name };
        fields.push(field);
        this.fieldsByDecl.set(f, field);
      });
    }
    return r;
  }

  /** An extension's fields, placed after the record's own and every extension lowered before it. */
  private extension(decl: A.ExtendDecl): IrExtension {
    let x = this.extensions.get(decl);
    if (!x) {
      const record = this.record(this.checked.extensions.targets.get(decl)!);
      const fields: IrField[] = [];
      x = { kind: "extension", module: this.module(decl.span.file), record, fields, line: decl.span.line };
      this.extensions.set(decl, x);
      let index = record.fields.length + record.extensions.reduce((n, e) => n + e.fields.length, 0);
      record.extensions.push(x);
      x.module.extensions.push(x);
      for (const f of decl.fields) {
        const field: IrField = { kind: "field", record, extension: x, index: index++, name: f.name, type: this.type(this.checked.typeRefs.get(f.type)), description: f.doc ?? f.name };
        fields.push(field);
        this.fieldsByDecl.set(f, field);
      }
    }
    return x;
  }

  /** The field a declaration stands for, the record's own or one an extension adds. */
  private fieldOf(record: A.RecordDecl, decl: A.FieldDecl): IrField {
    this.record(record);
    const added = this.extensionOfField.get(decl);
    if (added) this.extension(added);
    return this.fieldsByDecl.get(decl)!;
  }

  private fact(decl: A.FactDecl): IrFact {
    let f = this.facts.get(decl);
    if (!f) {
      const place = this.placeOfFact.get(decl) ?? { path: decl.name, groups: [] };
      f = { kind: "fact", module: this.module(decl.span.file), path: place.path, name: decl.name, type: this.type(this.checked.typeRefs.get(decl.type)), description: decl.doc ?? decl.name, groups: place.groups, line: decl.span.line, readings: readingsOf(decl.readings, place.path) };
      if (decl.absentUnlessDocumented) f = { ...f, absentUnlessDocumented: decl.absentUnlessDocumented.reason === undefined ? {} : { reason: decl.absentUnlessDocumented.reason } };
      this.facts.set(decl, f);
      f.module.facts.push(f);
    }
    return f;
  }

  private type(ty: Ty | undefined): IrType {
    switch (ty?.t) {
      case "boolean":
      case "date":
      case "duration":
      case "text":
      case "levels":
        return { t: ty.t };
      case "number":
        return { t: "number", min: ty.min, max: ty.max, integer: Boolean(ty.integer) };
      case "enum":
        return { t: "enum", enum: this.enumDecl(ty.decl) };
      case "list":
        return { t: "list", record: this.record(ty.decl) };
      default:
        throw new Error(`lowering met a type the checker did not accept: ${ty?.t ?? "none"}`);
    }
  }

  /** A parameter may also be one entry of a record: the definition reads its fields. */
  private paramType(ty: Ty | undefined): IrParamType {
    return ty?.t === "record" ? { t: "record", record: this.record(ty.decl) } : this.type(ty);
  }

  private definition(decl: A.DefineDecl): IrDefinition {
    let d = this.definitions.get(decl);
    if (!d) {
      const params = decl.params.map((p) => ({ name: p.name, type: this.paramType(this.checked.typeRefs.get(p.type)) }));
      d = { kind: "define", module: this.module(decl.span.file), name: decl.name, wording: decl.wording, refs: formatRefs(decl.refs), params, body: this.expr(decl.body), line: decl.span.line, readings: readingsOf(decl.readings, decl.name) };
      this.definitions.set(decl, d);
      this.definitionDecls.set(d, decl);
      d.module.definitions.push(d);
    }
    return d;
  }

  private requirement(decl: A.RequirementDecl): IrRequirement {
    const known = this.requirements.get(decl);
    if (known) return known;
    const when = decl.when ? this.expr(decl.when) : undefined;
    const role = isCheckedNote(decl) ? "note" : decl.role;
    let r: IrRequirement;
    if (decl.body.kind === "GroupBody") {
      const body = decl.body;
      r = {
        kind: "requirement",
        module: this.module(decl.span.file),
        id: decl.name,
        role,
        wording: decl.wording || body.wording || fallbackWording[body.quantifier](body.n),
        refs: formatRefs([...decl.refs, ...body.refs]),
        line: decl.span.line,
        when,
        list: this.list(body, decl.name),
        approximated: decl.approximated,
        readings: readingsOf(decl.readings, decl.name),
      };
    } else {
      r = { kind: "requirement", module: this.module(decl.span.file), id: decl.name, role, wording: decl.wording, refs: formatRefs(decl.refs), line: decl.span.line, when, test: this.expr(decl.body), approximated: decl.approximated, readings: readingsOf(decl.readings, decl.name) };
    }
    this.requirements.set(decl, r);
    r.module.requirements.push(r);
    return r;
  }

  /** A list written without a name: its id is its place, `NIA_CG_300.section4.2`. */
  private unnamedList(body: A.GroupBody, id: string): IrRequirement {
    const known = this.requirements.get(body);
    if (known) return known;
    const r: IrRequirement = {
      kind: "requirement",
      module: this.module(body.span.file),
      id,
      role: "group",
      wording: body.wording || fallbackWording[body.quantifier](body.n),
      refs: formatRefs(body.refs),
      line: body.span.line,
      list: this.list(body, id),
      readings: readingsOf(body.readings, id),
    };
    this.requirements.set(body, r);
    r.module.requirements.push(r);
    return r;
  }

  private list(body: A.GroupBody, id: string): IrBulletList {
    return { quantifier: body.quantifier, n: body.n, items: this.items(body.items, id) };
  }

  /** The bullets of a list or section: criteria, `use`d criteria, checked notes, nested lists. */
  private items(items: readonly A.Item[], prefix: string): IrRequirement[] {
    const out: IrRequirement[] = [];
    items.forEach((item, index) => {
      if (item.kind === "Requirement") out.push(this.requirement(item));
      else if (item.kind === "GroupBody") out.push(this.unnamedList(item, `${prefix}.${index + 1}`));
      else {
        const decl = this.checked.items.get(item);
        if (decl) out.push(this.requirement(decl));
      }
    });
    return out;
  }

  // ── Policies ─────────────────────────────────────────────────────────────────────────────

  private section(section: A.Section, prefix: string): IrSection {
    return { kind: section.sectionKind, title: section.title, when: section.when ? this.expr(section.when) : undefined, items: this.items(section.items, prefix) };
  }

  private services(doc: A.PolicyDecl | A.OverlayDecl): IrService[] {
    return doc.services.map((service) => ({
      id: service.name,
      wording: service.wording,
      refs: formatRefs(service.refs),
      when: service.when ? this.expr(service.when) : undefined,
      sections: service.sections.map((s, i) => this.section(s, `${service.name}.section${i + 1}`)),
    }));
  }

  private policy(policy: A.PolicyDecl, overlayDecls: readonly A.OverlayDecl[]): IrPolicy {
    const sections = policy.sections.map((s, i) => this.section(s, `${policy.name}.section${i + 1}`));
    const services = this.services(policy);
    const overlays: IrOverlay[] = overlayDecls.map((o) => ({
      id: o.name,
      title: o.title,
      state: o.state,
      file: o.span.file,
      applies: o.applies.map((a) => ({ mode: a.mode, wording: a.wording ?? "", test: this.expr(a.condition) })),
      sections: o.sections.map((s, i) => this.section(s, `${o.name}.section${i + 1}`)),
      services: this.services(o),
    }));
    // What the policy reaches (and the policies it consults) is linked once every policy is lowered.
    const ir: IrPolicy = {
      id: policy.name,
      title: policy.title,
      version: policy.properties.find((p) => p.key === "version")?.value ?? "",
      file: policy.span.file,
      properties: policy.properties.map((p) => ({ key: p.key, value: p.value })),
      effective: policy.effective ? { from: policy.effective.from, to: policy.effective.to } : null,
      cpt: policy.cpt.map((g) => ({ region: g.label, codes: g.codes.map((c) => (c.addOn ? `+${c.code}` : c.code)) })),
      sections,
      services,
      overlays,
      facts: [],
      requirements: [],
      records: [],
      extensions: [],
      consults: new Map(),
    };
    this.policyDecls.set(policy, ir);
    return ir;
  }

  // ── Expressions ──────────────────────────────────────────────────────────────────────────

  private typeOf(e: A.Expr): Ty | undefined {
    return this.checked.types.get(e);
  }

  private expr(e: A.Expr): IrExpr {
    switch (e.kind) {
      case "Bool":
        return { k: "bool", v: e.value };
      case "Number":
        if (e.unit === "percent" || e.unit === undefined) return { k: "num", v: e.value };
        return { k: "dur", amount: e.value, unit: e.unit };
      case "Text":
        // A quoted level where spinal levels are expected is one (the checker read it).
        return this.typeOf(e)?.t === "levels" ? { k: "levels", v: e.value } : { k: "text", v: e.value };
      case "Date":
        return { k: "date", v: e.value };
      case "Ref":
        return this.ref(e);
      case "Field": {
        const resolution = this.checked.fields.get(e);
        if (resolution?.kind === "fact") return { k: "fact", fact: this.fact(resolution.entry.decl) };
        if (resolution?.kind === "recordField") return { k: "field", of: this.expr(e.object), field: this.fieldOf(resolution.record, resolution.field) };
        throw new Error(`lowering met a field the checker did not resolve: ${e.field}`);
      }
      case "Not": {
        // not not a = a, also with unknowns; collapsing keeps long chains of 'not' shallow.
        const arg = this.expr(e.operand);
        return arg.k === "not" ? arg.arg : { k: "not", arg };
      }
      case "Binary":
        return this.binary(e);
      case "In":
        return { k: "in", arg: this.expr(e.operand), values: e.members.map((m) => m.name), negated: e.negated };
      case "Known": {
        const known: IrExpr = { k: "known", arg: this.expr(e.operand) };
        return e.negated ? { k: "not", arg: known } : known;
      }
      case "Query": {
        const source = this.expr(e.source);
        const filter = e.filter ? this.expr(e.filter) : undefined;
        const keys = e.keys?.map((key) => this.expr(key));
        const window = e.window ? this.expr(e.window) : undefined;
        const merge = e.merge ? pairing(e.merge.first, e.merge.second, this.expr(e.merge.condition)) : undefined;
        const body = e.body ? this.expr(e.body) : undefined;
        for (const inner of [filter, body, merge?.cond, ...(keys ?? [])]) if (inner) markInnerQuestions(inner);
        return { k: "query", op: e.op, binder: e.binder, source, filter, body, merge, keys, window };
      }
      case "Time":
        return { k: "span", from: this.expr(e.from), to: e.to ? this.expr(e.to) : undefined };
      case "Refer":
        return { k: "refer", clause: e.clause, refs: formatRefs(e.refs), when: e.condition ? this.expr(e.condition) : undefined };
      case "Meets": {
        const resolution = this.checked.meets.get(e);
        if (!resolution) throw new Error(`lowering met a 'meets' the checker did not resolve: ${e.policy}`);
        const node = { k: "meets" as const, name: resolution.name, versions: [] as IrPolicy[] };
        this.pendingMeets.push({ node, policies: resolution.policies });
        return node;
      }
      case "If":
        return { k: "if", cond: this.expr(e.condition), then: this.expr(e.then), else: this.expr(e.otherwise) };
      case "Case":
        return this.caseExpr(e);
    }
  }

  /**
   * A case is a chain of ifs over the subject's value: `case x { a or b: A, else: C }` is
   * `if x in {a, b} then A else C`; an entry that does not exist gives no value.
   */
  private caseExpr(e: A.CaseExpr): IrExpr {
    const subject = this.expr(e.subject);
    const otherwise = e.arms.find((arm) => arm.values.length === 0);
    const arms = e.arms.filter((arm) => arm.values.length > 0);
    // Without an else, every value has an arm: once the subject is a value, the last arm is all that is left.
    let result: IrExpr = otherwise ? this.expr(otherwise.value) : this.expr(arms[arms.length - 1].value);
    for (let i = arms.length - (otherwise ? 1 : 2); i >= 0; i--) {
      result = { k: "if", cond: { k: "in", arg: subject, values: arms[i].values.map((v) => v.name), negated: false }, then: this.expr(arms[i].value), else: result };
    }
    return { k: "if", cond: { k: "absent", arg: subject }, then: { k: "none" }, else: result };
  }

  private ref(e: A.RefExpr): IrExpr {
    const r = this.checked.refs.get(e);
    switch (r?.kind) {
      case "local":
        return { k: "var", name: e.name };
      case "date_of_service":
        return { k: "dos" };
      case "builtin": {
        const args = (e.args ?? []).map((a) => this.expr(a));
        return r.name === "recent_run" ? { k: "recent_run", list: args[0], gap: args[1] } : { k: r.name, args };
      }
      case "function":
        return { k: "fn", fn: builtinFunctions[r.name].fn, args: (e.args ?? []).map((a) => this.expr(a)) };
      case "fact":
        return { k: "fact", fact: this.fact(r.entry.decl) };
      case "requirement":
        return { k: "crit", req: this.requirement(r.decl) };
      case "define":
        return { k: "call", def: this.definition(r.decl), args: (e.args ?? []).map((a) => this.expr(a)) };
      case "enumValue":
        return { k: "enum", v: e.name };
      default:
        throw new Error(`lowering met a name the checker did not resolve: ${e.name}`);
    }
  }

  private binary(e: A.BinaryExpr): IrExpr {
    switch (e.op) {
      case "and":
      case "or":
      case "unless": {
        // `a unless b` holds when a holds or b is documented: an `or`.
        const k = e.op === "and" ? "and" : "or";
        const args = chainOperands(e).flatMap((operand) => {
          const ir = this.expr(operand);
          return ir.k === k ? ir.args : [ir];
        });
        return { k, args };
      }
      case "+":
      case "-":
        return { k: "arith", op: e.op, a: this.expr(e.left), b: this.expr(e.right), kind: this.typeOf(e.left)?.t === "date" ? "date" : "number" };
      case "*":
      case "/": {
        // A duration scaled by a number is always written duration first: `3 * d` is `d * 3`.
        const leftIsDuration = this.typeOf(e.left)?.t === "duration";
        const rightIsDuration = this.typeOf(e.right)?.t === "duration";
        if (rightIsDuration) return { k: "arith", op: e.op, a: this.expr(e.right), b: this.expr(e.left), kind: "duration" };
        return { k: "arith", op: e.op, a: this.expr(e.left), b: this.expr(e.right), kind: leftIsDuration ? "duration" : "number" };
      }
      case "within":
        return { k: "within", arg: this.expr(e.left), window: this.expr(e.right) };
      case "before":
      case "after":
        return { k: "cmp", op: e.op === "before" ? "<" : ">", a: this.expr(e.left), b: this.expr(e.right), kind: "date" };
      default: {
        const t = this.typeOf(e.left)?.t;
        const kind = t === "number" ? "number" : t === "date" ? "date" : t === "duration" ? "duration" : "equality";
        return { k: "cmp", op: e.op, a: this.expr(e.left), b: this.expr(e.right), kind };
      }
    }
  }
}

/**
 * Marks the questions asked inside another question's filter, body, keys or pairing condition,
 * so once per entry it weighs: one that reads no variable gives the same each time (`once`; its
 * own parts are then asked once with it); an `exists` or `count` whose filter ends in comparing
 * the entry's date with the outer entry's is split for the dated primitive (`dated`, IrDated).
 */
function markInnerQuestions(e: IrExpr): void {
  if (e.k === "query") {
    if (freeVariables(e).size === 0) {
      (e as { once?: boolean }).once = true;
      return;
    }
    const dated = (e.op === "exists" || e.op === "count") && e.filter && !e.merge && !e.keys && !e.window ? datedFilter(e.binder, e.source, e.filter) : undefined;
    if (dated) (e as { dated?: IrDated }).dated = dated;
  }
  // Bounded: nesting is limited to 128 levels.
  for (const sub of subexpressions(e)) markInnerQuestions(sub);
}

/** Whether an expression is the date that places an entry of a list in time (`p.date`), the entry being the variable `name`. */
function isEntryDate(e: IrExpr, name: string): boolean {
  return e.k === "field" && e.of.k === "var" && e.of.name === name && e.field.name === "date" && e.field.type.t === "date";
}

/**
 * `counting a and b as one when COND`, with the conjunct of COND that bounds how far apart the
 * entries' dates are (see IrMerge): `a.date = b.date`, `time between a.date and b.date < D` (or
 * `<=`), or the same between `earlier_of(a.date, b.date)` and `later_of(a.date, b.date)`, D not
 * depending on the entries. Each is false for a pair once the later entry is far enough after
 * the earlier, and stays false further on, which is what lets the count look only that far.
 */
function pairing(a: string, b: string, cond: IrExpr): IrMerge {
  const both = (x: IrExpr, y: IrExpr) => (isEntryDate(x, a) && isEntryDate(y, b)) || (isEntryDate(x, b) && isEntryDate(y, a));
  const ofBoth = (e: IrExpr, k: "earlier_of" | "later_of") => e.k === k && e.args.length === 2 && both(e.args[0], e.args[1]);
  const isWindow = (e: IrExpr): boolean => {
    if (e.k !== "cmp") return false;
    if (e.kind === "date" && e.op === "=") return both(e.a, e.b);
    if (e.kind !== "duration" || (e.op !== "<" && e.op !== "<=") || e.a.k !== "span" || !e.a.to) return false;
    const { from, to } = e.a;
    const apart = (isEntryDate(from, a) && isEntryDate(to, b)) || (ofBoth(from, "earlier_of") && ofBoth(to, "later_of"));
    const limit = freeVariables(e.b);
    return apart && !limit.has(a) && !limit.has(b);
  };
  const window = (cond.k === "and" ? cond.args : [cond]).find(isWindow);
  return window ? { a, b, cond, window } : { a, b, cond };
}

/**
 * The parts of an `exists`/`count` filter that ends in a comparison of the entry's date with a
 * value not depending on the entry (see IrDated), when the list and the rest of the filter read
 * no variable but the entry: then they are the same wherever the question is asked.
 */
function datedFilter(binder: string, source: IrExpr, filter: IrExpr): IrDated | undefined {
  const conjuncts = filter.k === "and" ? filter.args : [filter];
  const last = conjuncts[conjuncts.length - 1];
  if (last.k !== "cmp" || last.kind !== "date" || last.op === "=" || last.op === "!=") return undefined;
  const entryFirst = isEntryDate(last.a, binder);
  if (!entryFirst && !isEntryDate(last.b, binder)) return undefined;
  // What it is compared with is an outer entry's date: a read of a field, the same however often asked.
  const other = entryFirst ? last.b : last.a;
  if (other.k !== "field" || other.of.k !== "var" || other.of.name === binder || !isEntryDate(other, other.of.name) || freeVariables(source).size > 0) return undefined;
  const rest: IrExpr | undefined = conjuncts.length === 1 ? undefined : conjuncts.length === 2 ? conjuncts[0] : { k: "and", args: conjuncts.slice(0, -1) };
  if (rest && [...freeVariables(rest)].some((name) => name !== binder)) return undefined;
  return { rest, entryDate: entryFirst ? last.a : last.b, op: last.op, other, entryFirst };
}

/** Requirements with the bullets of each list before the list, otherwise in source order. */
function bulletsFirst(requirements: readonly IrRequirement[]): IrRequirement[] {
  const inModule = new Set(requirements);
  const done = new Set<IrRequirement>();
  const out: IrRequirement[] = [];
  const visit = (r: IrRequirement) => {
    if (done.has(r) || !inModule.has(r)) return;
    done.add(r);
    for (const item of r.list?.items ?? []) visit(item);
    out.push(r);
  };
  for (const r of [...requirements].sort((a, b) => a.line - b.line)) visit(r);
  return out;
}

/**
 * The facts, definitions and requirements a policy reaches, in the order its sections (then its
 * overlays) first reach them: through criteria, the bullets of lists, and the definitions they call.
 */
export function reach(
  sections: readonly IrSection[],
  services: readonly IrService[],
  overlays: readonly IrOverlay[],
): { facts: IrFact[]; definitions: IrDefinition[]; requirements: IrRequirement[]; consults: Map<string, readonly IrPolicy[]> } {
  const facts = new Set<IrFact>();
  const consults = new Map<string, readonly IrPolicy[]>();
  const seenRequirements = new Set<IrRequirement>();
  const seenDefinitions = new Set<IrDefinition>();
  // Recursion is bounded: nesting is limited to 128 levels, and chains of and/or are flat lists.
  const expr = (e: IrExpr): void => {
    if (e.k === "fact") facts.add(e.fact);
    else if (e.k === "crit") requirement(e.req);
    // Another policy's facts are its own; they join this policy's input when linked (lower.ts).
    else if (e.k === "meets") consults.set(e.name, e.versions);
    else {
      for (const sub of subexpressions(e)) expr(sub);
      // A definition is reached after its arguments, and read once.
      if (e.k === "call" && !seenDefinitions.has(e.def)) {
        seenDefinitions.add(e.def);
        expr(e.def.body);
      }
    }
  };
  const requirement = (r: IrRequirement) => {
    if (seenRequirements.has(r)) return;
    seenRequirements.add(r);
    if (r.when) expr(r.when);
    if (r.test) expr(r.test);
    for (const item of r.list?.items ?? []) requirement(item);
  };
  const section = (s: IrSection) => {
    if (s.when) expr(s.when);
    for (const item of s.items) requirement(item);
  };
  const service = (v: IrService) => {
    if (v.when) expr(v.when);
    for (const s of v.sections) section(s);
  };
  for (const s of sections) section(s);
  for (const v of services) service(v);
  for (const o of overlays) {
    for (const a of o.applies) expr(a.test);
    for (const s of o.sections) section(s);
    for (const v of o.services) service(v);
  }
  return { facts: [...facts], definitions: [...seenDefinitions], requirements: [...seenRequirements], consults };
}

function readingsOf(readings: readonly A.Reading[] | undefined, of: string): IrReading[] {
  return (readings ?? []).map((r) => (r.fragment === undefined ? { text: r.text, of } : { text: r.text, of, fragment: r.fragment }));
}

/** The records a policy's list facts hold, nested lists included (in fields extensions add too), in order of first use. */
function recordsOf(facts: readonly IrFact[], extensions: readonly IrExtension[]): IrRecord[] {
  const records: IrRecord[] = [];
  const add = (type: IrType) => {
    if (type.t !== "list" || records.includes(type.record)) return;
    records.push(type.record);
    for (const f of fieldsOf(type.record, extensions)) add(f.type);
  };
  for (const f of facts) add(f.type);
  return records;
}
