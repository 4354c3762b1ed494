/**
 * Compares the three evaluators of NIA_CG_300 (generated module, hand-written, json-rules-engine),
 * and the module's decision against its determination, on corpus cases. Used by test/bench-agreement.test.ts on a slice, and by
 * `npx tsx bench/agreement.ts [from] [to]` on the whole corpus.
 */
import { decision, evaluate } from "../generated/nia-cg-300.js";
import { generateCorpus, type CorpusCase } from "./corpus.js";
import { evaluateHandwritten } from "./handwritten-cg300.js";
import { createJreEvaluator } from "./json-rules-engine-cg300.js";

export interface Disagreement {
  readonly index: number;
  readonly engine: "handwritten" | "json-rules-engine" | "trace" | "decision";
  readonly field: "outcome" | "unmet" | "missing" | "determination" | "decision";
  readonly expected: unknown;
  readonly got: unknown;
  readonly testCase: CorpusCase;
}

export interface AgreementReport {
  readonly checked: number;
  readonly outcomes: Record<string, number>;
  readonly disagreements: Disagreement[];
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export async function checkAgreement(cases: readonly CorpusCase[], offset = 0): Promise<AgreementReport> {
  const jre = createJreEvaluator();
  const outcomes: Record<string, number> = {};
  const disagreements: Disagreement[] = [];
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    // Every undocumented fact the open criteria read, as the hand-written evaluator lists them:
    // the search for the fewest that decide is tested on its own (test/evaluate/deciding-facts.test.ts).
    const d = evaluate(c.input, { state: c.state, trace: false, fewestFacts: false });
    // The same code with its trace on: the whole determination is the same, the trace aside.
    const traced = evaluate(c.input, { state: c.state, fewestFacts: false });
    if (JSON.stringify({ ...traced, trace: [] }) !== JSON.stringify(d)) {
      disagreements.push({ index: offset + i, engine: "trace", field: "determination", expected: traced, got: d, testCase: c });
    }
    // The decision (what --compact prints) is the determination's outcome, pathway, unmet ids and
    // missing paths, in its order; with fewestFacts, those of the default determination (every
    // tenth case: the search evaluates a needs-info request several times more).
    const projected = (x: typeof d) => ({ outcome: x.outcome, pathway: x.pathway, unmet: x.unmet.map((u) => u.id), missing: x.missing.map((m) => m.fact) });
    const light = decision(c.input, { state: c.state });
    if (JSON.stringify(light) !== JSON.stringify(projected(d))) disagreements.push({ index: offset + i, engine: "decision", field: "decision", expected: projected(d), got: light, testCase: c });
    if (i % 10 === 0) {
      const fewest = projected(evaluate(c.input, { state: c.state, trace: false }));
      const narrowed = decision(c.input, { state: c.state, fewestFacts: true });
      if (JSON.stringify(narrowed) !== JSON.stringify(fewest)) disagreements.push({ index: offset + i, engine: "decision", field: "decision", expected: fewest, got: narrowed, testCase: c });
    }
    outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
    const unmet = d.unmet.map((u) => u.id).sort();
    const missing = d.missing.map((m) => m.fact).sort();
    const h = evaluateHandwritten(c.input, c.state);
    const index = offset + i;
    if (h.outcome !== d.outcome) disagreements.push({ index, engine: "handwritten", field: "outcome", expected: d.outcome, got: h.outcome, testCase: c });
    else {
      if (!same(h.unmet, unmet)) disagreements.push({ index, engine: "handwritten", field: "unmet", expected: unmet, got: h.unmet, testCase: c });
      if (!same(h.missing, missing)) disagreements.push({ index, engine: "handwritten", field: "missing", expected: missing, got: h.missing, testCase: c });
    }
    const j = await jre(c.input, c.state);
    if (j !== d.outcome) disagreements.push({ index, engine: "json-rules-engine", field: "outcome", expected: d.outcome, got: j, testCase: c });
  }
  return { checked: cases.length, outcomes, disagreements };
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const from = Number(process.argv[2] ?? 0);
  const to = Number(process.argv[3] ?? Infinity);
  const corpus = generateCorpus();
  const slice = corpus.slice(from, Math.min(to, corpus.length));
  const started = performance.now();
  const report = await checkAgreement(slice, from);
  console.log(`checked ${report.checked} cases (${from}…${from + report.checked - 1}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`outcomes (generated): ${JSON.stringify(report.outcomes)}`);
  console.log(`disagreements: ${report.disagreements.length}`);
  for (const d of report.disagreements.slice(0, 5)) console.log(JSON.stringify(d));
  process.exitCode = report.disagreements.length ? 1 : 0;
}
