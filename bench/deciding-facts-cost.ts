/**
 * What the search for the fewest deciding facts costs: the bench corpus evaluated with it and
 * without it (trace off), and the length of `missing` on needs-info either way.
 * Run: npx tsx bench/deciding-facts-cost.ts [count]
 */
import { evaluate } from "../generated/nia-cg-300.js";
import { generateCorpus } from "./corpus.js";

const count = Number(process.argv[2] ?? 10_000);
const corpus = generateCorpus().slice(0, count);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)];
}

for (const fewestFacts of [false, true]) {
  const lengths: number[] = [];
  let slowest = 0;
  const start = performance.now();
  for (const c of corpus) {
    const t = performance.now();
    const d = evaluate(c.input, { state: c.state, trace: false, fewestFacts });
    slowest = Math.max(slowest, performance.now() - t);
    if (d.outcome === "needs-info") lengths.push(d.missing.length);
  }
  const ms = performance.now() - start;
  console.log(
    `fewestFacts ${fewestFacts ? "on " : "off"}: ${corpus.length} cases in ${(ms / 1000).toFixed(2)} s (${Math.round((corpus.length * 1000) / ms)} cases/s), slowest ${slowest.toFixed(1)} ms; needs-info ${lengths.length}, missing median ${median(lengths)}, max ${Math.max(0, ...lengths)}, mean ${(lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length)).toFixed(2)}`,
  );
}
