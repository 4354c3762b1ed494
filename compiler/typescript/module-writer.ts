/**
 * Writes one generated module: its imports, the constants its code shares, and the code of each
 * declaration. Expressions map each primitive of the intermediate form to one call of the runtime;
 * no rule of the language is decided here.
 *
 * Two flavours come from the same writer: TypeScript (the modules `polc build` writes) and plain
 * JavaScript for a function body (what `polc eval` runs in memory, with imports handed in by
 * `load`). Policy text reaches either only through `literal` and `commentText`.
 */
import type { IrDated, IrDeclaration, IrExpr, IrModule, IrPolicy, IrRecord, IrRequirement, IrType } from "../ir.js";
import { explainingReadings, subexpressions } from "../ir.js";
import type { ModuleNames } from "./names.js";
import { Names, fixedNames } from "./names.js";
import { commentText, literal } from "../safe-text.js";
import { array, arrow, atom, call, declaration, flat, jsonCode, layout, num, object, printString, str, type Code, type Property } from "./code.js";
import { group, hardline, ifBreak, indent, join, line, printDoc, printFlat, softline, type Doc } from "./layout.js";

export type Flavour = "typescript" | "script";

/** Where each module is written, relative to the output folder, and how a module reaches the runtime. */
export interface OutputLayout {
  modulePath(m: IrModule): string;
  /** A policy's module, for a policy module that imports another's (`meets`). */
  policyPath?(p: IrPolicy): string;
  runtimeSpecifier(fromPath: string): string;
}

interface Imported {
  readonly name: string;
  readonly local: string;
  readonly type: boolean;
}

/** Expressions that always give true, false or unknown, so need no `k.truth`. */
const triKinds: ReadonlySet<IrExpr["k"]> = new Set(["bool", "and", "or", "not", "cmp", "in", "known", "within", "crit", "refer", "absent", "meets"]);

function isTri(e: IrExpr): boolean {
  return triKinds.has(e.k) || (e.k === "query" && (e.op === "exists" || e.op === "every"));
}

/** An expression cheap enough to work out whether or not an `and` or `or` needs it: no query, definition or criterion in it. */
function isLight(e: IrExpr): boolean {
  if (e.k === "query" || e.k === "call" || e.k === "crit" || e.k === "recent_run" || e.k === "meets") return false;
  return subexpressions(e).every(isLight);
}

/** Names bound inside a function: parameters and query entries, by their name in the policy. */
type Scope = ReadonlyMap<string, string>;

export class ModuleWriter {
  private readonly locals: Names;
  private readonly imports = new Map<string, Map<IrDeclaration | string, Imported>>();
  private readonly constantNames = new Map<string, string>();
  private readonly constants: [string, Code][] = [];
  readonly body: string[] = [];
  /** Values this module exports, for the script flavour's closing `return`. */
  private readonly exported: string[] = [];

  constructor(
    readonly path: string,
    readonly flavour: Flavour,
    private readonly layout: OutputLayout,
    private readonly namesOf: (m: IrModule) => ModuleNames,
    private readonly own: IrModule | undefined,
  ) {
    const names = own ? namesOf(own) : undefined;
    this.locals = new Names([...fixedNames, ...(names ? [...names.values.values(), ...names.types.values()] : [])]);
  }

  get typed(): boolean {
    return this.flavour === "typescript";
  }

  /** A type annotation, in TypeScript only. */
  t(annotation: string): string {
    return this.typed ? annotation : "";
  }

  // ── Names ────────────────────────────────────────────────────────────────────────────────

  /** The identifier this module uses for a declaration: its own name, or an import. */
  value(d: IrDeclaration): string {
    const m = d.kind === "field" ? (d.extension?.module ?? d.record.module) : d.module;
    const name = this.namesOf(m).values.get(d)!;
    return m === this.own ? name : this.importName(m, d, name, false);
  }

