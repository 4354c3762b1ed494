/**
 * A policy as one SQL query over its relational layout (layout.ts): per case the outcome, the met
 * pathway, the unmet criteria and the undocumented facts the undecided criteria read.
 *
 * The query is layered as the runtime decides (runtime/determine.ts, runtime/status.ts):
 * requirements first, each a status column (a bit mask of what it may still come to: 1 met,
 * 2 not met, 4 not applicable), in layers so that a list or a criterion that names another comes
 * after it; then each section's `when` and value; then the line's decision.
 */
import type { IrPolicy, IrRequirement, IrSection, IrExpr } from "../ir.js";
import { triggeringSections, type SectionKind } from "../../runtime/vocabulary.js";
import type { Dialect } from "./dialect.js";
import { ident, layoutOf, text, type Layout } from "./layout.js";
import { emptyReads, ExprCompiler, type ExprContext, type Reads } from "./expressions.js";
import { Graph } from "./graph.js";
import { SqlRefusal } from "./refusal.js";

export interface SqlOptions {
  readonly dialect: Dialect;
  /** A state fixed when compiling; without one, each case's `state` column chooses the overlays. */
  readonly state?: string;
}

export interface CompiledSql {
  readonly layout: Layout;
  readonly query: string;
}

interface Placed {
  readonly req: IrRequirement;
  readonly column: string;
  readonly explained: boolean;
}

interface PlacedSection {
  readonly section: IrSection;
  readonly triggers: boolean;
  /** The gate: true, or the overlay's applies. */
  readonly gate: string;
  readonly index: number;
}

const FALSE = "FALSE";
/** Up to this many shared `when`s of one list are weighed both ways (as the runtime does). */
const maxSharedWhens = 4;

/** Whether a status may come to met (1), not met (2), not applicable (4). */
const held = (s: string) => `(CASE WHEN ${s} = 2 THEN FALSE WHEN (${s} & 2) <> 0 THEN CAST(NULL AS BOOLEAN) ELSE TRUE END)`;
const applied = (s: string) => `(CASE WHEN ${s} = 1 THEN TRUE WHEN (${s} & 1) <> 0 THEN CAST(NULL AS BOOLEAN) ELSE FALSE END)`;
const open = (s: string) => `(${s} NOT IN (1, 2, 4))`;

