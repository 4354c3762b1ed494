/**
 * How evaluation scales with the length of the procedure history, in time and memory, with the
 * trace on and off, for every policy of the library.
 *
 *   npx tsx bench/history-scale.ts [--sizes 10000,30000,100000] [--policy NIA_CG_300]… [--heap MB] [--limit S] [--time-only]
 *
 * Each policy's request is its case file with the longest history (test/cases), its history
 * replaced by N entries made from every history entry of the policy's case files, dated one to
 * three days apart going back from the date of service (so a third of them fall in the last
 * twelve months at 100 000 entries, and recent runs are as long as the history allows).
 *
 * Each (policy, trace, N) runs in a process of its own (`node --expose-gc`), so that its peak
 * memory is its own. It prints, trace off beside trace on:
 * - `ms`: one evaluation, the fastest of 3 after a warm-up (with `--time-only`, also the processor
 *   time it took, `cpu ms`, which the other work on a shared machine does not inflate);
 * - `input MB`: the heap the request's JSON value holds (what the caller already has);
 * - `peak MB`: the most resident memory the process reached while evaluating, above what it held
 *   before the first evaluation (maxRSS from getrusage; input, validation, evaluation, trace);
 * - `kept MB`: the heap the determination holds once evaluated (with the trace, the trace).
 * `--heap MB` runs every process with `--max-old-space-size=MB`: a run that needs more heap than
 * that ends "out of heap". A process still running after `--limit` seconds (default 120) is
 * stopped and shown as "over S s". `--time-only` measures time alone, in this process, faster.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Policy } from "../runtime/policy.js";
import { evaluate } from "../runtime/determine.js";
import { formatDay, parseIsoDate } from "../runtime/dates.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const options = (name: string) => args.flatMap((a, i) => (a === name && i + 1 < args.length ? [args[i + 1]] : []));

type Json = Record<string, unknown>;

/** A policy's request at N entries: its case with the longest history, and the history's key. */
interface Workload {
  readonly policyId: string;
  readonly module: string;
  readonly base: Json;
  readonly listKey: string;
  readonly entries: readonly Json[];
  readonly caseFile: string;
}

/** Every folder of test/cases is a policy: `nia-cg-300` holds NIA_CG_300's cases and names generated/nia-cg-300.ts. */
function workloads(): Workload[] {
  const casesDir = join(root, "test", "cases");
  const result: Workload[] = [];
  for (const folder of readdirSync(casesDir).sort()) {
    const files = readdirSync(join(casesDir, folder)).filter((f) => f.endsWith(".json")).sort();
    const inputs = files.map((f) => {
      const data = JSON.parse(readFileSync(join(casesDir, folder, f), "utf8")) as Json;
      return { file: f, input: (data.input ?? data) as Json };
    });
    // The history: the list of dated records with the most entries over all the case files.
    const totals = new Map<string, Json[]>();
    for (const { input } of inputs) {
      for (const [key, value] of Object.entries(input)) {
        if (Array.isArray(value) && value.length > 0 && typeof value[0] === "object" && value[0] !== null && "date" in value[0]) {
          totals.set(key, [...(totals.get(key) ?? []), ...(value as Json[])]);
        }
      }
    }
    const [listKey, entries] = [...totals].sort((a, b) => b[1].length - a[1].length)[0];
    const longest = inputs.reduce((best, c) => ((c.input[listKey] as unknown[] | undefined)?.length ?? 0) > ((best.input[listKey] as unknown[] | undefined)?.length ?? 0) ? c : best);
    result.push({ policyId: folder.toUpperCase().replace(/-/g, "_"), module: join(root, "generated", `${folder}.ts`), base: longest.input, listKey, entries, caseFile: `${folder}/${longest.file}` });
  }
  return result;
}

/** The request with a history of `n` entries, the entries of the case files in turn, one to three days apart. */
function request(w: Workload, n: number): Json {
  const dos = parseIsoDate(String(w.base.date_of_service))!;
  const history = new Array<Json>(n);
  for (let i = 0; i < n; i++) {
    const entry = w.entries[i % w.entries.length];
    history[i] = { ...entry, date: formatDay(dos - 1 - Math.floor((i * 2) / 3)) };
  }
  return { ...w.base, [w.listKey]: history };
}

interface Measure {
  readonly n: number;
  readonly ms: number;
  readonly cpuMs?: number;
  readonly outcome: string;
  readonly inputMb?: number;
  readonly peakMb?: number;
  readonly keptMb?: number;
  readonly failed?: string;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

/**
 * The fastest of 3 evaluations after a warm-up, in wall time and in the processor time the
 * process spent on it (the collector's threads included): on a shared machine the wall time
 * also counts the waits for a core, the processor time does not.
 */
function fastest(policy: Policy, input: Json, trace: boolean): { ms: number; cpuMs: number; outcome: string } {
  evaluate(policy, input, { trace });
  let best = Infinity;
  let bestCpu = Infinity;
  let outcome = "";
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    outcome = evaluate(policy, input, { trace }).outcome;
    const spent = process.cpuUsage(cpu);
    best = Math.min(best, performance.now() - started);
    bestCpu = Math.min(bestCpu, (spent.user + spent.system) / 1000);
  }
  return { ms: best, cpuMs: bestCpu, outcome };
}

