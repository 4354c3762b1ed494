/**
 * Where a library's case files are, by one convention that `polc test`, coverage, lint, the docs
 * and the test suite all share:
 *   - the cases root is `--cases DIR` when given; otherwise the first of `LIBRARY/cases/`,
 *     `cases/` beside the library folder and `test/cases/` beside it that exists;
 *   - under the root, a policy's cases are the `.json` files (at any depth) of the folder named
 *     for the policy's module: `NIA_CG_300` → `nia-cg-300/`.
 * So adding a policy and a folder of cases needs no other edit.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { policySlug } from "../compile.js";

/** The folder a policy's case files go in, under the cases root. */
export function caseFolderName(policyId: string): string {
  return policySlug(policyId);
}

/** The cases root of a library folder by the convention above, or undefined when there is none. */
export function findCasesRoot(library: string, explicit?: string): string | undefined {
  if (explicit !== undefined) return explicit;
  const folder = resolve(library);
  const beside = dirname(folder);
  const candidates = [join(folder, "cases"), ...(beside === folder ? [] : [join(beside, "cases"), join(beside, "test", "cases")])];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isDirectory());
  return found === undefined ? undefined : relative(process.cwd(), found) || ".";
}

/** Every `.json` file under a folder (or the file itself), sorted. */
export function jsonFilesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return path.endsWith(".json") ? [path] : [];
  const found: string[] = [];
  for (const name of readdirSync(path).sort()) {
    const full = join(path, name);
    if (statSync(full).isDirectory()) found.push(...jsonFilesUnder(full));
    else if (name.endsWith(".json")) found.push(full);
  }
  return found;
}

export interface CaseFolders {
  readonly root: string;
  /** The case files of each policy that has a folder, by policy id. */
  readonly byPolicy: ReadonlyMap<string, readonly string[]>;
  /** Folders under the root named for no policy of the library. */
  readonly strays: readonly string[];
}

/** The case files of each policy of a library under a cases root. */
export function caseFolders(root: string, policyIds: readonly string[]): CaseFolders {
  const bySlug = new Map(policyIds.map((id) => [caseFolderName(id), id]));
  const byPolicy = new Map<string, string[]>();
  const strays: string[] = [];
  if (existsSync(root) && statSync(root).isDirectory()) {
    for (const name of readdirSync(root).sort()) {
      const full = join(root, name);
      if (!statSync(full).isDirectory()) continue;
      const id = bySlug.get(name);
      if (id === undefined) strays.push(full);
      else byPolicy.set(id, jsonFilesUnder(full));
    }
  }
  return { root, byPolicy, strays };
}

/** The policy a case file is for: the folder under the root it stands in. */
export function policyOfCaseFile(root: string, file: string, policyIds: readonly string[]): string | undefined {
  const rel = relative(resolve(root), resolve(file));
  const first = rel.split(/[\\/]/)[0];
  const byFolder = policyIds.find((id) => caseFolderName(id) === first);
  return byFolder ?? policyIds.find((id) => caseFolderName(id) === basename(dirname(file)));
}
