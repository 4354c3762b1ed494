/**
 * `npm run fuzz -- [--count N] [--seed S]`: the fuzzer, in four parts, with a report of each.
 *
 *  1. The checker: N inputs (default 10 000), mutations of the real library (policy-mutations.ts)
 *     and random token streams, each checked on a worker thread with a 5 s deadline against the
 *     invariants of test/support/invariants.ts (no throw, every diagnostic coded and positioned
 *     inside its file, an error for broken text).
 *  2. Every stage, for the mutations that still compile (up to --stages, default 2 000): the
 *     module in memory, and every evaluation path on the policy's cases (agreement.ts); one in
 *     --build-every (default 40) is also built (`polc build`, formatting included) and its module
 *     imported, evaluated with `polc eval` and `--batch`, and every build is type-checked by
 *     tsc in one program at the end. The unchanged library is built first; each later build
 *     reuses its formatted outputs where the mutation left them unchanged, as a rebuild does,
 *     so only what the mutation changed goes through Prettier.
 *  3. Case inputs: --cases (default 5 000) hostile changes of the case files (case-mutations.ts)
 *     through every evaluation path.
 *  4. The name sweep (test/codegen/name-sweep.test.ts, run by vitest), unless --no-sweep.
 *
 * Options: --workers W (checker threads, default 2), --deadline MS (default 5 000), --stage-minutes M
 * (stop the stage part after M minutes), --stream-share P
 * (of every 100 checker inputs, P are random token streams, default 25), --no-sweep.
 * Exits 1 when any input crashed, hung or made two paths disagree; each is printed with its
 * index, and the report lists the ten slowest checker inputs.
 *
 * To reproduce one: the same --seed and --stream-share, with --input N[,M…] (those checker inputs
 * only, each timed and printed, and each that compiles built and run through every stage) or
 * --case N[,M…] (those case inputs only); --stages 0 times checker inputs without building them.
 * --save DIR writes the files of every checker input that failed or hung under DIR/input-N/.
 *
 *   npm run fuzz -- --seed 1717 --stream-share 0 --input 1908,2018,3557
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { Writable } from "node:stream";
import fc from "fast-check";
import { compileText } from "../../compiler/compile.js";
import { renderOutputs } from "../../compiler/build.js";
import { loadPolicies, scriptLibrary } from "../../compiler/load-modules.js";
import { main } from "../../compiler/cli/main.js";
import { runBatch } from "../../compiler/cli/batch.js";
import { evaluate } from "../../runtime/determine.js";
import type { Determination } from "../../runtime/determination.js";
import type { Policy } from "../../runtime/policy.js";
import { tokenStream } from "../support/generators.js";
import { typeCheck } from "../support/inert.js";
import { readLibrary, repoRoot } from "../support/library.js";
import { agreeOn, asOnDisk, printsDetermination } from "./agreement.js";
import { caseInput, readCaseSeeds, type CaseSeed } from "./case-mutations.js";
import { policyInput } from "./policy-mutations.js";
import { CheckPool } from "./pool.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const count = option("--count", 10_000);
const seed = option("--seed", Date.now() % 1_000_000);
const workers = option("--workers", 2);
const deadlineMs = option("--deadline", 5_000);
const stageLimit = option("--stages", 2_000);
const buildEvery = option("--build-every", 40);
const caseCount = option("--cases", 5_000);
/** A time budget for the stage part, in minutes: it stops taking mutations after it (and says how many it took). */
const stageMinutes = option("--stage-minutes", Infinity);
const sweep = !args.includes("--no-sweep");
/** Of every 100 checker inputs, how many are random token streams (fast) rather than library mutations. */
const streamShare = option("--stream-share", 25);
/** `--input 1908,2018`: only these checker inputs, each through every stage and built; `--case 12,40`: only these case inputs. */
const listOption = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1].split(",").map(Number) : undefined);
const onlyInputs = listOption("--input");
const onlyCases = listOption("--case");
/** A run of chosen inputs reproduces what an earlier run reported: every input it names is timed, printed and built. */
const reproducing = onlyInputs !== undefined || onlyCases !== undefined;
/** `--save DIR`: the files of every checker input that failed or hung, written under DIR/input-N/, to check on their own. */
const saveDir = args.includes("--save") ? args[args.indexOf("--save") + 1] : undefined;

