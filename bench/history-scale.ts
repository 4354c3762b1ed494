/**
 * How evaluation scales with the length of the procedure history, with the trace on and off:
 * NIA_CG_300 (which pairs nothing with `counting … as one`) on one corpus case whose history is
 * replaced by N procedures, N from 1 000 to 100 000. Prints the time of one evaluation (the
 * fastest of three after a warm-up), trace off and on, beside each other for each N.
 *
 *   npx tsx bench/history-scale.ts [--min 1000] [--max 100000] [--trace-max 100000] [--policy NIA_CG_301]
 *
 * NIA_CG_301, 302 and 305 pair entries with `counting … as one`, whose cost is the pairing's
 * (runtime/queries.ts), not the trace's; pass `--policy` to measure one of them.
 */
import { compileFiles } from "../compiler/compile.js";
import { loadPolicies } from "../compiler/load-modules.js";
import { polFilesUnder } from "../compiler/cli/main.js";
import { evaluate } from "../runtime/determine.js";
import { generateCorpus } from "./corpus.js";

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const max = Number(option("--max") ?? 100_000);
const min = Number(option("--min") ?? 1_000);
/** Above this many entries the trace-on run is left out (to shorten a run: it is linear, like the trace-off one). */
const traceMax = Number(option("--trace-max") ?? 100_000);
const policyId = option("--policy") ?? "NIA_CG_300";
const policy = loadPolicies(compileFiles(polFilesUnder("policies"))).get(policyId);
if (!policy) throw new Error(`no policy ${policyId}`);

const kinds = ["epidural_injection", "facet_injection", "sacroiliac_injection", "medial_branch_block", "spinal_surgery", "facet_denervation"];
const regions = ["cervical", "thoracic", "lumbar", "sacral"];

/** N procedures, one every few days going back from the date of service, of every kind and region. */
function history(n: number, dos: string): Record<string, unknown>[] {
  const end = Date.parse(dos);
  return Array.from({ length: n }, (_, i) => ({
    date: new Date(end - (1 + ((i * 3) % 20_000)) * 86_400_000).toISOString().slice(0, 10),
    kind: kinds[i % kinds.length],
    region: regions[(i >> 2) % regions.length],
    side: i % 3 === 0 ? "left" : i % 3 === 1 ? "right" : "bilateral",
    level: `L${(i % 4) + 1}-${(i % 4) + 2}`,
    therapeutic: i % 2 === 0,
    relief_percent: (i * 7) % 101,
    relief_duration: { amount: (i % 12) + 1, unit: "weeks" },
  }));
}

const base = generateCorpus(1)[0];
console.log(`# ${policyId}: one evaluation, fastest of 3 after a warm-up`);
console.log(`${"entries".padStart(8)}  ${"trace off".padStart(10)}  ${"trace on".padStart(10)}  outcome`);
for (const n of [1_000, 3_000, 10_000, 30_000, 100_000].filter((n) => n >= min && n <= max)) {
  const input = { ...(base.input as unknown as Record<string, unknown>), prior_procedures: history(n, (base.input as unknown as Record<string, string>).date_of_service) };
  const times: Record<string, number> = {};
  let outcome = "";
  for (const trace of n <= traceMax ? [false, true] : [false]) {
    evaluate(policy, input, { trace });
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const d = evaluate(policy, input, { trace });
      best = Math.min(best, performance.now() - started);
      outcome = d.outcome;
    }
    times[String(trace)] = best;
  }
  const on = times.true === undefined ? "—" : `${times.true.toFixed(1)} ms`;
  console.log(`${String(n).padStart(8)}  ${`${times.false.toFixed(1)} ms`.padStart(10)}  ${on.padStart(10)}  ${outcome}`);
}
