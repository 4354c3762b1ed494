/**
 * A compiled evaluator for a program checked in this process (`polc eval`, `--batch`), without
 * writing a module: the generator's JavaScript flavour, made into a function that receives the
 * kernel. It is the same code a generated module carries, with the same guarantee: policy text
 * appears in it only as string literals.
 */
import type { Program } from "../runtime/program.js";
import * as kernel from "../runtime/kernel.js";
import { generateEvaluator } from "./generate-evaluator.js";

const loaded = new WeakMap<Program, kernel.CompiledEvaluator>();

export function loadEvaluator(program: Program): kernel.CompiledEvaluator {
  let evaluator = loaded.get(program);
  if (!evaluator) {
    const code = generateEvaluator(program, false);
    const factory = new Function("k", "program", `"use strict";\n${code.declarations}\nreturn k.link(program, ${code.linkArguments});`) as (
      k: typeof kernel,
      program: Program,
    ) => kernel.CompiledEvaluator;
    evaluator = factory(kernel, program);
    loaded.set(program, evaluator);
  }
  return evaluator;
}
