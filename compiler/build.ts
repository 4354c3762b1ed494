/**
 * Turns a compiled library into files: text generation is pure; writing is here. Files are
 * written atomically (temporary file, then rename), only files carrying our banner are ever
 * replaced or removed, and the output of a build depends on nothing but its sources.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { format } from "prettier";
import type { CompileResult } from "./compile.js";
import { generateModule, generatedBanner, moduleFileName } from "./generate-ts.js";
import { docsBanner, docsFileName, generateCriteriaReport, generateIndex, generatePolicyPage } from "./generate-docs.js";

export interface OutputFile {
  /** Path relative to the output root (`generated/…` or `docs/…`). */
  readonly path: string;
  readonly text: string;
}

/** All generated files of a library, formatted with Prettier. */
export async function renderOutputs(result: CompileResult, dirs: { code: string; docs: string }): Promise<OutputFile[]> {
  const files: OutputFile[] = [];
  for (const compiled of result.policies) {
    const source = compiled.policy.span.file.split("\\").join("/");
    const ts = generateModule(compiled, source);
    files.push({ path: join(dirs.code, moduleFileName(compiled.policy.name)), text: await format(ts, { parser: "typescript", printWidth: 120 }) });
    const page = generatePolicyPage(compiled, result.scopes);
    files.push({ path: join(dirs.docs, "policies", docsFileName(compiled.policy.name)), text: await format(page, { parser: "markdown", printWidth: 120, proseWrap: "preserve" }) });
  }
  files.push({ path: join(dirs.docs, "index.md"), text: await format(generateIndex(result.policies), { parser: "markdown", printWidth: 120 }) });
  files.push({ path: join(dirs.docs, "criteria.md"), text: await format(generateCriteriaReport(result.policies), { parser: "markdown", printWidth: 120 }) });
  return files;
}

export class BuildRefusal extends Error {}

function isGenerated(text: string): boolean {
  return text.startsWith(generatedBanner) || text.startsWith(docsBanner);
}

/**
 * Writes the outputs. Refuses, before writing anything, when a target exists that polc did not
 * generate; removes generated files that no policy produces any more.
 */
export function writeOutputs(files: readonly OutputFile[], dirs: { code: string; docs: string }, base: string): { written: string[]; removed: string[] } {
  const refusals: string[] = [];
  for (const file of files) {
    const target = resolve(base, file.path);
    if (existsSync(target) && !isGenerated(readFileSync(target, "utf8"))) refusals.push(file.path);
  }
  if (refusals.length) {
    throw new BuildRefusal(
      `refusing to overwrite files that polc did not generate:\n${refusals.map((r) => `  ${r}`).join("\n")}\nmove them away or choose another output folder with --out / --docs`,
    );
  }
  const written: string[] = [];
  for (const file of files) {
    const target = resolve(base, file.path);
    mkdirSync(resolve(target, ".."), { recursive: true });
    if (existsSync(target) && readFileSync(target, "utf8") === file.text) continue;
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, file.text);
    renameSync(temporary, target);
    written.push(file.path);
  }
  const wanted = new Set(files.map((f) => resolve(base, f.path)));
  const removed: string[] = [];
  for (const dir of [dirs.code, join(dirs.docs, "policies"), dirs.docs]) {
    const absolute = resolve(base, dir);
    if (!existsSync(absolute)) continue;
    for (const name of readdirSync(absolute)) {
      const path = join(absolute, name);
      if (wanted.has(path) || !statSync(path).isFile() || !/\.(ts|md)$/.test(name)) continue;
      if (isGenerated(readFileSync(path, "utf8"))) {
        rmSync(path);
        removed.push(relative(base, path));
      }
    }
  }
  return { written, removed };
}
