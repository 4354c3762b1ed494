/**
 * The assumptions a determination states: the facts declared absent unless documented that the
 * request leaves out and that decided something. The same request is evaluated once more with
 * nothing assumed; an assumed fact decided something exactly when that evaluation leaves a line
 * open on it (the contraindication it would otherwise ask about). An assumption read only by a
 * criterion that did not matter (a failed requirement decides the line anyway) is not stated.
 */
import type { Assumption, JsonValue } from "./determination.js";
import type { Context } from "./context.js";
import type { Policy } from "./policy.js";
import type { FactDescriptor } from "./schema.js";
import { evaluateSections, lineOutcome } from "./determine.js";
import { missingOf } from "./tri.js";

export function assumptionsOf(policy: Policy, c: Context, state: string | null): Assumption[] {
  if (c.assumed.length === 0) return [];
  const strict = c.withoutAssumptions(policy.facts);
  const { results, services } = evaluateSections(policy, strict, state);
  const open = lineOutcome(results).open;
  for (const line of services) open.push(...lineOutcome(line.results).open);
  if (open.length === 0) return [];
  const decided = missingOf(open);
  return c.assumed.filter((f) => decided.has(f.path)).map(assumption);
}

function assumption(f: FactDescriptor): Assumption {
  const value: JsonValue = f.type.t === "list" ? [] : false;
  return { fact: f.path, description: f.description, value, statement: `Not documented, so taken as absent: ${f.description}` };
}
