/**
 * Writes one generated module: its imports, the constants its code shares, and the code of each
 * declaration. Expressions map each primitive of the intermediate form to one call of the runtime;
 * no rule of the language is decided here.
 *
 * Two flavours come from the same writer: TypeScript (the modules `polc build` writes) and plain
 * JavaScript for a function body (what `polc eval` runs in memory, with imports handed in by
 * `load`). Policy text reaches either only through `literal` and `commentText`.
 */
import type { IrDeclaration, IrExpr, IrModule, IrRequirement, IrType } from "../ir.js";
import { explainingReadings, subexpressions } from "../ir.js";
import type { ModuleNames } from "./names.js";
import { Names, fixedNames } from "./names.js";
import { commentText, literal } from "../safe-text.js";

export type Flavour = "typescript" | "script";

/** Where each module is written, relative to the output folder, and how a module reaches the runtime. */
export interface OutputLayout {
  modulePath(m: IrModule): string;
  runtimeSpecifier(fromPath: string): string;
}

interface Imported {
  readonly name: string;
  readonly local: string;
  readonly type: boolean;
}

/** Expressions that always give true, false or unknown, so need no `k.truth`. */
const triKinds: ReadonlySet<IrExpr["k"]> = new Set(["bool", "and", "or", "not", "cmp", "in", "known", "within", "crit", "refer", "absent"]);

function isTri(e: IrExpr): boolean {
  return triKinds.has(e.k) || (e.k === "query" && (e.op === "exists" || e.op === "every"));
}

/** An expression cheap enough to work out whether or not an `and` or `or` needs it: no query, definition or criterion in it. */
function isLight(e: IrExpr): boolean {
  if (e.k === "query" || e.k === "call" || e.k === "crit" || e.k === "recent_run") return false;
  return subexpressions(e).every(isLight);
}

/** Names bound inside a function: parameters and query entries, by their name in the policy. */
type Scope = ReadonlyMap<string, string>;

export class ModuleWriter {
  private readonly locals: Names;
  private readonly imports = new Map<string, Map<IrDeclaration | string, Imported>>();
  private readonly constantNames = new Map<string, string>();
  private readonly constants: string[] = [];
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
    const m = d.kind === "field" ? d.record.module : d.module;
    const name = this.namesOf(m).values.get(d)!;
    return m === this.own ? name : this.importName(m, d, name, false);
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

  /** A module-level constant, shared by every use of the same text. */
  constant(candidate: string, text: string): string {
    let name = this.constantNames.get(text);
    if (!name) {
      name = this.locals.take(candidate);
      this.constantNames.set(text, name);
      this.constants.push(`const ${name} = ${text};`);
    }
    return name;
  }

  // ── Output ───────────────────────────────────────────────────────────────────────────────

  line(text = ""): void {
    this.body.push(text);
  }

  /** A doc comment of several lines; each line's text is escaped so that it cannot end the comment. */
  doc(lines: readonly string[], indent = ""): void {
    if (lines.length === 1) this.body.push(`${indent}/** ${commentText(lines[0])} */`);
    else this.body.push(`${indent}/**`, ...lines.map((l) => `${indent} * ${commentText(l)}`), `${indent} */`);
  }

  exportConst(name: string, value: string): void {
    this.exported.push(name);
    this.body.push(`${this.typed ? "export " : ""}const ${name} = ${value};`);
  }

  /** A function of the module with statements for a body (lines already indented by two spaces). */
  functionWithBody(name: string, params: string, returns: string, body: readonly string[], exported = false): void {
    if (exported) this.exported.push(name);
    this.body.push(`${exported && this.typed ? "export " : ""}function ${name}(${params})${this.t(`: ${returns}`)} {`, ...body, `}`);
  }

