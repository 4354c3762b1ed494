/**
 * Expressions of the intermediate form as SQL. Each primitive maps to the SQL that gives the
 * runtime operation's result (runtime/values.ts, runtime/queries.ts) for one case row `c`:
 *
 * - a truth is a BOOLEAN, NULL when unknown (SQL's AND, OR and NOT are the language's);
 * - a number or a date (a day number) is a pair `lo`/`hi`: equal when known, the type's bounds
 *   when an undocumented number is bounded, a range when a count's filter is open for some
 *   entries; NULL when unknown;
 * - a value may also be no value (`none`: a field of an entry that does not exist);
 * - a list is a derived table of entries with whether each is in the list (`m`, a truth);
 * - an entry picked by `latest`/`earliest` is its place in its list, or open on which it is.
 *
 * Which facts an undecided criterion reads is not carried in the values: the determination lists,
 * for each undecided criterion, the facts it reads that the case leaves undocumented (a cover of
 * the runtime's `missing`). Constructs without a mapping are refused by name (SqlRefusal).
 */
import type { IrDefinition, IrExpr, IrFact, IrField, IrRecord, IrRequirement, IrType } from "../ir.js";
import type { Dialect } from "./dialect.js";
import type { Layout } from "./layout.js";
import { ident, text } from "./layout.js";
import { SqlRefusal } from "./refusal.js";
import type { ComparisonOp, DurationUnit } from "../../runtime/vocabulary.js";
import { allLevels, levels as levelsMask } from "../../runtime/levels.js";

/** A truth: TRUE, FALSE or NULL (unknown). */
export interface TriSql {
  readonly t: "tri";
  readonly v: string;
  /** Whether it is no value (a field of an entry that does not exist): false as a condition. */
  readonly none?: string;
  /** For a field of an entry whose pick is open: the selection (see Unknown.selecting). */
  readonly sel?: Selection;
}
interface Selection {
  /** Whether which entry is picked is open. */
  readonly open: string;
  /** Whether some entry is surely picked. */
  readonly picks: string;
}
/** A number, a date (day number): from lo to hi. */
export interface NumSql {
  readonly t: "num";
  readonly lo: string;
  readonly hi: string;
  readonly none: string;
  /** Whether it is an undocumented value known only by its bounds. */
  readonly undoc: string;
  /** Whether it may also be no value at all (runtime CountRange.orNone: a percentage of a baseline that may be zero); false when left out. */
  readonly orNone?: string;
  /** Whether only whole numbers lie in it when it is a range (runtime CountRange.whole); false when left out. */
  readonly whole?: string;
  readonly sel?: Selection;
}
/** A duration: a length (amount and unit) or a span between two days. */
export interface LenSql {
  readonly t: "len";
  readonly amount: string;
  /** The unit: a literal when the policy writes it, else a column. */
  readonly unit: string;
  readonly fixedUnit?: DurationUnit;
  readonly none: string;
  readonly sel?: Selection;
}
export interface SpanSql {
  readonly t: "span";
  readonly from: string;
  readonly to: string;
  readonly none: string;
}
/**
 * A text, an enum's value, or spinal levels (a bit mask). Levels may be known only between two
 * sets (runtime LevelsRange): `v` the levels surely in, `hi` those that may be; without `hi` the
 * set is exact.
 */
export interface ScalarSql {
  readonly t: "text" | "levels";
  readonly v: string;
  readonly hi?: string;
  readonly none: string;
  readonly sel?: Selection;
}
/** A list: a derived table with `ord` (place in the fact's list), `pos` (place in this list), the fields, and `m`. */
export interface ListSql {
  readonly t: "list";
  readonly record: IrRecord;
  readonly from: string;
  /** Whether the list is known at all (its fact documented, the date of service known for a run). */
  readonly known: string;
}
/** An entry of a list bound by a query: a row alias. */
export interface RowSql {
  readonly t: "row";
  readonly record: IrRecord;
  readonly alias: string;
}
/** An entry picked by `latest`/`earliest`: its list and its `ord` there, or none, or open. */
export interface PickSql {
  readonly t: "pick";
  readonly list: ListSql;
  readonly ord: string;
  readonly none: string;
  readonly sel: Selection;
}
export interface NoneSql {
  readonly t: "none";
}

export type Sql = TriSql | NumSql | LenSql | SpanSql | ScalarSql | ListSql | RowSql | PickSql | NoneSql;

const FALSE = "FALSE";
const TRUE = "TRUE";

function or(...parts: string[]): string {
  const kept = parts.filter((p) => p !== FALSE);
  if (kept.includes(TRUE)) return TRUE;
  return kept.length === 0 ? FALSE : kept.length === 1 ? kept[0] : `(${kept.join(" OR ")})`;
}
function and(...parts: string[]): string {
  const kept = parts.filter((p) => p !== TRUE);
  if (kept.includes(FALSE)) return FALSE;
  return kept.length === 0 ? TRUE : kept.length === 1 ? kept[0] : `(${kept.join(" AND ")})`;
}

/** What a criterion reads, for the undocumented facts of an undecided one. */
export interface Reads {
  readonly facts: Set<IrFact>;
  readonly fields: Set<IrField>;
  readonly requirements: Set<IrRequirement>;
  readonly refers: boolean[];
  dos: boolean;
}

export function emptyReads(): Reads {
  return { facts: new Set(), fields: new Set(), requirements: new Set(), refers: [], dos: false };
}

export interface ExprContext {
  readonly policy: string;
  readonly dialect: Dialect;
  readonly layout: Layout;
  /** The SQL truth of whether a requirement holds (`met`), and its status column. */
  met(r: IrRequirement): string;
  /** A fresh alias for a row. */
  alias(): string;
  /**
   * A value of the case as a whole (it reads no query's entry) worked out once per case: its
   * parts become columns, a list a table keyed by case, which every use then reads.
   */
  materialize(v: Sql): Sql;
  /** A table keyed by case worked out over every case's entries at once (see Graph.derived). */
  derived(render: (previous: string, name: string) => string[], recursive: boolean): string;
  /** A part of a case's value worked out once per case (see Graph.share). */
  share(text: string): string;
  /** An aggregate over a case's entries worked out for every case at once, or undefined (see Graph.aggregate). */
  aggregate(from: string, alias: string, agg: string, empty: string): string | undefined;
  /** Says that a list read by correlation is a table keyed by case (see Graph.keyed). */
  keyed(from: string, table: string): void;
  /** Values of definitions already worked out, with what they read. */
  readonly memo: Map<string, { readonly sql: Sql; readonly reads: Reads }>;
}

export function mergeReads(into: Reads, from: Reads): void {
  for (const f of from.facts) into.facts.add(f);
  for (const f of from.fields) into.fields.add(f);
  for (const r of from.requirements) into.requirements.add(r);
  into.refers.push(...from.refers);
  into.dos ||= from.dos;
}

/** Whether a scope binds an entry of a query (then values may read it, and are not the case's own). */
function bindsEntry(scope: Scope): boolean {
  for (const v of scope.values()) if (v.t === "row") return true;
  return false;
}

/** A value's SQL as a memo key (records are named, not walked). */
function keyOf(v: Sql): string {
  return JSON.stringify(v, (k, x: unknown) => (k === "record" ? (x as IrRecord).name : x));
}

type Scope = ReadonlyMap<string, Sql>;

const fixedMinutes: Partial<Record<DurationUnit, number>> = { minutes: 1, hours: 60, days: 1440, weeks: 10080 };

/** Parts of an entry's values worked out once per entry: columns added to the entries a question reads. */
interface EntryParts {
  readonly alias: string;
  readonly parts: string[];
}

export class ExprCompiler {
  /** The entries being read, innermost last; a `null` where parts cannot be added (a pairing). */
  private readonly entries: (EntryParts | null)[] = [];

  constructor(
    private readonly cx: ExprContext,
    readonly reads: Reads,
    private readonly where: string,
  ) {}

  private refuse(construct: string): never {
    throw new SqlRefusal(this.cx.policy, construct, this.where);
  }

  private get d(): Dialect {
    return this.cx.dialect;
  }

  /**
   * Operands worked out once and read by name (a subquery of one row): a result that reads an
   * operand many times (the corners of a percentage, the branches of an `if`) then writes it once,
   * so the query grows with the policy rather than with the nesting of its definitions. Short
   * operands are read where they are used.
   */
  private letting(parts: Record<string, readonly [string, "double" | "boolean"]>): { readonly ref: Record<string, string>; within(body: string): string } {
    const ref: Record<string, string> = {};
    const bound: string[] = [];
    const typed = (sql: string, type: "double" | "boolean") => `CAST(${sql} AS ${type === "double" ? this.d.types.double : this.d.types.boolean})`;
    const entry = this.entries.length ? this.entries[this.entries.length - 1] : undefined;
    const t = entry === null ? this.cx.alias() : "";
    for (const [name, [sql, type]] of Object.entries(parts)) {
      if (sql.length < 24) ref[name] = sql;
      else if (entry === undefined || readsOnlyTheCase(sql)) ref[name] = this.cx.share(typed(sql, type));
      else if (entry) {
        const column = `let_${this.cx.alias()}`;
        entry.parts.push(`${typed(sql, type)} AS ${column}`);
        ref[name] = `${entry.alias}.${column}`;
      } else {
        ref[name] = `${t}.${name}`;
        bound.push(`${typed(sql, type)} AS ${name}`);
      }
    }
    return { ref, within: (body) => (bound.length === 0 ? body : `(SELECT ${body} FROM (SELECT ${bound.join(", ")}) ${t})`) };
  }

