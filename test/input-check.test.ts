/**
 * The compiled input check (`wellFormed`, in every generated module and in polc's in-memory
 * evaluators) lets evaluation skip building problem messages. It must never pass an input that
 * validateInput would reject, and on JSON input it must pass exactly what validateInput passes.
 * Checked on the case files of every policy, changed at random in the ways a caller gets wrong.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileFiles } from "../compiler/compile.js";
import { polFilesUnder } from "../compiler/cli/main.js";
import { loadEvaluator } from "../compiler/load-evaluator.js";
import { validateInput } from "../runtime/validate.js";

const compiled = compileFiles(polFilesUnder("policies"));

/** Values a wrong or careless caller puts where a fact goes. */
const oddValues: readonly unknown[] = [
  null,
  undefined,
  true,
  0,
  -1,
  1.5,
  101,
  1e400,
  Number.NaN,
  "",
  "yes",
  "2024-02-30",
  "2024-2-3",
  "2024-03-15",
  "2024-03-15T00:00:00Z",
  "lumbar",
  "left",
  [],
  [{}],
  [{ date: "2024-01-01" }],
  [{ date: "2024-01-01", typo: 1 }],
  [{ date: null }],
  {},
  { amount: 6, unit: "weeks" },
  { amount: -1, unit: "weeks" },
  { amount: 6, unit: "fortnights" },
  { amount: 6, unit: "weeks", extra: true },
  { amount: "6", unit: "weeks" },
];

/** Every path to a value inside an input (object keys and list indexes). */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const found: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => found.push(...pathsOf(v, [...prefix, i])));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) found.push(...pathsOf(v, [...prefix, k]));
  return found;
}

function withValueAt(input: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = Array.isArray(input) ? [...input] : { ...(input as Record<string, unknown>) };
  (copy as Record<string | number, unknown>)[path[0]] = withValueAt((input as Record<string | number, unknown>)[path[0]], path.slice(1), value);
  return copy;
}

describe("the compiled input check", () => {
  for (const policy of compiled.policies) {
    const folder = join("test", "cases", policy.program.id.toLowerCase().replace(/_/g, "-"));
    const inputs = readdirSync(folder)
      .filter((f) => f.endsWith(".json"))
      .map((f) => (JSON.parse(readFileSync(join(folder, f), "utf8")) as { input: unknown }).input);
    const evaluator = loadEvaluator(policy.program);

    it(`${policy.program.id}: agrees with validateInput on ${inputs.length} case files changed at random`, () => {
      const change = fc.record({
        input: fc.constantFrom(...inputs),
        at: fc.nat(),
        value: fc.constantFrom(...oddValues),
        newKey: fc.option(fc.constantFrom("typo", "__proto__", "constructor", "date", "amount", "kind"), { nil: undefined }),
      });
      fc.assert(
        fc.property(change, ({ input, at, value, newKey }) => {
          const paths = pathsOf(input);
          let path = paths[at % paths.length];
          if (newKey !== undefined) path = [...path, newKey];
          // Through JSON, as a service receives it: no undefined values, "__proto__" an own key.
          const changed = JSON.parse(JSON.stringify(withValueAt(input, path, value)) ?? "null") as unknown;
          const problems = validateInput(policy.program, changed);
          expect(evaluator.wellFormed(changed), JSON.stringify({ path, value, problems })).toBe(problems.length === 0);
          // And as a JavaScript caller might pass it, undefined and all: never passes a bad input.
          const raw = withValueAt(input, path, value);
          if (evaluator.wellFormed(raw)) expect(validateInput(policy.program, raw)).toEqual([]);
        }),
        { seed: 42, numRuns: 400 },
      );
    });
  }
});
