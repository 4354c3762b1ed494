/**
 * What a query works out once per case, in layers. A column (`pol_v…` for a value's part,
 * `pol_s…` for a requirement's status, `pol_w…` for what it comes to if it applies) is computed in the first layer after everything it reads;
 * a list (`pol_l…`) is a table of every case's entries, made from the layer before it with a
 * lateral join. Each is written once however often the policy uses it, so the query grows with
 * the policy, not with how often its definitions are used.
 */
import { entryColumns, recordFields, type Sql } from "./expressions.js";
import { ident, type Layout } from "./layout.js";
import { SqlRefusal } from "./refusal.js";

interface Node {
  readonly name: string;
  readonly kind: "column" | "list" | "derived" | "aggregate";
  /** A column's or aggregate's SQL (an aggregate's over the rows `a` of its table and the case `c`). */
  readonly text: string;
  /** For a derived table: its CTEs, made from the layer before it. */
  readonly render?: (previous: string) => string[];
  /** For an aggregate: the table keyed by case (`case_id_`) whose rows it reads. */
  readonly table?: string;
}

const reference = /\bpol_[vslwpa]\d+\b/g;

/** Parts shorter than this are read where they are used. */
const shortText = 24;

export class Graph {
  constructor(private readonly layout: Layout) {}

  private readonly nodes = new Map<string, Node>();
  private readonly byText = new Map<string, string>();
  private values = 0;
  private aggregates = 0;
  /**
   * Lists read by correlation with the case (a subquery's FROM) that are also a table of every
   * case's entries keyed by `case_id_` (a list fact's table, a list worked out once per case): an
   * aggregate over one is worked out for every case at once.
   */
  private readonly keyedTables = new Map<string, string>();
  private lists = 0;
  private derivedTables = 0;
  /** Whether a derived table walks its entries recursively (the query then says WITH RECURSIVE). */
  recursive = false;

  has(name: string): boolean {
    return this.nodes.has(name);
  }

  column(name: string, text: string): string {
    this.nodes.set(name, { name, kind: "column", text });
    return `c.${name}`;
  }

  /** A part of a case's value worked out once per case (a column of a layer); a short one is read where it is used. */
  share(text: string): string {
    if (text.length < shortText) return text;
    const key = `column:${text}`;
    let name = this.byText.get(key);
    if (!name) {
      name = `pol_v${++this.values}`;
      this.byText.set(key, name);
      this.nodes.set(name, { name, kind: "column", text });
    }
    return `c.${name}`;
  }

  private shareList(from: string, columns: readonly string[]): string {
    const key = `list:${from}`;
    let name = this.byText.get(key);
    if (!name) {
      name = `pol_l${++this.lists}`;
      this.byText.set(key, name);
      this.nodes.set(name, { name, kind: "list", text: from });
    }
    const correlated = `(SELECT ${columns.map((col) => `${name}.${ident(col)}`).join(", ")} FROM ${name} WHERE ${name}."case_id_" = c."case_id")`;
    this.keyedTables.set(correlated, name);
    return correlated;
  }

  /** Says that the list read by correlation as `from` is the table `table` keyed by `case_id_` (same columns). */
  keyed(from: string, table: string): void {
    this.keyedTables.set(from, table);
  }