  /**
   * One operand worked out once and read by name where a result reads it several times (a later_of
   * read for both its bounds, a day moved by months read three times): a column of the case when it
   * reads only the case, else a part of the entry being read; written out where no part can be added.
   */
  private once(sql: string, type: "double" | "boolean"): string {
    if (sql.length < 24) return sql;
    if (readsOnlyTheCase(sql)) return this.cx.share(`CAST(${sql} AS ${type === "double" ? this.d.types.double : this.d.types.boolean})`);
    const entry = this.entries.length ? this.entries[this.entries.length - 1] : undefined;
    // Only what reads the entry being read (and the case) can be a part of it.
    if (!entry || !readsOnly(sql, ["c", entry.alias])) return sql;
    return this.letting({ value: [sql, type] }).ref.value;
  }

  /**
   * An aggregate over the entries of a list (`agg` reads them as `a`): a column worked out for
   * every case at once where the list is a table keyed by case, else a correlated subquery.
   * `empty` is its value over no entries.
   */
  private overEntries(source: ListSql, a: string, agg: string, empty: string): string {
    const column = this.cx.aggregate(source.from, a, agg, empty);
    if (column) return column;
    const subquery = `(SELECT ${agg} FROM ${source.from} ${a})`;
    return empty === "NULL" ? subquery : `COALESCE(${subquery}, ${empty})`;
  }

  /** The entries of a list with the parts worked out for them as columns, each layer reading the one before. */
  private withParts(from: string, entry: EntryParts): string {
    let wrapped = from;
    for (const part of entry.parts) wrapped = `(SELECT ${entry.alias}.*, ${part} FROM ${wrapped} ${entry.alias})`;
    return wrapped;
  }

  /** The day number of the date of service, NULL when undocumented. */
  private dos(): string {
    this.reads.dos = true;
    return `(c."date_of_service" - DATE '1970-01-01')`;
  }

  /** An expression where a condition is expected: anything but a truth counts as false. */
  tri(e: IrExpr, scope: Scope = new Map()): string {
    const v = this.expr(e, scope);
    if (v.t !== "tri") return FALSE;
    return v.none && v.none !== FALSE ? `(CASE WHEN ${v.none} THEN FALSE ELSE ${v.v} END)` : v.v;
  }

  expr(e: IrExpr, scope: Scope): Sql {
    switch (e.k) {
      case "bool":
        return { t: "tri", v: e.v ? TRUE : FALSE };
      case "num":
        return exact(numberLiteral(e.v));
      case "text":
      case "enum":
        return { t: "text", v: text(e.v), none: FALSE };
      case "date":
        return exact(`(DATE ${text(e.v)} - DATE '1970-01-01')`);
      case "dur":
        return { t: "len", amount: numberLiteral(e.amount), unit: text(e.unit), fixedUnit: e.unit, none: FALSE };
      case "levels":
        return { t: "levels", v: String(levelsMask(e.v)), none: FALSE };
      case "none":
        return { t: "none" };
      case "dos": {
        const day = this.dos();
        return exact(day);
      }
      case "fact":
        return this.fact(e.fact);
      case "var": {
        const v = scope.get(e.name);
        if (!v) this.refuse(`the name '${e.name}'`);
        return v;
      }
      case "field":
        return this.field(this.expr(e.of, scope), e.field);
      case "and":
        return { t: "tri", v: and(...e.args.map((a) => this.tri(a, scope))) };
      case "or":
        return { t: "tri", v: or(...e.args.map((a) => this.tri(a, scope))) };
      case "not": {
        const v = this.tri(e.arg, scope);
        return { t: "tri", v: v === TRUE ? FALSE : v === FALSE ? TRUE : `(NOT ${v})` };
      }
      case "cmp":
        return { t: "tri", v: this.compare(e.op, this.expr(e.a, scope), this.expr(e.b, scope), e.kind) };
      case "in": {
        const v = this.expr(e.arg, scope);
        if (v.t === "none") return { t: "tri", v: FALSE };
        if (v.t !== "text") this.refuse(`'in' over a ${v.t}`);
        const member = `${v.v} IN (${e.values.map(text).join(", ")})`;
        return { t: "tri", v: `(CASE WHEN ${v.none} THEN FALSE WHEN ${v.v} IS NULL THEN NULL ELSE ${e.negated ? `NOT (${member})` : member} END)` };
      }
      case "known":
        if (e.arg.k === "if") this.refuse("'is known' of an 'if'");
        return { t: "tri", v: this.known(this.expr(e.arg, scope)) };
      case "absent":
        if (e.arg.k === "if") this.refuse("'is absent' of an 'if'");
        return { t: "tri", v: this.absent(this.expr(e.arg, scope)) };
      case "arith":
        return this.arith(e.op, this.expr(e.a, scope), this.expr(e.b, scope), e.kind);
      case "refer": {
        this.reads.refers.push(true);
        if (!e.when) return { t: "tri", v: "CAST(NULL AS BOOLEAN)" };
        const cond = this.tri(e.when, scope);
        return { t: "tri", v: `(CASE WHEN ${cond} THEN CAST(NULL AS BOOLEAN) ELSE ${cond} END)` };
      }
      case "meets":
        return this.refuse(`'meets ${e.name}' (another policy's determination as a criterion)`);
      case "within":
        return { t: "tri", v: this.within(this.expr(e.arg, scope), this.expr(e.window, scope)) };
      case "span":
        return this.span(this.expr(e.from, scope), e.to ? this.expr(e.to, scope) : exact(this.dos()));
      case "call": {
        const args = e.args.map((a) => this.expr(a, scope));
        if (bindsEntry(scope) || args.some((a) => a.t === "row")) return this.call(e.def, args);
        const key = `${e.def.module.file}:${e.def.name}(${args.map(keyOf).join(",")})`;
        const known = this.cx.memo.get(key);
        if (known) {
          mergeReads(this.reads, known.reads);
          return known.sql;
        }
        const inner = new ExprCompiler(this.cx, emptyReads(), this.where);
        const sql = this.cx.materialize(inner.call(e.def, args));
        this.cx.memo.set(key, { sql, reads: inner.reads });
        mergeReads(this.reads, inner.reads);
        return sql;
      }
      case "crit":
        this.reads.requirements.add(e.req);
        return { t: "tri", v: this.cx.met(e.req) };
      case "later_of":
      case "earlier_of":
        return this.extremeDay(
          e.args.map((a) => this.expr(a, scope)),
          e.k === "later_of",
        );
      case "recent_run": {
        const run = this.recentRun(this.expr(e.list, scope), this.expr(e.gap, scope));
        return bindsEntry(scope) ? run : this.cx.materialize(run);
      }
      case "query":
        return bindsEntry(scope) ? this.query(e, scope) : this.cx.materialize(this.query(e, scope));
      case "if":
        return this.choose(this.tri(e.cond, scope), this.expr(e.then, scope), this.expr(e.else, scope));
      case "fn":
        return this.builtin(e.fn, e.args.map((a) => this.expr(a, scope)));
    }
  }

  // ── Facts and fields ─────────────────────────────────────────────────────────────────────

  private fact(f: IrFact): Sql {
    this.reads.facts.add(f);
    if (f.type.t === "list") {
      const table = this.cx.layout.listOf.get(f)!;
      const parts = table.columns.filter((c) => c.kind !== "id" && c.kind !== "ord").map((c) => `t.${ident(c.name)}`);
      const from = `(SELECT t."ord", t."ord" AS "pos", ${parts.join(", ")}, TRUE AS "m" FROM ${ident(table.table)} t WHERE t."case_id" = c."case_id")`;
      this.cx.keyed(from, `(SELECT t."case_id" AS "case_id_", t."ord", t."ord" AS "pos", ${parts.join(", ")}, TRUE AS "m" FROM ${ident(table.table)} t)`);
      return {
        t: "list",
        record: table.record,
        from,
        // A list charted only when present that the request leaves out has no entries (lower.ts, absentUnlessDocumented).
        known: f.absentUnlessDocumented ? "TRUE" : `COALESCE(c.${ident(table.documented)}, FALSE)`,
      };
    }
    const columns = this.cx.layout.factColumns.get(f)!;
    // A finding charted only when present reads as absent when the request leaves it out (only yes/no facts may be).
    if (f.absentUnlessDocumented && f.type.t === "boolean") return { t: "tri", v: `COALESCE(c.${ident(columns[0])}, FALSE)` };
    return this.valueOf(f.type, columns.map((col) => `c.${ident(col)}`));
  }

