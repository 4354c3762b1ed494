/**
 * Requests built to break reading: numbers beyond the documented bounds (runtime/limits.ts),
 * arrays with holes, and properties inherited through a prototype. Each is refused with its path
 * by both readings (the generated one and the full check), or read as the request's own data:
 * never a TypeError, never NaN inside an evaluation.
 */
import { describe, expect, it } from "vitest";
import { InputError, validateInput } from "../../runtime/validate.js";
import { evaluate } from "../../runtime/determine.js";
import { expectDetermination, lines, loadPolicy } from "../support/policies.js";

const source = lines(
  'record procedure "A procedure" {',
  '  date: date "When"',
  '  relief: percent "Relief"',
  "}",
  'fact score: number "Any number"',
  'fact lasted: duration "How long"',
  'fact prior: list of procedure "History"',
  'policy P "Test" {',
  '  version "1"',
  '  requirements "R" {',
  '    criterion long "Long": lasted >= 3 months',
  '    criterion short "Short": lasted < 3 months',
  '    criterion sum "Sum": score + score > 1',
  '    criterion few "Few": count(p in prior where p.relief >= 50%) < 3',
  "  }",
  "}",
  "",
);
const policy = loadPolicy(source);
const dos = "2024-03-15";

/** The problems, as evaluate throws them (the generated reading first, then the full check). */
function problemsOf(input: unknown): string[] {
  try {
    evaluate(policy, input as Record<string, unknown>, { trace: false });
  } catch (e) {
    if (e instanceof InputError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

describe("numbers within their bounds", () => {
  it("refuses a duration of 1e308 years (once NaN inside: both >= 3 months and < 3 months were false)", () => {
    const input = { date_of_service: dos, lasted: { amount: 1e308, unit: "years" } };
    expect(problemsOf(input)).toEqual(["lasted: expected a duration of at most 100000 years, got 1e+308"]);
    expect(validateInput(policy, input).map((p) => p.path)).toEqual(["lasted"]);
  });

  it("accepts a duration of 100 000 years and decides it", () => {
    const d = evaluate(policy, { date_of_service: dos, lasted: { amount: 100_000, unit: "years" } });
    expectDetermination(d, { results: { long: "true", short: "false" } });
  });

  it("refuses numbers beyond 10^15, which sums could carry to Infinity", () => {
    expect(problemsOf({ date_of_service: dos, score: 1e308 })).toEqual(["score: expected a number from -10^15 to 10^15, got 1e+308"]);
    expect(problemsOf({ date_of_service: dos, score: -1e16 })).toEqual(["score: expected a number from -10^15 to 10^15, got -10000000000000000"]);
    expectDetermination(evaluate(policy, { date_of_service: dos, score: 1e15 }), { results: { sum: "true" } });
  });

  it("refuses NaN and Infinity (possible through the API, never in JSON)", () => {
    expect(problemsOf({ date_of_service: dos, score: Number.NaN })).toEqual(["score: expected a number, got NaN"]);
    expect(problemsOf({ date_of_service: dos, lasted: { amount: Number.POSITIVE_INFINITY, unit: "days" } })).toEqual([
      'lasted: expected a duration like {"amount": 6, "unit": "weeks"}, got an object',
    ]);
  });
});

describe("arrays and objects through the API", () => {
  it("refuses a sparse history (a hole is not an entry) with the hole's path, not a TypeError", () => {
    // eslint-disable-next-line no-sparse-arrays
    const prior = [{ date: "2024-01-01", relief: 60 }, , { date: "2024-02-01", relief: 70 }];
    expect(problemsOf({ date_of_service: dos, prior })).toEqual(["prior[1]: expected a procedure (an object), got nothing"]);
  });

  it("reads only an array's own elements: an element inherited from its prototype is a hole", () => {
    const prior: unknown[] = new Array(1);
    Object.setPrototypeOf(prior, Object.assign(Object.create(Array.prototype) as object, { 0: { date: "2024-01-01", relief: 60 } }));
    expect(problemsOf({ date_of_service: dos, prior })).toEqual(["prior[0]: expected a procedure (an object), got nothing"]);
  });

  it("never reads an inherited fact or field: they are undocumented", () => {
    const input = Object.assign(Object.create({ score: 99, lasted: { amount: 1, unit: "years" } }) as object, { date_of_service: dos });
    const d = evaluate(policy, input as Record<string, unknown>);
    expectDetermination(d, { outcome: "needs-info", results: { long: "unknown", sum: "unknown" } });
    const entry = Object.assign(Object.create({ relief: 90 }) as object, { date: "2024-01-01" });
    const withEntry = evaluate(policy, { date_of_service: dos, prior: [entry, entry, entry] });
    expectDetermination(withEntry, { results: { few: "unknown" } });
  });

  it("refuses a bad value hidden behind an inherited one: the own value is the one checked", () => {
    const input = Object.assign(Object.create({ score: 1 }) as object, { date_of_service: dos, score: "high" });
    expect(problemsOf(input)).toEqual(['score: expected a number, got "high"']);
  });
});
