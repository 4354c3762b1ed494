/**
 * polc cases --boundaries, polc diff, --watch and threshold mutation, through the CLI where they
 * are commands, on a small library of their own.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileFiles } from "../../compiler/compile.js";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { thresholdsOf, thresholdText } from "../../compiler/tools/boundaries.js";
import { mutableThresholds, runMutants } from "../../compiler/tools/mutation.js";
import { outputChanges, watchLoop } from "../../compiler/cli/watch.js";
import { kneePolicy, polc, writeCase } from "./support.js";
import { Writable } from "node:stream";
import { runBatch } from "../../compiler/cli/batch.js";
import { scriptLibrary } from "../../compiler/load-modules.js";

class Collect extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let dir: string;
let lib: string;
let pol: string;
const meets = { input: { date_of_service: "2024-06-15", pain_score: 7, therapy_start: "2024-04-01", infection: false }, expect: { outcome: "meets", pathway: "chronic_pain", unmet: [] } };
const pain5 = { description: "Pain 5 of 10", input: { date_of_service: "2024-06-15", pain_score: 5, therapy_start: "2024-04-01", infection: false }, expect: { outcome: "does-not-meet", unmet: ["severe"] } };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "polc-authoring-"));
  lib = join(dir, "lib");
  mkdirSync(lib);
  writeFileSync(join(lib, "knee.pol"), kneePolicy);
  pol = relative(process.cwd(), join(lib, "knee.pol"));
  writeCase(lib, "knee-1/meets.json", meets);
  writeCase(lib, "knee-1/pain-5.json", pain5);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("polc cases --boundaries", () => {
  it("reads the thresholds from the intermediate form, the library's included", () => {
    const library = compileFiles(polFilesUnder("policies")).library!;
    const cg300 = thresholdsOf(library.policies.find((p) => p.id === "NIA_CG_300")!).map(thresholdText);
    expect(cg300).toContain("pain.average >= 6");
    expect(cg300).toContain("count(prior_procedures) < 6");
    expect(cg300).toContain("time between conservative_therapy.courses[].start and conservative_therapy.courses[].end >= 2 weeks");
    // Through a definition that takes an entry of the history (a record parameter).
    const cms = thresholdsOf(library.policies.find((p) => p.id === "CMS_L38773")!).map(thresholdText);
    expect(cms).toContain("facet_history[].relief_duration >= 6 months");
  });

  it("writes a case at each threshold and for each fact left out, each saying what it probes, and keeps files that exist", async () => {
    const out = join(dir, "probes");
    const from = join(lib, "cases", "knee-1", "meets.json");
    const run = await polc("cases", "KNEE_1", "--boundaries", "--library", lib, "--from", from, "--out", out);
    expect(run.code).toBe(0);
    const p = (name: string) => join(out, `${name}.json`);
    expect(run.out).toBe(
      [
        `wrote ${p("criterion-severe-pain-score-just-below")}: pain_score >= 6 in criterion severe (${pol}:9): just below (pain_score = 5.9)`,
        `wrote ${p("criterion-severe-pain-score-at")}: pain_score >= 6 in criterion severe (${pol}:9): at (pain_score = 6)`,
        `wrote ${p("criterion-severe-pain-score-just-above")}: pain_score >= 6 in criterion severe (${pol}:9): just above (pain_score = 6.1)`,
        `wrote ${p("criterion-therapy-therapy-start-6-weeks-and-a-day-before-the-date-of-service")}: time since therapy_start >= 6 weeks in criterion therapy (${pol}:10): 6 weeks and a day before the date of service (therapy_start = 2024-05-03)`,
        `wrote ${p("criterion-therapy-therapy-start-6-weeks-before-the-date-of-service")}: time since therapy_start >= 6 weeks in criterion therapy (${pol}:10): 6 weeks before the date of service (therapy_start = 2024-05-04)`,
        `wrote ${p("criterion-therapy-therapy-start-6-weeks-less-a-day-before-the-date-of-service")}: time since therapy_start >= 6 weeks in criterion therapy (${pol}:10): 6 weeks less a day before the date of service (therapy_start = 2024-05-05)`,
        `wrote ${p("unknown-pain-score")}: pain_score undocumented (unknown): Average pain score`,
        `wrote ${p("unknown-therapy-start")}: therapy_start undocumented (unknown): First date of physical therapy`,
        `wrote ${p("unknown-infection")}: infection undocumented (unknown): Active infection at the injection site`,
        `2 thresholds in KNEE_1: 9 case files written to ${out} (write each one's expect)`,
      ].join("\n"),
    );
    expect(JSON.parse(readFileSync(p("criterion-severe-pain-score-just-below"), "utf8"))).toEqual({
      description: `Boundary: pain_score >= 6 in criterion severe (${pol}:9): just below (pain_score = 5.9)`,
      probe: `pain_score >= 6 in criterion severe (${pol}:9): just below (pain_score = 5.9)`,
      input: { date_of_service: "2024-06-15", pain_score: 5.9, therapy_start: "2024-04-01", infection: false },
    });
    // Without an expectation, polc test asks the author for one.
    const test = await polc("test", "--library", lib, "--no-build", p("unknown-infection"));
    expect(test.code).toBe(1);
    expect(test.out.split("\n")[1]).toBe("       no expect.outcome: write the outcome the guideline gives");
    // Nothing written is overwritten.
    writeFileSync(p("unknown-infection"), "mine");
    const again = await polc("cases", "KNEE_1", "--boundaries", "--library", lib, "--from", from, "--out", out);
    expect(again.out.split("\n").at(-1)).toBe(`2 thresholds in KNEE_1: 0 case files written to ${out}, 9 kept as they were (write each one's expect)`);
    expect(readFileSync(p("unknown-infection"), "utf8")).toBe("mine");
  });

  it("with --fill, writes the policy's current determination as an unconfirmed expectation, into the policy's case folder", async () => {
    const run = await polc("cases", "KNEE_1", "--boundaries", "--library", lib, "--from", join(lib, "cases", "knee-1", "meets.json"), "--fill");
    const folder = join(relative(process.cwd(), join(lib, "cases")), "knee-1", "boundaries");
    expect(run.out.split("\n").at(-1)).toBe(`2 thresholds in KNEE_1: 9 case files written to ${folder} (expect filled from the policy as it stands: confirm each, then remove "unconfirmed")`);
    const atLimit = JSON.parse(readFileSync(join(folder, "criterion-therapy-therapy-start-6-weeks-before-the-date-of-service.json"), "utf8")) as { expect: unknown; unconfirmed: boolean };
    expect(atLimit.expect).toEqual({ outcome: "meets", pathway: "chronic_pain", unmet: [], missing: [] });
    expect(atLimit.unconfirmed).toBe(true);
    const below = JSON.parse(readFileSync(join(folder, "criterion-severe-pain-score-just-below.json"), "utf8")) as { expect: unknown };
    expect(below.expect).toEqual({ outcome: "does-not-meet", pathway: null, unmet: ["severe"], missing: [] });
    const unknown = JSON.parse(readFileSync(join(folder, "unknown-infection.json"), "utf8")) as { expect: unknown };
    expect(unknown.expect).toEqual({ outcome: "needs-info", pathway: "chronic_pain", unmet: [], missing: ["infection"] });
    const test = await polc("test", "--library", lib, "--no-build");
    expect(test.code).toBe(0);
    expect(test.out.split("\n")).toContain(`ok   KNEE_1 knee-1/boundaries/unknown-infection.json  [unconfirmed; probes infection undocumented (unknown): Active infection at the injection site]`);
    expect(test.out.split("\n").at(-1)).toBe("11 cases: 11 passed, 0 failed, 9 unconfirmed");
    // The same files, one a line, through polc eval --batch: probe and unconfirmed are case fields there too.
    const names = readdirSync(folder).sort();
    const cases = names.map((name) => JSON.parse(readFileSync(join(folder, name), "utf8")) as { probe: string; expect: { outcome: string } });
    const batch = join(dir, "boundaries.ndjson");
    writeFileSync(batch, cases.map((c) => JSON.stringify(c)).join("\n"));
    const output = new Collect();
    const summary = await runBatch(scriptLibrary(compileFiles(polFilesUnder(lib))), "KNEE_1", batch, { workers: 0, output, progress: false });
    expect(summary).toMatchObject({ lines: 9, evaluated: 9, errors: 0 });
    const lines = output.text.trimEnd().split("\n").map((l) => JSON.parse(l) as { outcome?: string; error?: string });
    expect(lines.map((l) => l.error ?? l.outcome)).toEqual(cases.map((c) => c.expect.outcome));
    rmSync(join(lib, "cases", "knee-1", "boundaries"), { recursive: true });
  });

  it("probes a count with copies of an entry the count takes, as the policy decides, or says it may not reach the limit", async () => {
    const out = join(dir, "count-probes");
    const run = await polc("cases", "NIA_CG_300", "--boundaries", "--from", "test/cases/nia-cg-300/first-year-sixth-injection-meets.json", "--out", out);
    expect(run.code).toBe(0);
    const probes = readdirSync(out)
      .filter((f) => f.startsWith("criterion-first-year-limit-prior-procedures-count") || f.startsWith("definition-after-initial-phase-injections-prior-procedures-count-at"))
      .sort()
      .map((f) => {
        const c = JSON.parse(readFileSync(join(out, f), "utf8")) as { probe: string; input: { prior_procedures: unknown[] } };
        return [f, c.input.prior_procedures.length, c.probe.replace(/^.*\): /, "")];
      });
    expect(probes).toEqual([
      ["criterion-first-year-limit-prior-procedures-count-at-the-limit.json", 6, "at the limit (6 copies of the entry dated 2024-01-22 of prior_procedures, a day apart; the determination changes across the limit)"],
      ["criterion-first-year-limit-prior-procedures-count-one-over-the-limit.json", 7, "one over the limit (7 copies of the entry dated 2024-01-22 of prior_procedures, a day apart; the determination changes across the limit)"],
      ["criterion-first-year-limit-prior-procedures-count-one-under-the-limit.json", 5, "one under the limit (5 copies of the entry dated 2024-01-22 of prior_procedures, a day apart; the determination changes across the limit)"],
      [
        "definition-after-initial-phase-injections-prior-procedures-count-at-the-limit.json",
        2,
        "at the limit (2 copies of the entry dated 2024-01-22 of prior_procedures, a day apart; no entry of the base case changes the determination across the limit, so the count may not reach it)",
      ],
    ]);
  });

  it("probes a count whose list the base case leaves empty with an entry of another case, its dates moved to the base's date of service", async () => {
    const out = join(dir, "count-probes-borrowed");
    const run = await polc("cases", "NIA_CG_300", "--boundaries", "--from", "test/cases/nia-cg-300/acute-radicular-meets.json", "--out", out);
    expect(run.code).toBe(0);
    expect(run.out).not.toMatch(/not probed: count\(prior_procedures\) < 6 in criterion first_year_limit/);
    const probe = (f: string) => JSON.parse(readFileSync(join(out, f), "utf8")) as { probe: string; input: { date_of_service: string; prior_procedures: { date: string }[] } };
    const atLimit = probe("criterion-first-year-limit-prior-procedures-count-at-the-limit.json");
    expect(atLimit.probe.replace(/^.*\): /, "")).toBe(
      "at the limit (6 copies of the entry dated 2023-05-01 (from test/cases/nia-cg-300/first-year-seventh-as-sacral-caudal.json, its dates moved to this date of service) of prior_procedures, a day apart; the determination changes across the limit)",
    );
    expect(atLimit.input.date_of_service).toBe("2024-03-15");
    expect(atLimit.input.prior_procedures.map((p) => p.date)).toEqual(["2023-05-01", "2023-04-30", "2023-04-29", "2023-04-28", "2023-04-27", "2023-04-26"]);
    // The lending case's entry keeps its distance from that case's own date of service.
    const lender = JSON.parse(readFileSync("test/cases/nia-cg-300/first-year-seventh-as-sacral-caudal.json", "utf8")) as { input: { date_of_service: string; prior_procedures: { date: string }[] } };
    const days = (a: string, b: string) => (Date.parse(a) - Date.parse(b)) / 86_400_000;
    expect(lender.input.prior_procedures.map((p) => days(lender.input.date_of_service, p.date))).toContain(days("2024-03-15", "2023-05-01"));
  });

  it("refuses a policy the library does not have, and runs only with --boundaries", async () => {
    expect(await polc("cases", "NOPE", "--boundaries", "--library", lib)).toEqual({ code: 2, out: "", err: "polc: no policy 'NOPE' in " + lib + " (the policies are: KNEE_1)" });
    expect(await polc("cases", "KNEE_1", "--library", lib)).toEqual({ code: 2, out: "", err: "polc: polc cases writes boundary cases: give --boundaries" });
  });
});

describe("polc diff", () => {
  let changed: string;
  beforeAll(() => {
    changed = join(dir, "changed");
    mkdirSync(changed);
    writeFileSync(
      join(changed, "knee.pol"),
      kneePolicy
        .replace("fact pain_score: number 0 to 10", "fact pain_score: integer 0 to 10")
        .replace('criterion severe "Pain 6 or more": pain_score >= 6', 'criterion severe "Pain 7 or more": pain_score >= 7')
        .replace('"Six weeks of therapy"', '"Six weeks of physical therapy"')
        .replace('fact infection: boolean "Active infection at the injection site"', 'fact infection: boolean "Active infection at the injection site"\nfact age: integer 0 to 120 "Age in years"')
        .replace('criterion infection_present "Active infection": infection', 'criterion infection_present "Active infection": infection\n    criterion too_young "Under 18": age < 18'),
    );
  });

  it("lists criteria, thresholds, wording and facts changed, breaking input changes, and the cases that change", async () => {
    const run = await polc("diff", lib, changed, "--cases", join(lib, "cases"));
    expect(run).toEqual({
      code: 0,
      err: "",
      out: [
        `# Policy changes: ${lib} → ${changed}`,
        "",
        "## KNEE_1 Knee Injections",
        "",
        "### Criteria",
        "",
        "- **changed** `severe` (INDICATIONS): thresholds `6` → `7`; wording changed too",
        '  - before: "Pain 6 or more"',
        '  - after: "Pain 7 or more"',
        "- **changed** `therapy` (INDICATIONS): wording only",
        '  - before: "Six weeks of therapy"',
        '  - after: "Six weeks of physical therapy"',
        '- **added** `too_young` (CONTRAINDICATIONS): "Under 18"',
        "",
        "### Facts (the input type)",
        "",
        "- **type changed** `pain_score`: `number 0 to 10` → `integer 0 to 10` — **breaking** for integrators: it must now be a whole number",
        "- **added** `age` (integer 0 to 120)",
        "",
        "## Cases whose determination changes",
        "",
        "| Case | Policy | Before | After | What changed |",
        "|---|---|---|---|---|",
        "| knee-1/meets.json | KNEE_1 | meets (chronic_pain) | needs-info (chronic_pain) | outcome meets → needs-info; missing +age |",
      ].join("\n"),
    });
  });

  it("prints JSON for scripts, and reads cases from NDJSON", async () => {
    const ndjson = join(dir, "cases.ndjson");
    writeFileSync(ndjson, [JSON.stringify({ policy: "KNEE_1", ...pain5 }), JSON.stringify({ ...meets.input, pain_score: 6 })].join("\n") + "\n");
    const run = await polc("diff", lib, changed, "--cases", ndjson, "--policy", "KNEE_1", "--json");
    const json = JSON.parse(run.out) as { policies: { id: string; facts: unknown[] }[]; cases: unknown[] };
    expect(json.policies[0].facts).toEqual([
      { path: "pain_score", kind: "type changed", before: "number 0 to 10", after: "integer 0 to 10", breaking: "it must now be a whole number" },
      { path: "age", kind: "added", after: "integer 0 to 120" },
    ]);
    expect(json.cases).toEqual([{ case: `${ndjson}:2`, policy: "KNEE_1", before: "meets (chronic_pain)", after: "does-not-meet", details: ["outcome meets → does-not-meet", "pathway chronic_pain → none", "unmet +severe"] }]);
  });

  it("lists service lines changed, and each case's service-line outcomes that change", async () => {
    const copy = join(dir, "library-copy");
    cpSync("policies", copy, { recursive: true });
    const file = join(copy, "cms", "l38773-facet-joint-interventions.pol");
    const text = readFileSync(file, "utf8");
    writeFileSync(
      file,
      text
        .replace("Monitored Anesthesia Care (MAC)\" when request.sedation != no_sedation {", "Monitored Anesthesia Care (MAC)\" when request.sedation != no_sedation and request.sedation != moderate_sedation {")
        .replace("request.sedation in {monitored_anesthesia_care, general_anesthesia, deep_sedation}", "request.sedation in {monitored_anesthesia_care, general_anesthesia}"),
    );
    const cases = join(dir, "cms-cases");
    cpSync(join("test", "cases", "cms-l38773"), join(cases, "cms-l38773"), { recursive: true });
    const run = await polc("diff", "policies", copy, "--cases", cases);
    expect(run.code).toBe(0);
    expect(run.out.split("\n").slice(2, 12)).toEqual([
      "## CMS_L38773 Facet Joint Interventions for Pain Management",
      "",
      "### Criteria",
      "",
      "- **changed** `limitation_3_routine` (service sedation: Limitations 2 and 3): rule changed",
      "",
      "### Service lines",
      "",
      "- **changed** `sedation`: when it is asked for: its rule changed; 1 of its criteria changed (see the criteria)",
      "",
    ]);
    // Moderate sedation is no longer a line of its own: the cases that asked for it change.
    expect(run.out.split("\n").filter((l) => l.startsWith("| cms-l38773/")).map((l) => l.split(" | ")[0] + " | " + l.split(" | ").at(-1))).toEqual([
      "| cms-l38773/sedation-moderate-rfa-anxiety.json | outcome does-not-meet → meets; unmet -limitation_3_anxiety -limitation_3_moderate; line CMS_L38773 meets → not asked for; line sedation does-not-meet → not asked for |",
      expect.stringMatching(/^\| cms-l38773\/sedation-moderate-rfa-inability-to-remain-motionless-refer\.json \| outcome refer-for-review → meets; referrals -3\. The use of Moderate Sedation .*; line CMS_L38773 meets → not asked for; line sedation refer-for-review → not asked for \|$/),
    ]);
    const json = JSON.parse((await polc("diff", "policies", copy, "--json")).out) as { policies: { id: string; services: unknown[] }[] };
    expect(json.policies.find((p) => p.id === "CMS_L38773")!.services).toEqual([
      { id: "sedation", kind: "changed", details: ["when it is asked for: its rule changed", "1 of its criteria changed (see the criteria)"] },
    ]);
  });

  it("compares git revisions of this repository's library, and refuses what is neither", async () => {
    expect(await polc("diff", "HEAD", "HEAD")).toEqual({ code: 0, out: "# Policy changes: policies at HEAD → policies at HEAD\n\nNo policy changed.", err: "" });
    expect(await polc("diff", "no-such-revision-xyz")).toEqual({ code: 2, out: "", err: "polc: 'no-such-revision-xyz' is neither a library folder nor a git revision of this repository" });
  });
});

describe("--watch", () => {
  it("tells what changed between two runs' outputs", () => {
    expect(outputChanges(["a", "b", "b", "summary 1"], ["b", "c", "summary 2"])).toEqual(["- a", "- b", "- summary 1", "+ c", "+ summary 2"]);
    expect(outputChanges(["a"], ["a"])).toEqual([]);
  });

  it("runs again after a save and prints only what changed", async () => {
    const watched = join(dir, "watched");
    mkdirSync(watched);
    const file = join(watched, "x.txt");
    writeFileSync(file, "one");
    const printed: string[] = [];
    const controller = new AbortController();
    let runs = 0;
    let second: () => void = () => undefined;
    const secondRun = new Promise<void>((resolve) => (second = resolve));
    const done = watchLoop({
      paths: [watched],
      settleMs: 50,
      signal: controller.signal,
      io: { out: (t) => printed.push(t), err: (t) => printed.push(t) },
      run: async (io) => {
        runs++;
        io.out(`content ${readFileSync(file, "utf8")}`);
        io.out("1 file checked");
        if (runs === 2) setTimeout(second, 0);
        return runs === 1 ? 0 : 1;
      },
    });
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(file, "two");
    await secondRun;
    controller.abort();
    expect(await done).toBe(1);
    expect(printed).toEqual(["content one", "1 file checked", `watching ${watched} (Ctrl-C to stop)`, expect.stringMatching(/^\[\d\d:\d\d:\d\d\] changed:$/), "- content one", "+ content two"]);
  });

  it("is offered by check, build and test", async () => {
    for (const command of ["check", "build", "test"]) expect((await polc(command, "--help")).out).toContain("--watch");
  });
});

describe("threshold mutation", () => {
  it("changes each threshold by one unit and names the first case that notices", () => {
    const result = compileFiles(polFilesUnder(lib));
    const thresholds = mutableThresholds(result);
    expect(thresholds.map((t) => `${t.owner} ${t.text}`)).toEqual(["criterion severe 6", "criterion therapy 6 weeks"]);
    const results = runMutants(result, join(lib, "cases"), thresholds);
    expect(results.map((r) => `${r.threshold.owner}: ${r.change}: ${r.killedBy ?? "no case notices"}`)).toEqual([
      "criterion severe: 6 → 5: knee-1/pain-5.json",
      "criterion severe: 6 → 7: no case notices",
      "criterion therapy: 6 weeks → 5 weeks: no case notices",
      "criterion therapy: 6 weeks → 7 weeks: no case notices",
    ]);
    // The library is left as it was.
    expect(mutableThresholds(result).map((t) => t.text)).toEqual(["6", "6 weeks"]);
  });

  it("on the policy library, a sample: the severe-pain threshold every policy shares is pinned down both ways", () => {
    const result = compileFiles(polFilesUnder("policies"));
    const severe = mutableThresholds(result).filter((t) => t.owner === "definition severe_pain_documented");
    expect(severe.map((t) => t.text)).toEqual(["6"]);
    const results = runMutants(result, join("test", "cases"), severe);
    expect(results.map((r) => [r.change, r.killedBy !== undefined])).toEqual([
      ["6 → 5", true],
      ["6 → 7", true],
    ]);
    expect(readdirSync(join("test", "cases")).length).toBeGreaterThan(0);
  });
});