  /** A stored value (a fact's columns, or an entry's), with an undocumented bounded number as its range. */
  private valueOf(type: IrType, columns: readonly string[], sel?: Selection): Sql {
    const [col] = columns;
    switch (type.t) {
      case "boolean":
        return { t: "tri", v: col, sel };
      case "number":
        if (type.min !== undefined && type.max !== undefined)
          return { t: "num", lo: `COALESCE(${col}, ${numberLiteral(type.min)})`, hi: `COALESCE(${col}, ${numberLiteral(type.max)})`, none: FALSE, undoc: `(${col} IS NULL)`, whole: type.integer ? TRUE : FALSE, sel };
        return { t: "num", lo: col, hi: col, none: FALSE, undoc: `(${col} IS NULL)`, sel };
      case "date": {
        const day = `(${col} - DATE '1970-01-01')`;
        return { t: "num", lo: day, hi: day, none: FALSE, undoc: `(${col} IS NULL)`, sel };
      }
      case "duration":
        return { t: "len", amount: col, unit: columns[1], none: FALSE, sel };
      case "text":
      case "enum":
        return { t: "text", v: col, none: FALSE, sel };
      case "levels":
        return { t: "levels", v: col, none: FALSE, sel };
      case "list":
        return this.refuse("a list inside an entry");
    }
  }

  private fieldColumns(field: IrField, alias: string): string[] {
    return field.type.t === "duration" ? [`${alias}.${ident(`${field.name}__amount`)}`, `${alias}.${ident(`${field.name}__unit`)}`] : [`${alias}.${ident(field.name)}`];
  }

  private field(of: Sql, field: IrField): Sql {
    this.reads.fields.add(field);
    if (of.t === "none") return { t: "none" };
    if (of.t === "row") return this.valueOf(field.type, this.fieldColumns(field, of.alias));
    if (of.t !== "pick") return this.refuse(`a field of a ${of.t}`);
    // A field of the picked entry: read from its list by its place; none when nothing is picked.
    const a = this.cx.alias();
    // The picked entry's column: the only entry at its place (bool_or for a truth, which has no MAX everywhere).
    const pick = (column: string) => this.overEntries(of.list, a, `${field.type.t === "boolean" ? "bool_or" : "MAX"}(CASE WHEN ${a}."ord" = ${of.ord} THEN ${column} END)`, "NULL");
    // While which entry is picked is open, the field is that open question, not the entry's value.
    const inner = this.valueOf(
      field.type,
      this.fieldColumns(field, a).map((col) => `(CASE WHEN ${of.sel.open} THEN NULL ELSE ${pick(col)} END)`),
      of.sel,
    );
    return withNone(blankWhen(inner, of.sel.open), of.none);
  }

  // ── Comparisons ──────────────────────────────────────────────────────────────────────────

  /** Unknown when an operand is (NULL), false when one is no value, else the comparison. */
  private compare(op: ComparisonOp, a: Sql, b: Sql, kind: "number" | "date" | "duration" | "equality"): string {
    if (a.t === "none" || b.t === "none") {
      const other = a.t === "none" ? b : a;
      const unknown = unknownOf(other);
      return unknown === FALSE ? FALSE : `(CASE WHEN ${unknown} THEN CAST(NULL AS BOOLEAN) ELSE FALSE END)`;
    }
    if (kind === "duration") return this.compareDurations(op, a, b);
    if (a.t === "num" && b.t === "num") {
      let verdict = compareIntervals(op, a.lo, a.hi, b.lo, b.hi);
      // A value that may be no value compares false: a true verdict is then only possible.
      const orNone = or(a.orNone ?? FALSE, b.orNone ?? FALSE);
      if (orNone !== FALSE) verdict = `(CASE WHEN ${verdict} AND ${orNone} THEN CAST(NULL AS BOOLEAN) ELSE ${verdict} END)`;
      return guarded([a, b], verdict);
    }
    if ((a.t === "levels" && a.hi) || (b.t === "levels" && b.hi)) this.refuse("a comparison of spinal levels known only between two sets");
    if ((a.t === "text" && b.t === "text") || (a.t === "levels" && b.t === "levels")) {
      return guarded([a, b], `(${a.v} ${op === "!=" ? "<>" : op} ${b.v})`);
    }
    if (a.t === "tri" && b.t === "tri") {
      if (op !== "=" && op !== "!=") this.refuse(`'${op}' between truths`);
      return guarded([a, b], `(${a.v} ${op === "=" ? "=" : "<>"} ${b.v})`);
    }
    return this.refuse(`a comparison of a ${a.t} with a ${b.t}`);
  }

  private compareDurations(op: ComparisonOp, a: Sql, b: Sql): string {
    const sqlOp = op === "!=" ? "<>" : op;
    if ((a.t !== "len" && a.t !== "span") || (b.t !== "len" && b.t !== "span")) return this.refuse(`a duration comparison of a ${a.t} with a ${b.t}`);
    let pair: [string, string];
    if (a.t === "span" && b.t === "span") pair = [`(${a.to} - ${a.from})`, `(${b.to} - ${b.from})`];
    else if (a.t === "span" && b.t === "len") pair = [a.to, this.addLength(a.from, b, 1)];
    else if (a.t === "len" && b.t === "span") pair = [this.addLength(b.from, a, 1), b.to];
    else {
      const la = a as LenSql;
      const lb = b as LenSql;
      // Lengths of fixed units compare exactly; others are measured back from the date of service.
      const fixed = `(${minutesOf(la)} ${sqlOp} ${minutesOf(lb)})`;
      const dos = this.dos();
      const anchored = `((-${this.addLength(dos, la, -1)}) ${sqlOp} (-${this.addLength(dos, lb, -1)}))`;
      if (la.fixedUnit && lb.fixedUnit) return guarded([a, b], fixedMinutes[la.fixedUnit] !== undefined && fixedMinutes[lb.fixedUnit] !== undefined ? fixed : anchored);
      return guarded([a, b], `(CASE WHEN ${isFixed(la)} AND ${isFixed(lb)} THEN ${fixed} ELSE ${anchored} END)`);
    }
    return guarded([a, b], `(${pair[0]} ${sqlOp} ${pair[1]})`);
  }

  /** `addLength(day, length, sign)` (runtime/dates.ts): calendar months clamp to a shorter month's end. */
  private addLength(day: string, length: LenSql | SpanSql, sign: 1 | -1): string {
    // Months read the day three times, and an unfixed unit reads it once per unit.
    if (length.t === "len" && !(length.fixedUnit && fixedMinutes[length.fixedUnit] !== undefined)) day = this.once(day, "double");
    if (length.t === "span") return `(${day} ${sign === 1 ? "+" : "-"} (${length.to} - ${length.from}))`;
    const amount = sign === 1 ? length.amount : `(-${length.amount})`;
    const months = (count: string) => {
      const whole = `trunc(${count})`;
      const date = `(DATE '1970-01-01' + CAST(floor(${day}) AS INTEGER))`;
      return `((${this.d.addMonths(date, whole)} - DATE '1970-01-01') + floor((${count} - ${whole}) * 30 + 0.5))`;
    };
    const byUnit: Record<DurationUnit, string> = {
      minutes: `(${day} + ${amount} / 1440.0)`,
      hours: `(${day} + ${amount} / 24.0)`,
      days: `(${day} + floor(${amount} + 0.5))`,
      weeks: `(${day} + floor(${amount} * 7 + 0.5))`,
      months: months(amount),
      years: months(`(${amount} * 12)`),
    };
    if (length.fixedUnit) return byUnit[length.fixedUnit];
    return `(CASE ${length.unit} ${Object.entries(byUnit)
      .map(([unit, v]) => `WHEN ${text(unit)} THEN ${v}`)
      .join(" ")} END)`;
  }

  // ── Values ───────────────────────────────────────────────────────────────────────────────

  /** `x is known` (runtime isKnown): documented and an entry that exists; open while which entry is picked is open. */
  private known(v: Sql): string {
    const plain = (() => {
      switch (v.t) {
        case "none":
          return FALSE;
        case "tri":
          return and(`(${v.v} IS NOT NULL)`, `NOT ${v.none ?? FALSE}`);
        case "num":
          return and(`(${v.lo} IS NOT NULL)`, `NOT ${v.undoc}`, `NOT ${v.none}`);
        case "len":
          return and(`(${v.amount} IS NOT NULL)`, `NOT ${v.none}`);
        case "text":
        case "levels":
          return and(`(${v.v} IS NOT NULL)`, `NOT ${v.none}`);
        case "pick":
          return `NOT ${v.none}`;
        default:
          return this.refuse(`'is known' of a ${v.t}`);
      }
    })();
    const sel = "sel" in v ? v.sel : undefined;
    if (!sel) return plain;
    return `(CASE WHEN ${sel.open} THEN (CASE WHEN ${sel.picks} THEN TRUE ELSE CAST(NULL AS BOOLEAN) END) ELSE ${plain} END)`;
  }

