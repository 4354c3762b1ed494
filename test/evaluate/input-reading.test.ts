/**
 * A request is read in one of two ways: the policy module's fast reading (each fact by its name)
 * and the full check (which names every problem). They must agree: the fast reading never takes
 * a request the full check would refuse, and on JSON input it takes exactly what the full check
 * takes, with the same facts. Checked on the case files of every policy, changed at random in
 * the ways a caller gets wrong.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileFiles } from "../../compiler/compile.js";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import { policySlug } from "../../compiler/build.js";
import { FastReader, readInput, validateInput } from "../../runtime/validate.js";
import { parseIsoDate } from "../../runtime/dates.js";

const compiled = compileFiles(polFilesUnder("policies"));
const policies = loadPolicies(compiled);

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
  // A key added under a value that is not an object (a null fact) makes that value an object.
  const container = input !== null && typeof input === "object" ? (input as Record<string | number, unknown>) : {};
  const copy = Array.isArray(container) ? [...container] : { ...container };
  (copy as Record<string | number, unknown>)[path[0]] = withValueAt(container[path[0]], path.slice(1), value);
  return copy;
}

describe("the fast reading and the full check", () => {
  for (const { ir } of compiled.policies) {
    const folder = join("test", "cases", policySlug(ir.id));
    const inputs = readdirSync(folder)
      .filter((f) => f.endsWith(".json"))
      .map((f) => (JSON.parse(readFileSync(join(folder, f), "utf8")) as { input: unknown }).input);
    const policy = policies.get(ir.id)!;
    /** What the fast reading takes, as readInput asks it (the date of service is read apart). */
    const fast = (input: unknown) => {
      const r = new FastReader(policy.values.size);
      if (!r.object(input) || typeof input.date_of_service !== "string" || parseIsoDate(input.date_of_service) === undefined) return undefined;
      return policy.read!(r, input) ? r.facts : undefined;
    };

    it(`${ir.id}: read every case file alike`, () => {
      for (const input of inputs) expect(fast(input)).toEqual(readInput(policy, input).facts);
    });

    it(`${ir.id}: agree on ${inputs.length} case files changed at random`, () => {
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
          const problems = validateInput(policy, changed);
          const facts = fast(changed);
          expect(facts !== undefined, JSON.stringify({ path, value, problems })).toBe(problems.length === 0);
          if (facts) expect(facts).toEqual(readInput(policy, changed).facts);
          expect(readInput(policy, changed).problems).toEqual(problems);
          // And as a JavaScript caller might pass it, undefined and all: it never takes a bad input.
          const raw = withValueAt(input, path, value);
          if (fast(raw)) expect(validateInput(policy, raw)).toEqual([]);
        }),
        { seed: 42, numRuns: 400 },
      );
    });
  }
});
