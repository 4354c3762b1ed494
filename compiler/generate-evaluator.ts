/**
 * Compiles a checked program to functions: one per requirement, definition, condition and fact,
 * calling runtime/kernel.ts. The result is the same determination the interpreter gives, without
 * its per-node dispatch and bookkeeping.
 *
 * Every identifier in the output is made here (req_3, def_1, t12, v2); policy text — ids, enum
 * values, fact paths, wording — appears only through `literal`, as JSON string literals.
 */
import type { FieldType, IrExpr, Program, QueryOp } from "../runtime/program.js";
import { conditionsOf } from "../runtime/kernel.js";
import { inputTree, type InputNode } from "../runtime/validate.js";
import { commentText, literal } from "./safe-text.js";

export interface EvaluatorCode {
  /** Declarations (constants and functions), then nothing else. */
  readonly declarations: string;
  /** An expression for the arguments of `k.link` after the program: the function lists and sizes. */
  readonly linkArguments: string;
}

/** `typed`: TypeScript with annotations (generated modules); otherwise plain JavaScript (polc, in memory). */
export function generateEvaluator(program: Program, typed: boolean): EvaluatorCode {
  return new EvaluatorWriter(program, typed).write();
}

/** Expressions that always give true, false or unknown, so need no `asTri`. */
const triKinds: ReadonlySet<IrExpr["k"]> = new Set(["bool", "and", "or", "not", "cmp", "in", "known", "within", "crit"]);

function isTri(e: IrExpr): boolean {
  return triKinds.has(e.k) || (e.k === "query" && (e.op === "exists" || e.op === "every"));
}

type Scope = ReadonlyMap<string, string>;

class Body {
  readonly lines: string[] = [];
  private depth = 1;
  private temps = 0;

  constructor(private readonly prefix = "t") {}

  line(text: string): void {
    this.lines.push(`${"  ".repeat(this.depth)}${text}`);
  }
  open(text: string): void {
    this.line(text);
    this.depth++;
  }
  close(text = "}"): void {
    this.depth--;
    this.line(text);
  }
  temp(): string {
    return `${this.prefix}${++this.temps}`;
  }
}

class EvaluatorWriter {
  private readonly constants: string[] = [];
  private readonly functions: string[] = [];
  private readonly factIndex = new Map<string, number>();
  private readonly constantIndex = new Map<string, string>();
  private readonly definitionIndex: ReadonlyMap<string, number>;
  private readonly requirementIndex: ReadonlyMap<string, number>;
  private readonly factTypes: ReadonlyMap<string, FieldType>;
  /** For each record field name, the kinds of type it has across records. */
  private readonly fieldKinds = new Map<string, Set<string>>();
  /** Every record field name, with its position in an entry's slots (the same in every record). */
  private readonly fieldSlots = new Map<string, number>();
  /** False when a record holds a list: its entries are made from the input without slots. */
  private readonly entriesHaveSlots: boolean;
  private binders = 0;
  /** Names that always hold a record: query entries and the two entries of a pair. */
  private readonly records = new Set<string>();
  private memoDefinitions = 0;

  constructor(
    private readonly program: Program,
    private readonly typed: boolean,
  ) {
    this.definitionIndex = new Map(Object.keys(program.definitions).map((name, i) => [name, i]));
    this.requirementIndex = new Map(Object.keys(program.requirements).map((id, i) => [id, i]));
    this.factTypes = new Map(program.facts.map((f) => [f.path, f.type]));
    for (const fields of Object.values(program.records)) {
      for (const f of fields) {
        if (!this.fieldSlots.has(f.path)) this.fieldSlots.set(f.path, this.fieldSlots.size);
        let kinds = this.fieldKinds.get(f.path);
        if (!kinds) this.fieldKinds.set(f.path, (kinds = new Set()));
        kinds.add(f.type.t === "date" || f.type.t === "list" ? f.type.t : "plain");
      }
    }
    this.entriesHaveSlots = ![...this.fieldKinds.values()].some((kinds) => kinds.has("list"));
  }

