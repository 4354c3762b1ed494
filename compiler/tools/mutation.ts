/**
 * Threshold mutation: changes one number of a policy's rules by one unit (a number by 1, a
 * duration by one of its unit, a list's "at least N" by 1), recompiles the library's code in
 * memory from the changed intermediate form, and runs the case files of the policies that reach
 * it. A threshold whose change no case notices is one the case files do not pin down.
 */
import type { CompileResult } from "../compile.js";
import type { IrBulletList, IrExpr, IrPolicy, IrRequirement } from "../ir.js";
import { subexpressions } from "../ir.js";
import { instantiate, scriptLibrary } from "../load-modules.js";
import { runLibraryCases } from "./test-library.js";
import { literalText } from "./canonical.js";
import { sectionsOf } from "./policy-parts.js";

export interface MutableThreshold {
  /** `criterion first_year_limit`, `definition in_first_year`, `list NIA_CG_300.section4.2`. */
  readonly owner: string;
  readonly file: string;
  readonly line: number;
  /** As the policy writes it: `6`, `2 weeks`, `at least 2`. */
  readonly text: string;
  readonly node: IrExpr | IrBulletList;
  /** The policies that reach it. */
  readonly policies: readonly string[];
}

export interface MutantResult {
  readonly threshold: MutableThreshold;
  /** `6 → 7`. */
  readonly change: string;
  /** The first case that noticed, or undefined when none did. */
  readonly killedBy: string | undefined;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Every number, duration and "at least / at most N" of the library's rules, with the policies that reach each. */
export function mutableThresholds(result: CompileResult): MutableThreshold[] {
  const library = result.library;
  if (!library) return [];
  const found = new Map<object, { owner: string; file: string; line: number; text: string; node: IrExpr | IrBulletList; policies: Set<string> }>();
  const visitExpr = (e: IrExpr | undefined, owner: string, file: string, line: number, policy: string, seenDefs: Set<object>) => {
    if (!e) return;
    if (e.k === "num" || e.k === "dur") {
      let entry = found.get(e);
      if (!entry) found.set(e, (entry = { owner, file, line, text: literalText(e)!, node: e, policies: new Set() }));
      entry.policies.add(policy);
    }
    if (e.k === "call" && !seenDefs.has(e.def)) {
      seenDefs.add(e.def);
      visitExpr(e.def.body, `definition ${e.def.name}`, e.def.module.file, e.def.line, policy, seenDefs);
    }
    for (const sub of subexpressions(e)) visitExpr(sub, owner, file, line, policy, seenDefs);
  };
  const visitRequirement = (r: IrRequirement, policy: string, seenDefs: Set<object>) => {
    const owner = `${r.role === "group" ? "list" : r.role} ${r.id}`;
    visitExpr(r.when, owner, r.module.file, r.line, policy, seenDefs);
    visitExpr(r.test, owner, r.module.file, r.line, policy, seenDefs);
    if (r.list && (r.list.quantifier === "atLeast" || r.list.quantifier === "atMost")) {
      let entry = found.get(r.list);
      if (!entry) found.set(r.list, (entry = { owner, file: r.module.file, line: r.line, text: `${r.list.quantifier === "atLeast" ? "at least" : "at most"} ${r.list.n}`, node: r.list, policies: new Set() }));
      entry.policies.add(policy);
    }
  };
  for (const p of library.policies) {
    const seenDefs = new Set<object>();
    for (const r of p.requirements) visitRequirement(r, p.id, seenDefs);
    for (const { section: s } of sectionsOf(p)) visitExpr(s.when, `section "${s.title}"`, s.items[0]?.module.file ?? p.file, s.items[0]?.line ?? 0, p.id, seenDefs);
    for (const v of [...p.services, ...p.overlays.flatMap((o) => o.services)]) visitExpr(v.when, `service ${v.id}`, p.file, 0, p.id, seenDefs);
    for (const o of p.overlays) for (const a of o.applies) visitExpr(a.test, `overlay ${o.id}`, o.file, 0, p.id, seenDefs);
  }
  return [...found.values()].map((x) => ({ ...x, policies: [...x.policies].sort() }));
}

/** The changes of one unit a threshold can take: up and down, within what the language allows. */
function changes(node: IrExpr | IrBulletList): { apply: () => void; undo: () => void; text: string }[] {
  if ("quantifier" in node) {
    const list = node as Writable<IrBulletList>;
    const n = list.n;
    return [n - 1, n + 1]
      .filter((m) => m >= 1 && m <= list.items.length)
      .map((m) => ({ apply: () => void (list.n = m), undo: () => void (list.n = n), text: `${n} → ${m}` }));
  }
  if (node.k === "num") {
    const e = node as Writable<typeof node>;
    const v = e.v;
    return [v - 1, v + 1].filter((m) => m >= 0).map((m) => ({ apply: () => void (e.v = m), undo: () => void (e.v = v), text: `${v} → ${m}` }));
  }
  if (node.k === "dur") {
    const e = node as Writable<typeof node>;
    const a = e.amount;
    return [a - 1, a + 1].filter((m) => m >= 0).map((m) => ({ apply: () => void (e.amount = m), undo: () => void (e.amount = a), text: `${a} ${e.unit} → ${m} ${e.unit}` }));
  }
  return [];
}

/** Runs each mutant of each threshold given; the library is left as it was. */
export function runMutants(result: CompileResult, casesRoot: string, thresholds: readonly MutableThreshold[], onResult?: (r: MutantResult) => void): MutantResult[] {
  const out: MutantResult[] = [];
  for (const threshold of thresholds) {
    for (const change of changes(threshold.node)) {
      change.apply();
      let killedBy: string | undefined;
      try {
        const policies = instantiate(scriptLibrary(result));
        const run = runLibraryCases(result, casesRoot, { policies: new Set(threshold.policies) }, false, policies);
        killedBy = run.results.find((r) => r.status !== "pass")?.name;
      } finally {
        change.undo();
      }
      const r = { threshold, change: change.text, killedBy };
      out.push(r);
      onResult?.(r);
    }
  }
  return out;
}

export type { IrPolicy };
