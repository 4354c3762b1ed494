/**
 * One input through the checker, with every invariant of test/support/invariants.ts: no throw,
 * every diagnostic coded, positioned inside its file and rendered, and an error for a text the
 * lexer or parser rejects. Returns what went wrong rather than throwing, for the fuzzer's report.
 */
import { CompileCache } from "../../compiler/compile-cache.js";
import { compileAndCheck } from "../support/invariants.js";

export interface CheckOutcome {
  /** Broken invariants (a throw included), each a bug. */
  readonly problems: string[];
  readonly ms: number;
  /** Diagnostics reported. */
  readonly diagnostics: number;
  /** Policies of an error-free compile. */
  readonly policies: string[];
}

/** The parses of this thread's last input: the library files an input leaves unchanged are not parsed again. */
const cache = new CompileCache();

export function checkOne(files: Record<string, string>, entry: string, mustFail: boolean): CheckOutcome {
  const started = performance.now();
  try {
    const { result } = compileAndCheck(files, entry, { mustFail, cache });
    return { problems: [], ms: performance.now() - started, diagnostics: result.diagnostics.length, policies: result.policies.map((p) => p.ir.id) };
  } catch (e) {
    return { problems: [(e as Error).message.slice(0, 2_000)], ms: performance.now() - started, diagnostics: 0, policies: [] };
  }
}
