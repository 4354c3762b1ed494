/**
 * Every fact, requirement and remembered definition of every loaded module has a slot: where one
 * evaluation keeps what it has worked out for it. Slots are numbered across modules, so that a
 * definition compiled once into a shared module is remembered the same way in every policy.
 */
let slots = 0;

export function allocateSlot(): number {
  return slots++;
}

/** How many slots the modules loaded so far have taken. */
export function slotCount(): number {
  return slots;
}

/**
 * Where a policy's evaluations keep what they work out: the slots of the modules loaded before
 * the policy (every one it reaches). A policy loaded after others needs no room for theirs that
 * come after it.
 */
export class ValueLayout {
  /** Every slot the policy reaches is below it: its modules were loaded before it. */
  readonly bound = slots;

  /** How long a new evaluation's array is. */
  get size(): number {
    return this.bound;
  }
}