  /** Whether a value is no value (runtime isAbsent). */
  private absent(v: Sql): string {
    if (v.t === "none") return TRUE;
    if (v.t === "list" || v.t === "row") return FALSE;
    const none = v.t === "tri" ? (v.none ?? FALSE) : v.none;
    const sel = "sel" in v ? v.sel : undefined;
    if (!sel) return none;
    return `(CASE WHEN ${sel.open} THEN (CASE WHEN ${sel.picks} THEN FALSE ELSE CAST(NULL AS BOOLEAN) END) ELSE ${none} END)`;
  }

  private arith(op: "+" | "-" | "*" | "/", a: Sql, b: Sql, kind: "number" | "date" | "duration"): Sql {
    if (kind === "date") {
      if (a.t === "none" || b.t === "none") return { t: "none" };
      if (a.t !== "num" || (b.t !== "len" && b.t !== "span")) return this.refuse(`date arithmetic on a ${a.t} and a ${b.t}`);
      // A date known only to lie in a range (later_of with an undocumented date) is open here.
      const open = or(differs(a), unknownOf(a), unknownOf(b));
      const none = or(a.none, b.none);
      const moved = b.t === "span" ? `(${a.lo} ${op === "+" ? "+" : "-"} (${b.to} - ${b.from}))` : `floor(${this.addLength(a.lo, b, op === "+" ? 1 : -1)})`;
      const value = this.once(`(CASE WHEN ${open} OR ${none} THEN NULL ELSE ${moved} END)`, "double");
      return { t: "num", lo: value, hi: value, none: this.once(and(`NOT ${open}`, none), "boolean"), undoc: FALSE };
    }
    if (kind === "number" && (op === "+" || op === "-") && a.t === "num" && b.t === "num") {
      const none = or(a.none, b.none);
      const lo = op === "+" ? `(${a.lo} + ${b.lo})` : `(${a.lo} - ${b.hi})`;
      const hi = op === "+" ? `(${a.hi} + ${b.hi})` : `(${a.hi} - ${b.lo})`;
      return { t: "num", lo, hi, none, undoc: or(a.undoc, b.undoc), orNone: or(a.orNone ?? FALSE, b.orNone ?? FALSE) };
    }
    return this.refuse(`'${op}' on ${kind === "duration" ? "durations" : "numbers"} (${a.t}, ${b.t})`);
  }

  private within(day: Sql, window: Sql): string {
    if (day.t === "none") return FALSE;
    if (day.t !== "num" || (window.t !== "len" && window.t !== "span")) return this.refuse(`'within' of a ${day.t}`);
    const dos = this.dos();
    const start = this.addLength(dos, window, -1);
    const open = or(unknownOf(day), differs(day), unknownOf(window), `(${dos} IS NULL)`);
    return `(CASE WHEN ${open} THEN CAST(NULL AS BOOLEAN) WHEN ${or(day.none, window.none)} THEN FALSE ELSE (${day.lo} >= ${start} AND ${day.lo} <= ${dos}) END)`;
  }

  private span(from: Sql, to: Sql): Sql {
    if (from.t === "none" || to.t === "none") return { t: "span", from: "NULL", to: "NULL", none: TRUE };
    if (from.t !== "num" || to.t !== "num") return this.refuse(`'time between' of a ${from.t} and a ${to.t}`);
    const open = this.once(or(differs(from), differs(to)), "boolean");
    const none = and(`NOT ${open}`, or(from.none, to.none));
    const day = (v: NumSql) => this.once(open === FALSE ? v.lo : `(CASE WHEN ${open} THEN NULL ELSE ${v.lo} END)`, "double");
    return { t: "span", from: day(from), to: day(to), none: this.once(none, "boolean") };
  }

  /** `later_of`/`earlier_of` (runtime extremeDay): with an undocumented date, a range from the known extreme. */
  private extremeDay(values: Sql[], latest: boolean): Sql {
    const days = values.filter((v): v is NumSql => v.t === "num");
    if (days.length !== values.filter((v) => v.t !== "none").length) this.refuse("later_of/earlier_of of values that are not dates");
    if (days.length === 0) return { t: "none" };
    // A range among the values is neither a date nor unknown: the runtime leaves it out.
    const usable = (v: NumSql) => (v.lo === v.hi && v.none === FALSE ? v.lo : `(CASE WHEN ${v.lo} = ${v.hi} AND NOT ${v.none} THEN ${v.lo} END)`);
    const best = this.once(days.length === 1 ? usable(days[0]) : `${latest ? "GREATEST" : "LEAST"}(${days.map(usable).join(", ")})`, "double");
    const anyUnknown = this.once(or(...days.map((v) => `(${v.lo} IS NULL AND NOT ${v.none})`)), "boolean");
    const far = latest ? this.d.infinity : `(-${this.d.infinity})`;
    const open = `(CASE WHEN ${anyUnknown} THEN (CASE WHEN ${best} IS NULL THEN NULL ELSE ${far} END) ELSE ${best} END)`;
    const lo = latest ? best : open;
    const hi = latest ? open : best;
    return { t: "num", lo, hi, none: and(`NOT ${anyUnknown}`, `(${best} IS NULL)`), undoc: anyUnknown };
  }

  private choose(cond: string, then: Sql, otherwise: Sql): Sql {
    // A condition decided when compiling (whether a fact, never no value, is no value) chooses its branch.
    if (cond === TRUE) return then;
    if (cond === FALSE) return otherwise;
    if ((then.t === "none" && otherwise.t === "tri") || (then.t === "tri" && otherwise.t === "none")) {
      // runtime choose: no value where it is chosen; while the condition is open, unknown (no value when both are).
      const truth = then.t === "tri" ? then : (otherwise as TriSql);
      const isNone = truth.none ?? FALSE;
      const picked = then.t === "tri" ? cond : `(NOT ${cond})`;
      return {
        t: "tri",
        v: `(CASE WHEN ${picked} THEN ${truth.v} ELSE CAST(NULL AS BOOLEAN) END)`,
        none: `(CASE WHEN ${picked} THEN ${isNone} WHEN NOT ${picked} THEN TRUE ELSE ${isNone} END)`,
        ...(truth.sel ? { sel: truth.sel } : {}),
      };
    }
    if (then.t === "tri" && otherwise.t === "tri" && !then.sel && !otherwise.sel) {
      // Both worked out when the condition is open: their common value, or unknown.
      return { t: "tri", v: `(CASE WHEN ${cond} THEN ${then.v} WHEN NOT ${cond} THEN ${otherwise.v} WHEN ${then.v} = ${otherwise.v} THEN ${then.v} ELSE CAST(NULL AS BOOLEAN) END)` };
    }
    if ((then.t === "num" || then.t === "none") && (otherwise.t === "num" || otherwise.t === "none")) {
      // A branch read from an entry whose pick is open is unknown while it is open (blankWhen);
      // the result keeps no selection ('is known' of an 'if' is refused).
      // runtime choose over numbers: when the condition is open, two numbers (or ranges) give
      // the range between them, two no-values no value, anything else unknown.
      const parts = (v: NumSql | NoneSql, prefix: string): Record<string, readonly [string, "double" | "boolean"]> =>
        v.t === "none"
          ? {}
          : {
              [`${prefix}lo`]: [v.lo, "double"],
              [`${prefix}hi`]: [v.hi, "double"],
              [`${prefix}none`]: [`COALESCE(${v.none}, FALSE)`, "boolean"],
              [`${prefix}undoc`]: [v.undoc, "boolean"],
              [`${prefix}ornone`]: [v.orNone ?? FALSE, "boolean"],
              [`${prefix}whole`]: [v.whole ?? FALSE, "boolean"],
            };
      const { ref, within } = this.letting({ cond: [cond, "boolean"], ...parts(then, "t"), ...parts(otherwise, "e") });
      const c = ref.cond;
      const branch = (v: NumSql | NoneSql, prefix: string) => ({
        lo: v.t === "none" ? "NULL" : ref[`${prefix}lo`],
        hi: v.t === "none" ? "NULL" : ref[`${prefix}hi`],
        none: v.t === "none" ? TRUE : ref[`${prefix}none`],
        undoc: v.t === "none" ? FALSE : ref[`${prefix}undoc`],
        orNone: v.t === "none" ? FALSE : ref[`${prefix}ornone`],
        whole: v.t === "none" ? FALSE : ref[`${prefix}whole`],
        // Only whole numbers lie between two numbers when both ends are whole and each range holds only whole numbers.
        wholeEnds: v.t === "none" ? FALSE : `(floor(${ref[`${prefix}lo`]}) = ${ref[`${prefix}lo`]} AND (${ref[`${prefix}lo`]} = ${ref[`${prefix}hi`]} AND NOT ${ref[`${prefix}undoc`]} OR ${ref[`${prefix}whole`]}))`,
        isNumber: v.t === "none" ? FALSE : `(${ref[`${prefix}lo`]} IS NOT NULL AND NOT ${ref[`${prefix}none`]})`,
      });
      const a = branch(then, "t");
      const b = branch(otherwise, "e");
      const both = and(a.isNumber, b.isNumber);
      const pick = (x: string, y: string, open: string) => within(`(CASE WHEN ${c} THEN ${x} WHEN NOT ${c} THEN ${y} ELSE ${open} END)`);
      return {
        t: "num",
        lo: pick(a.lo, b.lo, `(CASE WHEN ${both} THEN LEAST(${a.lo}, ${b.lo}) END)`),
        hi: pick(a.hi, b.hi, `(CASE WHEN ${both} THEN GREATEST(${a.hi}, ${b.hi}) END)`),
        none: pick(a.none, b.none, and(a.none, b.none)),
        // A range made of the two branches is not an undocumented number (runtime isKnown).
        undoc: pick(a.undoc, b.undoc, FALSE),
        orNone: pick(a.orNone, b.orNone, or(a.orNone, b.orNone)),
        whole: pick(a.whole, b.whole, and(a.wholeEnds, b.wholeEnds)),
      };
    }
    return this.refuse(`'if' giving a ${then.t}`);
  }

