/**
 * Several versions of one guideline in a library (policies with one `guideline`, each with its
 * `effective` period): the case's date of service chooses the version in force, in `polc eval`
 * and the service; a date no version covers is an input error naming the periods; periods that
 * are missing or overlap are refused by the compiler.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileFiles } from "../../compiler/compile.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import { buildService } from "../../service/server.js";
import { polc } from "../support/polc.js";

/** One version of the knee guideline: the months of pain it asks for, and when it is in force. */
function version(year: string, months: number, effective: string | null): string {
  return [
    `fact pain_months: integer 0 to 600 "Months of knee pain"`,
    ``,
    `policy KNEE_${year} "Knee injections" {`,
    `  guideline "KNEE"`,
    `  version "${year}"`,
    ...(effective ? [`  effective ${effective}`] : []),
    ``,
    `  requirements "Requirements" {`,
    `    criterion pain "Pain for ${months} months or more": pain_months >= ${months}`,
    `  }`,
    `}`,
    ``,
  ].join("\n");
}

let dir: string;
const library = () => join(dir, "lib");
function caseOn(date: string): string {
  const path = join(dir, `case-${date}.json`);
  writeFileSync(path, JSON.stringify({ input: { date_of_service: date, pain_months: 4 } }));
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "polc-versions-"));
  mkdirSync(library());
  writeFileSync(join(library(), "knee-2024.pol"), version("2024", 3, "2024-01-01 to 2024-12-31"));
  writeFileSync(join(library(), "knee-2025.pol"), version("2025", 6, "2025-01-01 to 2025-12-31"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("versions of one guideline", () => {
  it("polc eval GUIDELINE evaluates the version in force on the case's date of service", async () => {
    const in2024 = await polc("eval", "KNEE", caseOn("2024-12-31"), "--library", library(), "--json");
    expect(in2024.code).toBe(0);
    expect(JSON.parse(in2024.out)).toMatchObject({ outcome: "meets", policy: { id: "KNEE_2024", version: "2024", effective: { from: "2024-01-01", to: "2024-12-31" } } });
    const in2025 = await polc("eval", "KNEE", caseOn("2025-01-01"), "--library", library(), "--json");
    expect(JSON.parse(in2025.out)).toMatchObject({ outcome: "does-not-meet", policy: { id: "KNEE_2025", version: "2025" }, unmet: [{ id: "pain", wording: "Pain for 6 months or more" }] });
  });

  it("a version's own id still names that version, whatever the date", async () => {
    const run = await polc("eval", "KNEE_2024", caseOn("2025-06-01"), "--library", library(), "--json");
    expect(JSON.parse(run.out)).toMatchObject({ outcome: "meets", policy: { id: "KNEE_2024" } });
  });

  it("a date of service no version covers is an input error naming the periods", async () => {
    const path = caseOn("2026-05-01");
    expect(await polc("eval", "KNEE", path, "--library", library())).toEqual({
      code: 2,
      out: "",
      err: `${path}: no version of KNEE is in force:\n  - input.date_of_service: expected a date in the effective period of a version of KNEE (version 2024: 2024-01-01 to 2024-12-31; version 2025: 2025-01-01 to 2025-12-31), got 2026-05-01`,
    });
  });

  it("--batch needs one version", async () => {
    const batch = join(dir, "batch.ndjson");
    writeFileSync(batch, `${JSON.stringify({ input: { date_of_service: "2024-05-01", pain_months: 4 } })}\n`);
    expect(await polc("eval", "KNEE", "--batch", batch, "--library", library())).toMatchObject({
      code: 2,
      err: "polc: KNEE has 2 versions (KNEE_2024: 2024-01-01 to 2024-12-31; KNEE_2025: 2025-01-01 to 2025-12-31): give --batch one version's policy id",
    });
  });

  it("the service chooses the version by the case's date of service, and names no value in its error", async () => {
    const app = await buildService({ policies: loadPolicies(compileFiles([join(library(), "knee-2024.pol"), join(library(), "knee-2025.pol")])), log: () => {} });
    try {
      const post = async (date: string) => {
        const response = await app.inject({ method: "POST", url: "/policies/KNEE/determinations", headers: { "content-type": "application/json" }, payload: JSON.stringify({ input: { date_of_service: date, pain_months: 4 }, trace: false }) });
        return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
      };
      expect(await post("2024-03-01")).toMatchObject({ status: 200, body: { outcome: "meets", policy: { id: "KNEE_2024" } } });
      expect(await post("2025-03-01")).toMatchObject({ status: 200, body: { outcome: "does-not-meet", policy: { id: "KNEE_2025" } } });
      expect(await post("2023-03-01")).toEqual({
        status: 422,
        body: {
          error: {
            status: 422,
            code: "no-version-in-force",
            message: "no version of KNEE is in force on the case's date of service",
            problems: [{ path: "input.date_of_service", message: "expected a date in the effective period of a version of KNEE (version 2024: 2024-01-01 to 2024-12-31; version 2025: 2025-01-01 to 2025-12-31)" }],
          },
        },
      });
    } finally {
      await app.close();
    }
  });

  it("polc check refuses a version without an effective period, and periods that share a day", async () => {
    const bad = join(dir, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, "a.pol"), version("2024", 3, "2024-01-01 to 2024-12-31"));
    writeFileSync(join(bad, "b.pol"), version("2025", 6, "2024-12-31 to 2025-12-31"));
    writeFileSync(join(bad, "c.pol"), version("2026", 6, null));
    const run = await polc("check", bad);
    expect(run.code).toBe(1);
    const lines = run.err.split("\n").filter((l) => / error POL08[01]: /.test(l));
    const at = (name: string) => relative(process.cwd(), join(bad, name));
    expect(lines).toEqual([
      `${at("b.pol")}:6:3: error POL081: the effective periods of 'KNEE_2024' (2024-01-01 to 2024-12-31) and 'KNEE_2025' (2024-12-31 to 2025-12-31) overlap: a date of service in both would have two versions of guideline 'KNEE'`,
      `${at("c.pol")}:3:8: error POL080: policy 'KNEE_2026' is a version of guideline 'KNEE', as 'KNEE_2024' and 'KNEE_2025' are: it needs an effective period, so that the date of service chooses the version in force`,
    ]);
  });
});
