/**
 * Response times of the pol language server, measured as an editor sees them: the server runs as
 * a child process and every request goes over stdio JSON-RPC. Each request is timed after the
 * first analysis (warm-up runs first); each figure is the median, the 95th percentile and the
 * slowest of its samples. Edits are measured with the server checking as soon as a change is read
 * (its default) and with an 80 ms wait after each change (`diagnosticsDelay: 80`).
 *
 *   npx tsx bench/language-server.ts [samples] [--bundled | --server PATH] [--file cg408|l38773] [--cpu-prof]
 *
 * --file: the policy edited and asked about: l38773 (CMS_L38773, the largest file, the default)
 *   or cg408 (NIA_CG_408, the largest with shared imports and an overlay importing it).
 * --bundled: the server bundled in the VS Code extension (npm run package:vscode builds it), as
 *   VS Code runs it, instead of the TypeScript sources through tsx.
 * --server PATH: another bundle of the server (an earlier commit's, to compare), run as --bundled.
 * --cpu-prof: only the edits, in a server run with node --cpu-prof (bundled, so that functions
 *   keep their names and places); prints where the time of an edit goes.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot, TestClient } from "../test/language-server/client.js";
import { summarise } from "./profile.js";

interface Position {
  line: number;
  character: number;
}

/** What is asked of each policy: where a fact, a definition, a group and an edit are. */
interface Scenario {
  readonly path: string;
  /** A fact read through its group (hovered), and where `group.` ends (completed). */
  readonly fact: [needle: string, shift: number];
  readonly groupDot: [needle: string, shift: number];
  /** A definition declared in an imported file. */
  readonly importedDefinition: [needle: string, shift: number];
  /** A definition of this file used many times (references, rename). */
  readonly usedDefinition: [needle: string, shift: number];
  /** A digit to change back and forth, inside a criterion's condition. */
  readonly digit: [needle: string, shift: number, a: string, b: string];
  /** The imported file whose declaration is changed, the change, and the importer's diagnostics it gives. */
  readonly imported: { path: string; from: string; to: string };
}

const scenarios: Record<string, Scenario> = {
  l38773: {
    path: "policies/cms/l38773-facet-joint-interventions.pol",
    fact: ["request.spacing_exception", 10],
    groupDot: ["request.spacing_exception", 8],
    importedDefinition: ["relief_consistent_with_agent(p)", 3],
    usedDefinition: ["p in region_history where p.kind = radiofrequency_ablation", 8],
    digit: ["time since first_diagnostic.date >= 2 weeks", 36, "3", "2"],
    imported: { path: "policies/cms/l38773-history.pol", from: "relief_duration: duration", to: "relief_duration: number" },
  },
  cg408: {
    path: "policies/nia/cg408-epidural-and-intrathecal-trials.pol",
    fact: ["pain.duration", 6],
    groupDot: ["pain.duration", 5],
    importedDefinition: ["failed_course_lasted(conservative_therapy.courses, 2", 3],
    usedDefinition: ["count(p in episode_injections) = 0", 12],
    digit: ["pain.duration < 3 months", 16, "4", "3"],
    imported: { path: "policies/common/pain.pol", from: "fact duration: duration", to: "fact duration: number" },
  },
};

const args = process.argv.slice(2);
const samples = Number(args.find((a) => /^\d+$/.test(a)) ?? 30);
const profiling = args.includes("--cpu-prof");
const bundled = args.includes("--bundled") || args.includes("--server") || profiling;
const scenarioName = args[args.indexOf("--file") + 1] && args.includes("--file") ? args[args.indexOf("--file") + 1] : "l38773";
const scenario = scenarios[scenarioName];
if (!scenario) throw new Error(`--file: one of ${Object.keys(scenarios).join(", ")}`);
/** --server PATH: another bundled build of the server (an earlier version, to compare). */
const serverBundle = args.includes("--server") ? args[args.indexOf("--server") + 1] : join(repoRoot, "editors/vscode/dist/server.cjs");
if (bundled && !existsSync(serverBundle)) throw new Error("the bundled server is missing: run npm run package:vscode first");

const file = join(repoRoot, scenario.path);
const uri = pathToFileURL(file).href;
const text = readFileSync(file, "utf8");
const importedFile = join(repoRoot, scenario.imported.path);
const importedUri = pathToFileURL(importedFile).href;
const importedText = readFileSync(importedFile, "utf8");

function at(source: string, [needle, shift]: readonly [string, number, ...unknown[]]): Position {
  const offset = source.indexOf(needle);
  if (offset < 0) throw new Error(`'${needle}' is not in the file`);
  const before = source.slice(0, offset + shift);
  return { line: before.split("\n").length - 1, character: before.length - before.lastIndexOf("\n") - 1 };
}

/**
 * The CPU time the server's process has used, in ms (Linux: /proc/PID/stat, 10 ms ticks). On a
 * shared machine the wall time of a request includes waiting for a core; this does not.
 */