  /**
   * `percent_change(baseline, value)` (runtime percentChange): unknown before no value; two plain
   * numbers give the change, none over a zero baseline; when either is a range, the extremes at the
   * corners of each side of zero the baseline reaches (a side starts one away from zero for whole
   * numbers), a corner at zero running off towards an infinity (-100 for a value of zero), none
   * when no side is left, and the result may be no value when the baseline's range holds zero.
   * `percent_reduction` is its negation.
   */
  private percentChange(baseline: NumSql | NoneSql, value: NumSql | NoneSql): NumSql | NoneSql {
    if (baseline.t === "none" || value.t === "none") {
      const unknown = or(unknownOf(baseline), unknownOf(value));
      return unknown === FALSE ? { t: "none" } : { t: "num", lo: "NULL", hi: "NULL", none: `(NOT ${unknown})`, undoc: FALSE };
    }
    const isRange = (v: NumSql) => or(`(${v.lo} <> ${v.hi})`, v.undoc, v.orNone ?? FALSE);
    const { ref, within } = this.letting({
      blo: [baseline.lo, "double"],
      bhi: [baseline.hi, "double"],
      vlo: [value.lo, "double"],
      vhi: [value.hi, "double"],
      bRange: [isRange(baseline), "boolean"],
      vRange: [isRange(value), "boolean"],
      unknown: [or(unknownOf(baseline), unknownOf(value)), "boolean"],
      none: [or(baseline.none, value.none), "boolean"],
      whole: [baseline.whole ?? FALSE, "boolean"],
      undoc: [or(baseline.undoc, value.undoc), "boolean"],
    });
    const { blo, bhi, vlo, vhi, unknown, none } = ref;
    const ranged = `(${ref.bRange} OR ${ref.vRange})`;
    const inf = this.d.infinity;
    const change = (b: string, v: string) => `(CASE WHEN ${b} = 0 THEN (CASE WHEN ${v} = 0 THEN -100 WHEN ${v} > 0 THEN ${inf} ELSE -${inf} END) ELSE ((${v} - ${b}) / abs(${b})) * 100 END)`;
    const step = `(CASE WHEN ${ref.bRange} AND NOT ${ref.whole} THEN 0 ELSE 1 END)`;
    const pFrom = `GREATEST(${blo}, ${step})`;
    const nTo = `LEAST(${bhi}, -${step})`;
    const positive = `(${pFrom} <= ${bhi} AND NOT (${pFrom} = 0 AND ${bhi} = 0))`;
    const negative = `(${blo} <= ${nTo} AND NOT (${blo} = 0 AND ${nTo} = 0))`;
    const corners = (from: string, to: string) => [from, to].flatMap((b) => [vlo, vhi].map((v) => change(b, v)));
    const extreme = (fn: "LEAST" | "GREATEST") =>
      `${fn}((CASE WHEN ${positive} THEN ${fn}(${corners(pFrom, bhi).join(", ")}) END), (CASE WHEN ${negative} THEN ${fn}(${corners(blo, nTo).join(", ")}) END))`;
    const plain = `(CASE WHEN ${blo} = 0 THEN NULL ELSE ((${vlo} - ${blo}) / abs(${blo})) * 100 END)`;
    const guard = (v: string) => within(`(CASE WHEN ${unknown} OR ${none} THEN NULL WHEN ${ranged} THEN ${v} ELSE ${plain} END)`);
    return {
      t: "num",
      lo: guard(extreme("LEAST")),
      hi: guard(extreme("GREATEST")),
      none: within(`(CASE WHEN ${unknown} THEN FALSE WHEN ${none} THEN TRUE WHEN ${ranged} THEN NOT (${positive} OR ${negative}) ELSE ${blo} = 0 END)`),
      undoc: within(`(CASE WHEN ${unknown} OR ${none} THEN FALSE WHEN ${ranged} THEN ${ref.undoc} ELSE FALSE END)`),
      orNone: within(`COALESCE(${ranged} AND ${blo} <= 0 AND ${bhi} >= 0, FALSE)`),
    };
  }

  /**
   * The functions of spinal levels (runtime/levels.ts), over sets known exactly or only between
   * two sets (`v` the levels surely in, `hi` those that may be): a question holds surely when the
   * smallest sets make it hold and possibly when the largest could (runtime `decide`). Unknown
   * before no value, no value before the answer, as the runtime's `both`.
   */
  private builtin(fn: string, args: Sql[]): Sql {
    const refuse = () => this.refuse(`the built-in function ${fn} (${args.map((a) => a.t).join(", ")})`);
    if (fn === "percentChange" || fn === "percentReduction") {
      const [baseline, value] = args;
      if ((baseline.t !== "num" && baseline.t !== "none") || (value.t !== "num" && value.t !== "none")) return refuse();
      const change = this.percentChange(baseline, value);
      return fn === "percentChange" || change.t === "none" ? change : { ...change, lo: `(-${change.hi})`, hi: `(-${change.lo})` };
    }
    if (!args.every((v) => v.t === "levels" || v.t === "none")) return refuse();
    const sets = args as (ScalarSql | NoneSql)[];
    const unknown = or(...sets.map(unknownOf));
    const none = or(...sets.map(noneOf));
    const lo = sets.map((x) => (x.t === "none" ? "NULL" : `CAST(${x.v} AS BIGINT)`));
    const hi = sets.map((x) => (x.t === "none" ? "NULL" : x.hi ? `CAST(${x.hi} AS BIGINT)` : `CAST(${x.v} AS BIGINT)`));
    const exactSets = sets.every((x) => x.t === "none" || !x.hi);
    const question = (surely: (x: string, y: string) => string, possibly: (x: string, y: string) => string): Sql => {
      const verdict = exactSets ? surely(lo[0], lo[1]) : `(CASE WHEN ${surely(lo[0], lo[1])} THEN TRUE WHEN ${possibly(hi[0], hi[1])} THEN CAST(NULL AS BOOLEAN) ELSE FALSE END)`;
      return { t: "tri", v: `(CASE WHEN ${unknown} THEN CAST(NULL AS BOOLEAN) WHEN ${none} THEN FALSE ELSE ${verdict} END)` };
    };
    const adjacent = (x: string, y: string) => `((((${x} << 1) & ${y}) <> 0) OR (((${x} >> 1) & ${y}) <> 0))`;
    switch (fn) {
      case "sameLevel":
        return question(
          (x, y) => `((${x} & ${y}) <> 0)`,
          (x, y) => `((${x} & ${y}) <> 0)`,
        );
      case "adjacentLevel":
        return question(adjacent, adjacent);
      case "levelsWithin":
        // Surely: the most A may be lies within the least B is; possibly: the least A within the most B.
        return question(
          () => `((${hi[0]} & ~${lo[1]}) = 0)`,
          () => `((${lo[0]} & ~${hi[1]}) = 0)`,
        );
      case "countLevels": {
        const count = (x: string) => `(CASE WHEN ${unknown} OR ${none} THEN NULL ELSE ${this.d.bitCount(x)} END)`;
        return { t: "num", lo: count(lo[0]), hi: exactSets ? count(lo[0]) : count(hi[0]), none: and(`NOT ${unknown}`, none), undoc: FALSE, whole: TRUE };
      }
      case "levelRange": {
        // Every level from the lowest set bit of either set to the highest; unknown while a set is between two.
        const all = `(${lo[0]} | ${lo[1]})`;
        const lowest = `(${all} & -${all})`;
        const highest = `CAST(power(2, floor(ln(${all}) / ln(2) + 0.000000001)) AS BIGINT)`;
        const between = exactSets ? FALSE : or(...[0, 1].map((i) => `(${lo[i]} <> ${hi[i]})`));
        const empty = and(`NOT ${unknown}`, `NOT ${between}`, or(none, `(${all} = 0)`));
        return { t: "levels", v: `(CASE WHEN ${unknown} OR ${between} OR ${empty} THEN NULL ELSE 2 * ${highest} - ${lowest} END)`, none: empty };
      }
      case "levelUnion": {
        // runtime levelUnion: an undocumented set may be any levels (from none to every level).
        const value = (x: ScalarSql | NoneSql, bound: string, ifUnknown: string) => (x.t === "none" ? "NULL" : `COALESCE(${bound}, ${ifUnknown})`);
        const [a, b] = sets;
        const unionOf = (ends: [string, string], ifUnknown: string) => `(CASE WHEN ${none} THEN NULL ELSE (${value(a, ends[0], ifUnknown)} | ${value(b, ends[1], ifUnknown)}) END)`;
        return { t: "levels", v: unionOf([lo[0], lo[1]], "0"), hi: unionOf([hi[0], hi[1]], String(allLevels)), none };
      }
      default:
        return refuse();
    }
  }

