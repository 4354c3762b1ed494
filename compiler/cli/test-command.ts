/**
 * `polc test [policies, .pol files, case files or folders…]`: runs each policy's case files
 * (found by the convention of compiler/tools/case-folders.ts), one line per case and, for a
 * failure, what differs; with `--coverage`, what the cases exercise. It first rebuilds whatever
 * generated output is stale, so a forgotten build never shows up as a confusing difference.
 */
import { noProgress, terminalProgress, type Progress } from "../progress.js";
import type { Command } from "commander";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { manifestName, renderOutputs, writeOutputs } from "../build.js";
import type { CompileResult } from "../compile.js";
import { findCasesRoot } from "../tools/case-folders.js";
import { runLibraryCases, type TestRun } from "../tools/test-library.js";
import { formatCaseResult } from "../tools/run-cases.js";
import { coverageJson, formatCoverage, lcov, summarize } from "../tools/coverage.js";
import { compileLibrary, plural, type CommandContext, type Io } from "./command-support.js";
import { main, polFilesUnder, UsageError } from "./main.js";
import { watchLoop } from "./watch.js";

interface TestOptions {
  library: string;
  cases?: string;
  coverage?: boolean;
  coverageThreshold?: string;
  lcov?: string;
  json?: boolean;
  build: boolean;
  out: string;
  docs: string;
  watch?: boolean;
}

/** Where `--coverage` writes LCOV unless told otherwise. */
export const defaultLcovPath = join("coverage", "pol.lcov.info");
/** The test name LCOV files written by polc carry, so that only those are ever overwritten. */
export const lcovTestName = "TN:polc";

export function registerTestCommand(program: Command, ctx: CommandContext): void {
  program
    .command("test")
    .description("run each policy's case files and compare each determination with what the case expects; exit 1 when one differs")
    .argument("[targets...]", "policy ids, .pol files, or case files and folders (default: every policy with a case folder)")
    .option("--library <dir>", "folder of .pol files", "policies")
    .option("--cases <dir>", "the cases root: a folder holding a folder of .json cases per policy, named for its module (nia-cg-300/). Default: LIBRARY/cases, or cases/ or test/cases/ beside the library")
    .option("--coverage", "report, for every criterion, list, definition and overlay clause, which cases made it true, false, unknown and not applicable; write LCOV")
    .option("--coverage-threshold <percent>", "with or without --coverage: exit 1 when coverage is below this percentage")
    .option("--lcov <file>", `where --coverage writes LCOV (default ${defaultLcovPath})`)
    .option("--json", "print the results (and coverage) as JSON")
    .option("--no-build", "do not rebuild stale generated modules and docs first")
    .option("--out <dir>", "folder of the generated modules to keep up to date", "generated")
    .option("--docs <dir>", "folder of the generated Markdown to keep up to date", "docs")
    .option("--watch", "run again after each save, printing only what changed")
    .action(async (targets: string[], options: TestOptions) => {
      if (options.watch) {
        const root = findCasesRoot(options.library, options.cases);
        const argv = ctx.argv.filter((a) => a !== "--watch");
        ctx.setExitCode(await watchLoop({ paths: [options.library, ...(root ? [root] : [])], run: (io) => main(argv, io), io: ctx.io }));
        return;
      }
      ctx.setExitCode(await testOnce(targets, options, ctx.io));
    });
}

function threshold(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > 100) throw new UsageError(`--coverage-threshold expects a percentage from 0 to 100, not '${text}'`);
  return n;
}

