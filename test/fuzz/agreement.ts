/**
 * Every evaluation path agrees on one case: the generated module with the trace on and off,
 * the batch's line evaluation (`polc eval --batch`), and the case-file reader (`polc eval`).
 * A request is refused by all of them or by none, with the same problems; an accepted one gets
 * the same determination, trace aside; nothing throws but InputError, and no path takes more
 * than the deadline. A path is what one caller waits for: `polc eval` (the case reader, then
 * the evaluation with its trace), the module without the trace, a batch line. They run one
 * after another here, so a 4 MB request that each path reads in 1.5 s is not a hang.
 */
import { evaluateLine } from "../../compiler/cli/batch.js";
import { CaseFileError, parseCase } from "../../compiler/cli/case-file.js";
import { evaluate } from "../../runtime/determine.js";
import type { Determination } from "../../runtime/determination.js";
import type { Policy } from "../../runtime/policy.js";
import { InputError } from "../../runtime/validate.js";

export interface Agreement {
  /** Disagreements and crashes, each a bug. */
  readonly problems: string[];
  /** Whether a path took more than the deadline (a hang): a bug too, counted apart. */
  readonly hung: boolean;
  /** How it ended: refused as a case file, refused as input, or evaluated. */
  readonly ending: "case file refused" | "input refused" | "evaluated";
  /** The time of the slowest path, and which it was. */
  readonly ms: number;
  readonly slowest: string;
}

type Run = { determination: Determination } | { refused: string } | { crashed: string };

function run(policy: Policy, input: Record<string, unknown>, state: string | undefined, trace: boolean): Run {
  try {
    return { determination: evaluate(policy, input, { state, trace }) };
  } catch (e) {
    if (e instanceof InputError) return { refused: e.problems.map((p) => `input.${p.path}: ${p.message}`).join("; ") };
    return { crashed: (e as Error).stack?.split("\n").slice(0, 5).join("\n") ?? String(e) };
  }
}

/**
 * A library's files as polc reads them back from the disk. UTF-8 cannot hold a lone surrogate
 * (a mutation may insert one in memory): it is written, and so read, as U+FFFD. The stage part
 * compares polc, which reads the files it was given, with the module compiled from this text.
 */
export function asOnDisk(files: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, text]) => [path, Buffer.from(text, "utf8").toString("utf8")]));
}

/**
 * Whether what `polc eval --json` (or a line of `--batch`) printed is this determination: the same JSON value. polc writes
 * the characters a terminal would act on (bidirectional marks, C1 controls, line separators) as
 * JSON escapes (compiler/terminal-text.ts), so the text may differ from JSON.stringify's where
 * the value does not.
 */
export function printsDetermination(printed: string, expected: Determination): boolean {
  let value: unknown;
  try {
    value = JSON.parse(printed);
  } catch {
    return false;
  }
  return JSON.stringify(value, null, 2) === JSON.stringify(expected, null, 2);
}

const withoutTrace = (d: Determination) => JSON.stringify({ ...d, trace: [] });

/** Runs a case file's text through every path; `deadlineMs` is what counts as a hang. */
export function agreeOn(policy: Policy, text: string, deadlineMs = 5_000): Agreement {
  const started = performance.now();
  const problems: string[] = [];
  const paths = new Map<string, number>();
  let mark = started;
  /** Adds the time since the last mark to a path. */
  const timed = (path: string) => {
    const now = performance.now();
    paths.set(path, (paths.get(path) ?? 0) + now - mark);
    mark = now;
  };
  const done = (ending: Agreement["ending"]): Agreement => {
    const [slowest, ms] = [...paths].reduce((a, b) => (b[1] > a[1] ? b : a), ["none", 0]);
    return { problems, hung: ms > deadlineMs, ending, ms, slowest };
  };
  let state: string | undefined;
  let input: Record<string, unknown>;
  try {
    const c = parseCase(text, "case.json");
    input = c.input;
    state = c.state;
  } catch (e) {
    timed("polc eval");
    if (!(e instanceof CaseFileError)) problems.push(`the case reader threw ${(e as Error).stack?.split("\n").slice(0, 4).join("\n")}`);
    return done("case file refused");
  }
  const traced = run(policy, input, state, true);
  timed("polc eval");
  const quick = run(policy, input, state, false);
  timed("the module without the trace");
  for (const r of [traced, quick]) if ("crashed" in r) problems.push(`evaluate threw ${r.crashed}`);
  // The batch reads its line with the platform's parser; the line is the same request, on one line.
  const request = JSON.stringify(state === undefined ? { input } : { input, state });
  mark = performance.now();
  const line = evaluateLine({ policy, state: undefined, trace: false }, request, 1);
  timed("a batch line");
  if ("refused" in traced || "refused" in quick) {
    if (!("refused" in traced && "refused" in quick) || traced.refused !== quick.refused) problems.push(`refused with the trace on or off only: ${JSON.stringify(traced).slice(0, 200)} / ${JSON.stringify(quick).slice(0, 200)}`);
    const expected = JSON.stringify({ line: 1, error: "refused" in quick ? quick.refused : "" });
    if (line.text !== expected) problems.push(`the batch line says ${line.text.slice(0, 300)}, evaluate ${expected.slice(0, 300)}`);
    return done("input refused");
  }
  if ("determination" in traced && "determination" in quick) {
    if (withoutTrace(traced.determination) !== withoutTrace(quick.determination)) problems.push("the trace on and off give different determinations");
    if (quick.determination.trace.length !== 0) problems.push("a determination without the trace has one");
    if (line.text !== JSON.stringify(quick.determination)) problems.push(`the batch line differs from evaluate: ${line.text.slice(0, 200)}`);
  }
  return done("evaluated");
}
