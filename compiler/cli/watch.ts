/**
 * `--watch` for check, build and test: runs the command, then again after each save under the
 * folders it reads, and prints only what changed since the run before — the lines that are new
 * (`+`) and those that went away (`-`), then the run's last line (its summary).
 */
import { watch, existsSync, statSync, type FSWatcher } from "node:fs";
import { dirname } from "node:path";
import type { Io } from "./command-support.js";

export interface WatchOptions {
  /** Files and folders whose changes start a new run. */
  readonly paths: readonly string[];
  /** One run of the command, writing to the Io given; resolves to its exit code. */
  readonly run: (io: Io) => Promise<number>;
  readonly io: Io;
  /** Stops watching (Ctrl-C does too). */
  readonly signal?: AbortSignal;
  /** How long to wait after a change for the rest of a save. */
  readonly settleMs?: number;
}

interface Output {
  readonly lines: string[];
  readonly code: number;
}

async function runBuffered(run: WatchOptions["run"]): Promise<Output> {
  const lines: string[] = [];
  const push = (text: string) => lines.push(...text.replace(/\n$/, "").split("\n"));
  const code = await run({ out: push, err: push });
  return { lines, code };
}

/** What changed between two runs' outputs, as `+ line` and `- line`, in order. */
export function outputChanges(before: readonly string[], after: readonly string[]): string[] {
  const count = (lines: readonly string[]) => {
    const m = new Map<string, number>();
    for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
    return m;
  };
  const was = count(before);
  const now = count(after);
  const added: string[] = [];
  const removed: string[] = [];
  for (const l of after) {
    const n = was.get(l) ?? 0;
    if (n > 0) was.set(l, n - 1);
    else added.push(`+ ${l}`);
  }
  for (const l of before) {
    const n = now.get(l) ?? 0;
    if (n > 0) now.set(l, n - 1);
    else removed.push(`- ${l}`);
  }
  return [...removed, ...added];
}

export async function watchLoop(options: WatchOptions): Promise<number> {
  const { io } = options;
  let last = await runBuffered(options.run);
  for (const line of last.lines) io.out(line);
  io.out(`watching ${options.paths.join(", ")} (Ctrl-C to stop)`);

  return new Promise<number>((resolvePromise) => {
    const watchers: FSWatcher[] = [];
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    let again = false;
    const stop = () => {
      for (const w of watchers) w.close();
      if (timer) clearTimeout(timer);
      process.off("SIGINT", stop);
      resolvePromise(last.code);
    };
    const rerun = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      const next = await runBuffered(options.run);
      const changes = outputChanges(last.lines, next.lines);
      const summary = next.lines[next.lines.length - 1] ?? "";
      const time = new Date().toISOString().slice(11, 19);
      if (changes.length === 0) io.out(`[${time}] no change: ${summary}`);
      else {
        io.out(`[${time}] changed:`);
        for (const c of changes) io.out(c);
      }
      last = next;
      running = false;
      if (again && !options.signal?.aborted) {
        again = false;
        void rerun();
      }
    };
    const changed = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void rerun(), options.settleMs ?? 150);
    };
    for (const path of options.paths) {
      if (!existsSync(path)) continue;
      const folder = statSync(path).isDirectory();
      watchers.push(watch(folder ? path : dirname(path), { recursive: folder }, changed));
    }
    options.signal?.addEventListener("abort", stop, { once: true });
    process.once("SIGINT", stop);
  });
}