  /**
   * An aggregate over a case's entries of a list (`agg` reads them as `alias`, and may read the
   * case as `c`), as a column: with every aggregate over the same table at the same layer, one
   * GROUP BY of that table by case joined to the cases once, instead of a correlated subquery
   * each. `empty` is the aggregate's value over no entries (a case without entries has no group).
   * Undefined when the list is not such a table or the aggregate reads other rows; the caller
   * then writes the subquery.
   */
  aggregate(from: string, alias: string, agg: string, empty: string): string | undefined {
    const table = this.keyedTables.get(from);
    if (!table) return undefined;
    for (const qualified of agg.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\.(?=["A-Za-z_])/g)) if (qualified[1] !== "c" && qualified[1] !== alias) return undefined;
    const text = agg.replace(new RegExp(`\\b${alias}\\.`, "g"), "a.");
    const key = `aggregate:${table}:${text}`;
    let name = this.byText.get(key);
    if (!name) {
      name = `pol_a${++this.aggregates}`;
      this.byText.set(key, name);
      this.nodes.set(name, { name, kind: "aggregate", text, table });
    }
    return empty === "NULL" ? `c.${name}` : `COALESCE(c.${name}, ${empty})`;
  }

  /**
   * A table keyed by case (`case_id_`) worked out over every case's entries at once by CTEs of
   * its own, made from the layer before it: `render(previous, name)` gives them, the last named
   * `name`. Returns the name; the same CTEs are written once.
   */
  derived(render: (previous: string, name: string) => string[], recursive: boolean): string {
    const probe = render("pol_previous_", "pol_p_").join("\n");
    const key = `derived:${probe}`;
    let name = this.byText.get(key);
    if (!name) {
      const made = `pol_p${++this.derivedTables}`;
      name = made;
      this.byText.set(key, made);
      this.nodes.set(made, { name: made, kind: "derived", text: probe, render: (previous) => render(previous, made) });
      this.recursive ||= recursive;
    }
    return name;
  }

  /** The value with each long part read from a column (a list from a table) worked out once per case. */
  materialize(v: Sql): Sql {
    const s = (text: string) => this.share(text);
    switch (v.t) {
      case "tri":
        return { ...v, v: s(v.v), ...(v.none ? { none: s(v.none) } : {}), ...(v.sel ? { sel: { open: s(v.sel.open), picks: s(v.sel.picks) } } : {}) };
      case "num":
        return { ...v, lo: s(v.lo), hi: s(v.hi), none: s(v.none), undoc: s(v.undoc), ...(v.sel ? { sel: { open: s(v.sel.open), picks: s(v.sel.picks) } } : {}) };
      case "len":
        return { ...v, amount: s(v.amount), unit: s(v.unit), none: s(v.none) };
      case "span":
        return { ...v, from: s(v.from), to: s(v.to), none: s(v.none) };
      case "text":
      case "levels":
        return { ...v, v: s(v.v), none: s(v.none), ...(v.hi ? { hi: s(v.hi) } : {}) };
      case "list":
        // A list table (or a list already worked out once) is read as it is.
        return { ...v, from: this.keyedTables.has(v.from) ? v.from : this.shareList(v.from, entryColumns(recordFields(this.layout, v.record))), known: s(v.known) };
      case "pick":
        return { ...v, list: this.materialize(v.list) as typeof v.list, ord: s(v.ord), none: s(v.none), sel: { open: s(v.sel.open), picks: s(v.sel.picks) } };
      default:
        return v;
    }
  }

  /**
   * Writes the layers as CTEs after `base` (the cases table); returns the last layer's name.
   * A node's level is one more than the deepest node it reads.
   */
  layers(base: string, baseColumns: readonly string[], ctes: string[], policy: string, after: string): string {
    const level = new Map<string, number>();
    const visiting = new Set<string>();
    const levelOf = (name: string): number => {
      const known = level.get(name);
      if (known !== undefined) return known;
      const node = this.nodes.get(name);
      if (!node) return 0;
      if (visiting.has(name)) throw new SqlRefusal(policy, "values that depend on each other in a cycle", name);
      visiting.add(name);
      let l = 1;
      for (const ref of [...(node.text.match(reference) ?? []), ...(node.table?.match(reference) ?? [])]) if (ref !== name) l = Math.max(l, levelOf(ref) + 1);
      visiting.delete(name);
      level.set(name, l);
      return l;
    };
    const byLevel: Node[][] = [];
    for (const node of this.nodes.values()) (byLevel[levelOf(node.name)] ??= []).push(node);
    // What is read after each layer (by the nodes of later levels, and the SQL after the layers):
    // a layer keeps only those columns of the one before, so a value is carried no further than
    // its last reader. Quoted names stand for the cases' columns (an entry field of the same name
    // keeps one needlessly, never drops one).
    const namesIn = (sql: string) => sql.match(/\bpol_[vslwpa]\d+\b|"(?:[^"]|"")*"/g) ?? [];
    const readAfter: Set<string>[] = [];
    let reads = new Set(namesIn(after));
    for (let l = byLevel.length - 1; l >= 0; l--) {
      readAfter[l] = reads;
      reads = new Set([...reads, ...(byLevel[l] ?? []).flatMap((n) => [...namesIn(n.text), ...namesIn(n.table ?? "")])]);
    }
    let available = [...baseColumns];
    let previous = base;
    for (let l = 1; l < byLevel.length; l++) {
      const nodes = byLevel[l] ?? [];
      for (const derived of nodes.filter((n) => n.kind === "derived")) ctes.push(...derived.render!(previous));
      for (const list of nodes.filter((n) => n.kind === "list")) {
        ctes.push(`${list.name} AS MATERIALIZED (\n  SELECT c."case_id" AS "case_id_", x.*\n  FROM ${previous} c CROSS JOIN LATERAL ${list.text} x\n)`);
      }
      // The aggregates of this layer: one GROUP BY per table they read, joined to the cases
      // only when an aggregate reads the case.
      const groups = new Map<string, Node[]>();
      for (const n of nodes) if (n.kind === "aggregate") groups.set(n.table!, [...(groups.get(n.table!) ?? []), n]);
      const joins: string[] = [];
      for (const [table, aggregates] of groups) {
        const group = `pol_g${l}_${joins.length + 1}`;
        const readsCase = aggregates.some((n) => /\bc\./.test(n.text));
        ctes.push(
          `${group} AS (\n  SELECT a."case_id_" AS "case_id_${group}",\n    ${aggregates.map((n) => `${n.text} AS ${n.name}`).join(",\n    ")}\n  FROM ${table} a${readsCase ? ` JOIN ${previous} c ON c."case_id" = a."case_id_"` : ""}\n  GROUP BY a."case_id_"\n)`,
        );
        joins.push(` LEFT JOIN ${group} ON ${group}."case_id_${group}" = c."case_id"`);
      }
      const cols = nodes.filter((n) => n.kind === "column");
      if (cols.length === 0 && joins.length === 0) continue;
      const name = `layer_${l}`;
      // The new columns read the layer before (a layer's columns are worked out from the one
      // before it, with this layer's aggregates joined beside them for the next).
      const kept = available.filter((column) => column === '"case_id"' || readAfter[l].has(column));
      const aggregates = [...groups.values()].flatMap((aggregates, i) => aggregates.map((n) => `pol_g${l}_${i + 1}.${n.name}`));
      ctes.push(
        `${name} AS (\n  SELECT ${[...kept.map((column) => `c.${column}`), ...cols.map((n) => `\n    ${n.text} AS ${n.name}`), ...aggregates].join(", ")}\n  FROM ${previous} c${joins.join("")}\n)`,
      );
      available = [...kept, ...cols.map((n) => n.name), ...[...groups.values()].flatMap((aggregates) => aggregates.map((n) => n.name))];
      previous = name;
    }
    return previous;
  }
}
