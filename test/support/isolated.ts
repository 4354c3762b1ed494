/**
 * Compiles in a worker thread with a deadline, so that a hang is reported as a hang instead of
 * stopping the test run, and a stack overflow as what it is. The worker's stack is the size of
 * the main thread's, as when polc runs: V8's default 984 KB, plus the 192 KB that Node keeps back
 * in a worker (so 1.15 MB; measured: the same depths crash here as with `node bin/polc.js check`).
 */
import { Worker } from "node:worker_threads";

export interface IsolatedResult {
  readonly ms: number;
  readonly threw?: string;
  readonly stack?: string;
  readonly hung?: boolean;
  readonly diagnostics: { code: string; message: string; hint?: string; span: { file: string; line: number; column: number; start: number; end: number } }[];
  readonly policies: string[];
}

export class IsolatedCompiler {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private next = 0;

  private start(): Promise<void> {
    this.worker = new Worker(new URL("./compile-worker.mjs", import.meta.url), { resourceLimits: { stackSizeMb: 1.15 } });
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      const onMessage = (m: { ready?: boolean }) => {
        if (m.ready) {
          worker.off("message", onMessage);
          worker.off("error", reject);
          resolve();
        }
      };
      worker.on("message", onMessage);
      worker.on("error", reject);
    });
  }

  async compile(files: Record<string, string>, entries?: string[], deadlineMs = 10_000): Promise<IsolatedResult> {
    this.ready ??= this.start();
    await this.ready;
    const worker = this.worker!;
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
      };
      const timer = setTimeout(() => {
        settle();
        // Stop the hung worker; the next compile starts a fresh one.
        void worker.terminate();
        this.worker = undefined;
        this.ready = undefined;
        resolve({ ms: deadlineMs, hung: true, diagnostics: [], policies: [] });
      }, deadlineMs);
      const onMessage = (m: IsolatedResult & { id: number }) => {
        if (m.id !== id) return;
        settle();
        resolve(m);
      };
      const onError = (e: Error) => {
        settle();
        this.worker = undefined;
        this.ready = undefined;
        reject(e);
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.postMessage({ id, files, entries });
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
    this.ready = undefined;
  }
}
