/**
 * An output folder given on the command line (`--out`, `--docs`), checked before anything is
 * compiled: a path that names a file, or a folder that cannot be created or written, is a usage
 * error with a message saying which, never an internal error.
 */
import { accessSync, constants, existsSync, mkdirSync, rmdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UsageError } from "./main.js";

const reasons: ReadonlyMap<string, string> = new Map([
  ["EACCES", "permission denied"],
  ["EPERM", "not permitted"],
  ["EROFS", "the file system is read-only"],
  ["ENOTDIR", "a part of the path is a file, not a folder"],
  ["EEXIST", "a file of that name is in the way"],
  ["ENOENT", "a part of the path cannot hold folders"],
  ["ENOSPC", "no space left"],
]);

export function checkOutputFolder(option: string, path: string): void {
  const fail = (why: string): never => {
    throw new UsageError(`${option} ${path}: ${why}; give a folder polc can create and write to`);
  };
  let info;
  try {
    info = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    if (code !== "ENOENT") fail(reasons.get(code) ?? `cannot be read (${code})`);
  }
  if (info && !info.isDirectory()) fail("is a file, not a folder");
  if (!info) {
    // Tried, then taken away again, so that a build refused later leaves nothing behind; one level
    // at a time, since Node's recursive mkdir retries for ever where a folder cannot be made (/proc).
    const missing: string[] = [];
    for (let at = resolve(path); !existsSync(at); at = dirname(at)) {
      missing.unshift(at);
      if (dirname(at) === at) break;
    }
    const made: string[] = [];
    try {
      for (const folder of missing) {
        mkdirSync(folder);
        made.unshift(folder);
      }
      accessSync(path, constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "";
      fail(`cannot create this folder (${reasons.get(code) ?? code})`);
    } finally {
      for (const folder of made) rmdirSync(folder);
    }
    return;
  }
  try {
    accessSync(path, constants.W_OK);
  } catch {
    fail("cannot write to this folder");
  }
}
