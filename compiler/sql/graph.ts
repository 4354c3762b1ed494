/**
 * What a query works out once per case, in layers. A column (`pol_v…` for a value's part,
 * `pol_s…` for a requirement's status, `pol_w…` for what it comes to if it applies) is computed in the first layer after everything it reads;
 * a list (`pol_l…`) is a table of every case's entries, made from the layer before it with a
 * lateral join. Each is written once however often the policy uses it, so the query grows with
 * the policy, not with how often its definitions are used.
 */
import { entryColumns, type Sql } from "./expressions.js";
import { ident } from "./layout.js";
import { SqlRefusal } from "./refusal.js";

interface Node {
  readonly name: string;
  readonly kind: "column" | "list" | "derived";
  readonly text: string;
  /** For a derived table: its CTEs, made from the layer before it. */
  readonly render?: (previous: string) => string[];
}

const reference = /\bpol_[vslwp]\d+\b/g;

/** Parts shorter than this are read where they are used. */
const shortText = 24;

export class Graph {
  private readonly nodes = new Map<string, Node>();
  private readonly byText = new Map<string, string>();
  private values = 0;
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
    return `(SELECT ${columns.map((col) => `${name}.${ident(col)}`).join(", ")} FROM ${name} WHERE ${name}."case_id_" = c."case_id")`;
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
        return { ...v, from: this.shareList(v.from, entryColumns(v.record)), known: s(v.known) };
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
  layers(base: string, ctes: string[], policy: string): string {
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
      for (const ref of node.text.match(reference) ?? []) if (ref !== name) l = Math.max(l, levelOf(ref) + 1);
      visiting.delete(name);
      level.set(name, l);
      return l;
    };
    const byLevel: Node[][] = [];
    for (const node of this.nodes.values()) (byLevel[levelOf(node.name)] ??= []).push(node);
    let previous = base;
    for (let l = 1; l < byLevel.length; l++) {
      const nodes = byLevel[l] ?? [];
      for (const derived of nodes.filter((n) => n.kind === "derived")) ctes.push(...derived.render!(previous));
      for (const list of nodes.filter((n) => n.kind === "list")) {
        ctes.push(`${list.name} AS MATERIALIZED (\n  SELECT c."case_id" AS "case_id_", x.*\n  FROM ${previous} c CROSS JOIN LATERAL ${list.text} x\n)`);
      }
      const cols = nodes.filter((n) => n.kind === "column");
      if (cols.length === 0) continue;
      const name = `layer_${l}`;
      // The new columns are worked out from a copy of the layer before that keeps only the
      // columns they read (subqueries then join narrow rows), and joined back by case id.
      ctes.push(
        `${name} AS MATERIALIZED (\n  SELECT c.*, n.*\n  FROM ${previous} c JOIN (\n    SELECT c."case_id" AS "case_id_${l}",\n    ${cols.map((n) => `${n.text} AS ${n.name}`).join(",\n    ")}\n    FROM ${previous} c\n  ) n ON n."case_id_${l}" = c."case_id"\n)`,
      );
      previous = name;
    }
    return previous;
  }
}