const library = readLibrary();
const seeds = readCaseSeeds();
const failures: string[] = [];
const fail = (what: string) => {
  failures.push(what);
  if (failures.length <= 50) console.log(`  ! ${what.split("\n").slice(0, 6).join("\n    ")}`);
};
/** Where two outputs that should be the same part, with a little of each around it. */
function firstDifference(got: string, expected: string): string {
  let at = 0;
  while (at < got.length && at < expected.length && got[at] === expected[at]) at++;
  const around = (t: string) => JSON.stringify(t.slice(Math.max(0, at - 60), at + 60));
  return `at character ${at}: ${around(got)}, expected ${around(expected)}`;
}
const rate = (n: number, ms: number) => `${((n * 1000) / ms).toFixed(1)}/s`;

console.log(`# npm run fuzz -- ${reproducing ? `${onlyInputs ? `--input ${onlyInputs.join(",")} ` : ""}${onlyCases ? `--case ${onlyCases.join(",")} ` : ""}` : `--count ${count} `}--seed ${seed} --stream-share ${streamShare}`);

// ── 1. The checker ───────────────────────────────────────────────────────────────────────────

/** Input `i` of the checker part: a library mutation, or (--stream-share in 100) a random token stream. */
function checkerInput(i: number): { kind: string; detail: string; changes: Record<string, string>; entry: string; mustFail: boolean } {
  if (i % 100 < streamShare) {
    const [text] = fc.sample(tokenStream(60), { seed: seed + i, numRuns: 1 });
    return { kind: "token stream", detail: JSON.stringify(text).slice(0, 80), changes: { "fuzz.pol": text }, entry: "fuzz.pol", mustFail: false };
  }
  const p = policyInput(library, seed, i);
  return { kind: p.kind, detail: p.detail, changes: { ...p.changes }, entry: p.entry, mustFail: p.mustFail };
}

const valid: number[] = [];
/** The slowest checker inputs, by index, so that a slow one can be timed again on its own with --input. */
const slowestInputs: { i: number; ms: number; what: string }[] = [];
{
  const indexes = onlyInputs ?? Array.from({ length: count }, (_, i) => i);
  const pool = new CheckPool(workers, deadlineMs);
  const started = performance.now();
  const byKind = new Map<string, { n: number; ms: number; problems: number; hangs: number }>();
  let next = 0;
  let crashes = 0;
  let hangs = 0;
  let broken = 0;
  const save = (i: number, changes: Record<string, string>) => {
    if (saveDir === undefined) return;
    for (const [path, text] of Object.entries(changes)) {
      const target = join(saveDir, `input-${i}`, path);
      mkdirSync(join(target, ".."), { recursive: true });
      writeFileSync(target, text);
    }
  };
  const lane = async (slot: number) => {
    for (let k = next++; k < indexes.length; k = next++) {
      const i = indexes[k];
      const input = checkerInput(i);
      const outcome = await pool.check(slot, input.changes, input.entry, input.mustFail);
      const tally = byKind.get(input.kind) ?? { n: 0, ms: 0, problems: 0, hangs: 0 };
      byKind.set(input.kind, tally);
      tally.n++;
      tally.ms += outcome.ms;
      const what = `${input.kind}: ${input.detail}`;
      slowestInputs.push({ i, ms: outcome.ms, what });
      slowestInputs.sort((a, b) => b.ms - a.ms);
      slowestInputs.length = Math.min(slowestInputs.length, 20);
      if (reproducing) console.log(`  check #${i} (${what}): ${outcome.ms.toFixed(0)} ms, ${outcome.diagnostics} diagnostics${outcome.valid ? ", compiles" : ""}`);
      if (outcome.hung) {
        hangs++;
        tally.hangs++;
        fail(`check #${i} (${what}) hung`);
        save(i, input.changes);
      } else if (outcome.problems.length > 0) {
        tally.problems++;
        if (/threw/.test(outcome.problems[0])) crashes++;
        else broken++;
        fail(`check #${i} (${what}): ${outcome.problems[0]}`);
        save(i, input.changes);
      } else if (outcome.valid && input.kind !== "token stream") valid.push(i);
      if ((k + 1) % 10_000 === 0) console.log(`#   ${k + 1} checked, ${rate(k + 1, performance.now() - started)}`);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, slot) => lane(slot)));
  await pool.close();
  // The lanes finish in any order: the stage part takes the compiling mutations in index order, the same on every run.
  valid.sort((a, b) => a - b);
  const ms = performance.now() - started;
  console.log(
    `check: ${indexes.length} inputs in ${(ms / 1000).toFixed(1)} s (${rate(indexes.length, ms)} on ${workers} workers), ${crashes} crashes, ${hangs} hangs, ${broken} broken invariants, slowest ${(slowestInputs[0]?.ms ?? 0).toFixed(0)} ms`,
  );
  for (const [kind, k] of [...byKind].sort()) {
    console.log(`  ${kind.padEnd(22)} ${String(k.n).padStart(7)} inputs, ${(k.ms / k.n).toFixed(1).padStart(7)} ms each, ${k.problems} problems, ${k.hangs} hangs`);
  }
  if (!reproducing) console.log(`  slowest: ${slowestInputs.slice(0, 10).map((s) => `#${s.i} ${s.ms.toFixed(0)} ms`).join(", ")} (--input N times one again)`);
  console.log(`  ${valid.length} mutations still compile without errors`);
}