  /** The name a declaration has in its own module (before any import renames it here). */
  valueName(d: IrDeclaration): string {
    const m = d.kind === "field" ? (d.extension?.module ?? d.record.module) : d.module;
    return this.namesOf(m).values.get(d)!;
  }

  /** The type name an enum or record has in its own module. */
  typeName(d: IrDeclaration): string {
    return this.namesOf(d.kind === "field" ? d.record.module : d.module).types.get(d)!;
  }

  /** Records this policy module reads with the fields extensions add, by the name of the type it declares for them. */
  readonly viewTypes = new Map<IrRecord, string>();

  /** Another policy's `policy`, imported from its module. */
  policyValue(p: IrPolicy): string {
    if (!this.layout.policyPath) throw new Error("a policy module that consults another needs the policies' layout");
    const path = this.layout.policyPath(p);
    let names = this.imports.get(path);
    if (!names) this.imports.set(path, (names = new Map()));
    let imported = names.get("policy");
    if (!imported) names.set("policy", (imported = { name: "policy", local: this.locals.take(`policy_${p.id}`), type: false }));
    return imported.local;
  }

  /** The TypeScript name of an enum or record type. */
  type(d: IrDeclaration): string {
    const m = d.kind === "field" ? d.record.module : d.module;
    const name = this.namesOf(m).types.get(d)!;
    return m === this.own ? name : this.importName(m, d, name, true);
  }

  private importName(m: IrModule, d: IrDeclaration, name: string, type: boolean): string {
    const path = this.layout.modulePath(m);
    let names = this.imports.get(path);
    if (!names) this.imports.set(path, (names = new Map()));
    const key = type ? `type:${name}` : d;
    let imported = names.get(key);
    if (!imported) names.set(key, (imported = { name, local: this.locals.take(name), type }));
    return imported.local;
  }

  /** A name for a module-level function of this module's own (not exported). */
  local(candidate: string): string {
    return this.locals.take(candidate);
  }

  /** A module-level constant, shared by every use of the same code. */
  /** A constant of its own, even where another has the same code (a place in the policy). */
  uniqueConstant(candidate: string, value: Code): Code {
    const name = this.locals.take(candidate);
    this.constants.push([name, value]);
    return atom(name);
  }

  constant(candidate: string, value: Code): Code {
    const text = flat(value);
    let name = this.constantNames.get(text);
    if (!name) {
      name = this.locals.take(candidate);
      this.constantNames.set(text, name);
      this.constants.push([name, value]);
    }
    return atom(name);
  }

  // ── Output ───────────────────────────────────────────────────────────────────────────────

  line(text = ""): void {
    this.body.push(text);
  }

  /** Code laid out as Prettier would lay it out (TypeScript); on long lines for the script flavour, which nobody reads. */
  print(doc: Doc): string {
    return this.typed ? printDoc(doc, 120) : printFlat(doc);
  }

  /** A statement laid out at the top level of the module. */
  statement(doc: Doc): void {
    this.body.push(this.print(doc));
  }

  /** A doc comment of several lines; each line's text is escaped so that it cannot end the comment. */
  doc(lines: readonly string[], indent = ""): void {
    if (lines.length === 1) this.body.push(`${indent}/** ${commentText(lines[0])} */`);
    else this.body.push(`${indent}/**`, ...lines.map((l) => `${indent} * ${commentText(l)}`), `${indent} */`);
  }

  exportConst(name: string, value: Code): void {
    this.exported.push(name);
    this.statement([this.typed ? "export const " : "const ", declaration(name, value), ";"]);
  }

  /** `function name(params): returns {`, as Prettier breaks a signature too long for a line. */
  private signature(name: string, params: readonly string[], returns: string, exported: boolean): Doc {
    const list = params.map((p) => (this.typed ? p : p.replace(/\??:.*$/, "")));
    return group([
      `${exported && this.typed ? "export " : ""}function ${name}`,
      group(["(", indent([softline, join([",", line], list)]), ifBreak(","), softline, ")"]),
      this.t(`: ${returns}`),
    ]);
  }

