/**
 * How `polc check` scales with the size of its input, valid or not: for each kind of input, the
 * time to check it and render what it reports (at most 100 diagnostics, each with its code frame,
 * as `polc check` prints them) at 64 KB, 128 KB, 256 KB, 512 KB and 1 MB, printed beside each other with the
 * time per KB relative to the 64 KB input (1.0 everywhere is linear; a quadratic pass doubles it
 * at each step).
 *
 *   npx tsx bench/check-scale.ts                # every kind
 *   npx tsx bench/check-scale.ts --only stray   # kinds whose name contains a word
 *   npx tsx bench/check-scale.ts --build        # also render (polc build, formatting included) the valid policy
 *   npx tsx bench/check-scale.ts --build-mb 1,2.5,4.9
 *                                               # build the valid policy at these sizes in MB, one run
 *                                               # each in a process of its own: compile, render, peak memory
 *
 * Each figure is the fastest of two runs after a warm-up run at the smallest size.
 */
import { compileText } from "../compiler/compile.js";
import { renderDiagnostic } from "../compiler/diagnostics.js";
import { renderOutputs } from "../compiler/build.js";
import { bigPolicyFile } from "../test/support/big-file.js";

const kb = 1024;
const sizes = [64, 128, 256, 512, 1024].map((k) => k * kb);

/** Repeats `unit` (after a valid prelude) until the text is `size` characters long. */
function repeated(unit: string): (size: number) => string {
  return (size) => {
    const prelude = 'fact a: boolean "A"\n';
    return prelude + unit.repeat(Math.max(1, Math.floor((size - prelude.length) / unit.length)));
  };
}

/** A valid policy of about `size` characters. */
function validPolicy(size: number): string {
  const perLine = bigPolicyFile(1_000).length / 1_000;
  return bigPolicyFile(Math.round(size / perLine));
}

const paragraph =
  "Pain causing functional disability or average pain level of 6 on a scale of 0 to 10, duration of pain less than 3 months, failure to respond to conservative therapy for a minimum of 2 weeks unless the medical reason this treatment cannot be done is clearly documented.\n";

const kinds: [string, (size: number) => string][] = [
  ["valid policy", validPolicy],
  ["stray tokens: fact", repeated("fact ")],
  ["stray tokens: criterion c", repeated("criterion c ")],
  ["stray tokens: policy", repeated("policy ")],
  ["stray tokens: )", repeated(") ")],
  ["stray tokens: mixed", repeated('fact x: ) policy { "t" [ 1 - all of , } criterion : not ')],
  ["pasted paragraphs", repeated(paragraph)],
  ["bad characters", repeated("@ ; $ ")],
  ["one run of bad characters", repeated("@")],
  ["unquoted other alphabet", repeated("Боль в спине более трёх месяцев. ")],
  ["one long line of and", (size) => `fact a: boolean "A"\ncriterion c "C": a${" and a".repeat(Math.floor(size / 6))}\n`],
  ["unknown names", repeated("criterion c \"C\": nope\n")],
];

const args = process.argv.slice(2);
const onlyArg = args.indexOf("--only");
const only = onlyArg >= 0 ? args[onlyArg + 1] : undefined;
const withBuild = args.includes("--build");

function timeOnce(f: () => unknown): number {
  const started = performance.now();
  f();
  return performance.now() - started;
}

async function timeOnceAsync(f: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await f();
  return performance.now() - started;
}

function row(name: string, times: number[]): void {
  const perKb = times.map((t, i) => t / (sizes[i] / kb));
  const cells = times.map((t, i) => `${t.toFixed(0).padStart(7)} ms ×${(perKb[i] / perKb[0]).toFixed(2)}`);
  console.log(`${name.padEnd(28)} ${cells.join("  ")}`);
}

/** What `polc check` does with a file: check it, then render every diagnostic it keeps. */
function check(text: string): number {
  const result = compileText({ "a.pol": text });
  let printed = 0;
  for (const d of result.diagnostics) printed += renderDiagnostic(d, result.sources).length;
  return printed;
}

const buildMbArg = args.indexOf("--build-mb");
if (args.includes("--build-child")) {
  // One build in this process: prints compile and render times and the peak resident memory.
  const text = validPolicy(Number(args[args.indexOf("--build-child") + 1]));
  const started = performance.now();
  const compiled = compileText({ "big.pol": text });
  const compiledAt = performance.now();
  await renderOutputs(compiled, { code: "generated", docs: "docs" });
  const ms = (t: number) => `${t.toFixed(0).padStart(7)} ms`;
  console.log(`${(text.length / kb / kb).toFixed(2).padStart(6)} MB  compile ${ms(compiledAt - started)}  render ${ms(performance.now() - compiledAt)}  total ${ms(performance.now() - started)}  peak ${(process.resourceUsage().maxRSS / kb).toFixed(0)} MB`);
  process.exit(0);
}
if (buildMbArg >= 0) {
  const { spawnSync } = await import("node:child_process");
  console.log("# polc build of the valid policy (compile, then render modules and docs), one process each");
  for (const mb of args[buildMbArg + 1].split(",").map(Number)) {
    const run = spawnSync(process.execPath, ["--max-old-space-size=8192", "--import", "tsx", new URL(import.meta.url).pathname, "--build-child", String(Math.round(mb * kb * kb))], { encoding: "utf8" });
    process.stdout.write(run.status === 0 ? run.stdout : `${mb} MB: exit ${run.status}: ${run.stderr.trim().split("\n").pop()}\n`);
  }
  process.exit(0);
}

console.log(`# per size: time, and time per KB relative to the 64 KB input (×1.00 is linear)`);
console.log(`${"input".padEnd(28)} ${sizes.map((s) => `${s / kb} KB`.padStart(17)).join("  ")}`);
for (const [name, make] of kinds) {
  if (only && !name.includes(only)) continue;
  check(make(sizes[0]));
  const times: number[] = [];
  for (const size of sizes) {
    const text = make(size);
    times.push(Math.min(timeOnce(() => check(text)), timeOnce(() => check(text))));
  }
  row(name, times);
}

if (withBuild) {
  const build = async (text: string) => renderOutputs(compileText({ "big.pol": text }), { code: "generated", docs: "docs" });
  await build(validPolicy(sizes[0]));
  const times: number[] = [];
  for (const size of sizes) {
    const text = validPolicy(size);
    times.push(Math.min(await timeOnceAsync(() => build(text)), await timeOnceAsync(() => build(text))));
  }
  row("build (render) valid policy", times);
}