  /** What a field name holds in every record that has it, or undefined when that differs (or is a list). */
  private fieldKind(name: string): "plain" | "date" | undefined {
    const kinds = this.fieldKinds.get(name);
    if (kinds?.size !== 1) return undefined;
    const [kind] = kinds;
    return kind === "plain" || kind === "date" ? kind : undefined;
  }

  /** A type annotation, in TypeScript only. */
  private t(annotation: string): string {
    return this.typed ? annotation : "";
  }

  write(): EvaluatorCode {
    const requirements = Object.keys(this.program.requirements).map((id, i) => this.requirement(id, i));
    const conditions = conditionsOf(this.program).map((e, i) => this.condition(e, i));
    Object.keys(this.program.definitions).forEach((name, i) => this.definition(name, i));
    this.wellFormed();
    const declarations = [...this.constants, "", ...this.functions].join("\n");
    const linkArguments = `[${requirements.join(", ")}], [${conditions.join(", ")}], ${this.factIndex.size}, ${this.definitionIndex.size}, wellFormed`;
    return { declarations, linkArguments };
  }

  // ── Top-level functions ──────────────────────────────────────────────────────────────────

  private requirement(id: string, index: number): string {
    const r = this.program.requirements[id];
    const name = `req_${index}`;
    const body = new Body();
    const scope: Scope = new Map();
    let applicable = "true";
    if (r.when) {
      applicable = this.triOf(r.when, body, scope);
      body.line(`if (${applicable} === false) return !trigger;`);
    }
    let value: string;
    if (r.rule) value = this.triOf(r.rule, body, scope);
    else {
      const g = r.group!;
      const items = this.constant(`[${g.items.map((item) => this.requirementIndex.get(item)!).join(", ")}]`, "G", this.t(": readonly number[]"));
      switch (g.quantifier) {
        case "all":
          value = `k.allOf(c, ${items}, trigger)`;
          break;
        case "any":
          value = `k.anyOf(c, ${items}, trigger)`;
          break;
        case "none":
          value = `k.not(k.anyOf(c, ${items}, trigger))`;
          break;
        case "atLeast":
        case "atMost":
          value = `k.countOfItems(c, ${items}, trigger, ${g.n}, ${g.quantifier === "atLeast"})`;
          break;
      }
    }
    body.line(applicable === "true" ? `return ${value};` : `return k.whenApplies(${applicable}, ${value}, trigger);`);
    this.functions.push(`/** Requirement ${commentText(id)}. */`, `function ${name}(c${this.t(": k.Context")}, trigger${this.t(": boolean")})${this.t(": k.Tri")} {`, ...body.lines, "}", "");
    return name;
  }

  private condition(e: IrExpr, index: number): string {
    const name = `cond_${index}`;
    const body = new Body();
    const value = this.triOf(e, body, new Map());
    body.line(`return ${value};`);
    this.functions.push(`function ${name}(c${this.t(": k.Context")})${this.t(": k.Tri")} {`, ...body.lines, "}", "");
    return name;
  }

  private definition(name: string, index: number): string {
    const def = this.program.definitions[name];
    const fn = `def_${index}`;
    const params = def.params.map((_, i) => `a${i}`);
    const scope = new Map(def.params.map((p, i) => [p, params[i]]));
    const body = new Body();
    const signature = `function ${fn}(${["c" + this.t(": k.Context"), ...params.map((p) => p + this.t(": k.Value"))].join(", ")})${this.t(": k.Value")} {`;
    // Definitions are pure: one result per evaluation (and per argument, with one parameter).
    if (params.length === 0) {
      body.line(`const known = c.defs[${index}];`);
      body.line(`if (known !== undefined) return known;`);
      const value = this.valueOf(def.body, body, scope);
      body.line(`c.defs[${index}] = ${value};`);
      body.line(`return ${value};`);
    } else if (params.length === 1) {
      const memo = `m`;
      body.line(`const ${memo} = c.memo(${this.memoDefinitions++});`);
      body.line(`const known = ${memo}.get(a0);`);
      body.line(`if (known !== undefined) return known;`);
      const value = this.valueOf(def.body, body, scope);
      body.line(`${memo}.set(a0, ${value});`);
      body.line(`return ${value};`);
    } else {
      body.line(`return ${this.valueOf(def.body, body, scope)};`);
    }
    this.functions.push(`/** Definition ${commentText(name)}. */`, signature, ...body.lines, "}", "");
    return fn;
  }

