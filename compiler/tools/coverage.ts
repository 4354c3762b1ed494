/**
 * Coverage of a library's case files, read from what the one evaluator records: each criterion's
 * result from the determination's trace, each definition's value and each overlay clause's result
 * from the evaluation's observer (runtime/context.ts). Nothing is evaluated a second time.
 *
 * Every criterion, pathway, checked note, bullet list, definition and overlay clause a policy
 * reaches is an item; an item that is true or false has two outcomes to see (true and false), a
 * definition whose value is not true or false one (a known value). Coverage is the share of
 * those outcomes that some case produced; unknown and not applicable are reported beside them.
 */
import type { CompiledPolicy } from "../compile.js";
import type { IrDefinition, IrExpr, IrPolicy } from "../ir.js";
import { subexpressions } from "../ir.js";
import { conditionsOf } from "./policy-parts.js";
import type { EvaluationObserver } from "../../runtime/context.js";
import type { DefinitionSite } from "../../runtime/definitions.js";
import type { AppliesClause, Policy } from "../../runtime/policy.js";
import type { Determination } from "../../runtime/determination.js";
import { Unknown, type Tri } from "../../runtime/tri.js";
import type { Value } from "../../runtime/values.js";

export type Seen = "true" | "false" | "unknown" | "not-applicable" | "value";
export const seenKinds: readonly Seen[] = ["true", "false", "unknown", "not-applicable", "value"];

export type ItemKind = "criterion" | "pathway" | "note" | "list" | "definition" | "clause";

export interface CoverageItem {
  readonly policy: string;
  readonly kind: ItemKind;
  /** A requirement's id, a definition's name, or `OVERLAY applies 1` for an overlay's first clause. */
  readonly id: string;
  readonly wording: string;
  readonly file: string;
  readonly line: number;
  /** The cases that gave each result, by name. */
  readonly cases: Record<Seen, string[]>;
}

/** A definition's or clause's key, as the runtime knows it and as the intermediate form does. */
const definitionKey = (file: string, name: string) => `${file}\u0000${name}`;

/** The definitions an expression uses, directly or through other definitions. */
function collectDefinitions(e: IrExpr, into: Set<IrDefinition>): void {
  if (e.k === "call" && !into.has(e.def)) {
    into.add(e.def);
    collectDefinitions(e.def.body, into);
  }
  for (const sub of subexpressions(e)) collectDefinitions(sub, into);
}

function definitionsOf(ir: IrPolicy): IrDefinition[] {
  const found = new Set<IrDefinition>();
  const visit = (e: IrExpr | undefined) => e && collectDefinitions(e, found);
  for (const r of ir.requirements) {
    visit(r.when);
    visit(r.test);
  }
  for (const e of conditionsOf(ir)) visit(e);
  return [...found];
}

const emptyCases = (): Record<Seen, string[]> => ({ true: [], false: [], unknown: [], "not-applicable": [], value: [] });

/** The coverage of one policy: its items, filled in as cases run. */
export class PolicyCoverage {
  readonly items: CoverageItem[] = [];
  readonly caseNames: string[] = [];
  private readonly requirements = new Map<string, CoverageItem>();
  private readonly definitions = new Map<string, CoverageItem>();
  private readonly clauses = new Map<AppliesClause, CoverageItem>();

  constructor(compiled: CompiledPolicy, policy: Policy) {
    const ir = compiled.ir;
    for (const r of ir.requirements) {
      const item: CoverageItem = { policy: ir.id, kind: r.role === "group" ? "list" : r.role, id: r.id, wording: r.wording, file: r.module.file, line: r.line, cases: emptyCases() };
      this.requirements.set(r.id, item);
      this.items.push(item);
    }
    for (const d of definitionsOf(ir)) {
      const item: CoverageItem = { policy: ir.id, kind: "definition", id: d.name, wording: d.wording ?? "", file: d.module.file, line: d.line, cases: emptyCases() };
      this.definitions.set(definitionKey(d.module.file, d.name), item);
      this.items.push(item);
    }
    ir.overlays.forEach((o, i) => {
      const written = compiled.overlays.find((x) => x.name === o.id);
      o.applies.forEach((a, j) => {
        const span = written?.applies[j]?.span;
        const item: CoverageItem = { policy: ir.id, kind: "clause", id: `${o.id} applies ${j + 1}`, wording: a.wording, file: o.file, line: span?.line ?? 0, cases: emptyCases() };
        const runtimeClause = policy.overlays[i]?.applies[j];
        if (runtimeClause) this.clauses.set(runtimeClause, item);
        this.items.push(item);
      });
    });
  }

  /** The observer for one case's evaluation; `record` then reads its trace. */
  observe(caseName: string): EvaluationObserver {
    const seen = (item: CoverageItem | undefined, result: Seen) => {
      if (item && !item.cases[result].includes(caseName)) item.cases[result].push(caseName);
    };
    return {
      definition: (site: DefinitionSite, value: Value) => seen(this.definitions.get(definitionKey(site.source, site.name)), seenOf(value)),
      clause: (clause: AppliesClause, holds: Tri) => seen(this.clauses.get(clause), seenOf(holds)),
    };
  }

  /** Adds what a case's determination's trace says of each requirement. */
  record(caseName: string, determination: Determination): void {
    this.caseNames.push(caseName);
    for (const t of determination.trace) {
      const item = this.requirements.get(t.id);
      if (item && !item.cases[t.result].includes(caseName)) item.cases[t.result].push(caseName);
    }
  }
}

function seenOf(value: Value): Seen {
  if (value === true) return "true";
  if (value === false) return "false";
  if (value instanceof Unknown) return "unknown";
  return "value";
}