  exportFunction(name: string, params: string, returns: string, body: string): void {
    this.exported.push(name);
    this.body.push(`${this.typed ? "export " : ""}function ${name}(${params})${this.t(`: ${returns}`)} {`, `  return ${body};`, `}`);
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
      head.push(`import * as k from ${literal(this.layout.runtimeSpecifier(this.path))};`);
      for (const [path, names] of [...this.imports].sort(([a], [b]) => a.localeCompare(b))) {
        const list = [...names.values()].sort((a, b) => a.local.localeCompare(b.local)).map((i) => `${i.type ? "type " : ""}${i.name === i.local ? i.name : `${i.name} as ${i.local}`}`);
        head.push(`import { ${list.join(", ")} } from ${literal(specifier(path))};`);
      }
    } else {
      for (const [path, names] of [...this.imports].sort(([a], [b]) => a.localeCompare(b))) {
        const list = [...names.values()].filter((i) => !i.type).sort((a, b) => a.local.localeCompare(b.local));
        if (list.length) head.push(`const { ${list.map((i) => (i.name === i.local ? i.name : `${i.name}: ${i.local}`)).join(", ")} } = load(${literal(path)});`);
      }
    }
    head.push("");
    if (this.constants.length) head.push(...this.constants, "");
    const tail = this.typed ? [] : ["", `return { ${this.exported.join(", ")} };`];
    return [...head, ...this.body, ...tail, ""].join("\n");
  }

  // ── Types ────────────────────────────────────────────────────────────────────────────────

  /** The runtime's description of a type, for validation and conversion. */
  runtimeType(type: IrType): string {
    switch (type.t) {
      case "boolean":
      case "date":
      case "duration":
      case "text":
        return `k.${type.t}`;
      case "levels":
        return "k.spinalLevels";
      case "number": {
        const bounds = type.min === undefined && type.max === undefined ? "" : `${numberText(type.min)}, ${numberText(type.max)}`;
        return `k.${type.integer ? "integer" : "number"}(${bounds})`;
      }
      case "enum":
        return this.value(type.enum);
      case "list":
        return `k.listOf(() => ${this.value(type.record)})`;
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
        return `readonly ${this.type(type.record)}[]`;
    }
  }

  // ── Expressions ──────────────────────────────────────────────────────────────────────────

  /** An expression that must give true, false or unknown. */
  tri(e: IrExpr, scope: Scope): string {
    const v = this.expr(e, scope);
    return isTri(e) ? v : `k.truth(${v})`;
  }

  expr(e: IrExpr, scope: Scope): string {
    switch (e.k) {
      case "bool":
        return String(e.v);
      case "num":
        return numberText(e.v);
      case "text":
      case "enum":
        return literal(e.v);
      case "date":
        return this.constant(`date_${e.v.replace(/-/g, "_")}`, `k.day(${literal(e.v)})`);
      case "dur":
        return this.constant(`${e.unit}_${String(e.amount).replace(/\W/g, "_")}`, `k.length(${numberText(e.amount)}, ${literal(e.unit)})`);
      case "levels":
        return this.constant(`levels_${e.v.replace(/\W+/g, "_").slice(0, 30)}`, `k.levels(${literal(e.v)})`);
      case "none":
        return "k.NONE";
      case "absent":
        return `k.isAbsent(${this.expr(e.arg, scope)})`;
      case "refer": {
        const referral = this.constant(`referral_${this.referrals++}`, `k.referral(${literal(e.clause)}, ${literal(e.refs)})`);
        return e.when ? `k.refer(${referral}, ${this.tri(e.when, scope)})` : referral;
      }
      case "if":
        return `k.choose(${this.tri(e.cond, scope)}, () => ${this.expr(e.then, scope)}, () => ${this.expr(e.else, scope)})`;
      case "fn":
        return `k.${e.fn}(${e.args.map((a) => this.expr(a, scope)).join(", ")})`;
      case "fact":
        return `c.fact(${this.value(e.fact)})`;
      case "dos":
        return "c.dos";
      case "var":
        return scope.get(e.name)!;
      case "field":
        // A query's entry is always an entry of the list: its field is read without asking what it is.
        if (e.of.k === "var" && this.entries.has(scope.get(e.of.name)!)) return `c.entryField(${scope.get(e.of.name)}, ${this.value(e.field)})`;
        return `c.field(${this.expr(e.of, scope)}, ${this.value(e.field)})`;
      case "and":
      case "or": {
        // Operands up to the first costly one are worked out at once; from there on, each comes as
        // a function, so that `and` stops at the first false and operands run in written order.
        const firstCostly = e.args.findIndex((a, i) => i > 0 && !isLight(a));
        const eager = e.args.slice(0, firstCostly === -1 ? e.args.length : firstCostly).map((a) => this.tri(a, scope));
        const head = this.junction(`k.${e.k}`, eager);
        if (firstCostly === -1) return head;
        const lazy = (rest: readonly IrExpr[]): string =>
          rest.length === 1 ? this.tri(rest[0], scope) : `c.${e.k}(${this.tri(rest[0], scope)}, () => ${lazy(rest.slice(1))})`;
        return `c.${e.k}(${head}, () => ${lazy(e.args.slice(firstCostly))})`;
      }
      case "not":
        return `k.not(${this.tri(e.arg, scope)})`;
      case "cmp": {
        const a = this.expr(e.a, scope);
        const b = this.expr(e.b, scope);
        switch (e.kind) {
          case "number":
          case "date":
            return `k.compare(${literal(e.op)}, ${a}, ${b})`;
          case "duration":
            return `k.compareDurations(${literal(e.op)}, ${a}, ${b}, c.dos)`;
          case "equality":
            return `k.compareEqual(${literal(e.op)}, ${a}, ${b})`;
        }
        break;
      }
      case "in": {
        const set = this.constant(`choices_${e.values.join("_").slice(0, 40)}`, `k.choices(${literal(e.values)})`);
        return `k.isIn(${this.expr(e.arg, scope)}, ${set}, ${e.negated})`;
      }
      case "known":
        return `k.isKnown(${this.expr(e.arg, scope)})`;
      case "arith": {
        const operation = e.kind === "date" ? "shiftDate" : e.kind === "duration" ? "scaleLength" : "arithmetic";
        return `k.${operation}(${literal(e.op)}, ${this.expr(e.a, scope)}, ${this.expr(e.b, scope)})`;
      }
      case "within":
        return `k.withinLast(${this.expr(e.arg, scope)}, ${this.expr(e.window, scope)}, c.dos)`;
      case "span":
        return `k.timeBetween(${this.expr(e.from, scope)}, ${e.to ? this.expr(e.to, scope) : "c.dos"})`;
      case "call":
        return `${this.value(e.def)}(${["c", ...e.args.map((a) => this.expr(a, scope))].join(", ")})`;
      case "crit":
        return `c.met(${this.value(e.req)})`;
      case "later_of":
      case "earlier_of":
        return `k.${e.k === "later_of" ? "laterOf" : "earlierOf"}([${e.args.map((a) => this.expr(a, scope)).join(", ")}])`;
      case "recent_run":
        return `k.recentRun(c, ${this.expr(e.list, scope)}, ${this.expr(e.gap, scope)})`;
      case "query":
        return this.query(e, scope);
    }
  }

  /** `k.and(a, b, …)` takes up to six operands; a longer chain nests. */
  private junction(call: string, args: readonly string[]): string {
    if (args.length === 1) return args[0];
    if (args.length <= 6) return `${call}(${args.join(", ")})`;
    return `${call}(${[...args.slice(0, 5), this.junction(call, args.slice(5))].join(", ")})`;
  }

  /** How many referral constants this module has made, for their names. */
  private referrals = 0;

  /** The names that hold an entry of a list (a query's binder), whose fields are read directly. */
  private readonly entries = new Set<string>();

  private query(e: Extract<IrExpr, { k: "query" }>, scope: Scope): string {
    const source = this.expr(e.source, scope);
    const entry = `each_${e.binder}`;
    this.entries.add(entry);
    const inner = new Map(scope).set(e.binder, entry);
    const filter = e.filter ? `(${entry}) => ${this.tri(e.filter, inner)}` : undefined;
    switch (e.op) {
      case "count":
        if (e.keys || e.window) {
          const keys = e.keys ? `(${entry}) => [${e.keys.map((key) => this.expr(key, inner)).join(", ")}]` : "undefined";
          return `k.countBy(c, ${source}, ${filter ?? "undefined"}, ${keys}, ${e.window ? this.expr(e.window, scope) : "undefined"})`;
        }
        if (e.merge) {
          const first = `each_${e.merge.a}`;
          // Two entries of one name: the second is the one the condition sees.
          const second = e.merge.b === e.merge.a ? `${first}_2` : `each_${e.merge.b}`;
          this.entries.add(first).add(second);
          const pair = new Map(scope).set(e.merge.a, first).set(e.merge.b, second);
          return `k.countPairedAsOne(c, ${source}, ${filter ?? "undefined"}, (${first}, ${second}) => ${this.tri(e.merge.cond, pair)})`;
        }
        return `k.count(c, ${source}${filter ? `, ${filter}` : ""})`;
      case "every":
        return `k.every(c, ${source}, ${filter ?? "undefined"}, (${entry}) => ${this.tri(e.body!, inner)})`;
      case "union":
        return `k.union(c, ${source}, ${filter ?? "undefined"}, (${entry}) => ${this.expr(e.body!, inner)})`;
      default:
        return `k.${e.op}(c, ${source}${filter ? `, ${filter}` : ""})`;
    }
  }

  // ── Requirements ─────────────────────────────────────────────────────────────────────────

  /** `k.criterion({ … })` for a criterion, pathway, checked note or unnamed list. */
  requirement(r: IrRequirement, name: string, source: string): void {
    const heading = r.role === "group" ? `List ${r.id}` : `${r.role[0].toUpperCase()}${r.role.slice(1)} ${r.id}`;
    this.doc([`${heading}: ${r.wording}${r.refs ? ` [${r.refs}]` : ""}`, `${source}, line ${r.line}.`]);
    const fields = [`  id: ${literal(r.id)},`, `  wording: ${literal(r.wording)},`];
    if (r.refs) fields.push(`  refs: ${literal(r.refs)},`);
    fields.push(`  source,`, `  line: ${r.line},`);
    const readings = explainingReadings(r);
    if (readings.length) fields.push(`  readings: [`, ...readings.map((reading) => `    { text: ${literal(reading.text)}, of: ${literal(reading.of)} },`), `  ],`);
    const scope: Scope = new Map();
    if (r.when) fields.push(`  when: (c) => ${this.tri(r.when, scope)},`);
    if (r.test) fields.push(`  test: (c) => ${this.tri(r.test, scope)},`);
    if (r.list) {
      const items = `[${r.list.items.map((i) => this.value(i)).join(", ")}]`;
      const list = r.list.quantifier === "atLeast" || r.list.quantifier === "atMost" ? `k.${r.list.quantifier}(${r.list.n}, ${items})` : `k.${r.list.quantifier}Of(${items})`;
      fields.push(`  list: ${list},`);
    }
    const make = r.role === "group" ? "group" : r.role;
    this.exportConst(name, `k.${make}({\n${fields.join("\n")}\n})`);
  }
}

/** A number as code: finite, with a sign that cannot merge with an operator before it. */
export function numberText(v: number | undefined): string {
  if (v === undefined) return "undefined";
  if (!Number.isFinite(v)) throw new Error(`a number that is not finite reached code generation: ${v}`);
  return v < 0 ? `(${v})` : String(v);
}
