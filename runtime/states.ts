/**
 * The member's state: a US state, the District of Columbia or a US territory, by its two-letter
 * postal code in any case. Anything else is an input error, never a state whose overlays are
 * silently skipped.
 */

/** The 50 states, DC, and the territories with postal codes (American Samoa, Guam, the Northern Mariana Islands, Puerto Rico, the Virgin Islands, the Minor Outlying Islands). */
const stateCodes: ReadonlySet<string> = new Set([
  "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD",
  "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC",
  "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
  "DC", "AS", "GU", "MP", "PR", "VI", "UM",
]);

/** A state given to an evaluation that is not a US state or territory code. */
export class StateError extends Error {
  constructor(readonly given: unknown) {
    super(stateProblem(given));
    this.name = "StateError";
  }
}

/** What a state must be (for a message that may not quote what was sent, such as the service's). */
export const stateExpected = 'expected a US state or territory code such as "WA" (any case)';

/** What is wrong with a state that is not one, naming what was given. */
export function stateProblem(given: unknown): string {
  const shown = typeof given === "string" ? JSON.stringify(given) : given === null ? "null" : typeof given;
  return `${stateExpected}, got ${shown}`;
}

/** The state's code in capitals, or undefined when it is not a US state or territory code. */
export function stateCode(given: unknown): string | undefined {
  if (typeof given !== "string" || given.length !== 2) return undefined;
  const code = given.toUpperCase();
  return stateCodes.has(code) ? code : undefined;
}

/** The state's code in capitals; throws StateError when it is not one. */
export function checkedState(given: unknown): string {
  const code = stateCode(given);
  if (code === undefined) throw new StateError(given);
  return code;
}
