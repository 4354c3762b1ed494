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