  /** A function of the module with statements for a body. */
  functionWithBody(name: string, params: readonly string[], returns: string, body: readonly Doc[], exported = false): void {
    if (exported) this.exported.push(name);
    this.statement([this.signature(name, params, returns, exported), " {", indent([hardline, join(hardline, body)]), hardline, "}"]);
  }

  exportFunction(name: string, params: readonly string[], returns: string, body: Code): void {
    this.exported.push(name);
    this.statement([this.signature(name, params, returns, true), " {", indent([hardline, "return ", layout(body), ";"]), hardline, "}"]);
  }

  /** The whole module: banner, imports, constants, then the body. */
  text(banner: readonly string[]): string {
    const head: string[] = [...banner, ""];
    const specifier = (target: string) => {
      const from = this.path.split("/").slice(0, -1);
      const to = target.split("/");
      let common = 0;
      while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
      const up = from.length - common;
      const rel = [...(up === 0 ? ["."] : new Array<string>(up).fill("..")), ...to.slice(common)].join("/");
      return rel.replace(/\.ts$/, ".js");
    };
    if (this.typed) {
      head.push(`import * as k from ${printString(literal(this.layout.runtimeSpecifier(this.path)))};`);
      for (const [path, names] of [...this.imports].sort(([a], [b]) => a.localeCompare(b))) {
        const list = [...names.values()].sort((a, b) => a.local.localeCompare(b.local)).map((i) => `${i.type ? "type " : ""}${i.name === i.local ? i.name : `${i.name} as ${i.local}`}`);
        head.push(this.print(["import ", namedList(list), ` from ${printString(literal(specifier(path)))};`]));
      }
    } else {
      for (const [path, names] of [...this.imports].sort(([a], [b]) => a.localeCompare(b))) {
        const list = [...names.values()].filter((i) => !i.type).sort((a, b) => a.local.localeCompare(b.local));
        if (list.length) head.push(`const { ${list.map((i) => (i.name === i.local ? i.name : `${i.name}: ${i.local}`)).join(", ")} } = load(${literal(path)});`);
      }
    }
    head.push("");
    if (this.constants.length) head.push(...this.constants.map(([name, value]) => this.print(["const ", declaration(name, value), ";"])), "");
    const tail = this.typed ? [] : ["", `return { ${this.exported.join(", ")} };`];
    // One blank line at most between statements, as Prettier keeps them (no text of a policy holds a raw line break).
    return [...head, ...this.body, ...tail, ""].join("\n").replace(/\n{3,}/g, "\n\n");
  }

  // ── Types ────────────────────────────────────────────────────────────────────────────────

  /** The runtime's description of a type, for validation and conversion. */
  runtimeType(type: IrType): Code {
    switch (type.t) {
      case "boolean":
      case "date":
      case "duration":
      case "text":
        return atom(`k.${type.t}`);
      case "levels":
        return atom("k.spinalLevels");
      case "number": {
        const bounds = type.min === undefined && type.max === undefined ? [] : [numberCode(type.min), numberCode(type.max)];
        return call(`k.${type.integer ? "integer" : "number"}`, bounds);
      }
      case "enum":
        return atom(this.value(type.enum));
      case "list":
        return call("k.listOf", [arrow("()", atom(this.value(type.record)))]);
    }
  }

  /** The TypeScript type of a value in the input. */
  inputType(type: IrType): string {
    switch (type.t) {
      case "boolean":
        return "boolean";
      case "number":
        return "number";
      case "text":
        return "string";
      case "date":
        return "k.IsoDate";
      case "duration":
        return "k.Duration";
      case "levels":
        return "k.SpinalLevels";
      case "enum":
        return this.type(type.enum);
      case "list":
        return `readonly ${this.viewTypes.get(type.record) ?? this.type(type.record)}[]`;
    }
  }

  // ── Expressions ──────────────────────────────────────────────────────────────────────────