  private fact(path: string): string {
    let index = this.factIndex.get(path);
    if (index === undefined) {
      index = this.factIndex.size;
      this.factIndex.set(path, index);
      const type = this.factTypes.get(path);
      const parts = path.split(".");
      let read = "c.input";
      parts.forEach((part, i) => {
        read = i === parts.length - 1 ? `${read}${i === 0 ? "" : "?."}[${literal(part)}]` : `k.group(${read}${i === 0 ? "" : "?."}[${literal(part)}])`;
      });
      const convert =
        type?.t === "date"
          ? `k.dateFact(${read}, ${literal(path)})`
          : type?.t === "list"
            ? `k.listFact(${read}, ${literal(path)}, ${literal(type.record)}, ${this.slotsFunction()})`
            : `k.plainFact(${read}, ${literal(path)})`;
      this.functions.push(
        `/** Fact ${commentText(path)}. */`,
        `function fact_${index}(c${this.t(": k.Context")})${this.t(": k.Value")} {`,
        `  let v = c.facts[${index}];`,
        `  if (v === undefined) c.facts[${index}] = v = ${convert};`,
        `  return v;`,
        `}`,
        "",
      );
    }
    return `fact_${index}(c)`;
  }

  private slotsWritten = false;

  /**
   * `entry_slots(data)`: an entry's fields in slot order, in one pass over its keys (inside
   * `for…in`, `data[key]` is read by position, where reading each field by name is not).
   */
  private slotsFunction(): string {
    if (!this.slotsWritten) {
      this.slotsWritten = true;
      const lines = [
        `function entry_slots(data${this.t(": Readonly<Record<string, unknown>>")})${this.t(": unknown[]")} {`,
        `  const slots${this.t(": unknown[]")} = new Array(${this.fieldSlots.size});`,
        `  for (const key in data) {`,
        `    switch (key) {`,
      ];
      for (const [name, slot] of this.fieldSlots) lines.push(`      case ${literal(name)}:`, `        slots[${slot}] = data[key];`, `        break;`);
      lines.push(`    }`, `  }`, `  return slots;`, `}`, "");
      this.functions.push(...lines);
    }
    return "entry_slots";
  }

  /** A module-level constant, shared by identical texts. */
  private constant(text: string, prefix: string, annotation = ""): string {
    const key = `${prefix}${text}`;
    let name = this.constantIndex.get(key);
    if (!name) {
      name = `${prefix}${this.constantIndex.size}`;
      this.constantIndex.set(key, name);
      this.constants.push(`const ${name}${annotation} = ${text};`);
    }
    return name;
  }

  // ── Input shape ──────────────────────────────────────────────────────────────────────────

