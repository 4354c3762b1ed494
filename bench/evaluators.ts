/**
 * The evaluator figures of `npm run bench`. bench/run.ts bundles this file with esbuild and runs
 * the bundle with plain node in a child process, as a service would run compiled code: under tsx
 * every module is transformed separately and reached through ESM namespaces, which made each
 * evaluator here 1.5–3× slower and the figures noisier. All evaluators run the same way.
 *
 *   node <bundle> [--quick]      prints `name: value unit` lines, like run.ts
 */
import { decision, evaluate, policy } from "../generated/nia-cg-300.js";
import { validateInput } from "../runtime/validate.js";
import { generateCorpus, type CorpusCase } from "./corpus.js";
import { evaluateHandwritten } from "./handwritten-cg300.js";
import { createJreEvaluator } from "./json-rules-engine-cg300.js";
import { median, printFigure } from "./report.js";


type Run = (c: CorpusCase) => unknown;

/**
 * With BENCH_CPU_TIME=1, samples are timed in the CPU time this process used (its thread and the
 * garbage collector's and compiler's helper threads) instead of wall time: on the shared 2-core
 * machine a process spends much of its wall time waiting for a core (at load 10–14, wall-time
 * ratios between evaluators ranged over 10× within one run). The helper threads' time counts
 * against the evaluator that makes them work: json-rules-engine, which allocates the most, looks
 * slower per CPU second than per wall second, so ratios to it are taken in wall time.
 */
const cpuTime = process.env.BENCH_CPU_TIME === "1";

function clockMs(): number {
  if (!cpuTime) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Evaluations per second of each evaluator: a warm-up sample each, then `samples` rounds in which
 * every evaluator takes one sample of ≥ `sampleMs` in turn, so that a slow spell of a shared
 * machine falls on all of them. The median of each evaluator's samples. json-rules-engine is
 * asynchronous: each of its evaluations is awaited.
 */
async function interleavedRates(set: readonly CorpusCase[], runs: Record<string, Run>, jre: (c: CorpusCase) => Promise<unknown>, samples: number, sampleMs: number): Promise<Record<string, number>> {
  const sample = (f: Run) => {
    const t = clockMs();
    let n = 0;
    do {
      for (const c of set) f(c);
      n += set.length;
    } while (clockMs() - t < sampleMs);
    return n / ((clockMs() - t) / 1000);
  };
  const asyncSample = async () => {
    const t = clockMs();
    let n = 0;
    do {
      for (const c of set) await jre(c);
      n += set.length;
    } while (clockMs() - t < sampleMs);
    return n / ((clockMs() - t) / 1000);
  };
  const rates: Record<string, number[]> = { jre: [] };
  for (const [name, f] of Object.entries(runs)) {
    sample(f);
    rates[name] = [];
  }
  await asyncSample();
  for (let i = 0; i < samples; i++) {
    for (const [name, f] of Object.entries(runs)) rates[name].push(sample(f));
    rates.jre.push(await asyncSample());
  }
  return Object.fromEntries(Object.entries(rates).map(([name, xs]) => [name, median(xs)]));
}

export async function measureEvaluators(quick: boolean): Promise<void> {
  // Through JSON, as a service receives requests.
  const set = JSON.parse(JSON.stringify(generateCorpus().filter((_, i) => i % 40 === 0))) as CorpusCase[];
  const samples = quick ? 3 : 5;
  const ms = quick ? 300 : 600;
  const average = set.reduce((n, c) => n + (c.input.prior_procedures?.length ?? 0), 0) / set.length;
  console.log(`# evaluator set: ${set.length} corpus cases (every 40th, through JSON), ${average} prior procedures on average; ${samples} interleaved samples of ≥ ${ms} ms${cpuTime ? " of CPU time" : ""} after a warm-up${cpuTime ? ", rates per CPU second (BENCH_CPU_TIME=1)" : ""}; an esbuild bundle run by node ${process.version}`);
  const jreEvaluate = createJreEvaluator();
  const r = await interleavedRates(
    set,
    {
      trace: (c) => evaluate(c.input, { state: c.state, fewestFacts: false }),
      noTrace: (c) => evaluate(c.input, { state: c.state, trace: false, fewestFacts: false }),
      fewest: (c) => evaluate(c.input, { state: c.state, trace: false }),
      decision: (c) => decision(c.input, { state: c.state }),
      validate: (c) => validateInput(policy, c.input),
      hand: (c) => evaluateHandwritten(c.input, c.state),
    },
    (c) => jreEvaluate(c.input, c.state),
    samples,
    ms,
  );
  printFigure("eval.generated.cg300", r.trace, "evals/s");
  printFigure("eval.generated_no_trace.cg300", r.noTrace, "evals/s");
  printFigure("eval.generated_fewest_facts.cg300", r.fewest, "evals/s");
  printFigure("eval.decision.cg300", r.decision, "decisions/s");
  printFigure("eval.validate_input.cg300", r.validate, "validations/s");
  printFigure("eval.handwritten.cg300", r.hand, "evals/s");
  const jre = printFigure("eval.json_rules_engine.cg300", r.jre, "evals/s");
  printFigure("ratio.generated_vs_handwritten", r.hand / r.noTrace, "", { op: "≤", value: 1.5 });
  printFigure("ratio.decision_vs_handwritten", r.hand / r.decision, "", { op: "≤", value: 1.5 });
  printFigure("ratio.generated_vs_json_rules_engine", r.noTrace / jre, "", { op: "≥", value: 50 });
  printFigure("ratio.decision_vs_json_rules_engine", r.decision / jre, "", { op: "≥", value: 50 });
  printFigure("ratio.trace_cost", r.noTrace / r.trace, "", { op: "≤", value: 3 });
  console.log("# generated = the module's evaluate, the full determination: the request read and checked once, then the policy's compiled code, with the trace (the default) or without; missing lists every undocumented fact the open criteria read (fewestFacts: false), as the hand-written function does");
  console.log("# generated_fewest_facts = the same without the trace but with evaluate's default search for the fewest facts that decide a needs-info request (no target)");
  console.log("# decision = the module's decision (what `polc eval --batch --compact` prints): the same reading, check and compiled code, returning what the hand-written function returns (outcome, pathway, unmet ids, missing paths) without reasons, pathway results, descriptions or assumptions; validate_input = reading and checking alone");
  console.log("# *_vs_handwritten = hand-written ÷ generated or decision: how many times slower (target ≤ 1.5); the hand-written function checks no input");
  console.log("# *_vs_json_rules_engine = generated (no trace) or decision ÷ json-rules-engine: how many times faster (target ≥ 50); trace_cost = no trace ÷ trace (target ≤ 3)");
}

const isMain = process.argv.includes("--measure-evaluators");
if (isMain) await measureEvaluators(process.argv.includes("--quick"));
