/**
 * Running case files: each case's request evaluated by its policy's generated code (the one
 * evaluator), and what it gave compared with what the case expects, field by field. `polc test`
 * and the test suite both run cases through here.
 */
import { relative } from "node:path";
import type { Policy } from "../../runtime/policy.js";
import type { Determination, EvaluateOptions } from "../../runtime/determination.js";
import type { EvaluationObserver } from "../../runtime/context.js";
import { evaluate } from "../../runtime/determine.js";
import { InputError } from "../../runtime/validate.js";
import { StateError } from "../../runtime/states.js";
import { CaseFileError, readCaseFile, type CaseFile } from "../cli/case-file.js";

/** One field of the determination that is not what the case expects. */
export interface Difference {
  readonly field: "outcome" | "pathway" | "unmet" | "missing" | "advisories" | "referrals" | "assumptions";
  readonly expected: string | null | readonly string[];
  readonly actual: string | null | readonly string[];
  /** For lists: what the determination has that the case does not expect, and what it lacks. */
  readonly extra?: readonly string[];
  readonly lacking?: readonly string[];
}

export type CaseStatus = "pass" | "fail" | "error";

export interface CaseResult {
  /** The file as given, and its name as reports show it (relative to the cases root). */
  readonly file: string;
  readonly name: string;
  readonly policy: string;
  readonly description?: string;
  readonly probe?: string;
  readonly state?: string;
  readonly status: CaseStatus;
  readonly unconfirmed: boolean;
  readonly differences: readonly Difference[];
  /** Why the case could not be run: a malformed file, a request the policy does not take, no expectation. */
  readonly problems: readonly string[];
  readonly determination?: Determination;
}

/** Compares a determination with a case's expectation; only the fields it gives count. */
export function differences(d: Determination, expect: NonNullable<CaseFile["expect"]>): Difference[] {
  const out: Difference[] = [];
  if (expect.outcome !== undefined && expect.outcome !== d.outcome) out.push({ field: "outcome", expected: expect.outcome, actual: d.outcome });
  if (expect.pathway !== undefined && expect.pathway !== d.pathway) out.push({ field: "pathway", expected: expect.pathway, actual: d.pathway });
  const compareList = (field: "unmet" | "missing" | "advisories" | "referrals" | "assumptions", expected: readonly string[] | undefined, actual: readonly string[]) => {
    if (expected === undefined) return;
    const want = new Set(expected);
    const have = new Set(actual);
    const extra = [...have].filter((x) => !want.has(x)).sort();
    const lacking = [...want].filter((x) => !have.has(x)).sort();
    if (extra.length || lacking.length) out.push({ field, expected: [...expected].sort(), actual: [...actual].sort(), extra, lacking });
  };
  compareList("unmet", expect.unmet, d.unmet.map((u) => u.id));
  compareList("missing", expect.missing, d.missing.map((m) => m.fact));
  compareList("advisories", expect.advisories, d.advisories.map((a) => a.id));
  compareList("referrals", expect.referrals, d.referrals.map((r) => r.clause));
  compareList("assumptions", expect.assumptions, d.assumptions.map((a) => a.fact));
  return out;
}

/** How reports name a case: its path under the cases root. */
export function caseName(root: string, file: string): string {
  const rel = relative(root, file).split("\\").join("/");
  return rel && !rel.startsWith("../") ? rel : file;
}

/** Runs one case file against its policy; never throws for a bad file or request. */
export function runCase(file: string, root: string, policyId: string, policy: Policy | undefined, observer?: EvaluationObserver, options: Pick<EvaluateOptions, "fewestFacts"> = {}): CaseResult {
  const name = caseName(root, file);
  const base = { file, name, policy: policyId, unconfirmed: false, differences: [] as Difference[] };
  let testCase: CaseFile;
  try {
    testCase = readCaseFile(file);
  } catch (e) {
    if (!(e instanceof CaseFileError)) throw e;
    return { ...base, status: "error", problems: [e.message] };
  }
  const info = { ...base, description: testCase.description, probe: testCase.probe, state: testCase.state?.toUpperCase(), unconfirmed: testCase.unconfirmed === true };
  if (!policy) return { ...info, status: "error", problems: [policyId ? `no policy ${policyId} in the library` : "cannot tell which policy it is for: put it in the policy's case folder, or name the policy before it (polc test POLICY FILE)"] };
  let determination: Determination;
  try {
    determination = evaluate(policy, testCase.input, { state: info.state, ...options }, observer);
  } catch (e) {
    if (e instanceof StateError) return { ...info, status: "error", problems: [`state: ${e.message}`] };
    if (!(e instanceof InputError)) throw e;
    return { ...info, status: "error", problems: e.problems.map((p) => `input.${p.path}: ${p.message}`) };
  }
  if (testCase.expect?.outcome === undefined) return { ...info, status: "fail", problems: ["no expect.outcome: write the outcome the guideline gives"], determination };
  const diffs = differences(determination, testCase.expect);
  return { ...info, status: diffs.length ? "fail" : "pass", differences: diffs, problems: [], determination };
}

const shown = (v: string | null | readonly string[]): string => (v === null ? "none" : typeof v === "string" ? v : `[${v.join(", ")}]`);

/** A case's result as `polc test` prints it: one line, then for a failure what differs. */
export function formatCaseResult(r: CaseResult): string[] {
  const tag = r.status === "pass" ? "ok  " : r.status === "fail" ? "FAIL" : "ERROR";
  const notes = [r.unconfirmed ? "unconfirmed" : "", r.probe ? `probes ${r.probe}` : ""].filter(Boolean);
  const lines = [`${tag} ${r.policy || "(no policy)"} ${r.name}${r.state ? ` (${r.state})` : ""}${notes.length ? `  [${notes.join("; ")}]` : ""}`];
  for (const p of r.problems) lines.push(...p.split("\n").map((x) => `       ${x}`));
  for (const d of r.differences) {
    if (d.field === "outcome" || d.field === "pathway") lines.push(`       ${d.field}: expected ${shown(d.expected)}, got ${shown(d.actual)}`);
    else {
      const parts = [...(d.lacking ?? []).map((x) => `-${x}`), ...(d.extra ?? []).map((x) => `+${x}`)];
      lines.push(`       ${d.field}: expected ${shown(d.expected)}, got ${shown(d.actual)} (${parts.join(" ")})`);
    }
  }
  return lines;
}
