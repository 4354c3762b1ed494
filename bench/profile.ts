/**
 * CPU profile of the generated NIA_CG_300 evaluator on the benchmark corpus.
 *
 *   npx tsx bench/profile.ts [seconds] [--trace] [--bundle] [--all-missing] [--decision]
 *
 * `--all-missing` evaluates with `fewestFacts: false` (as the bench's evaluator figures do);
 * `--decision` profiles `decision` (outcome, pathway, unmet, missing) instead of `evaluate`.
 *
 * Runs an eval loop under `node --cpu-prof --import tsx` in a child process, then prints the
 * functions with the most self time (time spent in the function itself, not in what it calls),
 * and self time by file. The .cpuprofile is kept (its path is printed) for Chrome DevTools.
 *
 * Under tsx the profile's line numbers are those of tsx's transformed code, so functions are
 * named by file only and arrow functions show as "(anonymous)". With `--bundle`, the loop is
 * bundled with esbuild (no minification) and run by plain node: each entry then gets its source
 * file and the first line of its code.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCorpus, type CorpusCase } from "./corpus.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const root = fileURLToPath(new URL("..", import.meta.url));

/** The profiled process: evaluates the cases of `casesFile` (JSON) in a loop; nothing else runs. */
async function loop(casesFile: string, seconds: number, trace: boolean, fewestFacts: boolean, decisionOnly: boolean): Promise<void> {
  const { evaluate, decision } = await import("../generated/nia-cg-300.js");
  const set = JSON.parse(readFileSync(casesFile, "utf8")) as CorpusCase[];
  const end = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    if (decisionOnly) for (const c of set) decision(c.input, { state: c.state, fewestFacts });
    else for (const c of set) evaluate(c.input, { state: c.state, trace, fewestFacts });
    n += set.length;
  }
  process.stderr.write(`profiled ${n} ${decisionOnly ? "decisions" : "evaluations"} (trace ${trace && !decisionOnly ? "on" : "off"}, fewest facts ${fewestFacts ? "on" : "off"})\n`);
}

export interface ProfileEntry {
  readonly name: string;
  readonly location: string;
  readonly selfMs: number;
  readonly share: number;
}

/**
 * Self time by function (name + place), largest first. With `bundle` (the lines of an esbuild
 * bundle), places are the bundled source file and the function's first line of code.
 */
export function summarise(profile: CpuProfile, bundle?: readonly string[]): { total: number; functions: ProfileEntry[]; files: ProfileEntry[] } {
  // esbuild marks where each source file starts in a bundle with a "// path.ts" line.
  const marks: [number, string][] = [];
  bundle?.forEach((line, i) => {
    const m = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(line);
    if (m) marks.push([i, m[1]]);
  });
  const bundledFile = (line: number) => {
    let file = "(bundle)";
    for (const [at, name] of marks) if (at <= line) file = name;
    return file;
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const functions = new Map<string, ProfileEntry>();
  const files = new Map<string, ProfileEntry>();
  for (const [id, ms] of self) {
    const { callFrame } = byId.get(id)!;
    const inBundle = bundle !== undefined && callFrame.url !== "" && callFrame.lineNumber >= 0;
    const file = inBundle
      ? bundledFile(callFrame.lineNumber)
      : callFrame.url
        ? relative(root, callFrame.url.startsWith("file:") ? fileURLToPath(callFrame.url) : callFrame.url)
        : "(native)";
    const name = callFrame.functionName || "(anonymous)";
    // Under tsx, line numbers are those of the transformed code: only the file is kept.
    const location = inBundle ? `${file}: ${(bundle[callFrame.lineNumber] ?? "").trim().slice(0, 80)}` : file;
    const key = `${name}@${location}`;
    const f = functions.get(key);
    functions.set(key, { name, location, selfMs: (f?.selfMs ?? 0) + ms, share: 0 });
    const g = files.get(file);
    files.set(file, { name: file, location: file, selfMs: (g?.selfMs ?? 0) + ms, share: 0 });
  }
  const rank = (m: Map<string, ProfileEntry>) => [...m.values()].map((e) => ({ ...e, share: e.selfMs / total })).sort((a, b) => b.selfMs - a.selfMs);
  return { total, functions: rank(functions), files: rank(files) };
}

/**
 * Profiles the eval loop over `cases` (default: every 40th corpus case) in a child process run as
 * `node --cpu-prof --import tsx`; returns the summary and the profile's path.
 */
export async function profileEvaluator(
  seconds: number,
  trace: boolean,
  cases?: readonly CorpusCase[],
  options: { bundle?: boolean; fewestFacts?: boolean; decision?: boolean } = {},
): Promise<{ summary: ReturnType<typeof summarise>; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), "pol-cpuprof-"));
  const casesFile = join(dir, "cases.json");
  writeFileSync(casesFile, JSON.stringify(cases ?? generateCorpus().filter((_, i) => i % 40 === 0)));
  let entry = ["--import", "tsx", fileURLToPath(import.meta.url)];
  let bundleLines: string[] | undefined;
  if (options.bundle) {
    // esbuild comes with tsx.
    const esbuild = await import("esbuild");
    const outfile = join(dir, "profile-loop.mjs");
    await esbuild.build({ entryPoints: [fileURLToPath(import.meta.url)], bundle: true, platform: "node", format: "esm", target: "node20", outfile, external: ["esbuild"], logLevel: "error" });
    entry = [outfile];
    bundleLines = readFileSync(outfile, "utf8").split("\n");
  }
  const child = spawnSync(process.execPath, ["--cpu-prof", "--cpu-prof-dir", dir, ...entry, "--loop", casesFile, String(seconds), ...(trace ? ["--trace"] : []), ...(options.fewestFacts === false ? ["--all-missing"] : []), ...(options.decision ? ["--decision"] : [])], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (child.status !== 0) throw new Error(`the profiled eval loop failed (exit ${child.status})`);
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const path = join(dir, file);
  return { summary: summarise(JSON.parse(readFileSync(path, "utf8")) as CpuProfile, bundleLines), path };
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const args = process.argv.slice(2);
  const trace = args.includes("--trace");
  const seconds = Number(args.find((a) => /^\d+(\.\d+)?$/.test(a)) ?? 8);
  const fewestFacts = !args.includes("--all-missing");
  const decision = args.includes("--decision");
  if (args[0] === "--loop") await loop(args[1], seconds, trace, fewestFacts, decision);
  else {
    const { summary, path } = await profileEvaluator(seconds, trace, undefined, { bundle: args.includes("--bundle"), fewestFacts, decision });
    console.log(`# ${path}`);
    console.log(`# self time, ${summary.total.toFixed(0)} ms sampled; top functions:`);
    for (const e of summary.functions.slice(0, 25)) console.log(`${(e.share * 100).toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(0).padStart(6)} ms  ${e.name}  (${e.location})`);
    console.log(`# by file:`);
    for (const e of summary.files.slice(0, 8)) console.log(`${(e.share * 100).toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(0).padStart(6)} ms  ${e.name}`);
  }
}
