/**
 * `polc review DETERMINATION.json --reviewer ID --decision agree|override [--outcome O] --rationale
 * TEXT [--at TIME] [--out FILE]`: records a clinician's decision beside a determination (as
 * `polc eval --json` prints it). A does-not-meet is a recommendation for clinical review; this
 * is how the decision on it is kept. Prints `{ "determination": …, "review": … }`, the review in
 * the form json-schema/review.ts describes; `--out` writes it to a new file, never over one.
 */
import type { Command } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import type { Determination, Outcome } from "../../runtime/determination.js";
import { recordReview, outcomes, reviewedDetermination, type ReviewVerdict } from "../../runtime/review.js";
import { InputError } from "../../runtime/validate.js";
import type { CommandContext } from "./command-support.js";
import { UsageError } from "./main.js";

interface ReviewOptions {
  reviewer: string;
  name?: string;
  credentials?: string;
  decision: string;
  outcome?: string;
  rationale: string;
  at?: string;
  out?: string;
}

/** The determination a file holds, or a usage error saying what is wrong with it. */
function readDetermination(path: string): Determination {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UsageError(`cannot read the determination ${path}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not JSON (${(e as Error).message}); give a determination as polc eval --json prints it`);
  }
  try {
    return reviewedDetermination(value, path);
  } catch (e) {
    if (e instanceof InputError) throw new UsageError(`${path}: ${e.problems[0].message}`);
    throw e;
  }
}

export function registerReviewCommand(program: Command, ctx: CommandContext): void {
  program
    .command("review")
    .description("record a clinician's decision on a determination (agree or override, who, when, why) beside it, as JSON")
    .argument("<determination>", "a determination as polc eval --json prints it")
    .requiredOption("--reviewer <id>", "who decided: an NPI or staff id")
    .option("--name <name>", "the reviewer's name")
    .option("--credentials <text>", "the reviewer's credentials (MD, DO, RN…)")
    .requiredOption("--decision <verdict>", "agree or override")
    .option("--outcome <outcome>", `with override: the outcome decided (${outcomes.join(", ")})`)
    .requiredOption("--rationale <text>", "why, in the reviewer's words")
    .option("--at <time>", "when, as an ISO 8601 date and time with its offset (default: now, in UTC)")
    .option("--out <file>", "write the record to this new file instead of printing it")
    .action((path: string, options: ReviewOptions) => {
      const determination = readDetermination(path);
      let review;
      try {
        review = recordReview(determination, {
          reviewer: { id: options.reviewer, name: options.name, credentials: options.credentials },
          decidedAt: options.at ?? new Date().toISOString(),
          decision: options.decision as ReviewVerdict,
          outcome: options.outcome as Outcome | undefined,
          rationale: options.rationale,
        });
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        // The fields as the command line names them.
        const flag: Record<string, string> = { "reviewer.id": "--reviewer", decidedAt: "--at", decision: "--decision", outcome: "--outcome", rationale: "--rationale" };
        throw new UsageError(e.problems.map((p) => `${Object.hasOwn(flag, p.path) ? flag[p.path] : p.path} ${p.message}`).join("; "));
      }
      const text = JSON.stringify({ determination, review }, null, 2);
      if (options.out === undefined) {
        ctx.io.out(text);
        return;
      }
      try {
        // Created exclusively: a file already there, or one made meanwhile, is never replaced.
        writeFileSync(options.out, `${text}\n`, { flag: "wx" });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new UsageError(`${options.out} exists: polc review writes a new file and never replaces one`);
        throw new UsageError(`cannot write ${options.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      ctx.io.out(`wrote ${options.out}: ${review.decision} (${review.reviewed.outcome}${review.decision === "override" ? ` → ${review.outcome}` : ""}) by ${review.reviewer.id}`);
    });
}
