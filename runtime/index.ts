/**
 * The runtime that generated policy modules import. It never imports the compiler.
 */
export type { Program, IrExpr, IrRequirement, IrSection, IrOverlay, FactSchema, FieldType } from "./program.js";
export type {
  Determination,
  Outcome,
  TruthValue,
  CriterionRef,
  PathwayResult,
  MissingFact,
  OverlayResult,
  TraceEntry,
  EvaluateOptions,
  JsonValue,
} from "./determination.js";
export { evaluateProgram } from "./evaluate.js";
export { validateInput, InputError, type InputProblem } from "./validate.js";
export { evaluateCompiled, type CompiledEvaluator } from "./kernel.js";
export type { Length } from "./dates.js";

import type { Program } from "./program.js";
import type { Determination, EvaluateOptions } from "./determination.js";
import { evaluateProgram } from "./evaluate.js";
import { InputError, validateInput } from "./validate.js";
import { evaluateCompiled, type CompiledEvaluator } from "./kernel.js";

/**
 * Validates the request, then evaluates it; throws InputError listing every problem. Without the
 * trace, a compiled evaluator (when given) runs; with it, the interpreter records what each
 * criterion read.
 */
export function checkedEvaluate(program: Program, input: unknown, options?: EvaluateOptions, compiled?: CompiledEvaluator): Determination {
  // The compiled check says yes only when validation would find nothing; it builds no message.
  if (!compiled?.wellFormed(input)) {
    const problems = validateInput(program, input);
    if (problems.length > 0) throw new InputError(problems);
  }
  if (compiled && options?.trace === false) return evaluateCompiled(compiled, input as Record<string, unknown>, options.state ?? null);
  return evaluateProgram(program, input as Record<string, unknown>, options);
}

/** A duration fact as the input carries it. */
export interface Duration {
  readonly amount: number;
  readonly unit: "days" | "weeks" | "months" | "years";
}

/** A calendar date in ISO form, 2024-03-15. */
export type IsoDate = string;
