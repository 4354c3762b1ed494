/**
 * What the commands added beside main.ts share: the output streams, compiling a library with its
 * diagnostics printed, and counting words.
 */
import { compileFiles, type CompileResult } from "../compile.js";
import { errorCount, renderDiagnostic, type Diagnostic } from "../diagnostics.js";
import { polFilesUnder } from "./main.js";

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** How a command added beside main.ts reports back: its output, and the exit code it sets. */
export interface CommandContext {
  readonly io: Io;
  setExitCode(code: number): void;
  /** The whole command line, for `--watch` to run again. */
  readonly argv: readonly string[];
}

/** "1 file", "3 files". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/** Prints diagnostics as `polc check` does, then the count; true when there is no error. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>, io: Io): boolean {
  for (const d of diagnostics) io.err(renderDiagnostic(d, sources));
  const errors = errorCount(diagnostics);
  const warnings = diagnostics.filter((d) => d.severity === "warning").length;
  const files = new Set(diagnostics.map((d) => d.span.file)).size;
  if (errors || warnings) io.err(`${[errors ? plural(errors, "error") : "", warnings ? plural(warnings, "warning") : ""].filter(Boolean).join(" and ")} in ${plural(files, "file")}`);
  return errors === 0;
}

/** The library under a folder, compiled; its errors printed. Undefined when it has errors. */
export function compileLibrary(dir: string, io: Io): CompileResult | undefined {
  const result = compileFiles(polFilesUnder(dir));
  return printDiagnostics(result.diagnostics, result.sources, io) ? result : undefined;
}