/** In a process of its own: one policy, one trace setting, one N. Prints one JSON line. */
async function child(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  const w = workloads().find((x) => x.policyId === option("--child"))!;
  const trace = option("--trace") === "on";
  const n = Number(option("--n"));
  const { policy } = (await import(w.module)) as { policy: Policy };
  // Warm the evaluator on a short history, so the measure is of the history, not of compiling code.
  for (let i = 0; i < 5; i++) evaluate(policy, request(w, 100), { trace });
  gc();
  const before = process.memoryUsage().heapUsed;
  const input = request(w, n);
  gc();
  const inputBytes = process.memoryUsage().heapUsed - before;
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const first = evaluate(policy, input, { trace });
  const peak = process.resourceUsage().maxRSS * 1024 - rssBefore;
  gc();
  // Measured while the determination is still used below, so it is what it holds.
  const keptBytes = process.memoryUsage().heapUsed - heapBefore;
  if (first.trace.length < 0) throw new Error("unreachable");
  const { ms, outcome } = fastest(policy, input, trace);
  const measure: Measure = { n, ms, outcome, inputMb: mb(inputBytes), peakMb: mb(Math.max(0, peak)), keptMb: mb(Math.max(0, keptBytes)) };
  process.stdout.write(`${JSON.stringify(measure)}\n`);
}

function inProcess(w: Workload, trace: boolean, n: number, policies: Map<string, Policy>): Measure {
  const policy = policies.get(w.policyId)!;
  return { n, ...fastest(policy, request(w, n), trace) };
}

function spawned(w: Workload, trace: boolean, n: number, heap: string | undefined, limitS: number): Measure {
  const flags = ["--expose-gc", ...(heap ? [`--max-old-space-size=${heap}`] : []), "--import", "tsx"];
  const run = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), "--child", w.policyId, "--trace", trace ? "on" : "off", "--n", String(n)], { cwd: root, encoding: "utf8", maxBuffer: 1 << 24, timeout: limitS * 1000 });
  const line = run.stdout.trim().split("\n").pop() ?? "";
  if (run.status === 0 && line.startsWith("{")) return JSON.parse(line) as Measure;
  if (run.signal === "SIGTERM") return { n, ms: NaN, outcome: "", failed: `over ${limitS} s` };
  const failed = /heap out of memory|Reached heap limit/.test(run.stderr) ? "out of heap" : `exit ${run.status ?? run.signal}: ${run.stderr.trim().split("\n").pop()}`;
  return { n, ms: NaN, outcome: "", failed };
}

async function main(): Promise<void> {
  const sizes = (option("--sizes") ?? "10000,30000,100000").split(",").map(Number);
  const wanted = options("--policy");
  const all = workloads().filter((w) => wanted.length === 0 || wanted.includes(w.policyId));
  const timeOnly = args.includes("--time-only");
  const heap = option("--heap");
  const limitS = Number(option("--limit") ?? 120);
  const policies = new Map<string, Policy>();
  if (timeOnly) for (const w of all) policies.set(w.policyId, ((await import(w.module)) as { policy: Policy }).policy);
  console.log(`# one evaluation, fastest of 3 after a warm-up${timeOnly ? "" : "; each in a process of its own"}${heap ? `, --max-old-space-size=${heap}` : ""}`);
  const cell = (m: Measure, f: (m: Measure) => number | undefined, digits: number) => (m.failed ? m.failed : (f(m)?.toFixed(digits) ?? "—"));
  const header = timeOnly
    ? ["policy", "entries", "off ms", "on ms", "off cpu ms", "on cpu ms", "on ÷ off (cpu)", "outcome"]
    : ["policy", "entries", "input MB", "off ms", "on ms", "off peak MB", "on peak MB", "on kept MB", "outcome"];
  console.log(header.join("\t"));
  for (const w of all) {
    console.log(`# ${w.policyId}: ${w.caseFile}, ${w.listKey} from ${w.entries.length} entries of its case files`);
    for (const n of sizes) {
      const off = timeOnly ? inProcess(w, false, n, policies) : spawned(w, false, n, heap, limitS);
      const on = timeOnly ? inProcess(w, true, n, policies) : spawned(w, true, n, heap, limitS);
      const outcome = off.outcome === on.outcome ? off.outcome : `${off.outcome} / ${on.outcome} (DIFFER)`;
      const row = timeOnly
        ? [w.policyId, n, cell(off, (m) => m.ms, 1), cell(on, (m) => m.ms, 1), cell(off, (m) => m.cpuMs, 0), cell(on, (m) => m.cpuMs, 0), (on.cpuMs! / off.cpuMs!).toFixed(2), outcome]
        : [w.policyId, n, cell(off, (m) => m.inputMb, 1), cell(off, (m) => m.ms, 1), cell(on, (m) => m.ms, 1), cell(off, (m) => m.peakMb, 1), cell(on, (m) => m.peakMb, 1), cell(on, (m) => m.keptMb, 1), outcome];
      console.log(row.join("\t"));
    }
  }
}

if (args.includes("--child")) await child();
else await main();