  /**
   * `wellFormed(input)`: true only if `validateInput` finds no problem. It may say false for an
   * input that is fine (an own property set to undefined, an inherited one); evaluation then asks
   * `validateInput`, which decides. Reading each expected field by name, and counting the
   * object's keys instead of looking each up, is what makes it cheap.
   */
  private wellFormed(): void {
    const root = inputTree(this.program);
    const recordChecks = new Map<string, string>();
    let groups = 0;
    // One pass over the object's keys: reading `value[key]` inside `for…in` is the fast path for
    // objects of many shapes, where reading each expected field by name was several times slower.
    const objectFunction = (name: string, fields: readonly [string, string, boolean][]) => {
      const required = fields.filter(([, , r]) => r);
      const lines = [`function ${name}(value${this.t(": unknown")})${this.t(": boolean")} {`, `  if (!k.isObject(value)) return false;`];
      required.forEach((_, i) => lines.push(`  let required${i} = false;`));
      lines.push(`  for (const key in value) {`, `    const v = value[key];`, `    switch (key) {`);
      for (const [key, check, isRequired] of fields) {
        lines.push(`      case ${literal(key)}:`);
        if (isRequired) lines.push(`        if (v === undefined || v === null || !(${check})) return false;`, `        required${required.findIndex(([k]) => k === key)} = true;`);
        else lines.push(`        if (v !== undefined && v !== null && !(${check})) return false;`);
        lines.push(`        break;`);
      }
      // A key the policy does not know (or one a prototype adds: the full validation then decides).
      lines.push(`      default:`, `        return false;`, `    }`, `  }`);
      lines.push(`  return ${required.length ? required.map((_, i) => `required${i}`).join(" && ") : "true"};`, `}`, "");
      this.functions.push(...lines);
    };
    const check = (type: FieldType): string => {
      switch (type.t) {
        case "boolean":
          return `typeof v === "boolean"`;
        case "number":
          return `k.isNumberIn(v, ${type.min ?? "undefined"}, ${type.max ?? "undefined"}, ${Boolean(type.integer)})`;
        case "date":
          return `k.isDate(v)`;
        case "duration":
          return `k.isDuration(v)`;
        case "text":
          return `typeof v === "string"`;
        case "enum":
          return `typeof v === "string" && ${this.constant(`new Set(${literal(type.values)})`, "S", this.t(": ReadonlySet<string>"))}.has(v)`;
        case "list": {
          let fn = recordChecks.get(type.record);
          if (!fn) {
            fn = `wf_record_${recordChecks.size}`;
            recordChecks.set(type.record, fn);
            const schema = this.program.records[type.record] ?? [];
            objectFunction(
              fn,
              schema.map((f) => [f.path, check(f.type), f.path === "date"]),
            );
          }
          return `Array.isArray(v) && v.every(${fn})`;
        }
      }
    };
    const group = (node: InputNode, name: string): void => {
      const fields: [string, string, boolean][] = [];
      for (const [key, child] of node.children) {
        if (child.fact) fields.push([key, check(child.fact.type), key === "date_of_service" && node === root]);
        else {
          const fn = `wf_group_${++groups}`;
          group(child, fn);
          fields.push([key, `${fn}(v)`, false]);
        }
      }
      objectFunction(name, fields);
    };
    group(root, "wellFormed");
  }

  // ── Expressions ──────────────────────────────────────────────────────────────────────────

  /** Emits what `e` needs into `body` and returns a cheap, side-effect-free expression for its value. */
  private triOf(e: IrExpr, body: Body, scope: Scope): string {
    const v = this.valueOf(e, body, scope);
    return isTri(e) ? v : this.store(`k.asTri(${v})`, body, "k.Tri");
  }