// ── 2. Every stage, for the mutations that still compile ─────────────────────────────────────

class Collect extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const seedsOf = (policyId: string): CaseSeed[] => seeds.filter((s) => s.policyId === policyId);
const scratch = mkdtempSync(join(tmpdir(), "pol-fuzz-"));

/**
 * The unchanged library's outputs, by path inside their build folder: what a build's modules are
 * compared with to type-check only the ones it changed.
 */
const baseOutputs = new Map<string, string>();
const baseModules: string[] = [];

/** Builds a library into `dir` (formatted files on disk); returns its TypeScript files that differ from the unchanged library's. */
async function buildInto(dir: string, result: ReturnType<typeof compileText>): Promise<{ changedModules: string[]; formatted: number }> {
  const out = await renderOutputs(result, { code: join(dir, "generated"), docs: join(dir, "docs") }, dir);
  const changedModules: string[] = [];
  let formatted = 0;
  for (const f of out) {
    mkdirSync(join(f.path, ".."), { recursive: true });
    writeFileSync(f.path, f.text);
    const key = relative(dir, f.path);
    const base = baseOutputs.get(key);
    if (base !== f.text) formatted++;
    if (f.path.endsWith(".ts") && base !== f.text) changedModules.push(f.path);
  }
  return { changedModules, formatted };
}

