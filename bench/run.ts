/**
 * `npm run bench`: evaluator, compiler and batch figures, one a line as `name: value unit`
 * (ratios as `ratio.NAME: X`); lines starting with `#` are comments (machine, settings, how long
 * each part took).
 *
 *   npm run bench                      # everything (about 2–3 minutes on 2 cores)
 *   npm run bench -- --only eval,compile,batch,profile   # some parts only
 *   npm run bench -- --quick           # fewer samples, a 10 s batch budget
 *   npm run bench -- --only sql        # the SQL back end at scale (bench/sql-scale.ts): 10 000 000
 *                                      # cases made inside DuckDB, in slices (10–20 minutes; only when asked)
 *
 * Environment for the SQL part: BENCH_SQL_CASES (default 10000000), BENCH_SQL_SLICE (default 250000).
 *
 * Environment: BENCH_BATCH_CASES (default 1000000), BENCH_BATCH_BUDGET_S (default 40): the
 * batch run is stopped after its budget and the throughput is taken over what it did;
 * BENCH_CPU_TIME=1 times the evaluator samples in CPU time (see bench/evaluators.ts).
 *
 * Method: every figure has warm-up runs first and is the median of several samples. Evaluator
 * throughput is measured on the same stratified set of corpus cases (every 40th case of the
 * 10 000) for every evaluator; a sample is as many whole passes over the set as fit in the
 * sample time (at least one).
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileFiles } from "../compiler/compile.js";
import { renderOutputs } from "../compiler/build.js";
import { polFilesUnder } from "../compiler/cli/main.js";
import { generateCorpus, type CorpusCase } from "./corpus.js";
import { median, printFigure, type Target } from "./report.js";
import { profileEvaluator } from "./profile.js";

const root = fileURLToPath(new URL("..", import.meta.url));
process.chdir(root);

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyArg = args.find((a) => a.startsWith("--only"));
const only = onlyArg ? new Set((onlyArg.includes("=") ? onlyArg.split("=")[1] : args[args.indexOf(onlyArg) + 1]).split(",")) : undefined;
const wants = (part: string) => !only || only.has(part);

const figures: Record<string, number> = {};
function figure(name: string, value: number, unit: string, target?: Target): number {
  figures[name] = value;
  return printFigure(name, value, unit, target);
}
const ratio = (name: string, value: number, target?: Target) => figure(`ratio.${name}`, value, "", target);
const comment = (text: string) => console.log(`# ${text}`);
async function timed<T>(label: string, f: () => Promise<T> | T): Promise<T> {
  const t = performance.now();
  const r = await f();
  comment(`${label} took ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return r;
}

// ── Evaluators ───────────────────────────────────────────────────────────────────────────────

/**
 * Bundles a file of bench/ and runs it with node: figures as a deployed service (or `polc`, from
 * its bundle) would see them. Its figures join this run's.
 */
