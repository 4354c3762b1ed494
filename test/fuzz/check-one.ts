/**
 * One input through the checker, with every invariant of test/support/invariants.ts: no throw,
 * every diagnostic coded, positioned inside its file and rendered, and an error for a text the
 * lexer or parser rejects. Returns what went wrong rather than throwing, for the fuzzer's report.
 */
import { CompileCache } from "../../compiler/compile-cache.js";
import type { PolFile } from "../../compiler/ast.js";
import { compileAndCheck } from "../support/invariants.js";

export interface CheckOutcome {
  /** Broken invariants (a throw included), each a bug. */
  readonly problems: string[];
  readonly ms: number;
  /** Diagnostics reported. */
  readonly diagnostics: number;
  /** Whether the compile found no error and the entry declares a policy or an overlay (then the fuzzer's stage part lowers and runs it). */
  readonly valid: boolean;
}

/** The parses and checks of this thread's last input: the library files an input leaves unchanged are not parsed or checked again. */
const cache = new CompileCache();

/** Checks `library` with `changes` (files changed or added) against every invariant, `entry` the file of interest. */
export function checkOne(library: Readonly<Record<string, string>>, changes: Readonly<Record<string, string>>, entry: string, mustFail: boolean): CheckOutcome {
  const started = performance.now();
  try {
    const { result } = compileAndCheck({ ...library, ...changes }, entry, { mustFail, cache, lower: false });
    return { problems: [], ms: performance.now() - started, diagnostics: result.diagnostics.length, valid: !result.diagnostics.some((d) => d.severity === "error") && declaresPolicy(result.files.get(entry)) };
  } catch (e) {
    return { problems: [(e as Error).message.slice(0, 2_000)], ms: performance.now() - started, diagnostics: 0, valid: false };
  }
}

function declaresPolicy(file: PolFile | undefined): boolean {
  return file !== undefined && (file.policies.length > 0 || file.overlays.length > 0);
}
