/**
 * Two constructs for a second payer's guideline: a policy extending a shared record with a field
 * only it needs (`extend record`), and a policy as a criterion of another (`meets POLICY`). Each
 * through the generated code, the input it validates, its schema, the diagnostics and the CLI.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Determination } from "../../runtime/determination.js";
import { evaluate } from "../../runtime/determine.js";
import { InputError } from "../../runtime/validate.js";
import { inputSchema } from "../../json-schema/input.js";
import { emitLibrary } from "../../compiler/typescript/modules.js";
import { outputLayout } from "../../compiler/build.js";
import { layoutOf, ddl } from "../../compiler/sql/layout.js";
import { dialects } from "../../compiler/sql/dialect.js";
import { policySql } from "../../compiler/sql/index.js";
import { compile, expectDetermination, expectDiagnostics, lines, loadLibrary } from "../support/policies.js";
import { polc } from "../support/polc.js";

/** A first payer's knee policy with the shared visit record, and a second payer's that extends the record and requires the first. */
const shared = `record visit "A visit" {
  date: date "Date of the visit"
  pain: number 0 to 10 "Pain at the visit"
}
fact visits: list of visit "Visits for knee pain"
fact pain_months: integer 0 to 600 "Months of knee pain"
fact cosmetic: boolean "The request is for a cosmetic purpose"
fact exception_documented: boolean "Circumstances for an exception are documented"

policy BASE_1 "Knee injections" {
  version "1"
  requirements "REQUIREMENTS" {
    criterion long_pain "Pain for 3 months or more": pain_months >= 3 or refer "Shorter pain may be considered on an individual basis" when exception_documented
    criterion recent_visit "A visit for knee pain in the last 6 months": exists(v in visits where v.date within last 6 months)
  }
  exclusions "EXCLUSIONS" {
    criterion cosmetic_use "Injections for cosmetic purposes": cosmetic
  }
}
`;
const extending = `import "shared.pol"

extend record visit {
  relief_hours: duration "Hours of relief after the injection at the visit"
}

policy EXT_1 "Knee injections, second payer" {
  version "1"
  requirements "REQUIREMENTS" {
    criterion relief "At least 6 hours of relief after the last injection": latest(v in visits).relief_hours >= 6 hours
    criterion also_base "Must also meet the first payer's knee injection policy": meets BASE_1
  }
}
`;
const library = { "shared.pol": shared, "ext.pol": extending };
const visit = (hours?: number) => ({ date: "2024-05-01", pain: 5, ...(hours === undefined ? {} : { relief_hours: { amount: hours, unit: "hours" } }) });
const request = (input: Readonly<Record<string, unknown>>) => ({ date_of_service: "2024-06-01", pain_months: 4, cosmetic: false, visits: [visit(7)], ...input });

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof InputError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

