/**
 * Calendar arithmetic (a month is a calendar month) and three-valued logic (unknowns carry the
 * facts they came from), the two things every comparison and list rests on.
 */
import { describe, expect, it } from "vitest";
import { addLength, formatDay, parseIsoDate } from "../../runtime/dates.js";
import { and, not, or, truthText, Unknown, type Tri } from "../../runtime/tri.js";
import type { DurationUnit } from "../../runtime/vocabulary.js";

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
    const table = values.flatMap(([a, va]) => values.map(([b, vb]) => `${a} and ${b} = ${text(and(va, vb))}`));
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
    expect(and(true, true, true, true, true, false)).toBe(false);
  });

  it("or: true wins over unknown, unknown over false", () => {
    const table = values.flatMap(([a, va]) => values.map(([b, vb]) => `${a} or ${b} = ${text(or(va, vb))}`));
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
    expect(or(false, false, false, false, false, true)).toBe(true);
  });

  it("not keeps unknown unknown, with its missing facts", () => {
    expect(not(true)).toBe(false);
    expect(not(false)).toBe(true);
    const unknown = u("pain.average");
    expect(not(unknown)).toBe(unknown);
  });

  it("merges the missing facts of every unknown operand", () => {
    const merged = and(true, u("pain.average", "pain.duration"), u("pain.duration", "onset"));
    expect(merged).toBeInstanceOf(Unknown);
    expect([...(merged as Unknown).missing].sort()).toEqual(["onset", "pain.average", "pain.duration"]);
    const either = or(false, u("a"), u("b"));
    expect([...(either as Unknown).missing].sort()).toEqual(["a", "b"]);
  });
});
