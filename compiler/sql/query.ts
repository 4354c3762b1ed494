/**
 * A policy as one SQL query over its relational layout (layout.ts): per case the outcome, the met
 * pathway, the unmet criteria and the undocumented facts the undecided criteria read.
 *
 * The query is layered as the runtime decides (runtime/determine.ts, runtime/status.ts):
 * requirements first, each a status column (a bit mask of what it may still come to: 1 met,
 * 2 not met, 4 not applicable), in layers so that a list or a criterion that names another comes
 * after it; then each section's `when` and value; then the line's decision.
 */
import type { IrExpr, IrField, IrOverlay, IrPolicy, IrRequirement, IrSection, IrService } from "../ir.js";
import { triggeringSections, type SectionKind } from "../../runtime/vocabulary.js";
import type { Dialect } from "./dialect.js";
import { ident, layoutOf, text, type Layout, type ListTable } from "./layout.js";
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
  /** The line it decides (its index in the lines). */
  readonly line: number;
}

/** A line of the request: the main one, or a service line it asks for (or may). */
interface Line {
  readonly id: string;
  readonly main: boolean;
  readonly index: number;
  /** Whether the request asks for it (TRUE for the main line). */
  requested: string;
  readonly sections: PlacedSection[];
  /** What its gates read (overlay `applies`, section and service `when`s). */
  readonly reads: Reads;
  /** Truths of its gates that may be open: their facts are listed too. */
  readonly openGates: string[];
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
  const columns = new Map<IrRequirement, string>();
  p.requirements.forEach((r, i) => columns.set(r, `pol_s${i}`));
  const graph = new Graph(layout);
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
    share: (text) => graph.share(text),
    aggregate: (from, alias, agg, empty) => graph.aggregate(from, alias, agg, empty),
    keyed: (from, table) => graph.keyed(from, table),
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