async function runBundled(file: string, what: string, args: readonly string[] = []): Promise<void> {
  // Inside node_modules, so that the bundle finds json-rules-engine, which stays a package.
  mkdirSync(join(root, "node_modules", ".cache"), { recursive: true });
  const dir = mkdtempSync(join(root, "node_modules", ".cache", "pol-bench-"));
  try {
    const esbuild = await import("esbuild");
    const outfile = join(dir, file.replace(/\.ts$/, ".mjs"));
    await esbuild.build({ entryPoints: [join(root, "bench", file)], bundle: true, packages: "external", platform: "node", format: "esm", target: "node20", outfile, logLevel: "error" });
    const child = spawnSync(process.execPath, [outfile, ...args, ...(quick ? ["--quick"] : [])], { cwd: root, encoding: "utf8", maxBuffer: 1 << 24 });
    if (child.status !== 0) throw new Error(`${what} failed (exit ${child.status}): ${child.stderr}`);
    for (const line of child.stdout.trimEnd().split("\n")) {
      const m = /^([\w.]+): ([\d.]+)(?: (.*))?$/.exec(line);
      if (m) figures[m[1]] = Number(m[2]);
      console.log(line);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The evaluator figures (bench/evaluators.ts), from a bundle. */
const benchEvaluators = () => runBundled("evaluators.ts", "the evaluator benchmark", ["--measure-evaluators"]);

// ── Compiler ─────────────────────────────────────────────────────────────────────────────────

function runPolc(argv: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, ["bin/polc.js", ...argv], { cwd: root, encoding: "utf8" });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`polc ${argv.join(" ")} failed (${r.status}): ${r.stderr}`);
  return ms;
}

async function benchCompiler(): Promise<void> {
  const files = polFilesUnder("policies");
  const compileOnce = () => {
    const t = performance.now();
    const r = compileFiles(files);
    const ms = performance.now() - t;
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    if (errors.length) throw new Error(`the policy library has ${errors.length} errors`);
    return ms;
  };
  const runs = quick ? 3 : 5;
  compileOnce();
  compileOnce();
  figure("compile.library.inprocess", median(Array.from({ length: runs }, compileOnce)), "ms");
  const lines = files.reduce((n, f) => n + readFileSync(f, "utf8").split("\n").length, 0);
  comment(`library: ${files.length} .pol files, ${lines} lines; in-process = compileFiles (parse, check, lower) after 2 warm-ups`);

  const renderOnce = async () => {
    const t = performance.now();
    await renderOutputs(compileFiles(files), { code: "generated", docs: "docs" });
    return performance.now() - t;
  };
  await renderOnce();
  const renders: number[] = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) renders.push(await renderOnce());
  figure("build.library.inprocess", median(renders), "ms");
  comment("build in-process = compileFiles + renderOutputs (TypeScript and Markdown generation, the docs' coverage, schemas), nothing written");

  // New processes: the first run may also fill tsx's transform cache; the median of 3 absorbs it.
  const dir = mkdtempSync(join(tmpdir(), "pol-bench-build-"));
  try {
    const cold = quick ? 1 : 3;
    let k = 0;
    const build = () => runPolc(["build", "policies", "--out", join(dir, `gen${k}`), "--docs", join(dir, `docs${k++}`)]);
    figure("compile.library.cold", median(Array.from({ length: cold }, build)), "ms", { op: "<", value: 1000 });
    comment("cold = a new process: node bin/polc.js build policies --out <tmp> --docs <tmp> (start-up, compile, generation, the docs' coverage over every case file, writing)");
    // A rebuild into a folder that already holds the outputs: what an author's rebuild on save costs.
    const again = () => runPolc(["build", "policies", "--out", join(dir, "gen0"), "--docs", join(dir, "docs0")]);
    figure("compile.library.cold_rebuild", median(Array.from({ length: cold }, again)), "ms", { op: "<", value: 300 });
    comment("cold_rebuild = the same build again in a new process, over its own earlier output: nothing changed, so the build stamp says so without compiling");
    // An author's save: one criterion's wording changed, so its module, its page and the criteria
    // report are formatted again and everything else is reused.
    const copy = join(dir, "policies");
    cpSync(join(root, "policies"), copy, { recursive: true });
    const edited = join(copy, "nia", "cg300-epidural-spine-injections.pol");
    const text = readFileSync(edited, "utf8");
    const buildCopy = () => runPolc(["build", copy, "--out", join(dir, "gen-copy"), "--docs", join(dir, "docs-copy")]);
    const oneChanged = () => {
      writeFileSync(edited, text.replace("Duration of pain < 3 months", `Duration of pain < 3 months (${k++})`));
      return buildCopy();
    };
    if (!text.includes("Duration of pain < 3 months")) throw new Error("the edited wording is no longer in NIA_CG_300");
    buildCopy();
    figure("compile.library.cold_one_changed", median(Array.from({ length: cold }, oneChanged)), "ms");
    comment("cold_one_changed = a new process after one criterion's wording changed in a copy of policies/ (NIA_CG_300): a full build");
    figure("compile.library.cold_check", median(Array.from({ length: cold }, () => runPolc(["check", "policies"]))), "ms");
    figure("polc.startup", median(Array.from({ length: cold }, () => runPolc(["--version"]))), "ms");
    comment("cold_check = node bin/polc.js check policies (start-up and compile only); startup = node bin/polc.js --version (node, tsx, loading the compiler)");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  await runBundled("compile-throughput.ts", "the compile throughput benchmark");
}

// ── Batch ────────────────────────────────────────────────────────────────────────────────────

function writeCases(path: string, corpus: readonly CorpusCase[], count: number): number {
  const block = corpus.map((c) => JSON.stringify(c.state === undefined ? c.input : { input: c.input, state: c.state })).join("\n") + "\n";
  const fd = openSync(path, "w");
  let bytes = 0;
  try {
    for (let written = 0; written < count; written += corpus.length) {
      const take = Math.min(corpus.length, count - written);
      const text = take === corpus.length ? block : block.split("\n").slice(0, take).join("\n") + "\n";
      bytes += writeSync(fd, text);
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

function peakRssKb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** `polc eval --batch --compact` on the same input for a budget: cases done and the time taken. */
async function compactRun(file: string, workers: number, budget: number): Promise<{ lines: number; seconds: number; stopped: boolean; sample: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, ["bin/polc.js", "eval", "NIA_CG_300", "--batch", file, "--workers", String(workers), "--compact"], { cwd: root, stdio: ["ignore", "pipe", "ignore"] });
  let lines = 0;
  let sample = "";
  child.stdout.on("data", (chunk: Buffer) => {
    if (sample.length < 1_000_000) sample += chunk.toString();
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  });
  let stopped = false;
  const timer = setTimeout(() => {
    stopped = true;
    child.kill("SIGTERM");
  }, budget * 1000);
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  clearTimeout(timer);
  if (!stopped && code !== 0) throw new Error(`the compact batch failed (exit ${code})`);
  return { lines, seconds: (performance.now() - started) / 1000, stopped, sample };
}

async function benchBatch(corpus: readonly CorpusCase[]): Promise<void> {
  const cases = Number(process.env.BENCH_BATCH_CASES ?? 1_000_000);
  const budget = Number(process.env.BENCH_BATCH_BUDGET_S ?? (quick ? 10 : 40));
  const workers = availableParallelism();
  const dir = mkdtempSync(join(tmpdir(), "pol-bench-batch-"));
  const file = join(dir, "cases.ndjson");
  try {
    const bytes = await timed(`writing ${cases} cases`, () => writeCases(file, corpus, cases));
    comment(`batch input: ${cases} cases cycling the corpus, ${(bytes / 1e6).toFixed(0)} MB; polc eval NIA_CG_300 --batch <file> --workers ${workers}, output piped back and counted; budget ${budget} s`);
    const started = performance.now();
    const child = spawn(process.execPath, ["bin/polc.js", "eval", "NIA_CG_300", "--batch", file, "--workers", String(workers)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let lines = 0;
    let firstAt: number | undefined;
    let stderr = "";
    // The first output lines, kept to measure what stringifying such determinations costs.
    let sample = "";
    child.stdout.on("data", (chunk: Buffer) => {
      firstAt ??= performance.now();
      if (sample.length < 4_000_000) sample += chunk.toString();
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()).length > 10_000 && (stderr = stderr.slice(-10_000)));
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, peakRssKb(child.pid!) ?? 0)), 50);
    let stopped = false;
    const timer = setTimeout(() => {
      stopped = true;
      peak = Math.max(peak, peakRssKb(child.pid!) ?? 0);
      child.kill("SIGTERM");
    }, budget * 1000);
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    const seconds = (performance.now() - started) / 1000;
    clearTimeout(timer);
    clearInterval(poll);
    if (!stopped && code !== 0) throw new Error(`the batch failed (exit ${code}): ${stderr}`);
    figure("batch.cases", lines, "cases");
    figure("batch.seconds", seconds, "s");
    figure("batch.cases_per_s", lines / seconds, "cases/s");
    figure("batch.peak_rss_mb", peak / 1024, "MB", { op: "≤", value: 1024, text: "constant (≤ 1 GB whatever the input's size)" });
    if (firstAt !== undefined) figure("batch.first_output_s", (firstAt - started) / 1000, "s");
    const million = figure(stopped ? "batch.projected_1m_s" : "batch.1m_s", (1_000_000 / lines) * seconds, "s", { op: "<", value: 10, text: "1 000 000 cases < 10 s on 2 cores" });
    if (stopped) comment(`the batch was stopped after its ${budget} s budget with ${lines} of ${cases} cases done; cases_per_s includes start-up (compiling the library, starting the workers)`);
    else comment(`the batch finished all ${lines} cases`);
    // The floor under any NDJSON batch: JSON.parse of each input line and JSON.stringify of each
    // determination, on one core, then spread over the workers as the batch spreads its cases.
    // Whole lines only: the slice may end inside one.
    const inputs = headOf(file, 8_000_000).split("\n").slice(0, -1).slice(0, 4_000).filter((l) => l !== "");
    const outputs = sample.split("\n").slice(0, -1).slice(0, inputs.length).filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as unknown);
    if (outputs.length === 0) {
      comment(`no determination came out within the ${budget} s budget: raise BENCH_BATCH_BUDGET_S for the JSON floor and the compact run`);
      return;
    }
    const floorOf = (outputs: readonly unknown[]) =>
      median(
        Array.from({ length: quick ? 3 : 5 }, () => {
          const t = performance.now();
          for (const l of inputs) JSON.parse(l);
          for (const o of outputs) JSON.stringify(o);
          return (performance.now() - t) / Math.min(inputs.length, outputs.length);
        }),
      );
    const floorMs = floorOf(outputs);
    figure("batch.json_floor_us_per_case", floorMs * 1000, "µs");
    const floor1m = figure("batch.json_floor_1m_s", (floorMs * 1_000_000) / 1000 / workers, "s");
    ratio("batch_vs_json_floor", million / floor1m);
    comment(`json floor = JSON.parse of an input line (${(inputs.reduce((n, l) => n + l.length, 0) / inputs.length).toFixed(0)} bytes on average) + JSON.stringify of its determination (${(sample.split("\n").slice(0, outputs.length).reduce((n, l) => n + l.length, 0) / Math.max(1, outputs.length)).toFixed(0)} bytes), median of runs over ${outputs.length} cases, on ${workers} cores; batch_vs_json_floor = the batch's time for 1 000 000 ÷ that floor's`);
    const compact = await compactRun(file, workers, budget);
    if (compact.lines === 0) return comment("the compact run gave no line within its budget");
    figure("batch.compact.cases_per_s", compact.lines / compact.seconds, "cases/s");
    const compactMillion = figure(compact.stopped ? "batch.compact.projected_1m_s" : "batch.compact.1m_s", (1_000_000 / compact.lines) * compact.seconds, "s", { op: "<", value: 10, text: "1 000 000 cases < 10 s on 2 cores" });
    comment("compact = the same batch with --compact: the runtime's decision (outcome, pathway, unmet ids, every missing fact the open criteria read) per line");
    const compactOutputs = compact.sample.split("\n").slice(0, -1).slice(0, inputs.length).map((l) => JSON.parse(l) as unknown);
    if (compactOutputs.length > 0) {
      const compactFloor1m = figure("batch.compact.json_floor_1m_s", (floorOf(compactOutputs) * 1_000_000) / 1000 / workers, "s");
      ratio("batch_compact_vs_json_floor", compactMillion / compactFloor1m);
      comment("compact json floor = JSON.parse of each input line + JSON.stringify of its compact line, on the same cores; batch_compact_vs_json_floor = the compact batch's time for 1 000 000 ÷ that floor's");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first bytes of a file, as text: the batch's input is larger than a string may be. */
function headOf(path: string, bytes: number): string {
  const buffer = Buffer.alloc(bytes);
  const fd = openSync(path, "r");
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, bytes, 0)).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

// ── Main ─────────────────────────────────────────────────────────────────────────────────────

const started = performance.now();
comment(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), available parallelism ${availableParallelism()}${quick ? ", --quick" : ""}`);
const corpus = await timed("generating the corpus", () => generateCorpus());
if (wants("compile") || wants("batch")) {
  // polc runs from its bundle only while the bundle is newer than the sources (bin/polc.js): make
  // it now, so that polc is measured as installed and not through tsx after a source change.
  await timed("bundling polc", () => {
    const r = spawnSync(process.execPath, ["bin/bundle.mjs"], { cwd: root, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`bin/bundle.mjs failed: ${r.stderr}`);
  });
}
if (wants("eval")) await timed("evaluators", () => benchEvaluators());
if (wants("compile")) await timed("compiler", () => benchCompiler());
if (wants("batch")) await timed("batch", () => benchBatch(corpus));
if (wants("profile")) {
  await timed("profile", async () => {
    const { summary, path } = await profileEvaluator(quick ? 3 : 5, false, corpus.filter((_, i) => i % 40 === 0));
    comment(`profile of the generated evaluator (evaluate, trace off) on the evaluator set: ${path}; self time:`);
    for (const e of summary.functions.slice(0, 12)) comment(`${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name} (${e.location})`);
  });
}
if (only?.has("sql")) {
  await timed("SQL back end at scale", () => {
    const cases = process.env.BENCH_SQL_CASES ?? "10000000";
    const slice = process.env.BENCH_SQL_SLICE ?? "250000";
    const r = spawnSync(process.execPath, ["--import", "tsx", "bench/sql-scale.ts", "--cases", cases, "--slice", slice, "--memory-limit", "4GB"], { cwd: root, stdio: "inherit" });
    if (r.status !== 0) throw new Error(`bench/sql-scale.ts failed (exit ${r.status})`);
  });
}
comment(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
