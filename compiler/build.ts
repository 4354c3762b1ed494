/**
 * Turns a compiled library into files: text generation is pure; writing is here. The output of a
 * build depends on nothing but its sources. Writing never loses a user's work:
 *   - every output is written to a temporary file created exclusively (never through a link),
 *     then renamed into place;
 *   - a file polc did not generate is never replaced, and a target that is a link, or read-only,
 *     is refused, all before anything is written;
 *   - each output folder keeps a manifest of what the build wrote there, and only a file the
 *     previous build recorded (and that still carries the banner) is ever removed, by name.
 */
import { noProgress, type Progress } from "./progress.js";
import { accessSync, closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { policySlug, type CompileResult } from "./compile.js";
import type { IrModule, IrPolicy } from "./ir.js";
import { emitLibrary, generatedBanner, type PolicyLayout } from "./typescript/modules.js";
import { docsBanner, docsFileName, generateCriteriaReport, generateIndex, generatePolicyPage } from "./generate-docs.js";
import { emitJavaScript } from "./typescript/emit-js.js";
import { loadPolicies } from "./load-modules.js";
import { determinationSchema, inputSchema, type JsonSchema } from "../json-schema/index.js";
import { libraryCoverage } from "./tools/docs-coverage.js";

/** The folder of the pol package polc runs from (a source checkout, or the installed package). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The runtime in a source checkout of pol (its TypeScript sources, imported as `.js`). */
const checkoutRuntime = resolve(packageRoot, "runtime", "index.js");

/**
 * Whether polc runs from a source checkout of pol rather than from an installed package: then the
 * modules it writes import that checkout's runtime by path, so that pol's own build and tests run
 * without pol installed into itself. From an installed package, modules import `pol/runtime`.
 */
export const runsFromCheckout = existsSync(resolve(packageRoot, "runtime", "index.ts"));

/** How a module imports the runtime from an installed package: by the package's name. */
export const runtimePackage = "pol/runtime";

/** The declarations of the runtime that modules import, for `--emit js` (types of the emitted `.d.ts`). */
export const runtimeTypes = runsFromCheckout ? resolve(packageRoot, "runtime", "index.ts") : resolve(packageRoot, "dist", "runtime", "index.d.ts");

/** Where outputs go; without `code`, only the Markdown is rendered and kept up to date. */
export interface OutputDirs {
  readonly code?: string;
  readonly docs: string;
  /** The modules as TypeScript (the default), or as plain ES modules with `.d.ts` beside them. */
  readonly emit?: "ts" | "js";
  /** How modules import the runtime: a package name or path; by default see `runsFromCheckout`. */
  readonly runtime?: string;
}

export interface OutputFile {
  /** Path relative to the working folder (`generated/…` or `docs/…`), with `/` between parts. */
  readonly path: string;
  readonly text: string;
}

export class BuildRefusal extends Error {}

export { policySlug };

/**
 * Where each module goes under the output folder: a `.pol` file's module mirrors the file's place
 * in the library (`common/history.pol` → `common/history.pol.ts`), a policy's module is named by
 * its id (`nia-cg-300.ts`), so the two can never be the same file.
 */
export function outputLayout(result: CompileResult, codeDir: string, base: string, runtime?: string): PolicyLayout {
  const files = [...result.files.keys()].map((f) => resolve(base, f));
  const root = commonFolder(files);
  const outDir = resolve(base, codeDir);
  // Asked for at every name a module imports: worked out once per module.
  const paths = new Map<IrModule, string>();
  const modulePath = (m: IrModule) => {
    let path = paths.get(m);
    if (path === undefined) paths.set(m, (path = `${toPosix(relative(root, resolve(base, m.file)))}.ts`));
    return path;
  };
  return {
    modulePath,
    policyPath: (p: IrPolicy) => `${policySlug(p.id)}.ts`,
    runtimeSpecifier: (from: string) => {
      if (runtime !== undefined) return runtime;
      if (!runsFromCheckout) return runtimePackage;
      const rel = toPosix(relative(dirname(join(outDir, from)), checkoutRuntime));
      return rel.startsWith(".") ? rel : `./${rel}`;
    },
  };
}

function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) return process.cwd();
  let common = dirname(paths[0]).split(sep);
  for (const p of paths.slice(1)) {
    const parts = dirname(p).split(sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(sep) || sep;
}

function toPosix(path: string): string {
  return path.split(sep).join("/");
}

/**
 * All generated files of a library. Modules and pages are generated already laid out as Prettier
 * lays them out (`typescript/code.ts`, `markdown-tables.ts`; a test holds them to Prettier's
 * output), so a build runs no formatter. `--emit js` alone formats: TypeScript's emitter writes
 * the JavaScript, and Prettier lays it out as before.
 */
export async function renderOutputs(result: CompileResult, dirs: OutputDirs, base = process.cwd(), progress: Progress = noProgress): Promise<OutputFile[]> {
  const files: OutputFile[] = [];
  const schemas: OutputFile[] = [];
  let javascript: OutputFile[] = [];
  if (dirs.code !== undefined && result.library) {
    const layout = outputLayout(result, dirs.code, base, dirs.runtime);
    const modules = emitLibrary(result.library, layout, "typescript");
    if (dirs.emit === "js") {
      const layoutRuntime = dirs.runtime ?? (runsFromCheckout ? undefined : runtimePackage);
      javascript = (await emitJavaScript(modules, resolve(base, dirs.code), layoutRuntime)).map((m) => ({ path: toPosix(join(dirs.code!, m.path)), text: m.text }));
    } else for (const m of modules) files.push({ path: toPosix(join(dirs.code, m.path)), text: m.text });
    // Each policy's JSON Schemas beside its module, from the policy as the runtime runs it.
    for (const [id, policy] of loadPolicies(result)) {
      for (const [kind, schema] of [["input", inputSchema(policy)], ["determination", determinationSchema(policy)]] as const) {
        schemas.push({ path: toPosix(join(dirs.code, `${policySlug(id)}.${kind}.schema.json`)), text: schemaFileText(schema) });
      }
    }
  }
  for (const compiled of result.policies) {
    files.push({ path: toPosix(join(dirs.docs, "policies", docsFileName(compiled.policy.name))), text: generatePolicyPage(compiled, result.checked) });
  }
  files.push({ path: toPosix(join(dirs.docs, "index.md")), text: generateIndex(result.policies) });
  files.push({ path: toPosix(join(dirs.docs, "criteria.md")), text: generateCriteriaReport(result.policies, libraryCoverage(result, base)) });
  refuseCollisions([...javascript, ...files, ...schemas].map((f) => f.path), result);
  if (javascript.length) {
    progress.phase("formatting the JavaScript", javascript.length);
    // Prettier is large: it is loaded only for `--emit js`.
    const prettier = await import("prettier");
    for (const [i, file] of javascript.entries()) {
      progress.step();
      javascript[i] = { path: file.path, text: await prettier.format(file.text, { parser: "typescript", printWidth: 120 }) };
    }
  }
  // Modules, then pages, then schemas: the order builds have always listed them in.
  return [...javascript, ...files, ...schemas];
}

/** Two outputs at one path (or paths that differ only in case, one file on many systems) would overwrite each other. */
function refuseCollisions(paths: readonly string[], result: CompileResult): void {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const path of paths) {
    const key = path.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) clashes.push(first === path ? path : `${first} and ${path}`);
    else seen.set(key, path);
  }
  if (clashes.length === 0) return;
  const ids = result.policies.map((p) => p.policy.name);
  const clashing = ids.filter((id) => ids.some((other) => other !== id && policySlug(other) === policySlug(id)));
  throw new BuildRefusal(
    `two outputs would be written to the same file:\n${clashes.map((c) => `  ${c}`).join("\n")}\n${
      clashing.length ? `the policies ${clashing.join(", ")} differ only in case or punctuation; rename one` : "rename one of the files they come from"
    }`,
  );
}