describe("extend record: a field on a shared record only one policy needs", () => {
  const policies = loadLibrary(library);

  it("the extending policy reads the field; the other policy's input does not have it", () => {
    expectDetermination(evaluate(policies.get("EXT_1")!, request({})), { outcome: "meets" });
    expectDetermination(evaluate(policies.get("EXT_1")!, request({ visits: [visit(5)] })), { outcome: "does-not-meet", unmet: ["relief"] });
    expectDetermination(evaluate(policies.get("EXT_1")!, request({ visits: [visit()] })), { outcome: "needs-info", missing: ["visits[0].relief_hours"] });
    expect(problemsOf(() => evaluate(policies.get("BASE_1")!, request({})))).toEqual(["visits[0].relief_hours: is not a field of visit"]);
    expectDetermination(evaluate(policies.get("BASE_1")!, request({ visits: [visit()] })), { outcome: "meets" });
  });

  it("validates the field by its type, in the fast reader and the full check alike", () => {
    expect(problemsOf(() => evaluate(policies.get("EXT_1")!, request({ visits: [{ date: "2024-05-01", relief_hours: 3 }] })))).toEqual([
      'visits[0].relief_hours: expected a duration like {"amount": 6, "unit": "weeks"}, got 3',
    ]);
    // A misspelt field goes to the full check, which knows the extended field.
    expect(problemsOf(() => evaluate(policies.get("EXT_1")!, request({ visits: [{ date: "2024-05-01", relief_hour: { amount: 7, unit: "hours" } }] })))).toEqual([
      "visits[0].relief_hour: is not a field of visit (did you mean 'relief_hours'?)",
    ]);
  });

  it("the input type and the JSON Schema of the extending policy have the field; the other policy's do not", () => {
    const result = compile(library);
    const modules = new Map(emitLibrary(result.library!, outputLayout(result, "generated", process.cwd()), "typescript").map((m) => [m.path, m.text]));
    const ext = modules.get("ext-1.ts")!;
    expect(ext).toContain(
      lines(
        "/** A visit, with the fields EXT_1 adds to it */",
        "export interface Visit extends Visit_2 {",
        "  /** Hours of relief after the injection at the visit */",
        "  readonly relief_hours?: k.Duration | null;",
        "}",
      ),
    );
    expect(ext).toContain("  readonly visits?: readonly Visit[] | null;");
    expect(ext).toContain("const record_visit = k.extendRecord(record_visit_2, [field_visit_relief_hours], read_entry_visit);");
    expect(modules.get("base-1.ts")).not.toContain("relief_hours");
    expect(modules.get("shared.pol.ts")).not.toContain("relief_hours");
    // The field's place in an entry is after the record's own two.
    expect(modules.get("ext.pol.ts")).toContain(
      lines("export const field_visit_relief_hours = k.field(", "  2,", '  "relief_hours",', "  k.duration,", '  "Hours of relief after the injection at the visit",', ");"),
    );
    const entryFields = (id: string) => {
      const schema = inputSchema(policies.get(id)!) as { $defs: { record_visit: { properties: object } } };
      return Object.keys(schema.$defs.record_visit.properties);
    };
    expect(entryFields("EXT_1")).toEqual(["date", "pain", "relief_hours"]);
    expect(entryFields("BASE_1")).toEqual(["date", "pain"]);
  });

  it("the SQL child table of the extending policy has the field's columns; reading it in SQL is refused by name", () => {
    const result = compile(library);
    const ext = result.library!.policies.find((p) => p.id === "EXT_1")!;
    const base = result.library!.policies.find((p) => p.id === "BASE_1")!;
    const visitsTable = (text: string) => text.split(/;\s*/).find((statement) => /CREATE TABLE "visits"/.test(statement))!;
    expect(visitsTable(ddl(layoutOf(ext), dialects.get("duckdb")!))).toBe(
      lines(
        'CREATE TABLE "visits" (',
        '  "case_id" VARCHAR, -- The case the entry belongs to',
        `  "ord" INTEGER, -- The entry's place in visits, from 0`,
        '  "date" DATE, -- Date of the visit',
        '  "pain" DOUBLE, -- Pain at the visit',
        '  "relief_hours__amount" DOUBLE, -- Hours of relief after the injection at the visit: amount',
        '  "relief_hours__unit" VARCHAR, -- Hours of relief after the injection at the visit: unit (minutes, hours, days, weeks, months or years)',
        "  PRIMARY KEY (case_id, ord)",
        ")",
      ),
    );
    expect(visitsTable(ddl(layoutOf(base), dialects.get("duckdb")!))).not.toContain("relief_hours");
    expect(() => policySql(ext)).toThrow(
      "EXT_1: criterion relief (ext.pol:10): the SQL back end cannot express the field 'relief_hours' that an extension adds to visit yet, so the policy is not compiled to SQL",
    );
  });

  it("two extensions a policy does not use together each keep their place in an entry", () => {
    const sources = {
      "shared.pol": shared,
      "a.pol": `import "shared.pol"\nextend record visit { injected: boolean "An injection was given" }\npolicy A_1 "A" { version "1" requirements "R" { criterion a "An injection at the last visit": latest(v in visits).injected } }\n`,
      "c.pol": `import "shared.pol"\nextend record visit { swelling: boolean "Swelling at the visit" }\npolicy C_1 "C" { version "1" requirements "R" { criterion c "No swelling at the last visit": not latest(v in visits).swelling } }\n`,
    };
    const loaded = loadLibrary(sources);
    // C's field comes after A's in an entry, though C's input does not have A's.
    const d: Determination = evaluate(loaded.get("C_1")!, { date_of_service: "2024-06-01", visits: [{ date: "2024-05-01", swelling: true }] });
    expectDetermination(d, { outcome: "does-not-meet", unmet: ["c"] });
    expect(d.trace.find((t) => t.id === "c")!.values).toEqual([
      { fact: "visits", value: "1 entry" },
      { fact: "visits[0].date", value: "2024-05-01" },
      { fact: "visits[0].swelling", value: true },
    ]);
    expect(problemsOf(() => evaluate(loaded.get("C_1")!, { date_of_service: "2024-06-01", visits: [{ date: "2024-05-01", injected: true }] }))).toEqual([
      "visits[0].injected: is not a field of visit",
    ]);
    expectDetermination(evaluate(loaded.get("A_1")!, { date_of_service: "2024-06-01", visits: [{ date: "2024-05-01", injected: true }] }), { outcome: "meets" });
  });

  it("reports an extension of no record, a field the record has, the date, and a field a file does not see", () => {
    expectDiagnostics(
      {
        "shared.pol": shared,
        "ext.pol": lines(
          `import "shared.pol"`,
          `extend record vist { a: boolean "A" }`,
          `extend record pain_months { b: boolean "B" }`,
          `extend record visit { pain: boolean "Pain" date: date "Another date" c: boolean "C" c: boolean "C again" }`,
        ),
        "other.pol": `import "shared.pol"\ncriterion d "D": exists(v in visits where v.c)\n`,
      },
      [
        lines("ext.pol:2:15: error POL082: cannot extend 'vist' is not a record this file sees", "  |", '2 | extend record vist { a: boolean "A" }', "  |               ^^^^", "  = did you mean 'visit'?"),
        lines("ext.pol:3:15: error POL082: cannot extend 'pain_months' is a fact, not a record", "  |", '3 | extend record pain_months { b: boolean "B" }', "  |               ^^^^^^^^^^^", "  = import the file that declares the record"),
        lines(
          "ext.pol:4:23: error POL083: record 'visit' already has a field 'pain'",
          "  |",
          '4 | extend record visit { pain: boolean "Pain" date: date "Another date" c: boolean "C" c: boolean "C again" }',
          "  |                       ^^^^",
          "  = use the record's field, or give this one another name",
          "  shared.pol:3:3: declared here",
        ),
        lines(
          "ext.pol:4:44: error POL083: an extension cannot add the field 'date': an entry's date belongs to the shared record 'visit'",
          "  |",
          '4 | extend record visit { pain: boolean "Pain" date: date "Another date" c: boolean "C" c: boolean "C again" }',
          "  |                                            ^^^^",
          "  = name the field after what the date is (relief_end_date)",
        ),
        lines(
          "ext.pol:4:85: error POL083: 'c' is already added to 'visit' by this extension",
          "  |",
          '4 | extend record visit { pain: boolean "Pain" date: date "Another date" c: boolean "C" c: boolean "C again" }',
          "  |                                                                                     ^",
          "  ext.pol:4:70: first added here",
        ),
        lines("other.pol:2:45: error POL013: a visit has no field 'c'", "  |", '2 | criterion d "D": exists(v in visits where v.c)', "  |                                             ^"),
      ],
    );
  });

  it("reports one field added twice among the files a file sees, and among the files a policy uses together", () => {
    const a = `import "shared.pol"\nextend record visit { injected: boolean "An injection was given" }\n`;
    const b = `import "shared.pol"\nextend record visit { injected: boolean "Given an injection" }\n`;
    expectDiagnostics({ "shared.pol": shared, "a.pol": a, "b.pol": b, "both.pol": `import "a.pol"\nimport "b.pol"\n` }, [
      lines(
        "b.pol:2:23: error POL083: 'injected' is also added to 'visit' in a.pol, and this file sees both: an entry has only one 'injected'",
        "  |",
        '2 | extend record visit { injected: boolean "Given an injection" }',
        "  |                       ^^^^^^^^",
        "  = give one of them another name",
        "  a.pol:2:23: first added here",
      ),
    ]);
    // A policy consulted through `meets` brings the extensions its overlays' files see into the consulting policy's input.
    const base = `import "shared.pol"\npolicy B_1 "B" { version "1" requirements "R" { criterion b "A visit": exists(v in visits) } }\n`;
    const baseWa = `import "base.pol"\nextend record visit { injected: boolean "An injection was given" }\noverlay WA_B_1 "B in WA" for B_1 in state WA { requirements "WA" { criterion wa "An injection": exists(v in visits where v.injected) } }\n`;
    const consulting = `import "base.pol"\nextend record visit { injected: boolean "Given an injection" }\npolicy P_1 "P" { version "1" requirements "R" { criterion also "Must also meet B": meets B_1 and exists(v in visits where v.injected) } }\n`;
    expectDiagnostics({ "shared.pol": shared, "base.pol": base, "base-wa.pol": baseWa, "p.pol": consulting }, [
      lines(
        "base-wa.pol:2:23: error POL083: 'injected' is also added to 'visit' in p.pol, and policy P_1 uses both: an entry has only one 'injected'",
        "  |",
        '2 | extend record visit { injected: boolean "An injection was given" }',
        "  |                       ^^^^^^^^",
        "  = give one of them another name",
        "  p.pol:2:23: first added here",
      ),
    ]);
  });
});
