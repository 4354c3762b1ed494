/**
 * Worker threads that check inputs with a deadline each: an input still running after it is a
 * hang, its worker is stopped and a fresh one started. The stack of each worker is the main
 * thread's, as when polc runs (see test/support/isolated.ts).
 */
import { Worker } from "node:worker_threads";
import type { CheckOutcome } from "./check-one.js";

export type PoolOutcome = CheckOutcome & { readonly hung?: boolean };

interface Slot {
  worker: Worker;
  ready: Promise<void>;
}

export class CheckPool {
  private readonly slots: Slot[] = [];
  private next = 0;

  constructor(
    size: number,
    private readonly deadlineMs: number,
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.start());
  }

  private start(): Slot {
    const worker = new Worker(new URL("./check-worker.mjs", import.meta.url), { resourceLimits: { stackSizeMb: 1.15 } });
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: { ready?: boolean }) => {
        if (!m.ready) return;
        worker.off("message", onMessage);
        resolve();
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
    });
    return { worker, ready };
  }

  /** Checks the library with `changes` on worker `slot` (0 … size - 1): one input at a time per slot. */
  async check(slot: number, changes: Readonly<Record<string, string>>, entry: string, mustFail: boolean): Promise<PoolOutcome> {
    const s = this.slots[slot];
    await s.ready;
    const id = this.next++;
    return new Promise((resolve) => {
      const finish = (outcome: PoolOutcome) => {
        clearTimeout(timer);
        s.worker.off("message", onMessage);
        s.worker.off("error", onError);
        resolve(outcome);
      };
      const restart = () => {
        void s.worker.terminate();
        const fresh = this.start();
        s.worker = fresh.worker;
        s.ready = fresh.ready;
      };
      const timer = setTimeout(() => {
        finish({ problems: [`hung for more than ${this.deadlineMs} ms`], ms: this.deadlineMs, diagnostics: 0, valid: false, hung: true });
        restart();
      }, this.deadlineMs);
      const onMessage = (m: CheckOutcome & { id: number }) => {
        if (m.id === id) finish(m);
      };
      const onError = (e: Error) => {
        finish({ problems: [`the worker died: ${e.message}`], ms: 0, diagnostics: 0, valid: false });
        restart();
      };
      s.worker.on("message", onMessage);
      s.worker.on("error", onError);
      s.worker.postMessage({ id, changes, entry, mustFail });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