  /** An expression that must give true, false or unknown. */
  tri(e: IrExpr, scope: Scope): Code {
    const v = this.expr(e, scope);
    return isTri(e) ? v : call("k.truth", [v]);
  }

  expr(e: IrExpr, scope: Scope): Code {
    switch (e.k) {
      case "bool":
        return atom(String(e.v));
      case "num":
        return numberCode(e.v);
      case "text":
      case "enum":
        return str(literal(e.v));
      case "date":
        return this.constant(`date_${e.v.replace(/-/g, "_")}`, call("k.day", [str(literal(e.v))]));
      case "dur":
        return this.constant(`${e.unit}_${String(e.amount).replace(/\W/g, "_")}`, call("k.length", [numberCode(e.amount), str(literal(e.unit))]));
      case "levels":
        return this.constant(`levels_${e.v.replace(/\W+/g, "_").slice(0, 30)}`, call("k.levels", [str(literal(e.v))]));
      case "none":
        return atom("k.NONE");
      case "absent":
        return call("k.isAbsent", [this.expr(e.arg, scope)]);
      case "refer": {
        const referral = this.constant(`referral_${this.referrals++}`, call("k.referral", [str(literal(e.clause)), jsonCode(e.refs)]));
        return e.when ? call("k.refer", [referral, this.tri(e.when, scope)]) : referral;
      }
      case "meets":
        // The policies a name stands for are the evaluated policy's (its module lists them): a name, never code.
        return call("k.meets", [atom("c"), str(literal(e.name))]);
      case "if":
        return call("k.choose", [this.tri(e.cond, scope), arrow("()", this.expr(e.then, scope)), arrow("()", this.expr(e.else, scope))]);
      case "fn":
        return call(`k.${e.fn}`, e.args.map((a) => this.expr(a, scope)));
      case "fact":
        return call("c.fact", [atom(this.value(e.fact))]);
      case "dos":
        return atom("c.dos");
      case "var":
        return atom(scope.get(e.name)!);
      case "field":
        // A query's entry is always an entry of the list: its field is read without asking what it is.
        if (e.of.k === "var" && this.entries.has(scope.get(e.of.name)!)) return call("c.entryField", [atom(scope.get(e.of.name)!), atom(this.value(e.field))]);
        return call("c.field", [this.expr(e.of, scope), atom(this.value(e.field))]);
      case "and":
      case "or": {
        // Operands up to the first costly one are worked out at once; from there on, each comes as
        // a function, so that `and` stops at the first false and operands run in written order.
        const firstCostly = e.args.findIndex((a, i) => i > 0 && !isLight(a));
        const eager = e.args.slice(0, firstCostly === -1 ? e.args.length : firstCostly).map((a) => this.tri(a, scope));
        const head = this.junction(`k.${e.k}`, eager);
        if (firstCostly === -1) return head;
        const lazy = (rest: readonly IrExpr[]): Code =>
          rest.length === 1 ? this.tri(rest[0], scope) : call(`c.${e.k}`, [this.tri(rest[0], scope), arrow("()", lazy(rest.slice(1)))]);
        return call(`c.${e.k}`, [head, arrow("()", lazy(e.args.slice(firstCostly)))]);
      }
      case "not":
        return call("k.not", [this.tri(e.arg, scope)]);
      case "cmp": {
        const a = this.expr(e.a, scope);
        const b = this.expr(e.b, scope);
        const op = str(literal(e.op));
        switch (e.kind) {
          case "number":
          case "date":
            return call("k.compare", [op, a, b]);
          case "duration":
            return call("k.compareDurations", [op, a, b, atom("c.dos")]);
          case "equality":
            return call("k.compareEqual", [op, a, b]);
        }
        break;
      }
      case "in": {
        const set = this.constant(`choices_${e.values.join("_").slice(0, 40)}`, call("k.choices", [jsonCode(e.values)]));
        return call("k.isIn", [this.expr(e.arg, scope), set, atom(String(e.negated))]);
      }
      case "known":
        return call("k.isKnown", [this.expr(e.arg, scope)]);
      case "arith": {
        const operation = e.kind === "date" ? "shiftDate" : e.kind === "duration" ? "scaleLength" : "arithmetic";
        return call(`k.${operation}`, [str(literal(e.op)), this.expr(e.a, scope), this.expr(e.b, scope)]);
      }
      case "within":
        return call("k.withinLast", [this.expr(e.arg, scope), this.expr(e.window, scope), atom("c.dos")]);
      case "span":
        return call("k.timeBetween", [this.expr(e.from, scope), e.to ? this.expr(e.to, scope) : atom("c.dos")]);
      case "call":
        return call(this.value(e.def), [atom("c"), ...e.args.map((a) => this.expr(a, scope))]);
      case "crit":
        return call("c.met", [atom(this.value(e.req))]);
      case "later_of":
      case "earlier_of":
        return call(`k.${e.k === "later_of" ? "laterOf" : "earlierOf"}`, [array(e.args.map((a) => this.expr(a, scope)))]);
      case "recent_run":
        return call("k.recentRun", [atom("c"), this.expr(e.list, scope), this.expr(e.gap, scope)]);
      case "query":
        return this.query(e, scope);
    }
  }

