/**
 * Evaluating a request against a policy: validate it, run the policy's compiled requirements in
 * one context (recording the trace when asked), and build the determination.
 */
import type { Determination, EvaluateOptions } from "./determination.js";
import type { Policy } from "./policy.js";
import { Context } from "./context.js";
import { determine } from "./determine.js";
import { InputError, readInput } from "./validate.js";

/**
 * Reads and validates the request, then evaluates it; throws InputError listing every problem.
 * The request is read once: validation takes out the facts that evaluation then uses.
 */
export function evaluate(policy: Policy, input: unknown, options: EvaluateOptions = {}): Determination {
  const read = readInput(policy, input);
  if (read.problems.length > 0) throw new InputError(read.problems);
  const tracing = options.trace !== false;
  const c = new Context(read, tracing, policy);
  const determination = determine(policy, c, options.state ?? null);
  return tracing ? { ...determination, trace: c.trace } : determination;
}
