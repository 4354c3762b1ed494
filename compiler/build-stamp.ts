/**
 * Whether a build would change nothing: a digest of everything a build reads (polc itself, its
 * options, every `.pol` file it compiled or finds now, every case file the docs' coverage runs)
 * and of every output as written, kept in the docs folder's manifest. Files count by path, size
 * and modification time (as make and ninja count them; a save, a checkout or a copy changes the
 * time). When the inputs give the same digest and every output on disk is still the file the
 * build wrote, `polc build` has nothing to do and says so without compiling. Anything else (a
 * changed, added or removed file, an output edited or removed by hand, another polc) builds in
 * full.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { manifestName, writeAtomically } from "./build.js";

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

const stampKey = (library: string) => `${library} build`;

/** The stamp the last build of this library left in the docs folder, if any. */
export function readStamp(docsDir: string, library: string): BuildStamp | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(docsDir, manifestName), "utf8")) as Record<string, unknown>;
    const entry = Object.hasOwn(manifest, stampKey(library)) ? manifest[stampKey(library)] : undefined;
    if (!Array.isArray(entry) || typeof entry[0] !== "string") return undefined;
    const stamp = JSON.parse(entry[0]) as BuildStamp;
    return typeof stamp.inputs === "string" && Array.isArray(stamp.sources) && Array.isArray(stamp.outputs) ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/** Records a build's stamp in the docs folder's manifest (beside the lists of outputs). */
export function writeStamp(docsDir: string, library: string, stamp: BuildStamp): void {
  const path = join(docsDir, manifestName);
  const manifest = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>) : {};
  manifest[stampKey(library)] = [JSON.stringify(stamp)];
  const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const text = `${JSON.stringify(sorted, null, 2)}\n`;
  if (!existsSync(path) || readFileSync(path, "utf8") !== text) writeAtomically(path, text);
}

/** The outputs as written (each file's path, size and time), as the stamp records them. */
export function outputStates(files: readonly { path: string }[], base: string): [string, string][] {
  return files.map((f) => [f.path, fileState(resolve(base, f.path))]);
}

/** Whether every output the stamp lists is on disk as the build wrote it. */
export function outputsIntact(stamp: BuildStamp, base: string): boolean {
  return stamp.outputs.every(([path, state]) => fileState(resolve(base, path)) === state);
}
