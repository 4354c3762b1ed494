/**
 * What the SQL tests share: the library compiled once, and running cases through a policy's SQL
 * on DuckDB or PostgreSQL beside the TypeScript module's own determination (the runtime is the
 * oracle: nothing here decides an outcome).
 */
import { compileFiles, type CompileResult } from "../../compiler/compile.js";
import { readCaseFile } from "../../compiler/cli/case-file.js";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import type { IrPolicy } from "../../compiler/ir.js";
import { policySql, type DialectName } from "../../compiler/sql/index.js";
import { rowsOf } from "../../compiler/sql/rows.js";
import { DuckDbEngine, type SqlResultRow } from "../../compiler/sql/duckdb.js";
import { postgresConnection, runOnPostgres } from "../../compiler/sql/postgres.js";
import { evaluate } from "../../runtime/determine.js";
import type { Policy } from "../../runtime/policy.js";
import { seededRandom } from "../support/seeded-random.js";

let compiled: { result: CompileResult; policies: ReadonlyMap<string, Policy> } | undefined;

export function library(): { result: CompileResult; policies: ReadonlyMap<string, Policy> } {
  if (!compiled) {
    const result = compileFiles(polFilesUnder("policies"));
    compiled = { result, policies: loadPolicies(result) };
  }
  return compiled;
}

export function irOf(id: string): IrPolicy {
  return library().result.library!.policies.find((p) => p.id === id)!;
}

export interface TestCase {
  readonly id: string;
  readonly input: unknown;
  readonly state: string | null;
}

/** The SQL engine's results for the cases, by case id (the policy is the library's unless given). */
export async function runSql(ir: IrPolicy, cases: readonly TestCase[], engine: DialectName, policy: Policy = library().policies.get(ir.id)!): Promise<Map<string, SqlResultRow>> {
  const sql = policySql(ir, engine);
  const rows = cases.map((c) => rowsOf(policy, sql.layout, c.id, c.state, c.input));
  let results: SqlResultRow[];
  if (engine === "postgres") results = runOnPostgres(postgresConnection()!, sql.ddl, sql.query, sql.layout, rows);
  else {
    const db = await DuckDbEngine.open();
    try {
      await db.run(sql.ddl);
      await db.append(sql.layout, rows);
      results = await db.results(sql.query);
    } finally {
      db.close();
    }
  }
  return new Map(results.map((r) => [r.case_id, r]));
}

/**
 * Where the SQL result differs from the module's determination. Outcome and pathway must be equal,
 * and with service lines each line's outcome.
 * Unmet, as sets: a denial's determination quotes only the pathways that came closest (the fewest
 * unmet criteria), a choice of how it is presented that the SQL leaves to the reader, so the SQL
 * lists every pathway's unmet criteria under each indications section that failed (the sections
 * the determination names in "No indication is met under …"): the module's list together with
 * those pathways' own unmet lists (each in the determination's `pathways`). Every other outcome's
 * list must be equal. The undocumented facts must include every fact the module finds open
 * (`missing` and `alsoUndocumented`; asked for in full, without the search for the fewest).
 */
