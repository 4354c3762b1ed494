/**
 * A bounded load test of `polc serve` (npm run bench:serve): starts the service from the bundle
 * as a user runs it (`node bin/polc.js serve --port 0`, loopback only), then drives it with
 * autocannon for a few seconds per scenario and prints requests/s and latency percentiles:
 *
 *   - GET /health: the floor, what HTTP and Fastify cost with no work behind them;
 *   - POST a case to NIA_CG_300 without its trace, and with it;
 *
 * beside the same cases evaluated in this process without HTTP, so that the service's own cost
 * reads off the difference. Cases rotate over 200 of the benchmark corpus.
 *
 *   npx tsx bench/serve-load.ts [--seconds 10] [--connections 10]
 */
import { spawn } from "node:child_process";
import autocannon from "autocannon";
import { generateCorpus } from "./corpus.js";
import { printFigure } from "./report.js";
import { compileFiles } from "../compiler/compile.js";
import { polFilesUnder } from "../compiler/cli/main.js";
import { loadPolicies } from "../compiler/load-modules.js";
import { evaluate } from "../runtime/determine.js";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} expects a positive number`);
  return value;
}

const seconds = flag("--seconds", 10);
const connections = flag("--connections", 10);
const cases = generateCorpus(200);
const bodies = (trace: boolean) => cases.map((c) => JSON.stringify({ input: c.input, state: c.state, trace }));

async function startService(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["bin/polc.js", "serve", "--port", "0", "--host", "127.0.0.1"], { stdio: ["ignore", "pipe", "pipe"] });
  // The service logs a line per request on stderr (as it would in production); the load test reads none.
  child.stderr.resume();
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`polc serve exited with ${code}: ${out}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.on("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

async function load(name: string, url: string, request: Parameters<typeof autocannon>[0]["requests"]): Promise<void> {
  const result = await autocannon({ url, connections, duration: seconds, requests: request });
  const failed = result.non2xx + result.errors + result.timeouts;
  printFigure(`serve.${name}.requests_per_s`, result.requests.average, "req/s");
  printFigure(`serve.${name}.latency_p50`, result.latency.p50, "ms");
  printFigure(`serve.${name}.latency_p99`, result.latency.p99, "ms");
  if (failed) console.log(`# ${name}: ${failed} of ${result.requests.total} requests failed`);
}

function inProcess(trace: boolean): void {
  const policy = loadPolicies(compileFiles(polFilesUnder("policies"))).get("NIA_CG_300")!;
  const inputs = cases.map((c) => ({ input: JSON.parse(JSON.stringify(c.input)) as unknown, state: c.state?.toUpperCase() }));
  for (let i = 0; i < 2000; i++) evaluate(policy, inputs[i % inputs.length].input, { state: inputs[i % inputs.length].state, trace });
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < 2000) {
    const c = inputs[n++ % inputs.length];
    evaluate(policy, c.input, { state: c.state, trace });
  }
  printFigure(`in_process.${trace ? "trace" : "no_trace"}.evals_per_s`, (n * 1000) / (performance.now() - started), "evals/s");
}

console.log(`# polc serve under load: ${connections} connections, ${seconds} s per scenario, loopback; the machine's other work counts`);
const service = await startService();
try {
  let next = 0;
  const rotate = (list: readonly string[]) => (request: { body?: string; headers?: Record<string, string> }) => ({ ...request, body: list[next++ % list.length] });
  await load("health", service.url, [{ method: "GET", path: "/health" }]);
  const headers = { "content-type": "application/json" };
  await load("determination_no_trace", service.url, [{ method: "POST", path: "/policies/NIA_CG_300/determinations", headers, setupRequest: rotate(bodies(false)) }]);
  await load("determination_trace", service.url, [{ method: "POST", path: "/policies/NIA_CG_300/determinations", headers, setupRequest: rotate(bodies(true)) }]);
} finally {
  await service.stop();
}
console.log("# the same cases evaluated in this process, without HTTP or JSON, for comparison");
inProcess(false);
inProcess(true);