  /** `k.and(a, b, …)` takes up to six operands; a longer chain nests. */
  private junction(callee: string, args: readonly Code[]): Code {
    if (args.length === 1) return args[0];
    if (args.length <= 6) return call(callee, args);
    return call(callee, [...args.slice(0, 5), this.junction(callee, args.slice(5))]);
  }

  /** How many referral constants this module has made, for their names. */
  private referrals = 0;

  /** The names that hold an entry of a list (a query's binder), whose fields are read directly. */
  private readonly entries = new Set<string>();

  private query(e: Extract<IrExpr, { k: "query" }>, scope: Scope): Code {
    if (e.once) {
      // Asked inside another question, reading no variable: remembered like a definition without parameters.
      const slot = this.uniqueConstant(`question_${this.onceSites++}`, call("k.questionSlot", []));
      return call("c.remember", [slot, arrow("(c)", this.query({ ...e, once: false }, scope))]);
    }
    const source = this.expr(e.source, scope);
    const entry = `each_${e.binder}`;
    this.entries.add(entry);
    const inner = new Map(scope).set(e.binder, entry);
    const filter = e.filter ? arrow(`(${entry})`, this.tri(e.filter, inner)) : undefined;
    const none = atom("undefined");
    const c = atom("c");
    switch (e.op) {
      case "count":
        if (e.keys || e.window) {
          const keys = e.keys ? arrow(`(${entry})`, array(e.keys.map((key) => this.expr(key, inner)))) : none;
          return call("k.countBy", [c, source, filter ?? none, keys, e.window ? this.expr(e.window, scope) : none]);
        }
        if (e.merge) {
          const first = `each_${e.merge.a}`;
          // Two entries of one name: the second is the one the condition sees.
          const second = e.merge.b === e.merge.a ? `${first}_2` : `each_${e.merge.b}`;
          this.entries.add(first).add(second);
          const pair = new Map(scope).set(e.merge.a, first).set(e.merge.b, second);
          const condition = arrow(`(${first}, ${second})`, this.tri(e.merge.cond, pair));
          const window = e.merge.window ? [arrow(`(${first}, ${second})`, this.tri(e.merge.window, pair))] : [];
          return call("k.countPairedAsOne", [c, source, filter ?? none, condition, ...window]);
        }
        if (e.dated && filter) return this.datedQuestion("k.countDated", e.dated, source, filter, entry, inner, scope);
        return call("k.count", filter ? [c, source, filter] : [c, source]);
      case "exists":
        if (e.dated && filter) return this.datedQuestion("k.existsDated", e.dated, source, filter, entry, inner, scope);
        return call("k.exists", filter ? [c, source, filter] : [c, source]);
      case "every":
        return call("k.every", [c, source, filter ?? none, arrow(`(${entry})`, this.tri(e.body!, inner))]);
      case "union":
        return call("k.union", [c, source, filter ?? none, arrow(`(${entry})`, this.expr(e.body!, inner))]);
      default:
        return call(`k.${e.op}`, filter ? [c, source, filter] : [c, source]);
    }
  }