export function disagreements(ir: IrPolicy, cases: readonly TestCase[], results: ReadonlyMap<string, SqlResultRow>): string[] {
  const policy = library().policies.get(ir.id)!;
  const found: string[] = [];
  for (const c of cases) {
    const d = evaluate(policy, c.input, { state: c.state ?? undefined, trace: false, fewestFacts: false });
    const r = results.get(c.id);
    if (!r) {
      found.push(`${c.id}: no SQL result`);
      continue;
    }
    const problems: string[] = [];
    if (d.outcome !== r.outcome) problems.push(`outcome ${d.outcome} vs ${r.outcome}`);
    if (d.pathway !== r.pathway) problems.push(`pathway ${d.pathway} vs ${r.pathway}`);
    const expected = new Set(d.unmet.map((u) => u.id));
    if (d.outcome === "does-not-meet") {
      const failedSections = new Set(d.reasons.flatMap((reason) => /^No indication is met under "(.*)"\.$/s.exec(reason)?.[1] ?? []));
      for (const p of d.pathways) if (failedSections.has(p.section)) for (const u of p.unmet) expected.add(u.id);
    }
    const moduleUnmet = [...expected].sort().join(",");
    const sqlUnmet = [...new Set(r.unmet)].sort().join(",");
    if (moduleUnmet !== sqlUnmet) problems.push(`unmet [${moduleUnmet}] vs [${sqlUnmet}]`);
    const moduleLines = d.lines.map((l) => `${l.id}=${l.outcome}`).join(",");
    const sqlLines = r.lines.map((l) => `${l.id}=${l.outcome}`).join(",");
    if (moduleLines !== sqlLines) problems.push(`lines [${moduleLines}] vs [${sqlLines}]`);
    const uncovered = [...d.missing, ...d.alsoUndocumented].map((m) => m.fact).filter((f) => !r.undocumented.includes(f));
    if (uncovered.length) problems.push(`undocumented facts not among the SQL's: ${uncovered.join(", ")}`);
    if (problems.length) found.push(`${c.id}: ${problems.join("; ")}`);
  }
  return found;
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export interface HistoryVariation {
  readonly policy: string;
  readonly base: string;
  /** The entries kept from the base history ahead of the generated ones. */
  readonly keep: (entry: Record<string, unknown>) => boolean;
  readonly kind: string;
  readonly region: string;
  readonly levels: readonly string[];
  /** How far back the generated dates reach, in days, and how many distinct days they use. */
  readonly spanDays: number;
  readonly days: number;
}

export const historyVariations: readonly HistoryVariation[] = [
  {
    policy: "NIA_CG_302",
    base: "test/cases/nia-cg-302/right-left-within-month-count-as-one-meets.json",
    keep: (e) => e.kind !== "facet_denervation",
    kind: "facet_denervation",
    region: "lumbar",
    levels: ["L4-5", "L5-S1"],
    spanDays: 420,
    days: 8,
  },
  {
    policy: "NIA_CG_301",
    base: "test/cases/nia-cg-301/right-left-same-level-within-month-count-one-meets.json",
    keep: (e) => e.kind !== "facet_injection",
    kind: "facet_injection",
    region: "lumbar",
    levels: ["L4-5", "L5-S1"],
    spanDays: 400,
    days: 8,
  },
  {
    policy: "NIA_CG_305",
    base: "test/cases/nia-cg-305/repeat-initial-left-and-right-same-day-meets.json",
    keep: () => false,
    kind: "sacroiliac_injection",
    region: "sacral",
    levels: [],
    spanDays: 300,
    days: 5,
  },
];

/**
 * Histories generated around a case file of a policy that counts entries as one: several entries
 * on nearby dates, sides and levels, some undocumented (a side, a level, the kind; a date is
 * required), every third case in Washington.
 */
export function generatedHistories(v: HistoryVariation, count: number): TestCase[] {
  const base = readCaseFile(v.base);
  const input = base.input as Record<string, unknown>;
  const history = (input.prior_procedures as Record<string, unknown>[]) ?? [];
  const template = history.find((e) => e.kind === v.kind) ?? history[history.length - 1];
  const dos = Math.round(Date.parse(`${input.date_of_service as string}T00:00:00Z`) / 86_400_000);
  const next = seededRandom(v.policy.length * 7919 + count);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const cases: TestCase[] = [];
  for (let i = 0; i < count; i++) {
    const days = Array.from({ length: v.days }, () => dos - 1 - Math.floor(next() * v.spanDays));
    const entries = Array.from({ length: 1 + Math.floor(next() * 6) }, () => {
      const entry: Record<string, unknown> = { ...template, kind: next() < 0.08 ? undefined : v.kind, region: v.region };
      entry.date = isoDay(pick(days) + (next() < 0.3 ? Math.floor(next() * 40) : 0));
      entry.side = next() < 0.08 ? undefined : pick(["left", "right", "right", "left", "bilateral"]);
      if (v.levels.length) entry.level = next() < 0.08 ? undefined : pick(v.levels);
      for (const key of Object.keys(entry)) if (entry[key] === undefined) delete entry[key];
      return entry;
    });
    cases.push({
      id: `${v.policy}-generated-${String(i).padStart(4, "0")}`,
      input: { ...input, prior_procedures: [...history.filter(v.keep), ...entries] },
      state: i % 3 === 0 ? "WA" : (base.state ?? null),
    });
  }
  return cases;
}