{
  // The unchanged library, built once: every later build starts from its outputs.
  const started = performance.now();
  const dir = join(scratch, "build-base");
  const result = compileText(library);
  const out = await renderOutputs(result, { code: join(dir, "generated"), docs: join(dir, "docs") }, dir);
  for (const f of out) {
    baseOutputs.set(relative(dir, f.path), f.text);
    mkdirSync(join(f.path, ".."), { recursive: true });
    writeFileSync(f.path, f.text);
    if (f.path.endsWith(".ts")) baseModules.push(f.path);
  }
  console.log(`base build: ${out.length} outputs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
{
  const started = performance.now();
  const chosen = valid.slice(0, stageLimit);
  let evaluations = 0;
  let disagreements = 0;
  let evaluationHangs = 0;
  /** Where the built module, polc eval or --batch differs from the module in memory. */
  let builtDisagreements = 0;
  const disagreeBuilt = (what: string) => {
    builtDisagreements++;
    fail(what);
  };
  let builds = 0;
  let buildMs = 0;
  let formattedFiles = 0;
  let refusedWhenLowered = 0;
  const built: string[] = [...baseModules];
  let taken = 0;
  for (const [n, i] of chosen.entries()) {
    if (performance.now() - started > stageMinutes * 60_000) break;
    taken++;
    const input = checkerInput(i);
    const files = asOnDisk({ ...library, ...input.changes });
    const result = compileText(files, [input.entry]);
    // Checked without errors, refused when lowered (a fact that must be shown assumed absent): a diagnostic, not a module.
    if (!result.library) {
      refusedWhenLowered++;
      continue;
    }
    let policies: ReadonlyMap<string, Policy>;
    try {
      policies = loadPolicies(result);
    } catch (e) {
      fail(`stages #${i} (${input.kind}: ${input.detail}): loading the module threw ${(e as Error).message}`);
      continue;
    }
    for (const [id, policy] of policies) {
      const mine = seedsOf(id);
      const cases = [
        ...mine.slice(0, 1).map((s) => ({ detail: s.file, text: JSON.stringify(s.data) })),
        ...Array.from({ length: 2 }, (_, j) => caseInput(mine.length ? mine : seeds, seed, i * 7 + j)),
      ];
      for (const { detail, text } of cases) {
        const agreement = agreeOn(policy, text, deadlineMs);
        evaluations++;
        if (agreement.problems.length) {
          disagreements++;
          fail(`stages #${i} (${input.kind}: ${input.detail}), policy ${id}, case ${detail}: ${agreement.problems.join("; ")}`);
        }
        if (agreement.hung) {
          evaluationHangs++;
          fail(`stages #${i} (${input.kind}: ${input.detail}), policy ${id}, case ${detail}: ${agreement.slowest} took ${agreement.ms.toFixed(0)} ms`);
        }
      }
    }
    if (!reproducing && n % buildEvery !== 0) continue;
    // The whole build: formatted files on disk, the module imported, polc eval and --batch.
    builds++;
    const dir = join(scratch, `build-${i}`);
    const buildStarted = performance.now();
    const { changedModules, formatted } = await buildInto(dir, result);
    const thisBuild = performance.now() - buildStarted;
    buildMs += thisBuild;
    formattedFiles += formatted;
    console.log(`#   build ${builds} (mutation #${i}): ${formatted} outputs changed, rendered in ${(thisBuild / 1000).toFixed(1)} s`);
    // A module the mutation left unchanged type-checks as the unchanged library's does; the
    // changed ones are checked with everything they import.
    built.push(...changedModules);
    const source = join(dir, "policies");
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(source, path, ".."), { recursive: true });
      writeFileSync(join(source, path), text);
    }
    for (const [id, policy] of policies) {
      const mine = seedsOf(id)[0];
      if (!mine) continue;
      const caseFile = join(dir, `${id}.json`);
      writeFileSync(caseFile, JSON.stringify(mine.data));
      const c = mine.data.input === undefined ? { input: mine.data, state: undefined } : { input: mine.data.input as Record<string, unknown>, state: mine.data.state as string | undefined };
      let expected: Determination;
      try {
        expected = evaluate(policy, c.input, { state: c.state, trace: true });
      } catch {
        continue;
      }
      const slug = id.toLowerCase().replace(/[^a-z0-9]+/g, "-");
      const mod = (await import(pathToFileURL(join(dir, "generated", `${slug}.ts`)).href)) as { evaluate: (input: unknown, options?: object) => Determination };
      const fromModule = JSON.stringify(mod.evaluate(c.input, { state: c.state }));
      if (fromModule !== JSON.stringify(expected)) disagreeBuilt(`build #${i} ${id}: the built module disagrees ${firstDifference(fromModule, JSON.stringify(expected))}`);
      const printed: string[] = [];
      const code = await main(["node", "polc", "eval", id, caseFile, "--library", source, "--json", ...(c.state ? ["--state", c.state] : [])], {
        out: (t) => printed.push(t),
        err: (t) => printed.push(`err: ${t}`),
      });
      const evalOut = printed.join("\n");
      // The module evaluated the case: polc eval, given the same files and case, must too.
      if (code !== 0) disagreeBuilt(`build #${i} ${id}: polc eval exited ${code}: ${evalOut.slice(0, 300)}`);
      else if (!printsDetermination(evalOut, expected)) disagreeBuilt(`build #${i} ${id}: polc eval disagrees ${firstDifference(evalOut, JSON.stringify(expected, null, 2))}`);
      const batchFile = join(dir, `${id}.ndjson`);
      writeFileSync(batchFile, `${JSON.stringify({ input: c.input, state: c.state })}\n`);
      const output = new Collect();
      await runBatch(scriptLibrary(result), id, batchFile, { workers: 0, output, progress: false });
      // One line, the same JSON as the determination without its trace.
      const batchExpected = { ...expected, trace: [] };
      if (!output.text.endsWith("\n") || output.text.indexOf("\n") !== output.text.length - 1 || !printsDetermination(output.text, batchExpected)) {
        disagreeBuilt(`build #${i} ${id}: --batch disagrees ${firstDifference(output.text, `${JSON.stringify(batchExpected)}\n`)}`);
      }
    }
  }
  const tscStarted = performance.now();
  const typeErrors = built.length ? typeCheck(built) : [];
  const tscMs = performance.now() - tscStarted;
  for (const m of typeErrors.slice(0, 10)) fail(`tsc: ${m}`);
  const ms = performance.now() - started;
  console.log(
    `stages: ${taken} compiling mutations${taken < chosen.length ? ` (of ${chosen.length}: --stage-minutes ${stageMinutes} ran out)` : ""} in ${(ms / 1000).toFixed(1)} s (${refusedWhenLowered} refused when lowered): ${evaluations} cases through every evaluation path (${disagreements} disagreements or crashes, ${evaluationHangs} over the deadline); ${builds} built (${(buildMs / 1000).toFixed(1)} s rendering, ${formattedFiles} files changed by their mutation), imported, run by polc eval and --batch (${builtDisagreements} disagreements); tsc over the unchanged library's modules and the ${built.length - baseModules.length} changed ones, with what they import, in one program: ${typeErrors.length} errors (${(tscMs / 1000).toFixed(1)} s)`,
  );
}

