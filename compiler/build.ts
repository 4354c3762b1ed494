/**
 * Turns a compiled library into files: text generation is pure; writing is here. Files are
 * written atomically (temporary file, then rename), only files carrying our banner are ever
 * replaced or removed, and the output of a build depends on nothing but its sources.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import type { CompileResult } from "./compile.js";
import { compiledSectionMarker, generateModule, generatedBanner, moduleFileName } from "./generate-ts.js";
import { docsBanner, docsFileName, generateCriteriaReport, generateIndex, generatePolicyPage } from "./generate-docs.js";

/** The formatting depends on Prettier's version too. */
const prettierVersion = (createRequire(import.meta.url)("prettier/package.json") as { version: string }).version;

/** Where outputs go; without `code`, only the Markdown is rendered and kept up to date. */
export interface OutputDirs {
  readonly code?: string;
  readonly docs: string;
}

export interface OutputFile {
  /** Path relative to the output root (`generated/…` or `docs/…`). */
  readonly path: string;
  readonly text: string;
}

type Formatting = { readonly parser: "typescript" | "markdown"; readonly printWidth: number; readonly proseWrap?: "preserve" };

const typescript: Formatting = { parser: "typescript", printWidth: 120 };
const markdown: Formatting = { parser: "markdown", printWidth: 120, proseWrap: "preserve" };

/**
 * All generated files of a library, formatted with Prettier. Each file ends with a digest of its
 * unformatted text and the formatting; when `previous` gives a file with the same digest, it is
 * reused as it is, so a rebuild formats only what changed. The result is the same either way.
 */
export async function renderOutputs(
  result: CompileResult,
  dirs: OutputDirs,
  previous: (path: string) => string | undefined = () => undefined,
): Promise<OutputFile[]> {
  const raw: { path: string; text: string; formatting: Formatting }[] = [];
  for (const compiled of result.policies) {
    const source = compiled.policy.span.file.split("\\").join("/");
    if (dirs.code !== undefined) raw.push({ path: join(dirs.code, moduleFileName(compiled.policy.name)), text: generateModule(compiled, source), formatting: typescript });
    raw.push({ path: join(dirs.docs, "policies", docsFileName(compiled.policy.name)), text: generatePolicyPage(compiled, result.scopes), formatting: markdown });
  }
  raw.push({ path: join(dirs.docs, "index.md"), text: generateIndex(result.policies), formatting: markdown });
  raw.push({ path: join(dirs.docs, "criteria.md"), text: generateCriteriaReport(result.policies), formatting: markdown });

  const files: OutputFile[] = [];
  let prettier: typeof import("prettier") | undefined;
  for (const { path, text, formatting } of raw) {
    const source = digest(text, formatting);
    const old = previous(path);
    // Reused only if it is still exactly what was written: a file edited by hand is rebuilt.
    const match = old === undefined ? null : digestPattern.exec(old.slice(old.lastIndexOf("\n", old.length - 2) + 1));
    if (old !== undefined && match && (match[1] ?? match[3]) === source && (match[2] ?? match[4]) === contentDigest(old.slice(0, old.length - match[0].length))) {
      files.push({ path, text: old });
      continue;
    }
    // Prettier is large: it is loaded only when there is output to format.
    prettier ??= await import("prettier");
    const cut = formatting.parser === "typescript" ? text.indexOf(compiledSectionMarker) : -1;
    const body = cut === -1 ? await prettier.format(text, formatting) : `${await prettier.format(text.slice(0, cut), formatting)}\n${text.slice(cut)}`;
    const digestLine = formatting.parser === "typescript" ? `// polc digest: ${source} ${contentDigest(body)}\n` : `<!-- polc digest: ${source} ${contentDigest(body)} -->\n`;
    files.push({ path, text: body + digestLine });
  }
  return files;
}

/** The last line of a generated file: the digest of what it was made from, then of what it holds. */
const digestPattern = /^(?:\/\/ polc digest: (\w+) (\w+)|<!-- polc digest: (\w+) (\w+) -->)\n$/;

function contentDigest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

function digest(text: string, formatting: Formatting): string {
  return createHash("sha256").update(`${prettierVersion}\u0000${JSON.stringify(formatting)}\u0000${text}`).digest("hex").slice(0, 16);
}

export class BuildRefusal extends Error {}

function isGenerated(text: string): boolean {
  return text.startsWith(generatedBanner) || text.startsWith(docsBanner);
}

/**
 * Writes the outputs. Refuses, before writing anything, when a target exists that polc did not
 * generate; removes generated files that no policy produces any more.
 */
export function writeOutputs(files: readonly OutputFile[], dirs: OutputDirs, base: string): { written: string[]; removed: string[] } {
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
  for (const dir of [...(dirs.code === undefined ? [] : [dirs.code]), join(dirs.docs, "policies"), dirs.docs]) {
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