function isGenerated(text: string): boolean {
  return text.startsWith(generatedBanner) || text.startsWith(docsBanner) || text.startsWith(schemaBanner);
}

/** How a generated JSON file begins: JSON has no comments, so the banner is its first member. */
const schemaBanner = '{\n  "$comment": "Generated by polc — do not edit.';

function schemaFileText(schema: JsonSchema): string {
  return `${JSON.stringify({ $comment: "Generated by polc — do not edit. Rebuild with polc build.", ...schema }, null, 2)}\n`;
}

/**
 * The file in each output folder that lists what builds wrote there: for each library (the folder
 * of `.pol` files it was built from) and each kind of output (modules, docs), the files of the
 * last build. A build removes only what its own entry lists, so two libraries, or a library's
 * modules and its docs, can share a folder.
 */
export const manifestName = ".polc-outputs";

type Manifest = Record<string, string[]>;

function readManifest(dir: string): Manifest {
  try {
    const data = JSON.parse(readFileSync(join(dir, manifestName), "utf8")) as unknown;
    if (data === null || typeof data !== "object" || Array.isArray(data)) return {};
    const manifest: Manifest = {};
    for (const [key, files] of Object.entries(data)) {
      if (Array.isArray(files)) manifest[key] = files.filter((x): x is string => typeof x === "string" && !x.split("/").includes(".."));
    }
    return manifest;
  } catch {
    return {};
  }
}