export function compileQuery(p: IrPolicy, options: SqlOptions): CompiledSql {
  const layout = layoutOf(p);
  if (p.services.length > 0 || p.overlays.some((o) => o.services.length > 0)) throw new SqlRefusal(p.id, "service lines", `service ${[...p.services, ...p.overlays.flatMap((o) => o.services)][0].id}`);
  const columns = new Map<IrRequirement, string>();
  p.requirements.forEach((r, i) => columns.set(r, `pol_s${i}`));
  const graph = new Graph();
  let aliases = 0;
  const cx: ExprContext = {
    policy: p.id,
    dialect: options.dialect,
    layout,
    met: (r: IrRequirement) => {
      const col = columns.get(r);
      if (!col) throw new SqlRefusal(p.id, `criterion ${r.id}, which the policy does not place`, `criterion ${r.id}`);
      return held(`c.${col}`);
    },
    alias: () => `q${++aliases}`,
    materialize: (v) => graph.materialize(v),
    derived: (render, recursive) => graph.derived(render, recursive),
    memo: new Map(),
  };

  // ── Requirements ───────────────────────────────────────────────────────────────────────
  const reads = new Map<IrRequirement, Reads>();
  /** Each requirement's `when` as SQL, and the column of what it comes to if it applies. */
  const appliesOf = new Map<IrRequirement, string>();
  const valueColumn = (r: IrRequirement) => `pol_w${p.requirements.indexOf(r)}`;
  const lists: IrRequirement[] = [];
  for (const r of p.requirements) {
    const rr = emptyReads();
    const compiler = new ExprCompiler(cx, rr, `criterion ${r.id} (${r.module.file}:${r.line})`);
    const applies = r.when ? compiler.tri(r.when) : "TRUE";
    let value: string;
    if (r.test) {
      const v = compiler.tri(r.test);
      value = `(CASE WHEN ${v} THEN 1 WHEN NOT ${v} THEN 2 ELSE 3 END)`;
    } else if (r.list) {
      for (const item of r.list.items) rr.requirements.add(item);
      lists.push(r);
      value = "";
    } else throw new SqlRefusal(p.id, "a requirement without a rule", `criterion ${r.id}`);
    reads.set(r, rr);
    appliesOf.set(r, applies);
    if (value) graph.column(valueColumn(r), value);
  }
  // Lists, once their bullets' `when`s are known: bullets open on one shared `when` apply
  // together or not at all, and each such `when` is weighed both ways (runtime listStatus).
  for (const r of lists) {
    const items = r.list!.items;
    const groups = new Map<string, IrRequirement[]>();
    for (const item of items) {
      const applies = appliesOf.get(item)!;
      if (applies === "TRUE" || applies === FALSE) continue;
      groups.set(applies, [...(groups.get(applies) ?? []), item]);
    }
    let shared = [...groups].filter(([, members]) => members.length > 1);
    if (shared.length > maxSharedWhens) shared = [];
    const branches: string[] = [];
    for (let branch = 0; branch < 1 << shared.length; branch++) {
      const statuses = items.map((item) => {
        const at = shared.findIndex(([, members]) => members.includes(item));
        if (at < 0) return `c.${columns.get(item)}`;
        return `(CASE WHEN (${shared[at][0]}) IS NULL THEN ${branch & (1 << at) ? `c.${valueColumn(item)}` : "4"} ELSE c.${columns.get(item)} END)`;
      });
      branches.push(listStatus(r.list!.quantifier, r.list!.n, statuses));
    }
    graph.column(valueColumn(r), branches.length === 1 ? branches[0] : `(${branches.join(" | ")})`);
  }
  for (const r of p.requirements) {
    const applies = appliesOf.get(r)!;
    const value = `c.${valueColumn(r)}`;
    graph.column(columns.get(r)!, applies === "TRUE" ? value : `(CASE WHEN ${applies} THEN ${value} WHEN NOT ${applies} THEN 4 ELSE (${value} | 4) END)`);
  }

  // ── Sections ───────────────────────────────────────────────────────────────────────────
  const placedRequirements = new Map<IrRequirement, Placed>();
  const place = (r: IrRequirement): Placed => {
    let placed = placedRequirements.get(r);
    if (!placed) placedRequirements.set(r, (placed = { req: r, column: `c.${columns.get(r)}`, explained: !!r.list && (r.list.quantifier === "all" || r.list.quantifier === "any") }));
    return placed;
  };
  const gateReads = emptyReads();
  const gateCompiler = (where: string) => new ExprCompiler(cx, gateReads, where);
  const sections: PlacedSection[] = [];
  /** Truths outside any requirement that may be open: their facts are listed too. */
  const openGates: string[] = [];
  const add = (s: IrSection, gate: string) => {
    const when = s.when ? and(gate, gateCompiler(`the section "${s.title}"`).tri(s.when)) : gate;
    if (s.when) openGates.push(`(${when}) IS NULL`);
    sections.push({ section: s, triggers: triggeringSections.has(s.kind), gate: when, index: sections.length });
  };
  for (const s of p.sections) add(s, "TRUE");
  const wanted = options.state?.toUpperCase();
  for (const o of p.overlays) {
    if (wanted !== undefined && o.state.toUpperCase() !== wanted) continue;
    let applies = wanted !== undefined ? "TRUE" : `COALESCE(upper(c."state") = ${text(o.state.toUpperCase())}, FALSE)`;
    for (const clause of o.applies) {
      const holds = gateCompiler(`overlay ${o.id}'s applies clause`).tri(clause.test as IrExpr);
      applies = and(applies, clause.mode === "unless" ? `(NOT ${holds})` : holds);
    }
    openGates.push(`(${applies}) IS NULL`);
    for (const s of o.sections) add(s, applies);
  }

  const sectionColumns: string[] = [];
  for (const s of sections) {
    const items = s.section.items.map(place);
    const when = `w_${s.index}`;
    let value: string;
    if (s.section.kind === "indications") {
      const pathways = items.filter((i) => i.req.role === "pathway");
      const others = items.filter((i) => i.req.role !== "pathway");
      value = and(or(FALSE, ...pathways.map((i) => applied(i.column))), ...others.map((i) => held(i.column)));
    } else if (s.triggers) value = or(FALSE, ...items.map((i) => applied(i.column)));
    else value = and("TRUE", ...items.map((i) => held(i.column)));
    const whenCol = `c.${when}`;
    sectionColumns.push(`${s.gate} AS ${when}`);
    // A section whose `when` does not hold requires nothing, and a triggering one triggers nothing.
    sectionColumns.push(`${s.triggers ? and(whenCol, value) : or(`(NOT ${whenCol})`, value)} AS v_${s.index}`);
  }

  // ── The decision ───────────────────────────────────────────────────────────────────────
  const kindsValue = (kinds: readonly SectionKind[], combine: "or" | "and") => {
    const vs = sections.filter((s) => kinds.includes(s.section.kind)).map((s) => `c.v_${s.index}`);
    return combine === "or" ? or(FALSE, ...vs) : and("TRUE", ...vs);
  };
  const notCovered = kindsValue(["not-covered"], "or");
  const excluded = kindsValue(["exclusions"], "or");
  const contraindicated = kindsValue(["contraindications"], "or");
  const satisfied = kindsValue(["indications", "requirements", "notes"], "and");
  const outcome0 = `(CASE WHEN ${notCovered} IS TRUE THEN 'not-covered' WHEN ${excluded} IS TRUE THEN 'excluded' WHEN ${contraindicated} IS TRUE THEN 'does-not-meet' WHEN ${satisfied} IS FALSE THEN 'does-not-meet' WHEN ${notCovered} IS FALSE AND ${excluded} IS FALSE AND ${contraindicated} IS FALSE AND ${satisfied} IS TRUE THEN 'meets' ELSE 'needs-info' END)`;

  // Unmet criteria: each id with the conditions under which the runtime lists it.
  const unmetWhen = new Map<string, { outcome: string; cond: string }[]>();
  const unmet = (outcome: string, id: string, cond: string) => {
    let list = unmetWhen.get(id);
    if (!list) unmetWhen.set(id, (list = []));
    list.push({ outcome, cond });
  };
  const addUnmet = (placed: Placed, guard: string, outcome: string) => {
    const failed = and(guard, `${placed.column} = 2`);
    if (!placed.explained) unmet(outcome, placed.req.id, failed);
    else for (const bullet of placed.req.list!.items) addUnmet(place(bullet), failed, outcome);
  };
  for (const s of sections) {
    const items = s.section.items.map(place);
    const v = `c.v_${s.index}`;
    if (s.section.kind === "not-covered" || s.section.kind === "exclusions" || s.section.kind === "contraindications") {
      const outcome = s.section.kind === "not-covered" ? "not-covered" : s.section.kind === "exclusions" ? "excluded" : "does-not-meet";
      for (const i of items) unmet(outcome, i.req.id, and(`${v} IS TRUE`, `${i.column} = 1`));
      continue;
    }
    if (s.triggers) continue;
    // A denial lists what failed in the sections that failed; a needs-info answer what surely
    // failed in the sections still open. For indications, every pathway's unmet criteria are
    // listed: which pathway came closest is how a determination presents them (runtime/determine.ts),
    // not a value of the lowered form, so the SQL leaves that choice to the reader.
    const listed: [string, string][] = [
      ["does-not-meet", `${v} IS FALSE`],
      ["needs-info", `(${v} IS NOT TRUE AND c.w_${s.index} IS NOT FALSE)`],
    ];
    for (const [outcome, failed] of listed) {
      if (s.section.kind === "indications") {
        // The pathways of every section with this title, as the runtime matches them.
        const sameTitle = sections.filter((o) => o.section.kind === "indications" && o.section.title === s.section.title);
        const pathwaysOf = (o: PlacedSection) => o.section.items.filter((r) => r.role === "pathway").map(place);
        const reported = (o: PlacedSection) => `(c.w_${o.index} IS NOT FALSE)`;
        const noneMet = and("TRUE", ...sameTitle.flatMap((o) => pathwaysOf(o).map((pw) => `NOT (${reported(o)} AND ${pw.column} = 1)`)));
        for (const o of sameTitle) for (const pw of pathwaysOf(o)) addUnmet(pw, and(failed, noneMet, reported(o)), outcome);
        for (const i of items.filter((i) => i.req.role !== "pathway")) addUnmet(i, failed, outcome);
      } else for (const i of items) addUnmet(i, failed, outcome);
    }
  }
  const unmetText = `concat_ws(',', ${
    [...unmetWhen]
      .map(([id, conds]) => `CASE WHEN ${or(...conds.map((c) => `(c.outcome_ = ${text(c.outcome)} AND ${c.cond})`))} THEN ${text(id)} END`)
      .join(", ") || "NULL"
  })`;

  // The met pathway: the first that is met in an indications section that surely applies.
  const pathwayCases: string[] = [];
  for (const s of sections) {
    if (s.section.kind !== "indications") continue;
    for (const r of s.section.items) if (r.role === "pathway") pathwayCases.push(`WHEN c.w_${s.index} IS TRUE AND c.${columns.get(r)} = 1 THEN ${text(r.id)}`);
  }
  const pathway = pathwayCases.length ? `(CASE ${pathwayCases.join(" ")} END)` : "CAST(NULL AS VARCHAR)";

  // Undocumented facts read by the requirements (and gates) still open.
  const factOpen = new Map<string, { label: string; undocumented: string; conds: string[] }>();
  const note = (key: string, label: string, undocumented: string, cond: string) => {
    let entry = factOpen.get(key);
    if (!entry) factOpen.set(key, (entry = { label, undocumented, conds: [] }));
    entry.conds.push(cond);
  };
  const noteReads = (rr: Reads, cond: string) => {
    if (rr.dos) note("date_of_service", text("date_of_service"), `c."date_of_service" IS NULL`, cond);
    for (const f of rr.facts) {
      if (f.type.t === "list") {
        const table = layout.listOf.get(f)!;
        note(`fact:${f.path}`, text(f.path), `NOT COALESCE(c.${ident(table.documented)}, FALSE)`, cond);
      } else {
        const col = layout.factColumns.get(f)![0];
        note(`fact:${f.path}`, text(f.path), `c.${ident(col)} IS NULL`, cond);
      }
    }
    for (const field of rr.fields) {
      for (const table of layout.tablesOf.get(field.record) ?? []) {
        const col = field.type.t === "duration" ? `${field.name}__amount` : field.name;
        const label = `(SELECT ${options.dialect.joinAgg(`${text(`${table.fact.path}[`)} || ${options.dialect.integerText('t."ord"')} || ${text(`].${field.name}`)}`, 't."ord"')} FROM ${ident(table.table)} t WHERE t."case_id" = c."case_id" AND t.${ident(col)} IS NULL)`;
        note(`field:${table.table}.${field.name}`, label, "TRUE", cond);
      }
    }
  };
  let mayRefer: string[] = [];
  for (const r of p.requirements) {
    const rr = reads.get(r)!;
    noteReads(rr, open(`c.${columns.get(r)}`));
    if (rr.refers.length > 0) mayRefer.push(open(`c.${columns.get(r)}`));
  }
  if (openGates.length) noteReads(gateReads, or(...openGates));
  if (gateReads.refers.length) mayRefer = [...mayRefer, ...openGates];
  const undocumentedText = `concat_ws(',', ${[...factOpen.values()].map((f) => `CASE WHEN (${f.undocumented}) AND ${or(...f.conds)} THEN ${f.label} END`).join(", ") || "NULL"})`;

  // ── The query ──────────────────────────────────────────────────────────────────────────
  const ctes: string[] = [];
  const previous = graph.layers(ident(layout.casesTable), ctes, p.id);
  ctes.push(`sections_when AS (\n  SELECT c.*,\n    ${sectionColumns.filter((_, i) => i % 2 === 0).join(",\n    ") || "NULL AS no_section_"}\n  FROM ${previous} c\n)`);
  ctes.push(`sections AS (\n  SELECT c.*,\n    ${sectionColumns.filter((_, i) => i % 2 === 1).join(",\n    ") || "NULL AS no_value_"}\n  FROM sections_when c\n)`);
  ctes.push(`decided AS (\n  SELECT c.*, ${outcome0} AS outcome_,\n    ${mayRefer.length ? or(...mayRefer) : FALSE} AS may_refer_\n  FROM sections c\n)`);
  ctes.push(`listed AS (\n  SELECT c.*,\n    CASE WHEN c.outcome_ = 'needs-info' THEN ${undocumentedText} ELSE '' END AS undocumented_\n  FROM decided c\n)`);
  const outcome = `(CASE WHEN c.outcome_ = 'needs-info' AND c.undocumented_ = '' AND c.may_refer_ THEN 'refer-for-review' ELSE c.outcome_ END)`;
  const query = `WITH ${graph.recursive ? "RECURSIVE " : ""}${ctes.join(",\n")}\nSELECT c."case_id" AS case_id,\n  ${outcome} AS outcome,\n  ${pathway} AS pathway,\n  ${unmetText} AS unmet,\n  c.undocumented_ AS undocumented\nFROM listed c\nORDER BY c."case_id"`;
  return { layout, query };
}