  /**
   * `union(p in list where …: p.levels)` (runtime union): the levels the surely included entries
   * bring, up to those every entry that may be included may bring (every level for one that does
   * not document its levels); entries whose levels are no value bring none.
   */
  private levelsOfEntries(source: ListSql, a: string, included: string, levels: Sql): Sql {
    if (levels.t === "none") return { t: "levels", v: "0", none: FALSE };
    if (levels.t !== "levels") return this.refuse(`a union of ${levels.t}s`);
    const brings = and(`(${included}) IS NOT FALSE`, `NOT ${levels.none}`);
    const lo = this.overEntries(source, a, `bit_or(CASE WHEN ${brings} THEN (CASE WHEN (${included}) IS TRUE THEN COALESCE(CAST(${levels.v} AS BIGINT), 0) ELSE 0 END) END)`, "0");
    const hi = this.overEntries(source, a, `bit_or(CASE WHEN ${brings} THEN COALESCE(CAST(${levels.hi ?? levels.v} AS BIGINT), ${allLevels}) END)`, "0");
    const guard = (v: string) => `(CASE WHEN NOT ${source.known} THEN NULL ELSE ${v} END)`;
    return { t: "levels", v: guard(lo), hi: guard(hi), none: FALSE };
  }

  private call(def: IrDefinition, args: Sql[]): Sql {
    const scope = new Map<string, Sql>();
    def.params.forEach((p, i) => scope.set(p.name, args[i]));
    return this.expr(def.body, scope);
  }

  // ── Questions over a list ────────────────────────────────────────────────────────────────

  private query(e: Extract<IrExpr, { k: "query" }>, scope: Scope): Sql {
    let source = this.expr(e.source, scope);
    if (source.t === "none") return e.op === "count" ? exact("0") : e.op === "exists" ? { t: "tri", v: FALSE } : e.op === "every" ? { t: "tri", v: TRUE } : { t: "none" };
    if (source.t !== "list") return this.refuse(`a question over a ${source.t}`);
    if (e.window) this.refuse("a count of the most in any window ('in any')");
    const a = this.cx.alias();
    const row: RowSql = { t: "row", record: source.record, alias: a };
    const inner = new Map(scope).set(e.binder, row);
    const entry: EntryParts = { alias: a, parts: [] };
    this.entries.push(entry);
    let included: string;
    let keys: Sql[] | undefined;
    let body: string | undefined;
    let levels: Sql | undefined;
    try {
      included = e.filter ? and(`${a}."m"`, this.tri(e.filter, inner)) : `${a}."m"`;
      keys = e.keys?.map((k) => this.expr(k, inner));
      if (e.op === "every") body = this.tri(e.body!, inner);
      else if (e.op === "union") levels = this.expr(e.body!, inner);
    } finally {
      this.entries.pop();
    }
    if (entry.parts.length) source = { ...source, from: this.withParts(source.from, entry) };
    // A question over a list table (or a list worked out once) is a set of aggregates of one
    // GROUP BY of that table (Graph.aggregate), where its bounds share the filter. Where the
    // filter needs parts worked out per entry, or a paired count walks the entries, the entries
    // the filter may include are worked out once, for every case at once, as a table of their own.
    if (e.filter && e.op !== "select" && !bindsEntry(scope) && (entry.parts.length > 0 || e.merge)) {
      source = this.cx.materialize({
        t: "list",
        record: source.record,
        from: `(SELECT ${this.rowColumns(source.record, a)}, ${included} AS "m" FROM ${source.from} ${a} WHERE (${included}) IS NOT FALSE)`,
        known: source.known,
      }) as ListSql;
      included = `${a}."m"`;
    }
    if (e.merge) return this.pairedCount(source, a, included, e.merge, scope);
    if (keys) return this.distinctCount(source, a, included, keys);
    const from = `FROM ${source.from} ${a}`;
    const unknownList = `(NOT ${source.known})`;
    switch (e.op) {
      case "count": {
        const lo = this.overEntries(source, a, `COUNT(CASE WHEN ${included} THEN 1 END)`, "0");
        const hi = this.overEntries(source, a, `COUNT(CASE WHEN (${included}) IS NOT FALSE THEN 1 END)`, "0");
        const guard = (v: string) => `(CASE WHEN ${unknownList} THEN NULL ELSE ${v} END)`;
        return { t: "num", lo: guard(lo), hi: guard(hi), none: FALSE, undoc: FALSE, whole: TRUE };
      }
      case "exists": {
        const rank = this.overEntries(source, a, `MAX(CASE WHEN ${included} THEN 2 WHEN (${included}) IS NULL THEN 1 ELSE 0 END)`, "NULL");
        return { t: "tri", v: `(CASE WHEN ${unknownList} THEN CAST(NULL AS BOOLEAN) ELSE (CASE ${rank} WHEN 2 THEN TRUE WHEN 1 THEN CAST(NULL AS BOOLEAN) ELSE FALSE END) END)` };
      }
      case "every": {
        const holds = or(`NOT (${included})`, body!);
        const rank = this.overEntries(source, a, `MIN(CASE WHEN ${holds} THEN 2 WHEN (${holds}) IS NULL THEN 1 ELSE 0 END)`, "NULL");
        return { t: "tri", v: `(CASE WHEN ${unknownList} THEN CAST(NULL AS BOOLEAN) ELSE (CASE ${rank} WHEN 0 THEN FALSE WHEN 1 THEN CAST(NULL AS BOOLEAN) ELSE TRUE END) END)` };
      }
      case "select":
        return {
          t: "list",
          record: source.record,
          from: `(SELECT ${this.rowColumns(source.record, a)}, ${included} AS "m" ${from} WHERE (${included}) IS NOT FALSE)`,
          known: source.known,
        };
      case "latest":
      case "earliest":
        return this.extreme(source, a, included, e.op === "latest");
      case "union":
        return this.levelsOfEntries(source, a, included, levels!);
      default:
        return this.refuse(`the question '${e.op}' over a list`);
    }
  }