function cpuMs(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Runs `measure`, and prints the server's CPU time per sample beside it. */
async function withCpu<T extends unknown[]>(client: TestClient, name: string, measure: () => Promise<T>): Promise<T> {
  const before = cpuMs(client.pid);
  const result = await measure();
  console.log(`  server CPU, ${name}: ${((cpuMs(client.pid) - before) / result.length).toFixed(1)} ms a sample`);
  return result;
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

function summary(name: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  console.log(`${name}: ${pick(0.5).toFixed(1)} ms median, ${pick(0.95).toFixed(1)} ms p95, ${sorted[sorted.length - 1].toFixed(1)} ms slowest (${sorted.length} samples)`);
}

const serverArgs = (extra: string[] = []) => (bundled ? [...extra, serverBundle, "--stdio"] : [...extra, "--import", "tsx", "packages/language-server/src/main.ts", "--stdio"]);
const doc = { textDocument: { uri } };
const digitAt = at(text, scenario.digit);
const digitRange = { start: digitAt, end: { line: digitAt.line, character: digitAt.character + 1 } };
const [, , digitA, digitB] = scenario.digit;
if (text.slice(text.indexOf(scenario.digit[0]) + scenario.digit[1], text.indexOf(scenario.digit[0]) + scenario.digit[1] + 1) !== digitB) {
  throw new Error(`the digit to edit is not '${digitB}'`);
}

/** Changes the digit back and forth `count` times, each time waiting for the diagnostics of the edited document. */
async function edits(client: TestClient, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await time(() => client.edit(uri, digitRange, i % 2 === 0 ? digitA : digitB)));
  if (count % 2 === 1) await client.edit(uri, digitRange, digitB);
  return times;
}

/** Typing: `keys` changes `gapMs` apart; the time from the last one to the diagnostics of the final text. */
async function typing(client: TestClient, keys: number, gapMs: number): Promise<number> {
  let version = 0;
  for (let i = 0; i < keys; i++) {
    version = await client.change(uri, digitRange, i % 2 === 0 ? digitA : digitB);
    if (i < keys - 1) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  const start = performance.now();
  await client.nextDiagnostics(uri, version);
  const elapsed = performance.now() - start;
  if (keys % 2 === 1) await client.edit(uri, digitRange, digitB);
  return elapsed;
}

/** An imported declaration changed (and back): the time until the importer's diagnostics arrive. */
async function importedEdits(client: TestClient, count: number): Promise<number[]> {
  await client.open(importedUri, importedText);
  const fromAt = at(importedText, [scenario.imported.from, 0]);
  const times: number[] = [];
  let current = scenario.imported.from;
  for (let i = 0; i < count; i++) {
    const next = current === scenario.imported.from ? scenario.imported.to : scenario.imported.from;
    const range = { start: fromAt, end: { line: fromAt.line, character: fromAt.character + current.length } };
    const inImporter = client.nextDiagnostics(uri);
    times.push(await time(async () => {
      await client.change(importedUri, range, next);
      await inImporter;
    }));
    current = next;
  }
  if (current !== scenario.imported.from) {
    const inImporter = client.nextDiagnostics(uri);
    await client.change(importedUri, { start: fromAt, end: { line: fromAt.line, character: fromAt.character + current.length } }, scenario.imported.from);
    await inImporter;
  }
  return times;
}

/** The functions whose time (with what they call) makes up an edit, by the names the bundle keeps. */
const stages: [string, string[]][] = [
  ["checkFilesIncrementally (all of the compile)", ["checkFilesIncrementally"]],
  ["  parseFile (lex, parse, syntax diagnostics, tree)", ["parseFile"]],
  ["    parsePol (Chevrotain parser)", ["parsePol"]],
  ["    cstToAst (building the syntax tree)", ["cstToAst"]],
  ["    syntaxDiagnostics", ["syntaxDiagnostics"]],
  ["  ownSymbols + buildScopes (names of every file)", ["ownSymbols", "buildScopes"]],
  ["  Checker (the edited file)", ["declarations", "section", "service", "appliesClause"]],
  ["  exportedSurface", ["exportedSurface"]],
  ["LibraryIndex (names of the file checked)", ["LibraryIndex"]],
  ["publishDiagnostics", ["publishDiagnostics"]],
  ["reading JSON-RPC messages and text changes", ["handleMessage", "update"]],
];

function inclusive(profile: Parameters<typeof summarise>[0], wanted: readonly [string, string[]][]): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totals = new Map<string, number>(wanted.map(([stage]) => [stage, 0]));
  profile.samples.forEach((id, i) => {
    const names = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) names.add(byId.get(at)!.callFrame.functionName);
    for (const [stage, functions] of wanted) if (functions.some((f) => names.has(f))) totals.set(stage, totals.get(stage)! + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals];
}

if (profiling) {
  const dir = mkdtempSync(join(tmpdir(), "pol-lsp-cpuprof-"));
  const client = new TestClient(serverArgs(["--cpu-prof", "--cpu-prof-dir", dir]));
  await client.initialize(pathToFileURL(repoRoot).href);
  await client.open(uri, text);
  await edits(client, 10);
  const start = process.hrtime.bigint();
  const times = await edits(client, samples);
  const end = process.hrtime.bigint();
  await client.stop();
  summary(`edit → diagnostics (${samples} edits, profiled)`, times);
  const profilePath = join(dir, readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))!);
  const profile = JSON.parse(readFileSync(profilePath, "utf8")) as Parameters<typeof summarise>[0];
  // Only the samples taken while the measured edits ran (both clocks are the system's monotonic clock).
  let t = profile.startTime;
  const keep = profile.samples.map((_, i) => {
    t += profile.timeDeltas[i] ?? 0;
    return t >= Number(start / 1000n) && t <= Number(end / 1000n);
  });
  const window = { ...profile, samples: profile.samples.filter((_, i) => keep[i]), timeDeltas: profile.timeDeltas.filter((_, i) => keep[i]) };
  const bundle = readFileSync(serverBundle, "utf8").split("\n");
  const { total, functions, files } = summarise(window, bundle);
  console.log(`# ${profilePath}: ${total.toFixed(0)} ms sampled while the edits ran (${(total / samples).toFixed(1)} ms an edit, idle included)`);
  console.log("# time an edit spends in each stage (a function and what it calls):");
  for (const [stage, ms] of inclusive(window, stages)) console.log(`${(ms / samples).toFixed(2).padStart(7)} ms  ${stage}`);
  console.log("# self time, top functions:");
  for (const e of functions.slice(0, 15)) console.log(`${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}  (${e.location})`);
  console.log("# by file:");
  for (const e of files.slice(0, 10)) console.log(`${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}`);
} else {
  const client = new TestClient(serverArgs());
  await client.initialize(pathToFileURL(repoRoot).href);
  console.log(`# ${scenario.path}: ${text.split("\n").length} lines; workspace ${repoRoot}; server ${bundled ? `bundled (${serverBundle})` : "from the sources through tsx"}`);
  summary("first analysis (open → diagnostics)", [await time(() => client.open(uri, text))]);
  const requests: [string, () => Promise<unknown>][] = [
    ["hover (fact)", () => client.request("textDocument/hover", { ...doc, position: at(text, scenario.fact) })],
    ["hover (definition in an imported file)", () => client.request("textDocument/hover", { ...doc, position: at(text, scenario.importedDefinition) })],
    ["definition (across an import)", () => client.request("textDocument/definition", { ...doc, position: at(text, scenario.importedDefinition) })],
    ["references (a definition used across the file)", () => client.request("textDocument/references", { ...doc, position: at(text, scenario.usedDefinition), context: { includeDeclaration: true } })],
    ["completion after 'group.'", () => client.request("textDocument/completion", { ...doc, position: at(text, scenario.groupDot) })],
    ["completion (names and keywords)", () => client.request("textDocument/completion", { ...doc, position: at(text, [scenario.groupDot[0], 0]) })],
    ["rename (definition)", () => client.request("textDocument/rename", { ...doc, position: at(text, scenario.usedDefinition), newName: "renamed_definition" })],
    ["document symbols", () => client.request("textDocument/documentSymbol", doc)],
    ["formatting", () => client.request("textDocument/formatting", { ...doc, options: { tabSize: 2, insertSpaces: true } })],
  ];
  for (const [name, run] of requests) {
    const answer = await run();
    // A request that finds nothing is fast for the wrong reason.
    if (answer === null || (Array.isArray(answer) && answer.length === 0 && name !== "formatting")) throw new Error(`${name}: the server found nothing`);
    for (let i = 0; i < 2; i++) await run();
  }
  for (const [name, run] of requests) {
    const times = await withCpu(client, name, async () => {
      const list: number[] = [];
      for (let i = 0; i < samples; i++) list.push(await time(run));
      return list;
    });
    summary(name, times);
  }
  // Requests right after an edit: the edit is checked first.
  const afterEdit: number[] = [];
  for (let i = 0; i < samples; i++) {
    await client.change(uri, digitRange, i % 2 === 0 ? digitA : digitB);
    afterEdit.push(await time(() => client.request("textDocument/hover", { ...doc, position: at(text, scenario.fact) })));
  }
  if (samples % 2 === 1) await client.edit(uri, digitRange, digitB);
  summary("hover right after an edit (the edit checked first)", afterEdit);
  await edits(client, 4);
  summary("edit → diagnostics (checked once the change is read)", await withCpu(client, "edit → diagnostics", () => edits(client, samples)));
  const bursts: number[] = [];
  for (let i = 0; i < Math.min(samples, 15); i++) bursts.push(await typing(client, 6, 30));
  summary("typing 6 keys 30 ms apart: last key → diagnostics of the final text", bursts);
  summary("edit of an imported declaration → the importer's diagnostics", await withCpu(client, "edit of an imported declaration", () => importedEdits(client, Math.min(samples, 20))));
  await client.stop();

  const delayed = new TestClient(serverArgs());
  await delayed.initialize(pathToFileURL(repoRoot).href, { diagnosticsDelay: 80 });
  await delayed.open(uri, text);
  await edits(delayed, 4);
  summary("edit → diagnostics with an 80 ms wait after each change (diagnosticsDelay: 80)", await withCpu(delayed, "edit → diagnostics, 80 ms wait", () => edits(delayed, samples)));
  await delayed.stop();
}
