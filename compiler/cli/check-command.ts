/**
 * `polc check <files or folders…>`: every error with its place, then lint's warnings (for a
 * library without errors); as text, `--json`, or `--format sarif`. Exit 1 when there are errors;
 * warnings alone exit 0.
 */
import type { Command } from "commander";
import { dirname, relative, resolve } from "node:path";
import { existsSync, statSync } from "node:fs";
import { compileFiles } from "../compile.js";
import { lint } from "../lint/lint.js";
import { findCasesRoot } from "../tools/case-folders.js";
import { diagnosticsJson, diagnosticsSarif } from "../tools/diagnostic-formats.js";
import { renderDiagnostic } from "../diagnostics.js";
import { plural, printDiagnostics, type CommandContext, type Io } from "./command-support.js";
import { main, polFilesUnder, UsageError } from "./main.js";
import { watchLoop } from "./watch.js";

interface CheckOptions {
  json?: boolean;
  format?: string;
  lint: boolean;
  cases?: string;
  watch?: boolean;
}

const formats = ["text", "json", "sarif"];

export function registerCheckCommand(program: Command, ctx: CommandContext, version: string): void {
  program
    .command("check")
    .description("check .pol files and report every error with its place, then lint warnings; exit 1 when there are errors")
    .argument("<files...>", ".pol files or folders")
    .option("--json", "print the diagnostics as JSON (the same as --format json)")
    .option("--format <format>", `text, json or sarif (SARIF 2.1.0, for code-scanning views)`, "text")
    .option("--no-lint", "report errors only, no lint warnings")
    .option("--cases <dir>", "the cases root, for the warning about facts no case file documents (default: found beside the library)")
    .option("--watch", "check again after each save, printing only what changed")
    .action(async (paths: string[], options: CheckOptions) => {
      if (!formats.includes(options.format ?? "text")) throw new UsageError(`--format expects one of ${formats.join(", ")}, not '${options.format}'`);
      if (options.watch) {
        const argv = ctx.argv.filter((a) => a !== "--watch");
        ctx.setExitCode(await watchLoop({ paths, run: (io) => main(argv, io), io: ctx.io }));
        return;
      }
      ctx.setExitCode(checkOnce(paths, options, ctx.io, version));
    });
}

/** The library folder the paths stand in: the folder given, or the folder of the file given. */
function libraryOf(paths: readonly string[]): string | undefined {
  if (paths.length !== 1) return undefined;
  return statSync(paths[0]).isDirectory() ? paths[0] : dirname(paths[0]);
}

/**
 * A file given by name that is not a policy file is refused before it is read: parsed as a policy,
 * a README gives an error for its first word and nothing useful, and its lines would be quoted.
 */
function refuseOtherFiles(paths: readonly string[]): void {
  for (const path of paths) {
    if (path.endsWith(".pol") || !existsSync(path) || !statSync(path).isFile()) continue;
    const markdown = /\.(md|markdown)$/i.test(path) ? "; a Markdown page is documentation (polc build writes each policy's page from its .pol file)" : "";
    throw new UsageError(`${path} is not a .pol file: polc check reads policy files (*.pol) and folders of them${markdown}`);
  }
}

function checkOnce(paths: readonly string[], options: CheckOptions, io: Io, version: string): number {
  refuseOtherFiles(paths);
  const files = paths.flatMap(polFilesUnder);
  const result = compileFiles(files);
  const hasErrors = result.diagnostics.some((d) => d.severity === "error");
  const library = libraryOf(paths);
  const casesRoot = options.cases ?? (library === undefined ? undefined : findCasesRoot(resolve(library)));
  const diagnostics = hasErrors || !options.lint ? result.diagnostics : [...result.diagnostics, ...lint(result, { casesRoot, checkedFiles: new Set(files.map((f) => relative(process.cwd(), resolve(f)) || f)) })];
  const format = options.json ? "json" : options.format ?? "text";
  if (format === "json") io.out(JSON.stringify(diagnosticsJson(diagnostics, result.sources, result.files.size), null, 2));
  else if (format === "sarif") io.out(JSON.stringify(diagnosticsSarif(diagnostics, result.sources, version), null, 2));
  else if (hasErrors) printDiagnostics(diagnostics, result.sources, io);
  else {
    for (const d of diagnostics) io.err(renderDiagnostic(d, result.sources));
    io.out(`no errors in ${plural(result.files.size, "file")}${diagnostics.length ? `, ${plural(diagnostics.length, "warning")}` : ""}`);
  }
  return hasErrors ? 1 : 0;
}
