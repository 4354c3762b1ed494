/**
 * The bounds of the numbers pol accepts, in a policy and in a request, declared once: within
 * them every sum, difference and calendar step is a finite number, so that no evaluation ever
 * meets Infinity or NaN.
 */

/** The largest magnitude of a number: 10^15, every whole number up to it is exact in a double. */
export const maxMagnitude = 1e15;

/** The most digits a number written in a policy may have, before and after its point together. */
export const maxDigits = 15;

/** The largest amount of a duration, in any unit (100 000 years is still a calendar date's reach of arithmetic). */
export const maxDurationAmount = 100_000;
