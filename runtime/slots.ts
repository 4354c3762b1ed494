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
 * the policy (every one it reaches), then whether each requirement applies, for the few asked it
 * (exclusions, contraindications, services not covered). A policy loaded after others does not
 * pay for their slots twice; it needs no room for theirs that come after it.
 */
export class ValueLayout {
  /** Every slot the policy reaches is below it: its modules were loaded before it. */
  readonly bound = slots;
  /** By requirement slot, one more than its place after the bound; 0 while it has none. */
  private applies = new Int32Array(0);
  private appliesCount = 0;

  /** How long a new evaluation's array is. */
  get size(): number {
    return this.bound + this.appliesCount;
  }

  /** Where whether a requirement applies is kept. */
  appliesPlace(slot: number): number {
    const place = slot < this.applies.length ? this.applies[slot] : 0;
    return this.bound + (place > 0 ? place : this.giveApplies(slot)) - 1;
  }

  private giveApplies(slot: number): number {
    if (slot >= this.applies.length) {
      const grown = new Int32Array(Math.max(slots, slot + 1));
      grown.set(this.applies);
      this.applies = grown;
    }
    return (this.applies[slot] = ++this.appliesCount);
  }
}
