/**
 * `polc fmt`: formats `.pol` files with the pol Prettier plugin, or with `--check` lists those
 * that are not formatted. A file that does not parse is never rewritten: its syntax errors are
 * reported instead, as `polc check` reports them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { formatPol, PolSyntaxError, resolvePrintWidth } from "../../packages/prettier-plugin-pol/src/index.js";
import { renderDiagnostic } from "../diagnostics.js";

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface FmtOptions {
  readonly check?: boolean;
}

/** Exit code: 0 all formatted (or now formatted), 1 a file is unformatted (with --check) or does not parse. */
export async function fmtCommand(files: readonly string[], options: FmtOptions, io: Io): Promise<number> {
  const unformatted: string[] = [];
  const written: string[] = [];
  let broken = 0;
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    let formatted: string;
    try {
      formatted = await formatPol(text, { filepath: file, printWidth: await resolvePrintWidth(file) });
    } catch (e) {
      if (!(e instanceof PolSyntaxError)) throw e;
      broken++;
      for (const d of e.diagnostics) io.err(renderDiagnostic(d, new Map([[file, text]])));
      continue;
    }
    if (formatted === text) continue;
    if (options.check) {
      unformatted.push(file);
      io.out(file);
    } else {
      writeFileSync(file, formatted);
      written.push(file);
      io.out(`formatted ${file}`);
    }
  }
  const files_ = (n: number) => `${n} ${n === 1 ? "file" : "files"}`;
  if (broken > 0) io.err(`${files_(broken)} not formatted because of syntax errors; fix them and run polc fmt again`);
  if (options.check) {
    if (unformatted.length > 0) io.err(`${files_(unformatted.length)} of ${files.length} not formatted; run polc fmt to format them`);
    else if (broken === 0) io.out(`all ${files_(files.length)} formatted`);
  } else if (broken === 0 || written.length > 0) {
    io.out(`${files_(written.length)} formatted, ${files.length - written.length - broken} already formatted`);
  }
  return broken > 0 || unformatted.length > 0 ? 1 : 0;
}
