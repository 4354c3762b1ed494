/**
 * The benchmark's three NIA_CG_300 evaluators agree: on a 2 000-case slice of the seeded corpus,
 * the generated module, the hand-written TypeScript and the json-rules-engine encoding give the
 * same outcome, and the hand-written one the same unmet criteria and missing facts. Also checks
 * the corpus itself and `polc eval --batch` (workers against the calling thread).
 */
import { describe, expect, it } from "vitest";
import { policy } from "../../generated/nia-cg-300.js";
import { validateInput } from "../../runtime/validate.js";
import { CORPUS_SIZE, generateCorpus } from "../../bench/corpus.js";
import { checkAgreement } from "../../bench/agreement.js";

const corpus = generateCorpus();
const SLICE = 2_000;

describe("benchmark corpus", () => {
  it("has at least 10 000 cases, the same on every run, all valid input", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10_000);
    expect(corpus.length).toBe(CORPUS_SIZE);
    expect(JSON.stringify(generateCorpus(50))).toBe(JSON.stringify(corpus.slice(0, 50)));
    const invalid = corpus.map((c, i) => ({ i, problems: validateInput(policy, c.input) })).filter((x) => x.problems.length > 0);
    expect(invalid.slice(0, 3)).toEqual([]);
    const lengths = corpus.map((c) => c.input.prior_procedures?.length ?? 0);
    expect(Math.min(...lengths)).toBe(0);
    expect(Math.max(...lengths)).toBe(12);
  });
});

describe("generated, hand-written and json-rules-engine evaluators", () => {
  it(`agree on the first ${SLICE} corpus cases`, async () => {
    const report = await checkAgreement(corpus.slice(0, SLICE));
    expect(report.checked).toBe(SLICE);
    // Every outcome occurs in the slice except not-covered (NIA_CG_300 has no not-covered section).
    expect(Object.keys(report.outcomes).sort()).toEqual(["does-not-meet", "excluded", "meets", "needs-info"]);
    const compact = report.disagreements.slice(0, 5).map((d) => ({ ...d, testCase: JSON.stringify(d.testCase) }));
    expect(compact).toEqual([]);
  }, 60_000);
});