async function testOnce(targets: readonly string[], options: TestOptions, io: Io): Promise<number> {
  const minimum = threshold(options.coverageThreshold);
  const withCoverage = options.coverage === true || minimum !== undefined;
  // Started first, so that the second before anything is drawn counts from the command's start.
  const progress = options.json ? noProgress : terminalProgress();
  const result = compileLibrary(options.library, io);
  if (!result) return 1;
  if (options.build) await rebuildStale(result, options, io, progress);

  const root = findCasesRoot(options.library, options.cases);
  if (root === undefined) throw new UsageError(`no case folder for ${options.library}: make ${join(options.library, "cases")}/ with a folder per policy (for example ${join(options.library, "cases", "nia-cg-300")}/), or give --cases DIR`);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`--cases: no such folder: ${root}`);
  const selection = select(targets, result);
  let run: TestRun;
  try {
    run = runLibraryCases(result, root, selection, withCoverage, undefined, progress);
  } finally {
    progress.finish();
  }
  if (run.results.length === 0) throw new UsageError(`no case files for ${targets.length ? targets.join(", ") : options.library} under ${root}`);

  const failed = run.results.filter((r) => r.status === "fail").length;
  const errors = run.results.filter((r) => r.status === "error").length;
  const unconfirmed = run.results.filter((r) => r.unconfirmed).length;
  const total = withCoverage ? summarize(run.coverage.flatMap((c) => c.items)) : undefined;
  const below = minimum !== undefined && total !== undefined && total.percent < minimum;

  if (withCoverage) writeLcov(options.lcov ?? defaultLcovPath, lcov(run.coverage));
  if (options.json) io.out(JSON.stringify(jsonOf(run, withCoverage), null, 2));
  else {
    for (const r of run.results) for (const line of formatCaseResult(r)) io.out(line);
    for (const stray of run.strays) io.out(`note: ${stray} is named for no policy of ${options.library}`);
    if (withCoverage) {
      for (const line of formatCoverage(run.coverage)) io.out(line);
      io.out(`LCOV written to ${options.lcov ?? defaultLcovPath}`);
    }
    const parts = [`${run.results.length - failed - errors} passed`, `${failed} failed`, ...(errors ? [`${plural(errors, "error")}`] : []), ...(unconfirmed ? [`${unconfirmed} unconfirmed`] : [])];
    io.out(`${plural(run.results.length, "case")}: ${parts.join(", ")}`);
  }
  if (below) io.err(`coverage ${total!.percent.toFixed(1)}% is below the threshold of ${minimum}%`);
  return errors ? 2 : failed || below ? 1 : 0;
}

/** Targets: policy ids, .pol files and folders of them choose policies; .json files and folders of them choose cases. */
function select(targets: readonly string[], result: CompileResult): { policies: Set<string>; cases: string[] } {
  const policies = new Set<string>();
  const cases: string[] = [];
  for (const t of targets) {
    const byId = result.policies.find((p) => p.ir.id === t);
    if (byId) policies.add(byId.ir.id);
    else if (t.endsWith(".pol")) {
      const declared = result.policies.filter((p) => resolve(p.ir.file) === resolve(t) || p.ir.overlays.some((o) => resolve(o.file) === resolve(t)));
      if (!declared.length) throw new UsageError(`${t} declares no policy or overlay of the library`);
      for (const p of declared) policies.add(p.ir.id);
    } else if (existsSync(t) && statSync(t).isDirectory() && polFilesUnder(t).length > 0) {
      // A folder of .pol files: the policies declared under it.
      const under = new Set(polFilesUnder(t).map((f) => resolve(f)));
      const declared = result.policies.filter((p) => under.has(resolve(p.ir.file)) || p.ir.overlays.some((o) => under.has(resolve(o.file))));
      if (!declared.length) throw new UsageError(`${t} declares no policy or overlay of the library`);
      for (const p of declared) policies.add(p.ir.id);
    } else if (existsSync(t)) cases.push(t);
    else throw new UsageError(`'${t}' is neither a policy of the library (${result.policies.map((p) => p.ir.id).join(", ")}) nor a case file or folder`);
  }
  return { policies, cases };
}

/** Rebuilds the generated modules and docs of an earlier build whose sources changed. */
async function rebuildStale(result: CompileResult, options: TestOptions, io: Io, progress: Progress): Promise<void> {
  if (!existsSync(join(options.out, manifestName))) return;
  const dirs = { code: options.out, docs: options.docs };
  const files = await renderOutputs(result, dirs, process.cwd(), progress).finally(() => progress.finish());
  const { written } = writeOutputs(files, dirs, process.cwd(), libraryLabel(options.library));
  if (written.length && !options.json) io.out(`rebuilt ${plural(written.length, "stale file")}: ${written.join(", ")}`);
}

/** How the build's manifest names a library: its folder, from where polc runs (as `polc build` does). */
function libraryLabel(dir: string): string {
  return relative(process.cwd(), resolve(dir)).split(sep).join("/") || ".";
}

/** Writes LCOV, refusing to replace a file polc did not write. */
function writeLcov(path: string, text: string): void {
  if (existsSync(path)) {
    const old = readFileSync(path, "utf8");
    if (old.length && !old.startsWith(lcovTestName)) throw new UsageError(`${path} exists and is not an LCOV file polc wrote; give --lcov another file`);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function jsonOf(run: TestRun, withCoverage: boolean): unknown {
  return {
    casesRoot: run.root,
    results: run.results.map(({ determination, ...r }) => ({ ...r, outcome: determination?.outcome ?? null, pathway: determination?.pathway ?? null })),
    summary: {
      cases: run.results.length,
      passed: run.results.filter((r) => r.status === "pass").length,
      failed: run.results.filter((r) => r.status === "fail").length,
      errors: run.results.filter((r) => r.status === "error").length,
      unconfirmed: run.results.filter((r) => r.unconfirmed).length,
    },
    ...(withCoverage ? { coverage: coverageJson(run.coverage) } : {}),
  };
}
