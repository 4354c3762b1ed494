/**
 * Two constructs for a second payer's guideline: a policy extending a shared record with a field
 * only it needs (`extend record`), and a policy as a criterion of another (`meets POLICY`). Each
 * through the generated code, the input it validates, its schema, the diagnostics and the CLI.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
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

  it("the SQL child table of the extending policy has the field's columns; 'meets' in SQL is refused by name", () => {
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
      "EXT_1: criterion also_base (ext.pol:11): the SQL back end cannot express 'meets BASE_1' (another policy's determination as a criterion) yet, so the policy is not compiled to SQL",
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

describe("meets POLICY: another policy's determination as a criterion", () => {
  const policies = loadLibrary(library);
  const ext = () => policies.get("EXT_1")!;

  it("meets is true, does-not-meet and excluded false, with the other policy's unmet criteria quoted in its words", () => {
    expectDetermination(evaluate(ext(), request({})), { outcome: "meets", results: { also_base: "true", long_pain: "true" } });
    const excluded = evaluate(ext(), request({ cosmetic: true }));
    expectDetermination(excluded, { outcome: "does-not-meet", unmet: ["also_base"] });
    expect(excluded.reasons).toEqual([
      "Recommendation for clinical review, not a denial: the request does not meet the guideline as documented; only a clinician may deny it.",
      "Not met: Must also meet the first payer's knee injection policy",
      "BASE_1 Knee injections (version 1) is not met: excluded.",
      "BASE_1: Excluded from consideration under this guideline: Injections for cosmetic purposes",
    ]);
    const failed = evaluate(ext(), request({ pain_months: 2, exception_documented: false, visits: [{ ...visit(7), date: "2023-01-01" }] }));
    expect(failed.reasons.slice(1)).toEqual([
      "Not met: Must also meet the first payer's knee injection policy",
      "BASE_1 Knee injections (version 1) is not met: does-not-meet.",
      "BASE_1: Not met: Pain for 3 months or more",
      "BASE_1: Not met: A visit for knee pain in the last 6 months",
    ]);
    // The other policy's criteria are in the trace, under its sections.
    expect(failed.trace.filter((t) => t.section.startsWith("BASE_1")).map((t) => `${t.id} ${t.section} ${t.result}`)).toEqual([
      "long_pain BASE_1: REQUIREMENTS false",
      "recent_visit BASE_1: REQUIREMENTS false",
      "cosmetic_use BASE_1: EXCLUSIONS false",
    ]);
  });

  it("needs-info is unknown on the other policy's open facts, which this request asks for", () => {
    const d = evaluate(ext(), request({ pain_months: undefined }));
    expectDetermination(d, { outcome: "needs-info", missing: ["exception_documented", "pain_months"] });
    expect(d.missing.map((m) => m.description)).toEqual(["Circumstances for an exception are documented", "Months of knee pain"]);
    // Its own open facts and the other's together.
    expectDetermination(evaluate(ext(), request({ cosmetic: undefined, visits: [visit()] })), { outcome: "needs-info", missing: ["cosmetic", "visits[0].relief_hours"] });
  });

  it("refer-for-review is unknown that no fact settles: the clause the other policy leaves to a clinician is quoted", () => {
    const d = evaluate(ext(), request({ pain_months: 2, exception_documented: true }));
    expectDetermination(d, { outcome: "refer-for-review", missing: [] });
    expect(d.referrals).toEqual([{ clause: "Shorter pain may be considered on an individual basis", refs: "" }]);
    // A criterion of this policy that surely fails is never excused by the other's referral.
    expectDetermination(evaluate(ext(), request({ pain_months: 2, exception_documented: true, visits: [visit(2)] })), { outcome: "does-not-meet", unmet: ["relief"] });
  });

  it("the input is the union of both policies' facts", () => {
    expect(ext().facts.map((f) => f.path)).toEqual(["visits", "pain_months", "exception_documented", "cosmetic"]);
    expect(problemsOf(() => evaluate(ext(), request({ pain_month: 4 })))).toEqual(["pain_month: is not a fact of this policy (did you mean 'pain_months'?)"]);
  });

  it("of a guideline's versions, reads the one in force on the date of service", () => {
    const knee = `fact pain_months: integer 0 to 600 "Months of knee pain"
policy KNEE_2024 "Knee injections" {
  guideline "KNEE"
  version "2024"
  effective 2024-01-01 to 2024-12-31
  requirements "Requirements" { criterion pain_3 "Pain for 3 months or more": pain_months >= 3 }
}
policy KNEE_2025 "Knee injections" {
  guideline "KNEE"
  version "2025"
  effective 2025-01-01 to 2025-12-31
  requirements "Requirements" { criterion pain_6 "Pain for 6 months or more": pain_months >= 6 }
}
`;
    const loaded = loadLibrary({
      "knee.pol": knee,
      "second.pol": `import "knee.pol"\npolicy SECOND_1 "Second payer" { version "1" requirements "R" { criterion also_knee "Must also meet the knee guideline": meets KNEE } }\n`,
    });
    const second = loaded.get("SECOND_1")!;
    expectDetermination(evaluate(second, { date_of_service: "2024-12-31", pain_months: 4 }), { outcome: "meets", results: { pain_3: "true" } });
    const in2025 = evaluate(second, { date_of_service: "2025-01-01", pain_months: 4 });
    expectDetermination(in2025, { outcome: "does-not-meet", unmet: ["also_knee"], results: { pain_6: "false" } });
    expect(in2025.reasons.slice(2)).toEqual(["KNEE_2025 Knee injections (version 2025) is not met: does-not-meet.", "KNEE_2025: Not met: Pain for 6 months or more"]);
    const later = evaluate(second, { date_of_service: "2026-05-01", pain_months: 12 });
    expectDetermination(later, { outcome: "does-not-meet", unmet: ["also_knee"] });
    expect(later.reasons.slice(2)).toEqual(["No version of KNEE is in force on 2026-05-01, so it is not met."]);
  });

  it("reports a name that is no policy or guideline the file sees, and policies that meet each other in a loop", () => {
    expectDiagnostics(
      {
        "shared.pol": shared,
        "other.pol": `policy OTHER_1 "Other" { version "1" requirements "R" { criterion o "O": true } }\n`,
        "p.pol": `import "shared.pol"\ncriterion a "A": meets BASE_2\ncriterion b "B": meets OTHER_1\n`,
      },
      [
        lines("p.pol:2:24: error POL084: 'BASE_2' is not a policy or guideline this file sees", "  |", '2 | criterion a "A": meets BASE_2', "  |                        ^^^^^^", "  = did you mean 'BASE_1'?"),
        lines("p.pol:3:24: error POL084: 'OTHER_1' is not a policy or guideline this file sees", "  |", '3 | criterion b "B": meets OTHER_1', "  |                        ^^^^^^^", "  = import the file that declares the policy"),
      ],
    );
    const loop = `policy A_1 "A" { version "1" requirements "R" { criterion a "Must also meet B": meets B_1 } }
policy B_1 "B" { version "1" requirements "R" { criterion b "Must also meet C": meets C_1 } }
policy C_1 "C" { version "1" requirements "R" { criterion c "C": true } }
`;
    const overlay = `import "a.pol"\noverlay WA_C_1 "C in WA" for C_1 in state WA { requirements "WA" { criterion wa_c "Must also meet A": meets A_1 } }\n`;
    expectDiagnostics({ "a.pol": loop, "wa.pol": overlay }, [
      lines(
        "a.pol:1:8: error POL085: policies meet each other in a loop: A_1 → B_1 → C_1 → A_1",
        "  |",
        '1 | policy A_1 "A" { version "1" requirements "R" { criterion a "Must also meet B": meets B_1 } }',
        "  |        ^^^",
        "  = a policy cannot read, through 'meets', a determination that reads its own",
      ),
    ]);
  });

  it("the SQL back end refuses it by name", () => {
    const result = compile(library);
    expect(() => policySql(result.library!.policies.find((p) => p.id === "EXT_1")!)).toThrow(/cannot express the field 'relief_hours'|cannot express 'meets BASE_1'/);
    const only = compile({ "shared.pol": shared, "m.pol": `import "shared.pol"\npolicy M_1 "M" { version "1" requirements "R" { criterion also "Must also meet BASE_1": meets BASE_1 } }\n` });
    expect(() => policySql(only.library!.policies.find((p) => p.id === "M_1")!)).toThrow(
      "M_1: criterion also (m.pol:2): the SQL back end cannot express 'meets BASE_1' (another policy's determination as a criterion) yet, so the policy is not compiled to SQL",
    );
  });
});

describe("meets and extend record through polc", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "polc-meets-"));
    writeFileSync(join(dir, "shared.pol"), shared);
    writeFileSync(join(dir, "ext.pol"), extending);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("polc eval prints the other policy's unmet criteria among the reasons, and its criteria in the trace", async () => {
    const path = join(dir, "excluded.json");
    writeFileSync(path, JSON.stringify({ input: request({ cosmetic: true }) }));
    const run = await polc("eval", "EXT_1", path, "--library", dir);
    expect({ ...run, out: run.out.replace(/^Sources sha256:\w+/m, "Sources sha256:…") }).toEqual({
      code: 0,
      out: lines(
        "EXT_1 Knee injections, second payer (version 1)",
        "Sources sha256:…, compiled by polc 0.1.0",
        "Outcome: DOES NOT MEET the guideline (a recommendation for clinical review, not a denial)",
        "",
        "Reasons:",
        "  - Recommendation for clinical review, not a denial: the request does not meet the guideline as documented; only a clinician may deny it.",
        "  - Not met: Must also meet the first payer's knee injection policy",
        "  - BASE_1 Knee injections (version 1) is not met: excluded.",
        "  - BASE_1: Excluded from consideration under this guideline: Injections for cosmetic purposes",
        "",
        "Not met:",
        `  - "Must also meet the first payer's knee injection policy" (also_base; REQUIREMENTS)`,
        "",
        "Trace:",
        `  ✓ relief: At least 6 hours of relief after the last injection  {visits="1 entry", visits[0].date="2024-05-01", visits[0].relief_hours={"amount":7,"unit":"hours"}}`,
        `  ✗ also_base: Must also meet the first payer's knee injection policy  {pain_months=4, exception_documented=null, visits="1 entry", visits[0].date="2024-05-01", cosmetic=true}`,
        "  ✓ long_pain: Pain for 3 months or more  {pain_months=4, exception_documented=null}",
        `  ✓ recent_visit: A visit for knee pain in the last 6 months  {visits="1 entry", visits[0].date="2024-05-01"}`,
        "  ✓ cosmetic_use: Injections for cosmetic purposes  {cosmetic=true}",
      ),
      err: "",
    });
  });

  it("polc eval of the policy that does not extend the record names the extended field as not one of its fields", async () => {
    const path = join(dir, "extended.json");
    writeFileSync(path, JSON.stringify({ input: request({}) }));
    expect(await polc("eval", "BASE_1", path, "--library", dir)).toEqual({
      code: 2,
      out: "",
      err: `${path}: the case does not match BASE_1's input:\n  - input.visits[0].relief_hours: is not a field of visit`,
    });
  });

  it("polc check reports a policy that meets itself", async () => {
    const path = join(dir, "self", "self.pol");
    mkdirSync(join(dir, "self"));
    writeFileSync(path, `policy SELF_1 "Self" { version "1" requirements "R" { criterion s "Must also meet itself": meets SELF_1 } }\n`);
    const run = await polc("check", path);
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      lines(
        `${relative(process.cwd(), path)}:1:8: error POL085: policies meet each other in a loop: SELF_1 → SELF_1`,
        "  |",
        `1 | policy SELF_1 "Self" { version "1" requirements "R" { criterion s "Must also meet itself": meets SELF_1 } }`,
        "  |        ^^^^^^",
        "  = a policy cannot read, through 'meets', a determination that reads its own",
        "1 error in 1 file",
      ),
    );
  });
});

describe("extend record: where an extension cannot reach", () => {
  it("refuses an extension of a record whose entries stand inside another record's entries", () => {
    expectDiagnostics(
      {
        "shared.pol": `record dose "A dose" { amount: number "Amount" }\nrecord course "A course" { date: date "Start" doses: list of dose "Doses" }\nfact courses: list of course "Courses"\n`,
        "p.pol": `import "shared.pol"\nextend record dose { route: text "Route" }\npolicy P_1 "P" { version "1" requirements "R" { criterion a "A": exists(c in courses where exists(d in c.doses where d.route is known)) } }\n`,
      },
      [
        lines(
          "p.pol:2:15: error POL086: 'dose' cannot be extended for P_1: its entries stand in the field 'doses' of course, and only the entries of a list fact can have added fields",
          "  |",
          '2 | extend record dose { route: text "Route" }',
          "  |               ^^^^",
        ),
      ],
    );
  });
});

describe("needs-info through refer … when", () => {
  const source = `enum kind { mbb, rfa }
record block "A block" { date: date "Date" kind: kind "Kind" }
fact blocks: list of block "Prior blocks"
fact exception: boolean "Circumstances for an exception to the two weeks are documented"
policy P "Probe" {
  version "1"
  requirements "R" {
    criterion spacing "At least 2 weeks after the last medial branch block":
      time since latest(p in blocks where p.kind = mbb).date >= 2 weeks
        or refer "An exception may be considered on an individual basis" when exception
  }
}
`;
  // Which block is the last medial branch block is open, but either is at least 2 weeks before the date of service.
  const input = { date_of_service: "2024-06-21", blocks: [{ date: "2024-06-01", kind: "mbb" }, { date: "2024-06-03" }] };

  it("asks only for the fact that decides, not for the referral's condition, when that fact can be tried value by value", () => {
    const policies = loadLibrary(source);
    const d = evaluate(policies.get("P")!, input);
    expectDetermination(d, { outcome: "needs-info", missing: ["blocks[1].kind"] });
    expect(d.alsoUndocumented.map((m) => m.fact)).toEqual(["exception"]);
    // Without the search for the fewest deciding facts, the referral's condition is asked for too.
    expectDetermination(evaluate(policies.get("P")!, input, { fewestFacts: false }), { outcome: "needs-info", missing: ["blocks[1].kind", "exception"] });
  });
});

describe("meets: one request for both policies", () => {
  it("refuses two declarations of one fact path that a policy's input would have both of", () => {
    // B_1's overlay declares its own pain_months; P_1 declares another and consults B_1.
    expectDiagnostics(
      {
        "b.pol": `policy B_1 "B" { version "1" requirements "R" { criterion b "B": true } }\n`,
        "b-wa.pol": `import "b.pol"\nfact pain_months: integer 0 to 600 "Months of pain"\noverlay WA_B_1 "B in WA" for B_1 in state WA { requirements "WA" { criterion wa "Pain for 3 months": pain_months >= 3 } }\n`,
        "p.pol": `import "b.pol"\nfact pain_months: boolean "Pain for months"\npolicy P_1 "P" { version "1" requirements "R" { criterion p "Pain, and B": pain_months and meets B_1 } }\n`,
      },
      [
        lines(
          "b-wa.pol:2:1: error POL010: the fact 'pain_months' is also declared in p.pol (boolean there, integer 0 to 600 here), and policy P_1 reads both: a request has only one 'pain_months'",
          "  |",
          '2 | fact pain_months: integer 0 to 600 "Months of pain"',
          "  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
          "  = read one declaration of the fact (import its file), or give one of them another name",
          "  p.pol:2:1: first declared here",
        ),
      ],
    );
  });
});

describe("meets: the modules of the policies consulted come first", () => {
  it("loads a policy whose id sorts before the policy it consults, and builds a module that imports the other's", () => {
    const source = `fact x: boolean "X"\npolicy A_2 "A" { version "1" requirements "R" { criterion a "Must also meet Z": meets Z_1 } }\npolicy Z_1 "Z" { version "1" requirements "R" { criterion z "X": x } }\n`;
    const loaded = loadLibrary(source);
    expectDetermination(evaluate(loaded.get("A_2")!, { date_of_service: "2024-01-01", x: true }), { outcome: "meets", results: { z: "true" } });
    expectDetermination(evaluate(loaded.get("A_2")!, { date_of_service: "2024-01-01" }), { outcome: "needs-info", missing: ["x"] });
    const result = compile(source);
    const modules = emitLibrary(result.library!, outputLayout(result, "generated", process.cwd()), "typescript");
    expect(modules.map((m) => m.path)).toEqual(["a.pol.ts", "z-1.ts", "a-2.ts"]);
    const a2 = modules.find((m) => m.path === "a-2.ts")!.text;
    expect(a2).toContain('import { policy as policy_Z_1 } from "./z-1.js";');
    expect(a2).toContain('consults: new Map([["Z_1", [policy_Z_1]]]),');
  });
});