/** The outcomes an item has to show, and those some case showed. */
export function outcomesOf(item: CoverageItem): { wanted: readonly Seen[]; seen: readonly Seen[] } {
  const wanted: readonly Seen[] = item.kind === "definition" && item.cases.value.length > 0 ? ["value"] : ["true", "false"];
  return { wanted, seen: wanted.filter((s) => item.cases[s].length > 0) };
}

export interface CoverageSummary {
  readonly items: number;
  readonly outcomes: number;
  readonly seen: number;
  /** Seen over wanted, in percent (100 when there is nothing to see). */
  readonly percent: number;
}

export function summarize(items: readonly CoverageItem[]): CoverageSummary {
  let outcomes = 0;
  let seen = 0;
  for (const item of items) {
    const o = outcomesOf(item);
    outcomes += o.wanted.length;
    seen += o.seen.length;
  }
  return { items: items.length, outcomes, seen, percent: outcomes === 0 ? 100 : Math.floor((seen / outcomes) * 1000) / 10 };
}

/** The items some outcome of which no case showed ("never seen both ways"), with what is lacking. */
export function incomplete(items: readonly CoverageItem[]): { item: CoverageItem; lacking: Seen[] }[] {
  const out: { item: CoverageItem; lacking: Seen[] }[] = [];
  for (const item of items) {
    const o = outcomesOf(item);
    const lacking = o.wanted.filter((s) => !o.seen.includes(s));
    if (lacking.length) out.push({ item, lacking });
  }
  return out;
}

/** The coverage report `polc test --coverage` prints. */
export function formatCoverage(policies: readonly PolicyCoverage[]): string[] {
  const lines: string[] = ["", "Coverage (each criterion, list, definition and overlay clause: the cases that made it true / false / unknown / not applicable):"];
  const count = (item: CoverageItem, s: Seen) => item.cases[s].length;
  for (const p of policies) {
    if (!p.items.length) continue;
    const s = summarize(p.items);
    lines.push(`${p.items[0].policy}: ${s.percent.toFixed(1)}% (${s.seen} of ${s.outcomes} outcomes, ${p.caseNames.length} cases)`);
    for (const item of p.items) {
      const where = `${item.file}:${item.line}`;
      const counts =
        item.kind === "definition" && item.cases.value.length
          ? `value ${count(item, "value")}, unknown ${count(item, "unknown")}`
          : `true ${count(item, "true")}, false ${count(item, "false")}, unknown ${count(item, "unknown")}, not applicable ${count(item, "not-applicable")}`;
      lines.push(`  ${item.kind} ${item.id} (${where}): ${counts}`);
    }
    const never = incomplete(p.items);
    if (never.length) {
      lines.push(`  never seen both ways:`);
      for (const { item, lacking } of never) lines.push(`    ${item.kind} ${item.id}: never ${lacking.map((x) => (x === "value" ? "worked out" : x)).join(" or ")}`);
    }
  }
  const all = summarize(policies.flatMap((p) => p.items));
  lines.push(`total coverage: ${all.percent.toFixed(1)}% (${all.seen} of ${all.outcomes} outcomes)`);
  return lines;
}

/**
 * LCOV for ordinary coverage viewers: each item is a line of its `.pol` file, hit once per case
 * that evaluated it, and each true/false item a branch pair. Items shared by several policies
 * (a definition in a common file) add up.
 */
export function lcov(policies: readonly PolicyCoverage[]): string {
  interface Line {
    hits: number;
    branches: Map<string, number>;
  }
  const files = new Map<string, Map<number, Line>>();
  for (const item of policies.flatMap((p) => p.items)) {
    if (item.line <= 0) continue;
    let lines = files.get(item.file);
    if (!lines) files.set(item.file, (lines = new Map()));
    let line = lines.get(item.line);
    if (!line) lines.set(item.line, (line = { hits: 0, branches: new Map() }));
    const evaluated = new Set(seenKinds.flatMap((s) => item.cases[s]));
    line.hits += evaluated.size;
    for (const s of outcomesOf(item).wanted) line.branches.set(s, (line.branches.get(s) ?? 0) + item.cases[s].length);
  }
  const out: string[] = [];
  for (const [file, lines] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out.push("TN:polc", `SF:${file}`);
    const sorted = [...lines].sort(([a], [b]) => a - b);
    let branches = 0;
    let branchesHit = 0;
    for (const [number, line] of sorted) {
      let index = 0;
      for (const [, taken] of line.branches) {
        out.push(`BRDA:${number},0,${index++},${line.hits === 0 ? "-" : taken}`);
        branches++;
        if (taken > 0) branchesHit++;
      }
    }
    out.push(`BRF:${branches}`, `BRH:${branchesHit}`);
    for (const [number, line] of sorted) out.push(`DA:${number},${line.hits}`);
    out.push(`LF:${sorted.length}`, `LH:${sorted.filter(([, l]) => l.hits > 0).length}`, "end_of_record");
  }
  return out.join("\n") + "\n";
}

/** Coverage as JSON: per policy, its summary and each item with the cases of each result. */
export function coverageJson(policies: readonly PolicyCoverage[]): unknown {
  return {
    total: summarize(policies.flatMap((p) => p.items)),
    policies: policies.map((p) => ({
      policy: p.items[0]?.policy,
      cases: p.caseNames.length,
      summary: summarize(p.items),
      items: p.items.map((i) => ({ ...i, outcomes: outcomesOf(i) })),
      neverBothWays: incomplete(p.items).map(({ item, lacking }) => ({ kind: item.kind, id: item.id, lacking })),
    })),
  };
}