  /**
   * `count(…, counting p and q as one when …)` (runtime countPairedAsOne), over every case at
   * once: the entries that may be included, numbered in date order (undated last, then by their
   * place in the list); which two of them may pair, the earlier first, as a text of 0s and 1s
   * (row i, column j); then a walk where each entry not yet paired is paired with the first later
   * one not yet paired whose pairing is usable, the paired entries marked in another such text.
   * The walk is plain text arithmetic, one step per pairing looked at, so no engine has to
   * decorrelate a subquery inside a recursion. The fewest walks the sure entries with every
   * pairing that may hold, the most walks every entry with only the pairings that surely hold;
   * the count runs from the smaller to the larger.
   */
  private pairedCount(source: ListSql, a: string, included: string, merge: { readonly a: string; readonly b: string; readonly cond: IrExpr }, scope: Scope): Sql {
    if (bindsEntry(scope)) return this.refuse("counting two entries as one inside a question over entries");
    const day = this.entryDay(source.record, a);
    const x = this.cx.alias();
    const y = this.cx.alias();
    const pairScope = new Map(scope).set(merge.a, { t: "row", record: source.record, alias: x } satisfies RowSql).set(merge.b, { t: "row", record: source.record, alias: y } satisfies RowSql);
    this.entries.push(null);
    let pairs: string;
    try {
      pairs = this.tri(merge.cond, pairScope);
    } finally {
      this.entries.pop();
    }
    const table = this.cx.derived((previous, name) => {
      const entries = `${name}_entries`;
      const grid = `${name}_pairs`;
      const start = `${name}_start`;
      const walk = (suffix: string) => {
        const w = `${name}_${suffix}`;
        const usable = `w."usable_${suffix}"`;
        const marks = `w."marks_"`;
        // The next entry after j that entry i may pair with (0 when none).
        const offset = `strpos(substr(${usable}, (w."i_" - 1) * w."total_" + w."j_" + 1, w."total_" - w."j_"), '1')`;
        const next = `(w."j_" + ${offset})`;
        const free = `substr(${marks}, w."i_", 1) = '0'`;
        const passes = `(${free} AND ${offset} > 0 AND substr(${marks}, ${next}, 1) = '1')`;
        const pairsNow = `(${free} AND ${offset} > 0 AND substr(${marks}, ${next}, 1) = '0')`;
        return `${w}("case_id_", "total_", "usable_${suffix}", "i_", "j_", "marks_", "n_") AS (
  SELECT s."case_id_", s."total_", s."usable_${suffix}", 1, 1, s."marks_${suffix}", s."n_${suffix}" FROM ${start} s
  UNION ALL
  SELECT w."case_id_", w."total_", ${usable},
    (CASE WHEN ${passes} THEN w."i_" ELSE w."i_" + 1 END),
    (CASE WHEN ${passes} THEN ${next} ELSE w."i_" + 1 END),
    (CASE WHEN ${pairsNow} THEN substr(${marks}, 1, ${next} - 1) || '1' || substr(${marks}, ${next} + 1) ELSE ${marks} END),
    w."n_" - (CASE WHEN ${pairsNow} THEN 1 ELSE 0 END)
  FROM ${w} w WHERE w."i_" <= w."total_"
)`;
      };
      const flag = (cond: string) => `string_agg(CASE WHEN ${cond} THEN '1' ELSE '0' END, '' ORDER BY g."i_", g."j_")`;
      const mark = (member: string) => `string_agg(CASE WHEN ${member} THEN '0' ELSE '1' END, '' ORDER BY e."k_")`;
      return [
        `${entries} AS MATERIALIZED (
  SELECT c."case_id" AS "case_id_", x.*, CAST(ROW_NUMBER() OVER (PARTITION BY c."case_id" ORDER BY x."day_" ASC NULLS LAST, x."pos" ASC) AS INTEGER) AS "k_"
  FROM ${previous} c CROSS JOIN LATERAL (SELECT ${this.rowColumns(source.record, a)}, ${included} AS "inc_", ${day} AS "day_" FROM ${source.from} ${a} WHERE (${included}) IS NOT FALSE) x
)`,
        `${grid} AS MATERIALIZED (
  SELECT ${x}."case_id_", ${x}."k_" AS "i_", ${y}."k_" AS "j_", (CASE WHEN ${x}."k_" < ${y}."k_" THEN ${pairs} END) AS "v_"
  FROM ${previous} c JOIN ${entries} ${x} ON ${x}."case_id_" = c."case_id" JOIN ${entries} ${y} ON ${y}."case_id_" = c."case_id"
)`,
        `${start} AS MATERIALIZED (
  SELECT e."case_id_", CAST(COUNT(*) AS INTEGER) AS "total_",
    ${mark(`e."inc_" IS TRUE`)} AS "marks_fewest", SUM(CASE WHEN e."inc_" IS TRUE THEN 1 ELSE 0 END) AS "n_fewest",
    ${mark("TRUE")} AS "marks_most", COUNT(*) AS "n_most",
    MIN(u."usable_fewest") AS "usable_fewest", MIN(u."usable_most") AS "usable_most"
  FROM ${entries} e JOIN (
    SELECT g."case_id_", ${flag(`g."i_" < g."j_" AND g."v_" IS NOT FALSE`)} AS "usable_fewest", ${flag(`g."i_" < g."j_" AND g."v_" IS TRUE`)} AS "usable_most"
    FROM ${grid} g GROUP BY g."case_id_"
  ) u ON u."case_id_" = e."case_id_"
  GROUP BY e."case_id_"
)`,
        walk("fewest"),
        walk("most"),
        `${name} AS MATERIALIZED (
  SELECT f."case_id_", LEAST(f."n_", m."n_") AS "lo_", GREATEST(f."n_", m."n_") AS "hi_"
  FROM ${name}_fewest f JOIN ${name}_most m ON m."case_id_" = f."case_id_" AND m."i_" > m."total_"
  WHERE f."i_" > f."total_"
)`,
      ];
    }, true);
    this.cx.keyed(table, table);
    const read = (column: string) =>
      `(CASE WHEN NOT ${source.known} THEN NULL ELSE ${this.cx.aggregate(table, "p", `MAX(p.${column})`, "0") ?? `COALESCE((SELECT p.${column} FROM ${table} p WHERE p."case_id_" = c."case_id"), 0)`} END)`;
    return { t: "num", lo: read(`"lo_"`), hi: read(`"hi_"`), none: FALSE, undoc: FALSE, whole: TRUE };
  }

  /**
   * `count(p in list where …, one per KEY)` (runtime countBy without a window): entries with the
   * same key count once. The fewest is the distinct documented keys of the sure entries (or 1
   * when there are none but a sure entry's key is undocumented); the most is the distinct
   * documented keys of every entry that may be included, plus one for each such entry whose key is
   * undocumented. A key is undocumented when a part of it is (a bounded number known only by its
   * bounds too); parts are compared as their text, joined by a character no value holds.
   */
  private distinctCount(source: ListSql, a: string, included: string, keys: Sql[]): Sql {
    const documented: string[] = [];
    const texts: string[] = [];
    for (const k of keys) {
      switch (k.t) {
        case "num":
          documented.push(`(${k.lo} IS NOT NULL AND ${k.lo} = ${k.hi} AND NOT ${k.undoc} AND NOT ${k.none})`);
          texts.push(`CAST(${k.lo} AS ${this.d.types.text})`);
          break;
        case "text":
        case "levels":
          documented.push(`(${k.v} IS NOT NULL AND NOT ${k.none})`);
          texts.push(`CAST(${k.v} AS ${this.d.types.text})`);
          break;
        case "tri":
          documented.push(`(${k.v} IS NOT NULL)`);
          texts.push(`CAST(${k.v} AS ${this.d.types.text})`);
          break;
        default:
          return this.refuse(`a count 'one per' a ${k.t}`);
      }
    }
    const known = and(...documented);
    const key = texts.length === 1 ? texts[0] : texts.join(` || chr(1) || `);
    const sure = `(${included}) IS TRUE`;
    const may = `(${included}) IS NOT FALSE`;
    const distinct = (cond: string) => `COUNT(DISTINCT CASE WHEN ${cond} AND ${known} THEN ${key} END)`;
    const undocumented = (cond: string) => `COALESCE(SUM(CASE WHEN ${cond} AND NOT ${known} THEN 1 ELSE 0 END), 0)`;
    const lo = this.overEntries(source, a, `${distinct(sure)} + (CASE WHEN ${distinct(sure)} = 0 AND ${undocumented(sure)} > 0 THEN 1 ELSE 0 END)`, "0");
    const hi = this.overEntries(source, a, `${distinct(may)} + ${undocumented(may)}`, "0");
    const guard = (v: string) => `(CASE WHEN NOT ${source.known} THEN NULL ELSE ${v} END)`;
    return { t: "num", lo: guard(lo), hi: guard(hi), none: FALSE, undoc: FALSE, whole: TRUE };
  }

  /** A record's fields, with those the policy's extensions add. */
  private fieldsOf(record: IrRecord): readonly IrField[] {
    return recordFields(this.cx.layout, record);
  }

  /** An entry's columns (ord, pos and fields) from a row alias. */
  private rowColumns(record: IrRecord, a: string): string {
    const fields = this.fieldsOf(record).flatMap((f) => this.fieldColumns(f, a));
    return [`${a}."ord"`, `${a}."pos"`, ...fields].join(", ");
  }

  /** The day of an entry, which places it in time (its `date` field). */
  private entryDay(record: IrRecord, a: string): string {
    const date = this.fieldsOf(record).find((f) => f.name === "date" && f.type.t === "date");
    if (!date) return this.refuse(`a question that places entries of ${record.name} in time (it has no date field)`);
    this.reads.fields.add(date);
    return `(${a}."date" - DATE '1970-01-01')`;
  }

  /** `latest`/`earliest` (runtime extreme): the surely included entry with the extreme date, unless a doubtful one may beat it. */
  private extreme(source: ListSql, a: string, included: string, latest: boolean): Sql {
    const day = this.entryDay(source.record, a);
    // The pick as one aggregate (cheaper than ordering each case's entries): its day, then its
    // place in the list (the first of a day wins), then its ord, packed in one whole number.
    // Holds for days after the year -700 and lists of fewer than a million entries.
    const key = `((CAST(${day} AS BIGINT) + 1000000) * 1000000000000 + ${latest ? `(999999 - CAST(${a}."pos" AS BIGINT))` : `CAST(${a}."pos" AS BIGINT)`} * 1000000 + ${a}."ord")`;
    const bestKey = this.overEntries(source, a, `${latest ? "MAX" : "MIN"}(CASE WHEN (${included}) IS TRUE AND ${day} IS NOT NULL THEN ${key} END)`, "NULL");
    const bestOrd = `(${bestKey} % 1000000)`;
    const bestDay = `(floor(${bestKey} / 1000000000000.0) - 1000000)`;
    const contender = `(${this.overEntries(source, a, `MAX(CASE WHEN (${included}) IS NULL AND ${day} IS NOT NULL AND (${bestDay} IS NULL OR ${day} ${latest ? ">=" : "<="} ${bestDay}) THEN 1 ELSE 0 END)`, "0")} = 1)`;
    const unknownList = `(NOT ${source.known})`;
    const open = or(unknownList, contender);
    const picks = `(${bestOrd} IS NOT NULL)`;
    return {
      t: "pick",
      list: source,
      ord: bestOrd,
      none: `(NOT ${open} AND ${bestOrd} IS NULL)`,
      sel: { open: `(${open})`, picks: and(`NOT ${unknownList}`, picks) },
    };
  }

