/**
 * Whether a build would change nothing: a digest of everything a build reads (polc itself, its
 * options, every `.pol` file it compiled or finds now, every case file the docs' coverage runs)
 * and of every output as written, kept in `node_modules/.cache/polc/` where polc runs (the usual
 * place for a tool's cache; nothing is kept, and every build is in full, where there is no
 * `node_modules`). The output folders stay as they were: their manifests are committed. Files count by path, size
 * and modification time (as make and ninja count them; a save, a checkout or a copy changes the
 * time). When the inputs give the same digest and every output on disk is still the file the
 * build wrote, `polc build` has nothing to do and says so without compiling. Anything else (a
 * changed, added or removed file, an output edited or removed by hand, another polc) builds in
 * full.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeAtomically } from "./build.js";

export interface BuildStamp {
  /** Digest of polc, the options and every input's path and text. */
  readonly inputs: string;
  readonly policies: number;
  /** The files compiled (imports outside the folder included) and the cases root, as read. */
  readonly sources: readonly string[];
  readonly casesRoot: string | undefined;
  /** Each output's path, and its size and time as written. */
  readonly outputs: readonly (readonly [string, string])[];
}

/**
 * polc's own code, by content: only when it runs from its bundle (a single file). From the
 * TypeScript sources a build never counts as up to date, since any source may have changed.
 */
function polcIdentity(): string | undefined {
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith(".mjs")) return undefined;
  return `${self}\u0000${fileState(self)}`;
}

/** A file's size and modification time, or that it is missing. */
function fileState(path: string): string {
  try {
    const s = statSync(path);
    return s.isFile() ? `${s.size} ${s.mtimeMs}` : "not a file";
  } catch {
    return "missing";
  }
}

/** Every `.json` file under a folder, sorted, with its state. */
function jsonStates(dir: string, out: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) jsonStates(path, out);
    else if (e.name.endsWith(".json")) out.push(`${path} ${fileState(path)}`);
  }
  return out;
}

/** The digest of a build's inputs, or undefined when polc runs from its sources. */
export function inputsDigest(options: readonly string[], sources: readonly string[], casesRoot: string | undefined, identity = polcIdentity()): string | undefined {
  if (identity === undefined) return undefined;
  const hash = createHash("sha256").update(identity).update(`\u0000${process.cwd()}\u0000${JSON.stringify(options)}`);
  for (const path of [...new Set(sources.map((s) => resolve(s)))].sort()) hash.update(`\u0000${path} ${fileState(path)}`);
  hash.update(`\u0000cases ${casesRoot ?? ""}`);
  if (casesRoot !== undefined) for (const state of jsonStates(casesRoot)) hash.update(`\u0000${state}`);
  return hash.digest("hex");
}

/** Where the stamp of a library's build into a docs folder is kept, or undefined without `node_modules`. */
function stampPath(base: string, docsDir: string, library: string): string | undefined {
  const modules = join(base, "node_modules");
  if (!existsSync(modules)) return undefined;
  const key = createHash("sha256").update(`${resolve(base, docsDir)}\u0000${library}`).digest("hex").slice(0, 24);
  return join(modules, ".cache", "polc", `build-${key}.json`);
}

/** The stamp the last build of this library into this docs folder left, if any. */
export function readStamp(base: string, docsDir: string, library: string): BuildStamp | undefined {
  const path = stampPath(base, docsDir, library);
  if (path === undefined) return undefined;
  try {
    const stamp = JSON.parse(readFileSync(path, "utf8")) as BuildStamp;
    return typeof stamp.inputs === "string" && Array.isArray(stamp.sources) && Array.isArray(stamp.outputs) ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/** Records a build's stamp (nothing without `node_modules`). */
export function writeStamp(base: string, docsDir: string, library: string, stamp: BuildStamp): void {
  const path = stampPath(base, docsDir, library);
  if (path === undefined) return;
  mkdirSync(dirname(path), { recursive: true });
  writeAtomically(path, `${JSON.stringify(stamp)}\n`);
}

/** The outputs as written (each file's path, size and time), as the stamp records them. */
export function outputStates(files: readonly { path: string }[], base: string): [string, string][] {
  return files.map((f) => [f.path, fileState(resolve(base, f.path))]);
}

/** Whether every output the stamp lists is on disk as the build wrote it. */
export function outputsIntact(stamp: BuildStamp, base: string): boolean {
  return stamp.outputs.every(([path, state]) => fileState(resolve(base, path)) === state);
}
