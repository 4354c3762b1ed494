import { describe, expect, it } from "vitest";
import { addLength, formatDay, parseIsoDate } from "../runtime/dates.js";
import { and, not, or, truthText, Unknown, type Tri } from "../runtime/tri.js";
import { InputError, validateInput } from "../runtime/validate.js";
import { checkedEvaluate } from "../runtime/index.js";
import { compileText } from "../compiler/compile.js";
import type { DurationUnit } from "../runtime/program.js";

function plus(date: string, amount: number, unit: DurationUnit, sign: 1 | -1 = 1): string {
  const day = parseIsoDate(date);
  if (day === undefined) throw new Error(`bad test date ${date}`);
  return formatDay(addLength(day, { amount, unit }, sign));
}

describe("dates", () => {
  it("adds a month to the end of January, clamping to the end of February", () => {
    expect(plus("2024-01-31", 1, "months")).toBe("2024-02-29");
    expect(plus("2023-01-31", 1, "months")).toBe("2023-02-28");
  });

  it("adds a year to a leap day", () => {
    expect(plus("2024-02-29", 1, "years")).toBe("2025-02-28");
  });

  it("subtracts calendar months and crosses years", () => {
    expect(plus("2024-03-31", 1, "months", -1)).toBe("2024-02-29");
    expect(plus("2024-03-15", 6, "months", -1)).toBe("2023-09-15");
    expect(plus("2024-12-31", 2, "months")).toBe("2025-02-28");
    expect(plus("2024-01-31", 13, "months")).toBe("2025-02-28");
  });

  it("adds days and weeks as whole days", () => {
    expect(plus("2024-02-27", 3, "days")).toBe("2024-03-01");
    expect(plus("2024-01-01", 2, "weeks")).toBe("2024-01-15");
  });

  it("accepts only days of the calendar", () => {
    expect(parseIsoDate("2024-02-30")).toBeUndefined();
    expect(parseIsoDate("2023-02-29")).toBeUndefined();
    expect(parseIsoDate("2024-13-01")).toBeUndefined();
    expect(parseIsoDate("2024-1-01")).toBeUndefined();
    expect(parseIsoDate("2024-02-29")).toBe(19782);
    expect(parseIsoDate("1970-01-01")).toBe(0);
  });
});

describe("three-valued logic", () => {
  const u = (...facts: string[]) => new Unknown(new Set(facts));
  const text = (v: Tri) => truthText(v);
  const values: [string, Tri][] = [
    ["true", true],
    ["false", false],
    ["unknown", u("x")],
  ];

  it("and: false wins over unknown, unknown over true", () => {
    const table = values.flatMap(([a, va]) => values.map(([b, vb]) => `${a} and ${b} = ${text(and([va, vb]))}`));
    expect(table).toEqual([
      "true and true = true",
      "true and false = false",
      "true and unknown = unknown",
      "false and true = false",
      "false and false = false",
      "false and unknown = false",
      "unknown and true = unknown",
      "unknown and false = false",
      "unknown and unknown = unknown",
    ]);
    expect(and([])).toBe(true);
  });

  it("or: true wins over unknown, unknown over false", () => {
    const table = values.flatMap(([a, va]) => values.map(([b, vb]) => `${a} or ${b} = ${text(or([va, vb]))}`));
    expect(table).toEqual([
      "true or true = true",
      "true or false = true",
      "true or unknown = true",
      "false or true = true",
      "false or false = false",
      "false or unknown = unknown",
      "unknown or true = true",
      "unknown or false = unknown",
      "unknown or unknown = unknown",
    ]);
    expect(or([])).toBe(false);
  });

  it("not keeps unknown unknown, with its missing facts", () => {
    expect(not(true)).toBe(false);
    expect(not(false)).toBe(true);
    const unknown = u("pain.average");
    expect(not(unknown)).toBe(unknown);
  });

  it("merges the missing facts of every unknown operand", () => {
    const merged = and([true, u("pain.average", "pain.duration"), u("pain.duration", "onset")]);
    expect(merged).toBeInstanceOf(Unknown);
    expect([...(merged as Unknown).missing].sort()).toEqual(["onset", "pain.average", "pain.duration"]);
    const either = or([false, u("a"), u("b")]);
    expect([...(either as Unknown).missing].sort()).toEqual(["a", "b"]);
  });
});

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
  const compiled = compileText({ "p.pol": source });
  const program = compiled.policies[0]?.program;

  it("compiles the test policy", () => {
    expect(compiled.diagnostics).toEqual([]);
    expect(program?.facts.map((f) => f.path)).toEqual(["pain.average", "pain.duration", "onset", "request.region", "prior"]);
  });

  const valid = {
    date_of_service: "2024-03-15",
    pain: { average: 7, duration: { amount: 8, unit: "weeks" } },
    onset: "2024-01-10",
    request: { region: "lumbar" },
    prior: [{ date: "2023-11-01", region: "lumbar" }],
  };

  it("accepts a valid request and evaluates it", () => {
    expect(validateInput(program!, valid)).toEqual([]);
    expect(checkedEvaluate(program!, valid).outcome).toBe("meets");
  });

  it("accepts left-out and null facts: they are undocumented, not wrong", () => {
    expect(validateInput(program!, { date_of_service: "2024-03-15", pain: { average: null }, onset: null })).toEqual([]);
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
      { path: "onset", message: 'expected a calendar date like 2024-03-15, got "2024-02-30"' },
      { path: "request.region", message: 'expected one of cervical, thoracic, lumbar, got "lumbr"' },
      { path: "prior[0].date", message: "is required: each entry needs its date" },
      { path: "prior[1].regoin", message: "is not a field of procedure (did you mean 'region'?)" },
    ];
    expect(validateInput(program!, input)).toEqual(expected);

    let thrown: unknown;
    try {
      checkedEvaluate(program!, input);
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
        '  - onset: expected a calendar date like 2024-03-15, got "2024-02-30"',
        '  - request.region: expected one of cervical, thoracic, lumbar, got "lumbr"',
        "  - prior[0].date: is required: each entry needs its date",
        "  - prior[1].regoin: is not a field of procedure (did you mean 'region'?)",
      ].join("\n"),
    );
  });

  it("requires the date of service", () => {
    expect(validateInput(program!, { pain: { average: 3 } })).toEqual([
      { path: "date_of_service", message: "is required: the date the service is requested for, like 2024-03-15" },
    ]);
    expect(validateInput(program!, { date_of_service: "2024-02-30" })).toEqual([
      { path: "date_of_service", message: 'expected a calendar date like 2024-03-15, got "2024-02-30"' },
    ]);
  });

  it("reports an unknown top-level fact and a wrongly shaped value", () => {
    expect(validateInput(program!, { date_of_service: "2024-03-15", onsett: "2024-01-01", pain: 7, prior: {} })).toEqual([
      { path: "onsett", message: "is not a fact of this policy (did you mean 'onset'?)" },
      { path: "pain", message: "expected a group of facts (an object), got 7" },
      { path: "prior", message: "expected a list, got an object" },
    ]);
  });
});