  /** How many questions asked once per evaluation this module has, for their names. */
  private onceSites = 0;

  /** How many places of dated questions this module has made, for their names. */
  private datedSites = 0;

  /**
   * `exists`/`count` whose filter ends in a comparison of the entry's date (IrDated): the place
   * it is asked is a constant of the module (each evaluation remembers there what the rest of the
   * filter gave), and the call gets the whole filter besides its parts.
   */
  private datedQuestion(callee: string, dated: IrDated, source: Code, filter: Code, entry: string, inner: Scope, scope: Scope): Code {
    const site = this.uniqueConstant(`dated_question_${this.datedSites++}`, call("k.datedQuestion", [str(literal(dated.op)), atom(String(dated.entryFirst))]));
    const rest = dated.rest ? arrow(`(${entry})`, this.tri(dated.rest, inner)) : atom("undefined");
    return call(callee, [atom("c"), site, source, filter, rest, arrow(`(${entry})`, this.expr(dated.entryDate, inner)), arrow("()", this.expr(dated.other, scope))]);
  }

  // ── Requirements ─────────────────────────────────────────────────────────────────────────

  /** `k.criterion({ … })` for a criterion, pathway, checked note or unnamed list. */
  requirement(r: IrRequirement, name: string, source: string): void {
    const heading = r.role === "group" ? `List ${r.id}` : `${r.role[0].toUpperCase()}${r.role.slice(1)} ${r.id}`;
    this.doc([`${heading}: ${r.wording}${r.refs ? ` [${r.refs}]` : ""}`, `${source}, line ${r.line}.`]);
    const fields: Property[] = [{ key: "id", value: str(literal(r.id)) }, { key: "wording", value: str(literal(r.wording)) }];
    if (r.refs) fields.push({ key: "refs", value: str(literal(r.refs)) });
    fields.push({ shorthand: "source" }, { key: "line", value: numberCode(r.line) });
    const readings = explainingReadings(r);
    if (readings.length) {
      fields.push({ key: "readings", value: array(readings.map((reading) => object([{ key: "text", value: str(literal(reading.text)) }, { key: "of", value: str(literal(reading.of)) }]))) });
    }
    const scope: Scope = new Map();
    if (r.when) fields.push({ key: "when", value: arrow("(c)", this.tri(r.when, scope)) });
    if (r.test) fields.push({ key: "test", value: arrow("(c)", this.tri(r.test, scope)) });
    if (r.list) {
      const items = array(r.list.items.map((i) => atom(this.value(i))));
      const list = r.list.quantifier === "atLeast" || r.list.quantifier === "atMost" ? call(`k.${r.list.quantifier}`, [numberCode(r.list.n), items]) : call(`k.${r.list.quantifier}Of`, [items]);
      fields.push({ key: "list", value: list });
    }
    const make = r.role === "group" ? "group" : r.role;
    this.exportConst(name, call(`k.${make}`, [object(fields, true)]));
  }
}

/** `{ a, b, c }` of an import or export: on one line when it fits, else one name a line. */
export function namedList(names: readonly string[]): Doc {
  if (names.length === 1) return `{ ${names[0]} }`;
  return group(["{", indent([line, join([",", line], names)]), ifBreak(","), line, "}"]);
}

/** A number as code, as Prettier prints it (`1e21`, not `1e+21`). */
export function numberCode(v: number | undefined): Code {
  if (v === undefined) return atom("undefined");
  if (!Number.isFinite(v)) throw new Error(`a number that is not finite reached code generation: ${v}`);
  return num(String(v).replace("e+", "e"));
}