  /**
   * `recent_run(list, gap)` (runtime recentRun): walking back from the date of service while each
   * step is shorter than the gap; entries reached only across an entry that may not be in the
   * list are in the run only possibly.
   */
  private recentRun(list: Sql, gap: Sql): Sql {
    if (list.t !== "list" || (gap.t !== "len" && gap.t !== "span")) return this.refuse(`recent_run over a ${list.t}`);
    const dos = this.dos();
    const a = this.cx.alias();
    const day = this.entryDay(list.record, a);
    const columns = this.rowColumns(list.record, a);
    const reach = this.addLength(day, gap, 1);
    // Each step: the entry's reach must pass the day before it (the date of service for the first).
    const dated = `(SELECT ${columns}, ${a}."m", ${day} AS "day_", ${reach} AS "reach_" FROM ${list.from} ${a} WHERE ${day} IS NOT NULL AND ${day} <= ${dos})`;
    const w = this.cx.alias();
    const order = `ORDER BY ${w}."day_" DESC, ${w}."pos" ASC`;
    const sureOrder = `ORDER BY ${w}."day_" DESC, ${w}."pos" ASC`;
    const steps = `(SELECT ${w}.*, CASE WHEN ${w}."reach_" <= COALESCE(LAG(${w}."day_") OVER (${order}), ${dos}) THEN 1 ELSE 0 END AS "break_", CASE WHEN ${w}."m" IS TRUE THEN (CASE WHEN ${w}."reach_" <= COALESCE(LAG(${w}."day_") OVER (PARTITION BY ${w}."m" IS TRUE ${sureOrder}), ${dos}) THEN 1 ELSE 0 END) END AS "sure_break_" FROM ${dated} ${w})`;
    const x = this.cx.alias();
    const xOrder = `ORDER BY ${x}."day_" DESC, ${x}."pos" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`;
    const walked = `(SELECT ${x}.*, MAX(${x}."break_") OVER (${xOrder}) AS "broken_", MAX(${x}."sure_break_") OVER (PARTITION BY ${x}."m" IS TRUE ${xOrder}) AS "sure_broken_", ROW_NUMBER() OVER (ORDER BY ${x}."day_" ASC, ${x}."pos" DESC) AS "run_pos_" FROM ${steps} ${x})`;
    const y = this.cx.alias();
    const fields = this.fieldsOf(list.record).flatMap((f) => this.fieldColumns(f, y));
    const member = `(CASE WHEN (${y}."m" IS TRUE AND ${y}."sure_broken_" = 0) OR ${y}."m" IS NOT TRUE THEN ${y}."m" ELSE CAST(NULL AS BOOLEAN) END)`;
    return {
      t: "list",
      record: list.record,
      from: `(SELECT ${y}."ord", ${y}."run_pos_" AS "pos", ${fields.join(", ")}, ${member} AS "m" FROM ${walked} ${y} WHERE ${y}."broken_" = 0)`,
      known: and(list.known, `(${dos} IS NOT NULL)`, `NOT ${unknownOf(gap)}`),
    };
  }
}

// ── Helpers ──────────────────────────────────────────────────────────────────────────────────

/** The columns of a list's derived table: its place in the fact's list and in this list, the fields, and whether it is in the list. */
export function entryColumns(fields: readonly IrField[]): string[] {
  return ["ord", "pos", ...fields.flatMap((f) => (f.type.t === "duration" ? [`${f.name}__amount`, `${f.name}__unit`] : [f.name])), "m"];
}

/** A record's fields as the policy's list tables hold them: with those its extensions add. */
export function recordFields(layout: Layout, record: IrRecord): readonly IrField[] {
  return layout.tablesOf.get(record)?.[0]?.fields ?? record.fields;
}

/** Whether SQL reads no column but the case row's (`c.`): it is then the same for every entry of the case. */
function readsOnlyTheCase(sql: string): boolean {
  return readsOnly(sql, ["c"]);
}
function readsOnly(sql: string, aliases: readonly string[]): boolean {
  for (const qualified of sql.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\.(?=["A-Za-z_])/g)) if (!aliases.includes(qualified[1])) return false;
  return true;
}

function numberLiteral(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`a number that is not finite reached SQL generation: ${v}`);
  const s = String(v);
  return v < 0 ? `(${s})` : Number.isInteger(v) ? s : s;
}

function exact(v: string): NumSql {
  return { t: "num", lo: v, hi: v, none: FALSE, undoc: FALSE };
}

function withNone(v: Sql, none: string): Sql {
  if (v.t === "num" || v.t === "len" || v.t === "text" || v.t === "levels") return { ...v, none: or(v.none, none) };
  if (v.t === "tri") return { ...v, none: or(v.none ?? FALSE, none) };
  return v;
}

/** A value made unknown while a condition holds (a bounded number's range too). */
function blankWhen(v: Sql, cond: string): Sql {
  const blank = (x: string) => `(CASE WHEN ${cond} THEN NULL ELSE ${x} END)`;
  if (v.t === "num") return { ...v, lo: blank(v.lo), hi: blank(v.hi), undoc: `COALESCE(${blank(v.undoc)}, TRUE)` };
  return v;
}

/** Whether a number is a range (its ends differ); false when unknown. */
function differs(v: NumSql): string {
  return v.lo === v.hi ? FALSE : `COALESCE(${v.lo} <> ${v.hi}, FALSE)`;
}

/** Whether a value is unknown (SQL NULL, and not no value). */
function unknownOf(v: Sql): string {
  switch (v.t) {
    case "tri":
      return v.none && v.none !== FALSE ? `(${v.v} IS NULL AND NOT ${v.none})` : `(${v.v} IS NULL)`;
    case "num":
      return `(${v.lo} IS NULL AND NOT ${v.none})`;
    case "len":
      return `(${v.amount} IS NULL AND NOT ${v.none})`;
    case "span":
      return `(${v.from} IS NULL AND NOT ${v.none})`;
    case "text":
    case "levels":
      return `(${v.v} IS NULL AND NOT ${v.none})`;
    default:
      return FALSE;
  }
}

function noneOf(v: Sql): string {
  return "none" in v && typeof v.none === "string" ? v.none : FALSE;
}


/** A comparison guarded as the runtime's: unknown before no value, no value before the verdict. */
function guarded(operands: Sql[], verdict: string): string {
  const unknown = or(...operands.map(unknownOf));
  const none = or(...operands.map(noneOf));
  const parts: string[] = [];
  if (unknown !== FALSE) parts.push(`WHEN ${unknown} THEN CAST(NULL AS BOOLEAN)`);
  if (none !== FALSE) parts.push(`WHEN ${none} THEN FALSE`);
  return parts.length === 0 ? verdict : `(CASE ${parts.join(" ")} ELSE ${verdict} END)`;
}

/** compareIntervals (runtime/values.ts) over lo/hi pairs. */
function compareIntervals(op: ComparisonOp, alo: string, ahi: string, blo: string, bhi: string): string {
  const decide = (yes: string, no: string) => `(CASE WHEN ${yes} THEN TRUE WHEN ${no} THEN FALSE ELSE CAST(NULL AS BOOLEAN) END)`;
  switch (op) {
    case "<":
      return decide(`${ahi} < ${blo}`, `${alo} >= ${bhi}`);
    case "<=":
      return decide(`${ahi} <= ${blo}`, `${alo} > ${bhi}`);
    case ">":
      return decide(`${alo} > ${bhi}`, `${ahi} <= ${blo}`);
    case ">=":
      return decide(`${alo} >= ${bhi}`, `${ahi} < ${blo}`);
    case "=":
      return decide(`${alo} = ${ahi} AND ${blo} = ${bhi} AND ${alo} = ${blo}`, `${ahi} < ${blo} OR ${bhi} < ${alo}`);
    case "!=":
      return decide(`${ahi} < ${blo} OR ${bhi} < ${alo}`, `${alo} = ${ahi} AND ${blo} = ${bhi} AND ${alo} = ${blo}`);
  }
}

function minutesOf(l: LenSql): string {
  if (l.fixedUnit) return `(${l.amount} * ${fixedMinutes[l.fixedUnit] ?? "NULL"})`;
  return `(${l.amount} * (CASE ${l.unit} WHEN 'minutes' THEN 1 WHEN 'hours' THEN 60 WHEN 'days' THEN 1440 WHEN 'weeks' THEN 10080 END))`;
}

function isFixed(l: LenSql): string {
  return `(${l.unit} IN ('minutes', 'hours', 'days', 'weeks'))`;
}
