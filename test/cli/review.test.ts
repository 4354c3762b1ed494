/**
 * A does-not-meet is a recommendation for clinical review, and `polc review` records a
 * clinician's decision beside it: who, when, agree or override, the outcome decided, why — in
 * the form json-schema/review.ts describes. Determinations name the policy's sources.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import { recordReview } from "../../runtime/review.js";
import { InputError } from "../../runtime/validate.js";
import { reviewDecisionSchema } from "../../json-schema/review.js";
import { compilerVersion } from "../../compiler/version.js";
import { evaluate, policy } from "../../generated/nia-cg-300.js";
import { readCaseFile } from "../../compiler/cli/case-file.js";
import { polc } from "../support/polc.js";

const denied = readCaseFile("test/cases/nia-cg-300/acute-duration-3-months.json");
const determination = evaluate(denied.input as never, { trace: false });
let dir: string;
let path: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "polc-review-"));
  path = join(dir, "determination.json");
  writeFileSync(path, JSON.stringify(determination));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a does-not-meet is a recommendation for clinical review", () => {
  it("says so in the determination and first in its reasons", () => {
    expect(determination.outcome).toBe("does-not-meet");
    expect(determination.recommendation).toBe("clinical-review");
    expect(determination.reasons[0]).toBe("Recommendation for clinical review, not a denial: the request does not meet the guideline as documented; only a clinician may deny it.");
    const meets = evaluate(readCaseFile("test/cases/nia-cg-300/acute-radicular-meets.json").input as never, { trace: false });
    expect(meets.recommendation).toBe(null);
  });

  it("quotes the closest pathways in full (two tie with one unmet criterion) and gives the others one line", () => {
    expect(determination.unmet.map((u) => u.id)).toEqual(["acute_duration", "stenosis_diagnosis"]);
    expect(determination.reasons.slice(1)).toEqual([
      'No indication is met under "INDICATIONS FOR EPIDURAL SPINE INJECTIONS OR SELECTIVE NERVE BLOCKS (Caudal, Interlaminar, Transforaminal)".',
      'Closest indication: "For the treatment of acute pain or exacerbation of chronic radicular pain".',
      "Not met: Duration of pain < 3 months",
      'Closest indication: "For the treatment of spinal stenosis causing axial or radicular pain".',
      "Not met: Spinal stenosis causing axial or radicular pain",
      'Not met: "For the treatment of failed back surgery syndrome or epidural fibrosis causing axial or radicular pain" (2 unmet, first: "Failed back surgery syndrome or epidural fibrosis causing axial or radicular pain").',
      'Not met: "For a diagnostic transforaminal injection to identify the pain generator for surgical planning" (2 unmet, first: "A diagnostic transforaminal injection to identify the pain generator for surgical planning").',
    ]);
  });

  it("names the policy's version, effective period, sources digest and compiler version (recorded at build time)", () => {
    expect(determination.policy).toEqual({ id: "NIA_CG_300", title: "Epidural Spine Injections", version: "2024", digest: policy.metadata.digest, compiler: compilerVersion, effective: { from: "2024-01-01", to: "2024-12-31" } });
    expect(determination.policy.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    expect(compilerVersion).toBe(pkg.version);
  });
});

describe("recording a reviewer's decision", () => {
  const ajv = new Ajv2020({ strict: false });
  const valid = ajv.compile(reviewDecisionSchema);

  it("records an override with who, when, the outcome decided and why, valid against its JSON Schema", async () => {
    const run = await polc("review", path, "--reviewer", "1234567890", "--credentials", "MD", "--decision", "override", "--outcome", "meets", "--rationale", "Pain began 11 weeks ago per the intake note", "--at", "2024-06-16T10:00:00Z");
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const record = JSON.parse(run.out) as { determination: unknown; review: unknown };
    expect(record.determination).toEqual(determination);
    expect(record.review).toEqual({
      reviewed: { policy: "NIA_CG_300", version: "2024", digest: determination.policy.digest, outcome: "does-not-meet" },
      reviewer: { id: "1234567890", credentials: "MD" },
      decidedAt: "2024-06-16T10:00:00Z",
      decision: "override",
      outcome: "meets",
      rationale: "Pain began 11 weeks ago per the intake note",
    });
    expect(valid(record.review), JSON.stringify(valid.errors)).toBe(true);
  });

  it("refuses an override without another outcome, an agreement that changes it, a missing rationale and a bad time, naming each flag", async () => {
    const run = await polc("review", path, "--reviewer", "1", "--decision", "override", "--rationale", " ", "--at", "yesterday");
    expect(run.code).toBe(2);
    expect(run.err).toBe(
      "polc: --at expected an ISO 8601 date and time with its offset like 2024-06-15T14:03:00Z, got \"yesterday\"; --rationale is required: why, in the reviewer's words; --outcome is required when overriding: the outcome decided instead of does-not-meet",
    );
    expect(() => recordReview(determination, { reviewer: { id: "1" }, decidedAt: "2024-06-16T10:00:00Z", decision: "agree", outcome: "meets", rationale: "ok" })).toThrow(InputError);
    const agreed = recordReview(determination, { reviewer: { id: "1" }, decidedAt: "2024-06-16T10:00:00+02:00", decision: "agree", rationale: "Duration is 3 months on the chart" });
    expect(agreed.outcome).toBe("does-not-meet");
    expect(valid(agreed)).toBe(true);
    expect(valid({ ...agreed, decision: "maybe" })).toBe(false);
  });

  it("writes a new file with --out and never replaces one", async () => {
    const out = join(dir, "review.json");
    const first = await polc("review", path, "--reviewer", "1", "--decision", "agree", "--rationale", "as documented", "--at", "2024-06-16T10:00:00Z", "--out", out);
    expect(first.out).toBe(`wrote ${out}: agree (does-not-meet) by 1`);
    expect(existsSync(out)).toBe(true);
    const before = readFileSync(out, "utf8");
    const second = await polc("review", path, "--reviewer", "2", "--decision", "agree", "--rationale", "again", "--out", out);
    expect(second.code).toBe(2);
    expect(second.err).toBe(`polc: ${out} exists: polc review writes a new file and never replaces one`);
    expect(readFileSync(out, "utf8")).toBe(before);
  });

  it("refuses a file that is not a determination", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, '{"input": {}}');
    const run = await polc("review", bad, "--reviewer", "1", "--decision", "agree", "--rationale", "x");
    expect(run.code).toBe(2);
    expect(run.err).toBe(`polc: ${bad}: expected a determination as polc eval --json prints it (with "outcome" and "policy": {"id", "version", …})`);
  });
});
