/**
 * Definitions as generated modules declare them. Definitions are pure, so one without
 * parameters is worked out once per evaluation, and one over a list once per list it is given;
 * the context remembers the value (and, with the trace on, the facts it read).
 */
import type { Context } from "./context.js";
import type { Value } from "./values.js";
import { allocateSlot } from "./slots.js";

/** Where a definition is written, so that a coverage run can name the definitions an evaluation worked out. */
export interface DefinitionSite {
  readonly name: string;
  readonly source: string;
  readonly line: number;
}

/** A definition without parameters. */
export function define(body: (c: Context) => Value, site?: DefinitionSite): (c: Context) => Value {
  const slot = allocateSlot();
  return (c) => c.remember(slot, body, site);
}

/** A definition with parameters, remembered per argument values (lists by identity). */
export function defineOver<A extends Value[]>(body: (c: Context, ...args: A) => Value, site?: DefinitionSite): (c: Context, ...args: A) => Value {
  const slot = allocateSlot();
  return (c, ...args) => c.rememberWith(slot, args, () => body(c, ...args), site);
}