  private store(expression: string, body: Body, type = "k.Value"): string {
    if (/^[A-Za-z_$][\w$]*$/.test(expression) || /^(true|false|-?\d+(\.\d+)?|"[^"\\]*")$/.test(expression)) return expression;
    const name = body.temp();
    body.line(`const ${name}${this.t(`: ${type}`)} = ${expression};`);
    return name;
  }

  private valueOf(e: IrExpr, body: Body, scope: Scope): string {
    switch (e.k) {
      case "bool":
        return String(e.v);
      case "num":
        return Number.isFinite(e.v) ? (e.v < 0 ? `(${e.v})` : String(e.v)) : "0";
      case "enum":
      case "text":
        return literal(e.v);
      case "date":
        return this.constant(`k.literalDay(${literal(e.v)})`, "D", this.t(": number"));
      case "dur":
        return this.constant(`{ amount: ${e.amount}, unit: ${literal(e.unit)} }`, "L", this.t(": k.Length"));
      case "dos":
        return "c.dos";
      case "fact":
        return this.store(this.fact(e.path), body);
      case "var":
        return scope.get(e.name) ?? "k.NONE";
      case "field": {
        const of = this.valueOf(e.of, body, scope);
        const kind = this.fieldKind(e.field);
        // A query's entry is always a record: its field is read right here, from its slots (or by
        // name, where lists inside records make entries that have none).
        if (this.records.has(of) && kind === "plain") {
          const raw = this.entriesHaveSlots ? `${of}.slots${this.t("!")}[${this.fieldSlots.get(e.field)!}]` : `${of}.data[${literal(e.field)}]`;
          return this.store(`(${raw} ?? k.missingField(${of}, ${literal(e.field)}))${this.t(" as k.Value")}`, body);
        }
        if (this.records.has(of) && kind === "date" && e.field === "date") return this.store(`k.recordDate(${of})`, body);
        const read = kind === "plain" ? `k.field(${of}, ${literal(e.field)})` : kind === "date" ? `k.dateField(${of}, ${literal(e.field)})` : `k.typedField(c, ${of}, ${literal(e.field)})`;
        return this.store(read, body);
      }
      case "and":
      case "or":
        return this.junction(e.k, e.args, body, scope);
      case "not":
        return this.store(`k.not(${this.triOf(e.arg, body, scope)})`, body, "k.Tri");
      case "cmp": {
        const a = this.valueOf(e.a, body, scope);
        const b = this.valueOf(e.b, body, scope);
        return this.store(`k.compare(${literal(e.op)}, ${a}, ${b}, ${literal(e.kind)}, c.dos)`, body, "k.Tri");
      }
      case "in": {
        const set = this.constant(`new Set(${literal(e.values)})`, "S", this.t(": ReadonlySet<string>"));
        return this.store(`k.isIn(${this.valueOf(e.arg, body, scope)}, ${set}, ${Boolean(e.negated)})`, body, "k.Tri");
      }
      case "known":
        return this.store(`k.known(${this.valueOf(e.arg, body, scope)})`, body, "boolean");
      case "arith":
        return this.store(`k.arith(${literal(e.op)}, ${this.valueOf(e.a, body, scope)}, ${this.valueOf(e.b, body, scope)}, ${literal(e.kind)})`, body);
      case "within":
        return this.store(`k.within(${this.valueOf(e.arg, body, scope)}, ${this.valueOf(e.window, body, scope)}, c.dos)`, body, "k.Tri");
      case "call": {
        const index = this.definitionIndex.get(e.def)!;
        const args = e.args.map((a) => this.valueOf(a, body, scope));
        return this.store(`def_${index}(${["c", ...args].join(", ")})`, body);
      }
      case "crit":
        return this.store(`c.req(${this.requirementIndex.get(e.id)!}, false)`, body, "k.Tri");
      case "query":
        return this.query(e, body, scope);
      case "span": {
        const from = this.valueOf(e.from, body, scope);
        const to = e.to ? this.valueOf(e.to, body, scope) : "c.dos";
        return this.store(`k.span(${from}, ${to})`, body);
      }
      case "later_of":
      case "earlier_of": {
        const args = e.args.map((a) => this.valueOf(a, body, scope));
        return this.store(`k.extremeDay([${args.join(", ")}], ${e.k === "later_of"})`, body);
      }
      case "recent_run":
        return this.store(`k.recentRun(${this.valueOf(e.list, body, scope)}, ${this.valueOf(e.gap, body, scope)}, c.dos, c.readField)`, body);
    }
  }

  /** `and` stops at the first false, `or` at the first true; the unknowns met on the way are kept. */
  private junction(kind: "and" | "or", args: readonly IrExpr[], body: Body, scope: Scope): string {
    const decisive = kind === "and" ? "false" : "true";
    const result = body.temp();
    body.line(`let ${result}${this.t(": k.Tri")} = ${kind === "and" ? "true" : "false"};`);
    const label = `${result}_done`;
    body.open(`${label}: {`);
    for (const arg of args) {
      const v = this.triOf(arg, body, scope);
      body.open(`if (${v} === ${decisive}) {`);
      body.line(`${result} = ${decisive};`);
      body.line(`break ${label};`);
      body.close();
      body.line(`if (${v} !== ${kind === "and" ? "true" : "false"}) ${result} = k.addUnknown(${result}, ${v});`);
    }
    body.close();
    return result;
  }

  private query(e: Extract<IrExpr, { k: "query" }>, body: Body, scope: Scope): string {
    const source = this.valueOf(e.source, body, scope);
    const result = body.temp();
    const tri = e.op === "exists" || e.op === "every";
    body.line(`let ${result}${this.t(tri ? ": k.Tri" : ": k.Value")};`);
    body.line(`if (${source} instanceof k.Unknown) ${result} = ${source};`);
    body.line(`else if (!k.isList(${source})) ${result} = ${e.op === "exists" ? "false" : e.op === "every" ? "true" : `k.emptyQuery(${literal(e.op)})`};`);
    body.open(`else {`);
    const binder = `v${++this.binders}`;
    this.records.add(binder);
    const inner = new Map(scope).set(e.binder, binder);
    const loop = (each: (inc: string) => void) => {
      const item = body.temp();
      body.open(`for (const ${item} of ${source}.items) {`);
      body.line(`const ${binder} = ${item}.rec;`);
      const inc = body.temp();
      body.line(`let ${inc}${this.t(": k.Tri")} = ${item}.member;`);
      if (e.filter) {
        body.open(`if (${inc} !== false) {`);
        const f = this.triOf(e.filter, body, inner);
        body.line(`${inc} = k.and2(${inc}, ${f});`);
        body.close();
      }
      each(inc);
      body.close();
    };
    const op: QueryOp = e.op;
    switch (op) {
      case "count": {
        if (e.merge) {
          const included = this.collect(body, loop, binder);
          const merge = e.merge;
          const pair = new Body(`${result}_p`);
          const [first, second] = [`${result}_a`, `${result}_b`];
          this.records.add(first).add(second);
          const pairScope = new Map(scope).set(merge.a, first).set(merge.b, second);
          const cond = this.triOf(merge.cond, pair, pairScope);
          body.open(`${result} = k.countMerged(${included}, (${first}${this.t(": k.RecordValue")}, ${second}${this.t(": k.RecordValue")})${this.t(": k.Tri")} => {`);
          for (const line of pair.lines) body.line(line.trimStart());
          body.line(`return ${cond};`);
          body.close(`}, c.readField);`);
          break;
        }
        const lo = body.temp();
        const unknowns = body.temp();
        body.line(`let ${lo} = 0;`);
        body.line(`const ${unknowns}${this.t(": k.Unknown[]")} = [];`);
        loop((inc) => {
          body.line(`if (${inc} === true) ${lo}++;`);
          body.line(`else if (${inc} !== false) ${unknowns}.push(${inc});`);
        });
        body.line(`${result} = ${unknowns}.length === 0 ? ${lo} : k.range(${lo}, ${unknowns});`);
        break;
      }
      case "exists": {
        body.line(`${result} = false;`);
        const done = `${result}_done`;
        body.open(`${done}: {`);
        loop((inc) => {
          body.open(`if (${inc} === true) {`);
          body.line(`${result} = true;`);
          body.line(`break ${done};`);
          body.close();
          body.line(`if (${inc} !== false) ${result} = k.addUnknown(${result}, ${inc});`);
        });
        body.close();
        break;
      }
      case "every": {
        body.line(`${result} = true;`);
        const done = `${result}_done`;
        body.open(`${done}: {`);
        loop((inc) => {
          body.open(`if (${inc} !== false) {`);
          const v = this.triOf(e.body!, body, inner);
          // or(not(inc), body): an entry that may not be included cannot make it false.
          const holds = this.store(`k.orNot(${inc}, ${v})`, body, "k.Tri");
          body.open(`if (${holds} === false) {`);
          body.line(`${result} = false;`);
          body.line(`break ${done};`);
          body.close();
          body.line(`if (${holds} !== true) ${result} = k.addUnknown(${result}, ${holds});`);
          body.close();
        });
        body.close();
        break;
      }
      case "select": {
        const items = body.temp();
        body.line(`const ${items}${this.t(": k.ListItem[]")} = [];`);
        loop((inc) => body.line(`if (${inc} !== false) ${items}.push({ rec: ${binder}, member: ${inc} });`));
        body.line(`${result} = { kind: "list", items: ${items} };`);
        break;
      }
      case "latest":
      case "earliest": {
        const included = this.collect(body, loop, binder);
        body.line(`${result} = k.extreme(${included}, ${op === "latest"}, c.readField);`);
        break;
      }
    }
    body.close();
    return result;
  }

  /** The entries a query may include, with whether each is included. */
  private collect(body: Body, loop: (each: (inc: string) => void) => void, binder: string): string {
    const included = body.temp();
    body.line(`const ${included}${this.t(": k.Included[]")} = [];`);
    loop((inc) => body.line(`if (${inc} !== false) ${included}.push({ rec: ${binder}, inc: ${inc} });`));
    return included;
  }
}
