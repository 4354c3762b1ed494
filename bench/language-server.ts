/**
 * Response times of the pol language server on the largest policy, measured as an editor sees
 * them: the server runs as a child process and every request goes over stdio JSON-RPC. Each
 * request is timed after the first analysis (warm-up runs first), as the median and the slowest
 * of its samples; beside them, what one analysis of the library costs (the work a request would
 * do without the server's cached analysis).
 *
 *   npx tsx bench/language-server.ts [samples] [--bundled]
 *
 * --bundled runs the server bundled in the VS Code extension (npm run package:vscode builds it),
 * as VS Code does, instead of the TypeScript sources through tsx.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot, TestClient } from "../test/language-server/client.js";

const args = process.argv.slice(2);
const samples = Number(args.find((a) => /^\d+$/.test(a)) ?? 30);
const bundled = args.includes("--bundled");
const file = join(repoRoot, "policies/nia/cg408-epidural-and-intrathecal-trials.pol");
const uri = pathToFileURL(file).href;
const text = readFileSync(file, "utf8");

function at(needle: string, shift = 0): { line: number; character: number } {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`'${needle}' is not in ${file}`);
  const before = text.slice(0, offset + shift);
  return { line: before.split("\n").length - 1, character: before.length - before.lastIndexOf("\n") - 1 };
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

function summary(name: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`${name}: ${median.toFixed(1)} ms median, ${sorted[sorted.length - 1].toFixed(1)} ms slowest (${sorted.length} samples)`);
}

const client = new TestClient(bundled ? [join(repoRoot, "editors/vscode/dist/server.cjs"), "--stdio"] : undefined);
await client.initialize(pathToFileURL(repoRoot).href);
console.log(`# ${file.slice(repoRoot.length)}: ${text.split("\n").length} lines; workspace ${repoRoot}; server ${bundled ? "bundled (editors/vscode/dist/server.cjs)" : "from the sources through tsx"}`);
summary("first analysis (open → diagnostics)", [await time(() => client.open(uri, text))]);

const doc = { textDocument: { uri } };
const requests: [string, () => Promise<unknown>][] = [
  ["hover (fact)", () => client.request("textDocument/hover", { ...doc, position: at("pain.duration", 6) })],
  ["hover (definition)", () => client.request("textDocument/hover", { ...doc, position: at("episode_of(region_injections)", 12) })],
  ["definition (across an import)", () => client.request("textDocument/definition", { ...doc, position: at("failed_course_lasted(conservative_therapy.courses, 2", 3) })],
  ["references (definition used 8 times)", () => client.request("textDocument/references", { ...doc, position: at("count(p in episode_injections) = 0", 12), context: { includeDeclaration: true } })],
  ["completion after 'pain.'", () => client.request("textDocument/completion", { ...doc, position: at("pain.duration", 5) })],
  ["completion (names and keywords)", () => client.request("textDocument/completion", { ...doc, position: at("pain.duration", 0) })],
  ["rename (definition)", () => client.request("textDocument/rename", { ...doc, position: at("count(p in episode_injections) = 0", 12), newName: "injections_in_episode" })],
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
  const times: number[] = [];
  for (let i = 0; i < samples; i++) times.push(await time(run));
  summary(name, times);
}

// An edit: the time until its diagnostics arrive includes the server's 80 ms wait for typing to settle.
// Beside it, the first analysis above compiles the whole workspace, as every request would without the server's cache.
const edits: number[] = [];
const position = at("pain.duration < 3 months", 18);
for (let i = 0; i < Math.min(samples, 10); i++) {
  const digit = String(i % 2 === 0 ? 4 : 3);
  edits.push(await time(() => client.edit(uri, { start: position, end: { line: position.line, character: position.character + 1 } }, digit)));
}
summary("edit → diagnostics (the edited file and the files importing it compiled again; 80 ms settle included)", edits);
await client.stop();
