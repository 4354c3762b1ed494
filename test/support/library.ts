/**
 * The real policy library, read at test time (other people edit it while the tests run, so it is
 * never copied into the tests). Keys are paths relative to policies/, as compileText expects.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const policiesDir = join(repoRoot, "policies");

/** Every .pol file under policies/, sorted, as path → text. */
export function readLibrary(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".pol")) files[relative(policiesDir, full).split("\\").join("/")] = readFileSync(full, "utf8");
    }
  };
  walk(policiesDir);
  return files;
}
