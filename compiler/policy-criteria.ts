/**
 * A policy as a criterion of another (`meets NCD_160_7`): the policies that read each other's
 * determination in a loop could never be decided, so each loop is refused, named in full.
 */
import type { IrPolicy } from "./ir.js";
import { reach } from "./lower.js";

/** Each loop of policies that consult each other through `meets`, once, starting at its first policy by id. */
export function policyCycles(policies: readonly IrPolicy[]): IrPolicy[][] {
  const edges = new Map<IrPolicy, IrPolicy[]>();
  for (const p of policies) edges.set(p, [...new Set([...reach(p.sections, p.services, p.overlays).consults.values()].flat())]);
  const cycles: IrPolicy[][] = [];
  const seen = new Set<string>();
  for (const start of [...policies].sort((a, b) => a.id.localeCompare(b.id))) {
    // The shortest way back to `start`, breadth first.
    const from = new Map<IrPolicy, IrPolicy | null>([[start, null]]);
    const queue: IrPolicy[] = [start];
    let back: IrPolicy | undefined;
    while (queue.length > 0 && !back) {
      const next = queue.shift()!;
      for (const q of edges.get(next) ?? []) {
        if (q === start) {
          back = next;
          break;
        }
        if (!from.has(q)) {
          from.set(q, next);
          queue.push(q);
        }
      }
    }
    if (!back) continue;
    const loop: IrPolicy[] = [];
    for (let at: IrPolicy | null = back; at; at = from.get(at) ?? null) loop.unshift(at);
    const key = [...loop].map((p) => p.id).sort().join(" ");
    if (seen.has(key)) continue;
    seen.add(key);
    cycles.push(loop);
  }
  return cycles;
}