  // ── Lines and their sections ───────────────────────────────────────────────────────────
  // A request is decided line by line (runtime determine): the main line by the policy's sections
  // and those of the overlays that apply, and each service line the request asks for (or may) by
  // its own sections, gated by whether it is asked for. The request as a whole comes to the most
  // severe of its lines' outcomes.
  const placedRequirements = new Map<IrRequirement, Placed>();
  const place = (r: IrRequirement): Placed => {
    let placed = placedRequirements.get(r);
    if (!placed) placedRequirements.set(r, (placed = { req: r, column: `c.${columns.get(r)}`, explained: !!r.list && (r.list.quantifier === "all" || r.list.quantifier === "any") }));
    return placed;
  };
  const sections: PlacedSection[] = [];
  const lines: Line[] = [];
  const newLine = (id: string, main: boolean): Line => {
    const line: Line = { id, main, index: lines.length, requested: "TRUE", sections: [], reads: emptyReads(), openGates: [] };
    lines.push(line);
    return line;
  };
  const gateCompiler = (line: Line, where: string) => new ExprCompiler(cx, line.reads, where);
  const add = (line: Line, s: IrSection, gate: string) => {
    const when = s.when ? and(gate, gateCompiler(line, `the section "${s.title}"`).tri(s.when)) : gate;
    if (s.when) line.openGates.push(`(${when}) IS NULL`);
    const placed: PlacedSection = { section: s, triggers: triggeringSections.has(s.kind), gate: when, index: sections.length, line: line.index };
    sections.push(placed);
    line.sections.push(placed);
  };
  const wanted = options.state?.toUpperCase();
  const considered = p.overlays.filter((o) => wanted === undefined || o.state.toUpperCase() === wanted);
  /** An overlay's `applies` (its state, then its clauses), its facts read as the line's. */
  const overlayApplies = (line: Line, o: IrOverlay): string => {
    let applies = wanted !== undefined ? "TRUE" : `COALESCE(upper(c."state") = ${text(o.state.toUpperCase())}, FALSE)`;
    for (const clause of o.applies) {
      const holds = gateCompiler(line, `overlay ${o.id}'s applies clause`).tri(clause.test as IrExpr);
      applies = and(applies, clause.mode === "unless" ? `(NOT ${holds})` : holds);
    }
    line.openGates.push(`(${applies}) IS NULL`);
    return applies;
  };
  const mainLine = newLine(p.id, true);
  for (const s of p.sections) add(mainLine, s, "TRUE");
  for (const o of considered) {
    const applies = overlayApplies(mainLine, o);
    for (const s of o.sections) add(mainLine, s, applies);
  }
  const services: { service: IrService; overlay?: IrOverlay }[] = [...p.services.map((service) => ({ service })), ...considered.flatMap((overlay) => overlay.services.map((service) => ({ service, overlay })))];
  for (const { service, overlay } of services) {
    const line = newLine(service.id, false);
    const gate = overlay ? overlayApplies(line, overlay) : "TRUE";
    const requested = service.when ? and(gate, gateCompiler(line, `service ${service.id}`).tri(service.when)) : gate;
    if (requested === FALSE) {
      lines.pop();
      continue;
    }
    if (service.when) line.openGates.push(`(${requested}) IS NULL`);
    line.requested = requested;
    for (const s of service.sections) add(line, s, requested);
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

  // ── Each line's decision ───────────────────────────────────────────────────────────────
  const outcomeOf = (line: Line) => {
    const kindsValue = (kinds: readonly SectionKind[], combine: "or" | "and") => {
      const vs = line.sections.filter((s) => kinds.includes(s.section.kind)).map((s) => `c.v_${s.index}`);
      return combine === "or" ? or(FALSE, ...vs) : and("TRUE", ...vs);
    };
    const notCovered = kindsValue(["not-covered"], "or");
    const excluded = kindsValue(["exclusions"], "or");
    const contraindicated = kindsValue(["contraindications"], "or");
    const satisfied = kindsValue(["indications", "requirements", "notes"], "and");
    return `(CASE WHEN ${notCovered} IS TRUE THEN 'not-covered' WHEN ${excluded} IS TRUE THEN 'excluded' WHEN ${contraindicated} IS TRUE THEN 'does-not-meet' WHEN ${satisfied} IS FALSE THEN 'does-not-meet' WHEN ${notCovered} IS FALSE AND ${excluded} IS FALSE AND ${contraindicated} IS FALSE AND ${satisfied} IS TRUE THEN 'meets' ELSE 'needs-info' END)`;
  };
  /** A line's outcome after referrals are told apart (NULL for a line the request does not ask for). */
  const lineOutcome = (line: Line) => `c.line_${line.index}_`;

  // Unmet criteria: each id with the conditions under which the runtime lists it.
  const unmetWhen = new Map<string, { line: Line; outcome: string; cond: string }[]>();
  for (const line of lines) {
    const unmet = (outcome: string, id: string, cond: string) => {
      let list = unmetWhen.get(id);
      if (!list) unmetWhen.set(id, (list = []));
      list.push({ line, outcome, cond });
    };
    const addUnmet = (placed: Placed, guard: string, outcome: string) => {
      const failed = and(guard, `${placed.column} = 2`);
      if (!placed.explained) unmet(outcome, placed.req.id, failed);
      else for (const bullet of placed.req.list!.items) addUnmet(place(bullet), failed, outcome);
    };
    for (const s of line.sections) {
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
      // not a value of the lowered form, so the SQL leaves that choice to the reader. A service
      // line reports no pathways (runtime determine), so only its other requirements are listed.
      const listed: [string, string][] = [
        ["does-not-meet", `${v} IS FALSE`],
        ["needs-info", `(${v} IS NOT TRUE AND c.w_${s.index} IS NOT FALSE)`],
      ];
      for (const [outcome, failed] of listed) {
        if (s.section.kind === "indications") {
          if (line.main) {
            // The pathways of every section with this title, as the runtime matches them.
            const sameTitle = line.sections.filter((o) => o.section.kind === "indications" && o.section.title === s.section.title);
            const pathwaysOf = (o: PlacedSection) => o.section.items.filter((r) => r.role === "pathway").map(place);
            const reported = (o: PlacedSection) => `(c.w_${o.index} IS NOT FALSE)`;
            const noneMet = and("TRUE", ...sameTitle.flatMap((o) => pathwaysOf(o).map((pw) => `NOT (${reported(o)} AND ${pw.column} = 1)`)));
            for (const o of sameTitle) for (const pw of pathwaysOf(o)) addUnmet(pw, and(failed, noneMet, reported(o)), outcome);
          }
          for (const i of items.filter((i) => i.req.role !== "pathway")) addUnmet(i, failed, outcome);
        } else for (const i of items) addUnmet(i, failed, outcome);
      }
    }
  }
  const unmetText = `concat_ws(',', ${
    [...unmetWhen]
      .map(([id, conds]) => `CASE WHEN ${or(...conds.map((c) => `(${lineOutcome(c.line)} = ${text(c.outcome)} AND ${c.cond})`))} THEN ${text(id)} END`)
      .join(", ") || "NULL"
  })`;

  // The met pathway: the first that is met in an indications section of the main line that surely applies.
  const pathwayCases: string[] = [];
  for (const s of mainLine.sections) {
    if (s.section.kind !== "indications") continue;
    for (const r of s.section.items) if (r.role === "pathway") pathwayCases.push(`WHEN c.w_${s.index} IS TRUE AND c.${columns.get(r)} = 1 THEN ${text(r.id)}`);
  }
  const pathway = pathwayCases.length ? `(CASE ${pathwayCases.join(" ")} END)` : "CAST(NULL AS VARCHAR)";

  // Undocumented facts read by the requirements (and gates) still open, per line: a line reads
  // the requirements of its sections (where their section may apply) and those they name
  // (criteria, bullets); a requirement's facts are listed while it is open and so is one that
  // reads it, since a decided requirement leaves nothing open below it.
  const reachedBy = (line: Line): Map<IrRequirement, string> => {
    const readers = new Map<IrRequirement, string[]>();
    const reach = (r: IrRequirement, when: string) => readers.set(r, [...(readers.get(r) ?? []), when]);
    for (const s of line.sections) for (const r of s.section.items) reach(r, `(${s.gate}) IS NOT FALSE`);
    for (const r of line.reads.requirements) reach(r, or(...line.openGates));
    const relevant = new Map<IrRequirement, string>();
    const visiting = new Set<IrRequirement>();
    const relevantOf = (r: IrRequirement): string => {
      const known = relevant.get(r);
      if (known !== undefined) return known;
      if (visiting.has(r)) throw new SqlRefusal(p.id, "criteria that name each other in a cycle", `criterion ${r.id}`);
      visiting.add(r);
      const cond = graph.share(and(open(`c.${columns.get(r)}`), or(...(readers.get(r) ?? []))));
      visiting.delete(r);
      relevant.set(r, cond);
      return cond;
    };
    // Parents before children: each requirement's readers are known before it is looked at.
    const order: IrRequirement[] = [];
    const seen = new Set<IrRequirement>();
    const visit = (r: IrRequirement) => {
      if (seen.has(r)) return;
      seen.add(r);
      for (const next of reads.get(r)?.requirements ?? []) visit(next);
      order.push(r);
    };
    for (const r of readers.keys()) visit(r);
    for (const r of order.reverse()) {
      const cond = relevantOf(r);
      for (const next of reads.get(r)?.requirements ?? []) reach(next, cond);
    }
    return relevant;
  };
  /** Per fact: its label (NULL when nothing is undocumented), whether it is undocumented, and when each line reads it open. */
  const factOpen = new Map<string, { label: string; undocumented: string; exists: string; conds: Map<Line, string[]> }>();
  const note = (line: Line, key: string, label: string, undocumented: string, cond: string, exists = undocumented) => {
    let entry = factOpen.get(key);
    if (!entry) factOpen.set(key, (entry = { label, undocumented, exists, conds: new Map() }));
    entry.conds.set(line, [...(entry.conds.get(line) ?? []), cond]);
  };
  const noteReads = (line: Line, rr: Reads, cond: string) => {
    if (rr.dos) note(line, "date_of_service", text("date_of_service"), `c."date_of_service" IS NULL`, cond);
    for (const f of rr.facts) {
      if (f.type.t === "list") {
        const table = layout.listOf.get(f)!;
        note(line, `fact:${f.path}`, text(f.path), `NOT COALESCE(c.${ident(table.documented)}, FALSE)`, cond);
      } else {
        const col = layout.factColumns.get(f)![0];
        note(line, `fact:${f.path}`, text(f.path), `c.${ident(col)} IS NULL`, cond);
      }
    }
    for (const field of rr.fields) {
      for (const table of layout.tablesOf.get(field.record) ?? []) {
        const { label, exists } = missingField(table, field);
        note(line, `field:${table.table}.${field.name}`, label, "TRUE", cond, exists);
      }
    }
  };
  // The entries whose read fields are undocumented, per list table in one pass over its entries:
  // whether a case has any (a cheap aggregate, which the referral needs) for every case, and
  // their labels (an ordered text aggregate, the costly part) only for the cases whose answer is
  // needs-info, the only ones that list them.
  const missingTables = new Map<ListTable, { name: string; columns: Map<string, { exists: string; label: string }> }>();
  function missingField(table: ListTable, field: IrField): { label: string; exists: string } {
    let missing = missingTables.get(table);
    if (!missing) missingTables.set(table, (missing = { name: `missing_${missingTables.size + 1}`, columns: new Map() }));
    const col = ident(field.type.t === "duration" ? `${field.name}__amount` : field.name);
    let column = missing.columns.get(col);
    if (!column) {
      const name = `${missing.name}_${missing.columns.size + 1}`;
      const label = options.dialect.joinAgg(`CASE WHEN t.${col} IS NULL THEN ${text(`${table.fact.path}[`)} || ${options.dialect.integerText('t."ord"')} || ${text(`].${field.name}`)} END`, 't."ord"');
      missing.columns.set(col, (column = { exists: name, label }));
    }
    return { label: `labels_${missing.name}.label_${column.exists}`, exists: `COALESCE(c.${column.exists}, FALSE)` };
  }
  const mayRefer = new Map<Line, string[]>();
  for (const line of lines) {
    const refers: string[] = [];
    for (const [r, relevant] of reachedBy(line)) {
      const rr = reads.get(r)!;
      noteReads(line, rr, relevant);
      if (rr.refers.length > 0) refers.push(relevant);
    }
    if (line.openGates.length) noteReads(line, line.reads, or(...line.openGates));
    if (line.reads.refers.length) refers.push(...line.openGates);
    mayRefer.set(line, refers);
  }
  /** Whether a line that is open has undocumented facts to ask for (else only referrals may be left). */
  const asksFor = (line: Line) => or(FALSE, ...[...factOpen.values()].filter((f) => f.conds.has(line)).map((f) => `((${f.exists}) AND ${or(...f.conds.get(line)!)})`));
  const undocumentedText = `concat_ws(',', ${
    [...factOpen.values()].map((f) => `CASE WHEN (${f.undocumented}) AND ${or(...[...f.conds].map(([line, conds]) => and(`${lineOutcome(line)} = 'needs-info'`, or(...conds))))} THEN ${f.label} END`).join(", ") || "NULL"
  })`;

  // ── The query ──────────────────────────────────────────────────────────────────────────
  // The CTEs after the layers are written first, reading the last layer by a placeholder name:
  // the layers then keep only the columns something after them reads.
  const ctes: string[] = [];
  const previous = "pol_last_layer_";
  const missing = [...missingTables].map(([table, m]) => {
    const columns = [...m.columns];
    const anyUndocumented = columns.map(([col]) => `t.${col} IS NULL`).join(" OR ");
    return {
      ...m,
      cte: `${m.name} AS (\n  SELECT t."case_id" AS "case_id_${m.name}", ${columns.map(([col, c]) => `bool_or(t.${col} IS NULL) AS ${c.exists}`).join(", ")}\n  FROM ${ident(table.table)} t WHERE ${anyUndocumented} GROUP BY t."case_id"\n)`,
      labels: `labels_${m.name} AS (\n  SELECT t."case_id" AS "case_id_labels_${m.name}", ${columns.map(([, c]) => `${c.label} AS label_${c.exists}`).join(", ")}\n  FROM ${ident(table.table)} t JOIN overall o ON o."case_id" = t."case_id"\n  WHERE o.outcome_ = 'needs-info' AND (${anyUndocumented})\n  GROUP BY t."case_id"\n)`,
    };
  });
  ctes.push(...missing.map((m) => m.cte));
  ctes.push(
    `sections_when AS (\n  SELECT c.*,${missing.map((m) => ` ${m.name}.*,`).join("")}\n    ${sectionColumns.filter((_, i) => i % 2 === 0).join(",\n    ") || "NULL AS no_section_"}\n  FROM ${previous} c${missing.map((m) => ` LEFT JOIN ${m.name} ON ${m.name}."case_id_${m.name}" = c."case_id"`).join("")}\n)`,
  );
  ctes.push(`sections AS (\n  SELECT c.*,\n    ${sectionColumns.filter((_, i) => i % 2 === 1).join(",\n    ") || "NULL AS no_value_"}\n  FROM sections_when c\n)`);
  ctes.push(
    `decided AS (\n  SELECT c.*,\n    ${lines
      .map((line) => {
        const outcome = outcomeOf(line);
        const refers = mayRefer.get(line)!;
        const referred = `(CASE WHEN ${outcome} = 'needs-info' AND NOT ${asksFor(line)} AND ${refers.length ? or(...refers) : FALSE} THEN 'refer-for-review' ELSE ${outcome} END)`;
        return `${line.main ? referred : `(CASE WHEN ${line.requested} IS NOT FALSE THEN ${referred} END)`} AS line_${line.index}_`;
      })
      .join(",\n    ")}\n  FROM sections c\n)`,
  );
  // The request's outcome: the most severe of its lines'.
  const severity = ["not-covered", "excluded", "does-not-meet", "needs-info", "refer-for-review", "meets"];
  const rank = (line: Line) => `COALESCE(CASE ${lineOutcome(line)} ${severity.map((o, i) => `WHEN ${text(o)} THEN ${i}`).join(" ")} END, ${severity.length})`;
  const worst = lines.length === 1 ? rank(mainLine) : `LEAST(${lines.map(rank).join(", ")})`;
  ctes.push(`overall AS ${missing.length ? "MATERIALIZED " : ""}(\n  SELECT c.*, (CASE ${worst} ${severity.map((o, i) => `WHEN ${i} THEN ${text(o)}`).join(" ")} END) AS outcome_\n  FROM decided c\n)`);
  ctes.push(...missing.map((m) => m.labels));
  // Each line's outcome, when the policy has service lines and the request asks for one (or may).
  const serviceLines = lines.filter((l) => !l.main);
  const linesText = serviceLines.length
    ? `(CASE WHEN ${or(...serviceLines.map((l) => `${lineOutcome(l)} IS NOT NULL`))} THEN concat_ws(',', ${lines.map((l) => `${text(`${l.id}=`)} || ${lineOutcome(l)}`).join(", ")}) ELSE '' END)`
    : "''";
  const select = `SELECT c."case_id" AS case_id,\n  c.outcome_ AS outcome,\n  ${pathway} AS pathway,\n  ${unmetText} AS unmet,\n  (CASE WHEN c.outcome_ = 'needs-info' THEN ${undocumentedText} ELSE '' END) AS undocumented,\n  ${linesText} AS lines\nFROM overall c${missing.map((m) => ` LEFT JOIN labels_${m.name} ON labels_${m.name}."case_id_labels_${m.name}" = c."case_id"`).join("")}\nORDER BY c."case_id"`;
  const layers: string[] = [];
  const last = graph.layers(ident(layout.casesTable), layout.cases.map((c) => ident(c.name)), layers, p.id, [...ctes, select].join("\n"));
  const tail = ctes.map((cte) => cte.replaceAll(previous, last));
  const query = `WITH ${graph.recursive ? "RECURSIVE " : ""}${[...layers, ...tail].join(",\n")}\n${select}`;
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