/**
 * Writes the outputs of the library built from `library` (its folder, as the manifest names it).
 * Refuses, before writing anything, when a target exists that polc did not generate, is a link or
 * cannot be written; removes files that the library's previous build wrote and this one does not,
 * naming each.
 */
export function writeOutputs(
  files: readonly OutputFile[],
  dirs: OutputDirs,
  base: string,
  library = "policies",
): { written: string[]; removed: string[]; temporariesRemoved: string[] } {
  const outputDirs: { dir: string; kind: "modules" | "docs" }[] = [...(dirs.code === undefined ? [] : [{ dir: dirs.code, kind: "modules" as const }]), { dir: dirs.docs, kind: "docs" }];
  const isIn = (path: string, dir: string) => path.startsWith(`${toPosix(dir).replace(/\/$/, "")}/`);
  const kindOf = (path: string) => (/\.(ts|js|json)$/.test(path) && dirs.code !== undefined && isIn(path, dirs.code) ? "modules" : "docs");
  const refusals: string[] = [];
  for (const { dir } of outputDirs) {
    const absolute = resolve(base, dir);
    try {
      mkdirSync(absolute, { recursive: true });
      accessSync(absolute, constants.W_OK);
    } catch {
      refusals.push(`${dir}: cannot create or write to this folder`);
    }
  }
  for (const file of files) {
    const target = resolve(base, file.path);
    const info = lstatOrUndefined(target);
    if (!info) continue;
    if (info.isSymbolicLink()) refusals.push(`${file.path}: is a link; polc writes only plain files`);
    else if (!info.isFile()) refusals.push(`${file.path}: is not a file`);
    else if (!isGenerated(readFileSync(target, "utf8"))) refusals.push(`${file.path}: polc did not generate it`);
    else if ((Number(info.mode) & 0o222) === 0 || !canWrite(target)) refusals.push(`${file.path}: is read-only`);
  }
  if (refusals.length) {
    throw new BuildRefusal(`refusing to write the outputs, nothing was written:\n${refusals.map((r) => `  ${r}`).join("\n")}\nmove them away or choose other output folders with --out / --docs`);
  }
  const temporariesRemoved = removeStaleTemporaries([
    ...files.map((f) => resolve(base, f.path)),
    ...outputDirs.map(({ dir }) => join(resolve(base, dir), manifestName)),
  ]).map((path) => toPosix(relative(base, path)));
  const written: string[] = [];
  for (const file of files) {
    const target = resolve(base, file.path);
    mkdirSync(dirname(target), { recursive: true });
    if (existsSync(target) && readFileSync(target, "utf8") === file.text) continue;
    writeAtomically(target, file.text);
    written.push(file.path);
  }
  const removed: string[] = [];
  for (const { dir, kind } of outputDirs) {
    const absolute = resolve(base, dir);
    const key = `${library} ${kind}`;
    const mine = files.filter((f) => isIn(f.path, dir) && kindOf(f.path) === kind).map((f) => toPosix(relative(absolute, resolve(base, f.path))));
    const wanted = new Set(mine);
    const manifest = readManifest(absolute);
    for (const old of manifest[key] ?? []) {
      if (wanted.has(old)) continue;
      const path = resolve(absolute, old);
      const info = lstatOrUndefined(path);
      if (info?.isFile() && isGenerated(readFileSync(path, "utf8"))) {
        rmSync(path);
        removed.push(toPosix(relative(base, path)));
      }
    }
    manifest[key] = [...mine].sort();
    const text = `${JSON.stringify(Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), null, 2)}\n`;
    const manifestPath = join(absolute, manifestName);
    if (!existsSync(manifestPath) || readFileSync(manifestPath, "utf8") !== text) writeAtomically(manifestPath, text);
  }
  return { written, removed, temporariesRemoved };
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

let temporaries = 0;

/** A temporary file of `writeAtomically` beside a target: `<target>.<pid>.<n>.tmp`. */
function temporaryPattern(target: string): RegExp {
  return new RegExp(`^${basename(target).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(\\d+)\\.\\d+\\.tmp$`);
}

/**
 * Removes the temporary files that an interrupted build (killed before it could rename them)
 * left beside these targets, and names them. A file is removed only when everything says a
 * build made it: its name is a target's followed by `.<pid>.<n>.tmp`, no process with that pid
 * runs (a build still running keeps its own), it is a plain file (not a link), and it holds
 * nothing, or the start of generated output (a banner, or a manifest's JSON).
 */
function removeStaleTemporaries(targets: readonly string[]): string[] {
  const byDir = new Map<string, string[]>();
  for (const target of targets) {
    const dir = dirname(target);
    const list = byDir.get(dir);
    if (list) list.push(target);
    else byDir.set(dir, [target]);
  }
  const removed: string[] = [];
  for (const [dir, dirTargets] of byDir) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    const candidates = names.filter((n) => n.endsWith(".tmp"));
    if (candidates.length === 0) continue;
    for (const target of dirTargets) {
      const pattern = temporaryPattern(target);
      for (const name of candidates) {
        const match = pattern.exec(name);
        if (!match || isRunning(Number(match[1]))) continue;
        const path = join(dir, name);
        const info = lstatOrUndefined(path);
        if (!info?.isFile() || info.size > 64 * 1024 * 1024) continue;
        const text = readFileSync(path, "utf8");
        const made = basename(target) === manifestName ? text === "" || text.startsWith("{") : startsAsGenerated(text);
        if (!made) continue;
        rmSync(path);
        removed.push(path);
      }
    }
  }
  return removed.sort();
}

/** Text that is empty, a banner's start, or starts with a banner: what a build writes first. */
function startsAsGenerated(text: string): boolean {
  return [generatedBanner, docsBanner].some((banner) => banner.startsWith(text) || text.startsWith(banner));
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists, under another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Writes through a temporary file created exclusively beside the target (so never through a link), then renames it into place. */
export function writeAtomically(target: string, text: string): void {
  for (;;) {
    const temporary = `${target}.${process.pid}.${temporaries++}.tmp`;
    let fd: number;
    try {
      fd = openSync(temporary, "wx");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw e;
    }
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(temporary, target);
    } catch (e) {
      rmSync(temporary, { force: true });
      throw e;
    }
    return;
  }
}
