/**
 * Reading a request: every problem is reported together with its path, absent facts are
 * undocumented rather than wrong, and only the request's own properties are ever facts.
 */
import { describe, expect, it } from "vitest";
import { InputError, validateInput } from "../../runtime/validate.js";
import { evaluate } from "../../runtime/determine.js";
import { expectDetermination, loadPolicy } from "../support/policies.js";

describe("input validation", () => {
  const source = [
    'enum spinal_region "Region" { cervical, thoracic, lumbar }',
    'record procedure "A procedure" {',
    '  date: date "When"',
    '  region: spinal_region "Where"',
    "}",
    'group pain "Pain" {',
    '  fact average: number 0 to 10 "Average pain"',
    '  fact duration: duration "How long"',
    "}",
    'group request "The request" {',
    '  fact region: spinal_region "Requested region"',
    "}",
    'fact onset: date "Onset"',
    'fact prior: list of procedure "History"',
    'policy P "Test" {',
    '  version "1"',
    '  requirements "R" {',
    '    criterion severe "Severe": pain.average >= 6',
    '    criterion long "Long": pain.duration >= 6 weeks',
    '    criterion recent "Recent": onset within last 1 year',
    '    criterion lumbar_only "Lumbar": request.region = lumbar',
    '    criterion few "Few": count(p in prior where p.region = request.region) < 3',
    "  }",
    "}",
    "",
  ].join("\n");
  const program = loadPolicy({ "p.pol": source });

  it("lists the facts the policy reads, in the order it first reads them", () => {
    expect(program.facts.map((f) => f.path)).toEqual(["pain.average", "pain.duration", "onset", "request.region", "prior"]);
  });

  const valid = {
    date_of_service: "2024-03-15",
    pain: { average: 7, duration: { amount: 8, unit: "weeks" } },
    onset: "2024-01-10",
    request: { region: "lumbar" },
    prior: [{ date: "2023-11-01", region: "lumbar" }],
  };

  it("accepts a valid request and evaluates it", () => {
    expect(validateInput(program, valid)).toEqual([]);
    expect(evaluate(program, valid).outcome).toBe("meets");
  });

  it("accepts left-out and null facts: they are undocumented, not wrong", () => {
    expect(validateInput(program, { date_of_service: "2024-03-15", pain: { average: null }, onset: null })).toEqual([]);
  });

  it("reports every problem together, each with its path", () => {
    const input = {
      date_of_service: "2024-03-15",
      pain: { averge: 5, average: 11, duration: { amount: -2, unit: "weeks" } },
      onset: "2024-02-30",
      request: { region: "lumbr" },
      prior: [{ region: "lumbar" }, { date: "2024-01-01", regoin: "lumbar" }],
    };
    const expected = [
      { path: "pain.averge", message: "is not a fact of this policy (did you mean 'average'?)" },
      { path: "pain.average", message: "expected a number from 0 to 10, got 11" },
      { path: "pain.duration", message: "expected a duration of zero or more, got -2" },
      { path: "onset", message: 'expected a date like 2024-03-15 (or 2024-03, or 2024, where the chart gives no day), got "2024-02-30"' },
      { path: "request.region", message: 'expected one of cervical, thoracic, lumbar, got "lumbr"' },
      { path: "prior[0].date", message: "is required: each entry needs its date" },
      { path: "prior[1].regoin", message: "is not a field of procedure (did you mean 'region'?)" },
    ];
    expect(validateInput(program, input)).toEqual(expected);

    let thrown: unknown;
    try {
      evaluate(program, input);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).problems).toEqual(expected);
    expect((thrown as InputError).message).toBe(
      [
        "The request does not match the policy's input:",
        "  - pain.averge: is not a fact of this policy (did you mean 'average'?)",
        "  - pain.average: expected a number from 0 to 10, got 11",
        "  - pain.duration: expected a duration of zero or more, got -2",
        '  - onset: expected a date like 2024-03-15 (or 2024-03, or 2024, where the chart gives no day), got "2024-02-30"',
        '  - request.region: expected one of cervical, thoracic, lumbar, got "lumbr"',
        "  - prior[0].date: is required: each entry needs its date",
        "  - prior[1].regoin: is not a field of procedure (did you mean 'region'?)",
      ].join("\n"),
    );
  });

  it("requires the date of service", () => {
    expect(validateInput(program, { pain: { average: 3 } })).toEqual([
      { path: "date_of_service", message: "is required: the date the service is requested for, like 2024-03-15" },
    ]);
    expect(validateInput(program, { date_of_service: "2024-02-30" })).toEqual([
      { path: "date_of_service", message: 'expected a calendar date like 2024-03-15, got "2024-02-30"' },
    ]);
  });

  it("reports an unknown top-level fact and a wrongly shaped value", () => {
    expect(validateInput(program, { date_of_service: "2024-03-15", onsett: "2024-01-01", pain: 7, prior: {} })).toEqual([
      { path: "onsett", message: "is not a fact of this policy (did you mean 'onset'?)" },
      { path: "pain", message: "expected a group of facts (an object), got 7" },
      { path: "prior", message: "expected a list, got an object" },
    ]);
  });
});

describe("only the request's own properties are facts", () => {
  const source = [
    'group g "G" {',
    '  fact constructor: boolean "A fact named like a built-in property"',
    "}",
    'fact toString: boolean "Another"',
    'record r "R" {',
    '  date: date "When"',
    '  valueOf: boolean "A field named like a built-in property"',
    "}",
    'fact entries: list of r "Entries"',
    'policy P "P" {',
    '  version "1"',
    '  contraindications "C" {',
    '    criterion c1 "C1": g.constructor',
    '    criterion c2 "C2": toString',
    '    criterion c3 "C3": exists(e in entries where e.valueOf)',
    "  }",
    "}",
    "",
  ].join("\n");
  const policy = loadPolicy(source);

  it("reads a fact named after a built-in property as undocumented when the request leaves it out", () => {
    const d = evaluate(policy, { date_of_service: "2024-01-01", g: {}, entries: [{ date: "2023-01-01" }] });
    expectDetermination(d, { outcome: "needs-info", missing: ["entries[0].valueOf", "g.constructor", "toString"] });
  });

  it("reads such a fact when the request gives it", () => {
    const d = evaluate(policy, { date_of_service: "2024-01-01", g: { constructor: false }, toString: false, entries: [{ date: "2023-01-01", valueOf: false }] });
    expectDetermination(d, { outcome: "meets", unmet: [], missing: [] });
  });

  it("ignores inherited properties, in validation and in evaluation alike", () => {
    const inherited = Object.create({ toString: true, extra: 1 }) as Record<string, unknown>;
    inherited.date_of_service = "2024-01-01";
    expect(validateInput(policy, inherited)).toEqual([]);
    expect(evaluate(policy, inherited).missing.map((m) => m.fact)).toEqual(["entries", "g.constructor", "toString"]);
  });

  it("reports a hole in a list as an entry that is not there", () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [, { date: "2023-01-01" }];
    expect(validateInput(policy, { date_of_service: "2024-01-01", entries: sparse })).toEqual([{ path: "entries[0]", message: "expected a r (an object), got nothing" }]);
  });
});