// ── 3. Case inputs ───────────────────────────────────────────────────────────────────────────
{
  const started = performance.now();
  const policies = loadPolicies(compileText(library));
  const endings = new Map<string, number>();
  let disagreements = 0;
  let hangs = 0;
  let slowest = 0;
  const caseIndexes = onlyCases ?? (reproducing ? [] : Array.from({ length: caseCount }, (_, i) => i));
  for (const i of caseIndexes) {
    const c = caseInput(seeds, seed, i);
    const policy = policies.get(c.policyId);
    if (!policy) continue;
    const agreement = agreeOn(policy, c.text, deadlineMs);
    slowest = Math.max(slowest, agreement.ms);
    endings.set(agreement.ending, (endings.get(agreement.ending) ?? 0) + 1);
    if (agreement.problems.length) {
      disagreements++;
      fail(`case #${i} (${c.detail}): ${agreement.problems.join("; ")}`);
    } else if (agreement.hung) {
      hangs++;
      fail(`case #${i} (${c.detail}): ${agreement.slowest} took ${agreement.ms.toFixed(0)} ms`);
    } else if (reproducing) {
      console.log(`  case #${i} (${c.detail}): ${agreement.ending}, slowest path ${agreement.slowest} ${agreement.ms.toFixed(0)} ms`);
    }
  }
  const ms = performance.now() - started;
  console.log(
    `cases: ${caseIndexes.length} in ${(ms / 1000).toFixed(1)} s (${rate(caseIndexes.length, ms)}), ${disagreements} disagreements or crashes, ${hangs} over the deadline, slowest ${slowest.toFixed(0)} ms; ${[...endings].map(([k, v]) => `${v} ${k}`).join(", ")}`,
  );
}

// ── 4. The name sweep ────────────────────────────────────────────────────────────────────────
if (sweep && !reproducing) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [join(repoRoot, "node_modules", "vitest", "vitest.mjs"), "run", "test/codegen/name-sweep.test.ts"], { cwd: repoRoot, encoding: "utf8" });
  const tests = /Tests\s+(.*)/.exec(r.stdout.replace(/\u001b\[[0-9;]*m/g, ""))?.[1] ?? "no summary";
  console.log(`name sweep: ${r.status === 0 ? "passed" : "FAILED"} (${tests}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (r.status !== 0) fail(`name sweep failed:\n${r.stdout.slice(-2_000)}`);
}

rmSync(scratch, { recursive: true, force: true });
console.log(failures.length ? `${failures.length} failures (seed ${seed})` : `no failures (seed ${seed})`);
process.exitCode = failures.length ? 1 : 0;
