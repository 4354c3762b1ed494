/**
 * The helpers every stage's tests share: compile `.pol` text in memory, evaluate a request with
 * the policy's generated code (as `polc eval` runs it), and assert a determination or the
 * diagnostics of a compile in one call.
 */
import { expect } from "vitest";
import { compileText, type CompileResult } from "../../compiler/compile.js";
import { renderDiagnostic } from "../../compiler/diagnostics.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import { evaluate } from "../../runtime/determine.js";
import type { Policy } from "../../runtime/policy.js";
import type { Determination, EvaluateOptions } from "../../runtime/determination.js";

/** Source text of one file (`a.pol`) or several, by path. */
export type Sources = string | Readonly<Record<string, string>>;

export const lines = (...text: string[]): string => text.join("\n");

export function compile(sources: Sources, entries?: string[]): CompileResult {
  return compileText(typeof sources === "string" ? { "a.pol": sources } : sources, entries);
}

/** Every diagnostic of a compile, rendered as polc prints it. */
export function diagnosticsOf(sources: Sources, entries?: string[]): string[] {
  const result = compile(sources, entries);
  return result.diagnostics.map((d) => renderDiagnostic(d, result.sources));
}

/** Asserts the exact diagnostics of a compile, each as polc prints it (code frame included). */
export function expectDiagnostics(sources: Sources, expected: readonly string[], entries?: string[]): void {
  expect(diagnosticsOf(sources, entries)).toEqual(expected);
}

/** The policies of an error-free compile, loaded from their generated code; fails the test on any diagnostic. */
export function loadLibrary(sources: Sources): ReadonlyMap<string, Policy> {
  const result = compile(sources);
  expect(result.diagnostics.map((d) => renderDiagnostic(d, result.sources))).toEqual([]);
  return loadPolicies(result);
}

/** The one policy of a source (or the one named), loaded from its generated code. */
export function loadPolicy(sources: Sources, id?: string): Policy {
  const policies = loadLibrary(sources);
  const policy = id ? policies.get(id) : [...policies.values()][0];
  expect(policy, `no policy ${id ?? ""} in the source`).toBeDefined();
  return policy!;
}

/** Evaluates a request against the policy of a source, the trace on unless told otherwise. */
export function evaluateSource(sources: Sources, input: Readonly<Record<string, unknown>>, options?: EvaluateOptions): Determination {
  return evaluate(loadPolicy(sources), input, options);
}

export interface ExpectedDetermination {
  readonly outcome?: Determination["outcome"];
  readonly pathway?: string | null;
  /** Unmet criterion ids, in any order. */
  readonly unmet?: readonly string[];
  /** Missing fact paths, in any order. */
  readonly missing?: readonly string[];
  /** The result of named criteria in the trace. */
  readonly results?: Readonly<Record<string, "true" | "false" | "unknown" | "not-applicable">>;
}

/** Asserts what a determination says, field by field: only the fields given are compared. */
export function expectDetermination(d: Determination, expected: ExpectedDetermination): void {
  const sorted = (xs: readonly string[]) => [...xs].sort();
  const actual: Record<string, unknown> = {};
  const wanted: Record<string, unknown> = {};
  if (expected.outcome !== undefined) [actual.outcome, wanted.outcome] = [d.outcome, expected.outcome];
  if (expected.pathway !== undefined) [actual.pathway, wanted.pathway] = [d.pathway, expected.pathway];
  if (expected.unmet) [actual.unmet, wanted.unmet] = [sorted(d.unmet.map((u) => u.id)), sorted(expected.unmet)];
  if (expected.missing) [actual.missing, wanted.missing] = [sorted(d.missing.map((m) => m.fact)), sorted(expected.missing)];
  if (expected.results) {
    actual.results = Object.fromEntries(Object.keys(expected.results).map((id) => [id, d.trace.find((t) => t.id === id)?.result]));
    wanted.results = expected.results;
  }
  expect(actual).toEqual(wanted);
}