function or(...parts: string[]): string {
  const kept = parts.filter((p) => p !== FALSE);
  if (kept.includes("TRUE")) return "TRUE";
  return kept.length === 0 ? FALSE : kept.length === 1 ? kept[0] : `(${kept.join(" OR ")})`;
}
function and(...parts: string[]): string {
  const kept = parts.filter((p) => p !== "TRUE");
  if (kept.includes(FALSE)) return FALSE;
  return kept.length === 0 ? "TRUE" : kept.length === 1 ? kept[0] : `(${kept.join(" AND ")})`;
}

/**
 * A bullet list's status from its bullets' (runtime listStatus): which outcomes some choice of
 * what each bullet may come to gives, found from the counts that matter.
 */
function listStatus(quantifier: "all" | "any" | "none" | "atLeast" | "atMost", n: number, bullets: readonly string[]): string {
  const has = (s: string, mask: number) => `((${s} & ${mask}) <> 0)`;
  const every = (mask: number) => and("TRUE", ...bullets.map((s) => has(s, mask)));
  const some = (mask: number) => or(FALSE, ...bullets.map((s) => has(s, mask)));
  const sum = (cond: (s: string) => string) => (bullets.length ? `(${bullets.map((s) => `(CASE WHEN ${cond(s)} THEN 1 ELSE 0 END)`).join(" + ")})` : "0");
  const canMeet = sum((s) => has(s, 1));
  const mustMeet = sum((s) => `${s} = 1`);
  const anyT = some(1);
  const anyF = some(2);
  const allNA = every(4);
  let T: string;
  let F: string;
  switch (quantifier) {
    case "all":
      T = and(every(5), anyT);
      F = anyF;
      break;
    case "any":
      T = anyT;
      F = and(every(6), anyF);
      break;
    case "none":
      F = anyT;
      T = and(every(6), anyF);
      break;
    case "atLeast": {
      const least = `GREATEST(${mustMeet}, 1)`;
      T = n >= 1 ? `(${canMeet} >= ${n})` : or(anyT, anyF);
      F = or(and(anyF, `(${mustMeet} < ${n})`), `(${least} < ${n} AND ${canMeet} >= ${least})`);
      break;
    }
    case "atMost": {
      const least = `GREATEST(${mustMeet}, 1)`;
      T = or(and(anyF, `(${mustMeet} <= ${n})`), `(${least} <= ${n} AND ${canMeet} >= ${least})`);
      F = `(${canMeet} > ${n})`;
      break;
    }
  }
  return `((CASE WHEN ${T} THEN 1 ELSE 0 END) + (CASE WHEN ${F} THEN 2 ELSE 0 END) + (CASE WHEN ${allNA} THEN 4 ELSE 0 END))`;
}
