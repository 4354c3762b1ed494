/**
 * `polc eval <policy> --batch cases.ndjson`: evaluates many cases, one JSON object a line, and
 * writes one determination a line, in input order.
 *
 * - A line is the request's facts, or `{"input": {…}, "state": "WA"}` like a case file; `--state`
 *   overrides the line's state. Blank lines are skipped.
 * - A line that is not JSON, or whose input does not match the policy, gives
 *   `{"line": N, "error": "…"}` (N counts from 1) and the batch goes on.
 * - Memory stays constant: the input is read as a stream, cut into chunks of whole lines for the
 *   workers, and at most
 *   a few chunks per worker are in flight (read, being evaluated, or waiting for their turn to be
 *   written); reading waits while that many are in flight and writing waits for the output.
 * - Evaluation runs on worker threads (one per core by default). Each worker receives the
 *   library's generated modules once, as JavaScript text, and loads them as `polc eval` does;
 *   it evaluates whole chunks of lines with the same generated code, trace or not.
 * - A progress line is drawn on stderr, only when stderr is a terminal.
 *
 * The workers run this same file. Node 20 does not apply `--import tsx` given in a worker's
 * `execArgv` to the worker's own entry point, so each worker starts from a small script that
 * registers tsx's loader in the worker, then imports this module.
 */
import { createReadStream, type ReadStream } from "node:fs";
import { once } from "node:events";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { Policy } from "../../runtime/policy.js";
import { decision, evaluate } from "../../runtime/determine.js";
import { InputError } from "../../runtime/validate.js";
import { stateCode, stateProblem } from "../../runtime/states.js";
import { instantiate, type ScriptLibrary } from "../load-modules.js";
import { caseKeys, inputFactHint } from "./case-file.js";
import { terminalText } from "../terminal-text.js";

export interface BatchOptions {
  /** The member's state for every line; overrides a line's own `state`. */
  readonly state?: string;
  /** Worker threads: a number, or undefined for one per core; 0 evaluates on the calling thread. */
  readonly workers?: number | string;
  /** Include each determination's trace (off by default). */
  readonly trace?: boolean;
  /** Print only the outcome, the pathway, the unmet ids and the missing facts of each case (the runtime's `decision`). */
  readonly compact?: boolean;
  /** With `compact`: narrow the missing facts to the fewest that decide, as a determination does. */
  readonly fewestFacts?: boolean;
  /** Lines per chunk sent to a worker. */
  readonly chunkSize?: number;
  /** Where determinations go (default stdout). */
  readonly output?: NodeJS.WritableStream;
  /** Where progress goes (default stderr); drawn only when it is a terminal, unless `progress` says otherwise. */
  readonly progressStream?: NodeJS.WritableStream;
  readonly progress?: boolean;
}

export interface BatchSummary {
  /** Non-blank lines read (each gave a determination or an error). */
  readonly lines: number;
  /** Lines that gave a determination. */
  readonly evaluated: number;
  /** Lines that gave `{"line", "error"}`. */
  readonly errors: number;
  readonly workers: number;
  readonly seconds: number;
}

interface WorkerConfig {
  readonly polcBatch: true;
  /** The library's modules, and which policy to evaluate. */
  readonly library: ScriptLibrary;
  readonly policyId: string;
  readonly state?: string;
  readonly trace: boolean;
  readonly compact: boolean;
  readonly fewestFacts: boolean;
}

/** What evaluating a line needs: the loaded policy and the batch's options. */
interface LineConfig {
  readonly policy: Policy;
  readonly state?: string;
  readonly trace: boolean;
  readonly compact?: boolean;
  readonly fewestFacts?: boolean;
}
interface ChunkRequest {
  readonly id: number;
  /** Line number of the first line of `bytes`. */
  readonly first: number;
  /**
   * The chunk's lines as the input's UTF-8 bytes, with their line ends but the last one (a JSON
   * line cannot hold a raw line end). Moved to the worker, not copied: the worker decodes them.
   */
  readonly bytes: Uint8Array<ArrayBuffer>;
}
interface ChunkResult {
  readonly id: number;
  /** The output lines, each with its "\n", as UTF-8 (encoded by the worker, moved back to be written as they are). */
  readonly out: Uint8Array<ArrayBuffer>;
  readonly evaluated: number;
  readonly errors: number;
}

// ── One line ─────────────────────────────────────────────────────────────────────────────────

/** A line may be a whole case file's case (what `polc cases --boundaries` writes included): its other fields are not read. */
const caseFields: ReadonlySet<string> = new Set(caseKeys);

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One line of a batch, read: its request, state and id, or what is wrong with it. */
export type BatchLine = { readonly input: Record<string, unknown>; readonly state: string | undefined; readonly id: string | number | undefined } | { readonly error: string; readonly id: string | number | undefined };

/** Reads one line: the request's facts, or a case `{"id", "input", "state"}`; `state` overrides the line's. */
export function readBatchLine(line: string, state: string | undefined): BatchLine {
  // A case's `id` (a text or a number) is passed through to its output line, determination or error.
  let id: string | number | undefined;
  const fail = (message: string) => ({ error: message, id });
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch (e) {
    return fail(`not valid JSON: ${describeError(e)}`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) return fail('expected a JSON object: the request\'s facts, or {"input": {…}, "state": "WA"}');
  let input = data as Record<string, unknown>;
  if ("input" in input) {
    const wrapper = input;
    const unknown = Object.keys(wrapper).filter((k) => !caseFields.has(k));
    if (typeof wrapper.id === "string" || (typeof wrapper.id === "number" && Number.isFinite(wrapper.id))) id = wrapper.id;
    else if (wrapper.id !== undefined) return fail("'id' must be a text or a number");
    if (unknown.length) return fail(`${unknown.map((k) => `'${k}'`).join(", ")} ${unknown.length === 1 ? "is not a case field" : "are not case fields"} (the fields are ${caseKeys.join(", ")})${unknown.includes("date_of_service") ? `; ${inputFactHint}` : ""}`);
    if (wrapper.input === null || typeof wrapper.input !== "object" || Array.isArray(wrapper.input)) return fail("'input' must be an object of facts");
    if (wrapper.state !== undefined && typeof wrapper.state !== "string") return fail("'state' must be a text such as \"WA\"");
    input = wrapper.input as Record<string, unknown>;
    state ??= wrapper.state as string | undefined;
  }
  if (state !== undefined && stateCode(state) === undefined) return fail(`state: ${stateProblem(state)}`);
  return { input, state, id };
}

/** The output line for one input line (without its newline), and whether it is an error. */
export function evaluateLine(config: LineConfig, line: string, lineNumber: number): { text: string; error: boolean } {
  const read = readBatchLine(line, config.state);
  const id = read.id;
  const fail = (message: string) => ({ text: JSON.stringify(id === undefined ? { line: lineNumber, error: message } : { line: lineNumber, id, error: message }), error: true });
  if ("error" in read) return fail(read.error);
  const { input, state } = read;
  try {
    const shown = config.compact ? decision(config.policy, input, { state: state?.toUpperCase(), fewestFacts: config.fewestFacts }) : evaluate(config.policy, input, { state: state?.toUpperCase(), trace: config.trace });
    return { text: JSON.stringify(id === undefined ? shown : { id, ...shown }), error: false };
  } catch (e) {
    if (e instanceof InputError) return fail(e.problems.map((p) => `input.${p.path}: ${p.message}`).join("; "));
    return fail(`internal error: ${describeError(e)}`);
  }
}

/** Lines end as in a `.pol` file: at "\n", "\r\n" or a lone "\r". */
const lineEnd = /\r\n|\r|\n/;

const encoder = new TextEncoder();

function evaluateChunk(config: LineConfig, request: ChunkRequest): ChunkResult {
  const { bytes } = request;
  const lines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8").split(lineEnd);
  let out = "";
  let evaluated = 0;
  let errors = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") continue;
    const result = evaluateLine(config, line, request.first + i);
    out += `${result.text}\n`;
    if (result.error) errors++;
    else evaluated++;
  }
  // Its own buffer (TextEncoder never shares one), so that it can be moved to the main thread.
  // What a policy or a case says cannot act on a terminal, as in everything else polc prints: the same JSON, escaped.
  return { id: request.id, out: encoder.encode(terminalText(out)), evaluated, errors };
}

// ── Worker side ──────────────────────────────────────────────────────────────────────────────

if (!isMainThread && parentPort && (workerData as WorkerConfig | undefined)?.polcBatch) {
  const config = workerData as WorkerConfig;
  const line = lineConfig(config);
  const port = parentPort;
  port.on("message", (request: ChunkRequest) => {
    const result = evaluateChunk(line, request);
    port.postMessage(result, [result.out.buffer]);
  });
  port.postMessage({ ready: true });
}

/** Starts a worker running this module, with tsx's loader registered inside the worker. */
function startWorker(config: WorkerConfig): Worker {
  const self = import.meta.url;
  let tsxApi: string;
  try {
    tsxApi = import.meta.resolve("tsx/esm/api");
  } catch {
    tsxApi = pathToFileURL(createRequire(self).resolve("tsx/esm/api")).href;
  }
  const bootstrap = `
    const { parentPort } = require("node:worker_threads");
    const fatal = (e) => parentPort.postMessage({ fatal: String((e && e.stack) || e) });
    ${self.endsWith(".ts") ? `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(self)}); })` : `import(${JSON.stringify(self)})`}.catch(fatal);
  `;
  return new Worker(bootstrap, { eval: true, workerData: config });
}

// ── Main side ────────────────────────────────────────────────────────────────────────────────

function workerCount(value: number | string | undefined): number {
  if (value === undefined) return Math.max(1, availableParallelism());
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 256) throw new BatchUsageError(`--workers expects a whole number from 0 to 256, not '${value}'`);
  return n;
}

export class BatchUsageError extends Error {}

function lineConfig(config: WorkerConfig): LineConfig {
  const policy = instantiate(config.library).get(config.policyId);
  if (!policy) throw new Error(`no policy ${config.policyId} in the library`);
  return { policy, state: config.state, trace: config.trace, compact: config.compact, fewestFacts: config.fewestFacts };
}

/** Evaluates every line of `file` (or stdin for "-") against a policy of the library and writes the determinations in order. */
export async function runBatch(library: ScriptLibrary, policyId: string, file: string, options: BatchOptions = {}): Promise<BatchSummary> {
  const started = performance.now();
  const workers = workerCount(options.workers);
  if (options.state !== undefined && stateCode(options.state) === undefined) throw new BatchUsageError(`--state: ${stateProblem(options.state)}`);
  const chunkSize = options.chunkSize ?? 256;
  const output = options.output ?? process.stdout;
  const progressStream = options.progressStream ?? process.stderr;
  const showProgress = options.progress ?? Boolean((progressStream as NodeJS.WriteStream).isTTY);
  const config: WorkerConfig = { polcBatch: true, library, policyId, state: options.state, trace: options.trace ?? false, compact: options.compact ?? false, fewestFacts: options.fewestFacts ?? false };

  const input = file === "-" ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
  const opened = file === "-" ? Promise.resolve() : once(input, "open").then(() => undefined);
  await opened.catch((e: unknown) => {
    throw new BatchUsageError(`cannot read ${file}: ${describeError(e)}`);
  });
  let totalBytes: number | undefined;
  if (file !== "-") {
    const { statSync } = await import("node:fs");
    totalBytes = statSync(file).size;
  }

  // Results come back in any order; they are written in chunk order.
  const ready = new Map<number, ChunkResult>();
  let nextToWrite = 0;
  let inFlight = 0;
  const maxInFlight = Math.max(2, workers * 3);
  let wakeReader: (() => void) | undefined;
  let failure: Error | undefined;
  let failed: (() => void) | undefined;
  let evaluated = 0;
  let errors = 0;
  let bytesRead = 0;
  let writing = false;
  let drained: (() => void) | undefined;

  const flush = async () => {
    if (writing) return;
    writing = true;
    try {
      while (ready.has(nextToWrite)) {
        const result = ready.get(nextToWrite)!;
        ready.delete(nextToWrite);
        nextToWrite++;
        evaluated += result.evaluated;
        errors += result.errors;
        if (result.out.byteLength > 0 && !output.write(Buffer.from(result.out.buffer, result.out.byteOffset, result.out.byteLength))) await once(output, "drain");
        inFlight--;
        wakeReader?.();
        if (inFlight === 0) drained?.();
      }
    } finally {
      writing = false;
    }
  };
  const deliver = (result: ChunkResult) => {
    ready.set(result.id, result);
    flush().catch((e: unknown) => fail(e instanceof Error ? e : new Error(String(e))));
  };
  const fail = (e: Error) => {
    failure ??= e;
    failed?.();
    wakeReader?.();
    drained?.();
  };

  // Workers.
  const pool: { worker: Worker; busy: number }[] = [];
  const readyWorkers: Promise<void>[] = [];
  for (let i = 0; i < workers; i++) {
    const worker = startWorker(config);
    const slot = { worker, busy: 0 };
    pool.push(slot);
    readyWorkers.push(
      new Promise<void>((resolve, reject) => {
        worker.on("message", (m: ChunkResult | { ready: true } | { fatal: string }) => {
          if ("ready" in m) resolve();
          else if ("fatal" in m) {
            const e = new Error(`a batch worker could not start: ${m.fatal}`);
            reject(e);
            fail(e);
          } else {
            slot.busy--;
            deliver(m);
          }
        });
        worker.on("error", (e) => {
          reject(e);
          fail(e);
        });
      }),
    );
  }

  // Progress.
  let progressTimer: NodeJS.Timeout | undefined;
  const drawProgress = (final = false) => {
    const seconds = (performance.now() - started) / 1000;
    const done = evaluated + errors;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    let bar = "";
    if (totalBytes) {
      const fraction = Math.min(1, bytesRead / totalBytes);
      const width = 24;
      const filled = Math.round(fraction * width);
      bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
    }
    progressStream.write(`\r${bar}${done.toLocaleString("en-US")} cases, ${rate.toLocaleString("en-US")}/s${errors ? `, ${errors.toLocaleString("en-US")} errors` : ""}\u001b[K${final ? "\n" : ""}`);
  };
  if (showProgress) progressTimer = setInterval(() => drawProgress(), 200).unref();

  // A reader that goes away (`| head`) ends the batch: EPIPE stops the reading and the workers.
  const onOutputError = (e: Error) => fail(e);
  output.on("error", onOutputError);
  const closeAll = async () => {
    if (progressTimer) clearInterval(progressTimer);
    output.off("error", onOutputError);
    await Promise.all(pool.map((p) => p.worker.terminate()));
  };

  try {
    if (workers > 0) {
      await Promise.race([Promise.all(readyWorkers), new Promise<never>((_, reject) => (failed = () => reject(failure)))]);
      failed = undefined;
    }
    let nextId = 0;
    let local: LineConfig | undefined;
    const dispatch = async (bytes: Uint8Array<ArrayBuffer>, first: number) => {
      while (inFlight >= maxInFlight && !failure) await new Promise<void>((resolve) => (wakeReader = resolve));
      wakeReader = undefined;
      if (failure) throw failure;
      const request: ChunkRequest = { id: nextId++, first, bytes };
      inFlight++;
      if (workers === 0) {
        deliver(evaluateChunk((local ??= lineConfig(config)), request));
        return;
      }
      let target = pool[0];
      for (const p of pool) if (p.busy < target.busy) target = p;
      target.busy++;
      target.worker.postMessage(request, [bytes.buffer]);
    };

    // The input is cut into chunks of whole lines as it arrives, as bytes: the main thread neither
    // decodes it nor looks inside a line (the workers decode and parse it), and finds line ends
    // with Buffer.indexOf. A line ends at "\n", "\r\n" or a lone "\r"; a byte order mark at the
    // start of the input is not part of its first line.
    let pending: Buffer = Buffer.alloc(0);
    let scanned = 0;
    let count = 0;
    let first = 1;
    let started = false;
    // The next "\r" from where it was last looked for (-1: none in `pending` before `crSearched`):
    // an input without one is searched for it once.
    let cr = -1;
    let crSearched = 0;
    const nextCr = (from: number): number => {
      if (cr >= from) return cr;
      cr = pending.indexOf(13, Math.max(from, crSearched));
      crSearched = cr === -1 ? pending.length : cr;
      return cr;
    };
    /** The line end at or after `from`, as [where it starts, its length]; undefined when none has wholly arrived. */
    const lineEndFrom = (from: number, final: boolean): [number, number] | undefined => {
      const lf = pending.indexOf(10, from);
      const r = nextCr(from);
      if (r !== -1 && (lf === -1 || r < lf)) {
        // A "\r" at the end of what has arrived may be the first half of "\r\n".
        if (r === pending.length - 1) return final ? [r, 1] : undefined;
        return [r, pending[r + 1] === 10 ? 2 : 1];
      }
      return lf === -1 ? undefined : [lf, 1];
    };
    /** Sends the lines before `end` to be evaluated, and drops them and what comes before `next` from `pending`. */
    const send = async (end: number, next: number, lines: number) => {
      // A copy of its own, so that the worker can take it.
      const bytes = new Uint8Array(end);
      bytes.set(pending.subarray(0, end));
      pending = pending.subarray(next);
      scanned = 0;
      cr = cr >= next ? cr - next : -1;
      crSearched = Math.max(0, crSearched - next);
      const at = first;
      first += lines;
      await dispatch(bytes, at);
    };
    const cut = async (final: boolean) => {
      for (let end = lineEndFrom(scanned, final); end !== undefined; end = lineEndFrom(scanned, final)) {
        count++;
        scanned = end[0] + end[1];
        if (count === chunkSize) {
          count = 0;
          await send(end[0], scanned, chunkSize);
        }
      }
    };
    for await (const piece of input as AsyncIterable<Buffer | string>) {
      const buffer = typeof piece === "string" ? Buffer.from(piece, "utf8") : piece;
      bytesRead = file === "-" ? bytesRead + buffer.length : (input as ReadStream).bytesRead;
      const data = !started && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? buffer.subarray(3) : buffer;
      started ||= buffer.length > 0;
      pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
      await cut(false);
    }
    await cut(true);
    if (pending.length > 0) {
      // The last chunk, without the line end after its last line if it has one.
      const crlf = pending.length >= 2 && pending[pending.length - 2] === 13 && pending[pending.length - 1] === 10;
      await send(scanned === pending.length ? pending.length - (crlf ? 2 : 1) : pending.length, pending.length, count);
    }
    while (inFlight > 0 && !failure) await new Promise<void>((resolve) => (drained = resolve));
    if (failure) throw failure;
  } finally {
    await closeAll();
  }
  if (showProgress) drawProgress(true);
  return { lines: evaluated + errors, evaluated, errors, workers, seconds: (performance.now() - started) / 1000 };
}

/**
 * The CLI entry: runs the batch and returns the exit code: 0 when every line was evaluated, 2
 * when some line could not be (its `{"line", "error"}` is in the output) or on a usage error.
 */
export async function batchCommand(
  library: ScriptLibrary,
  policyId: string,
  file: string,
  options: { state?: string; workers?: string; trace?: boolean; compact?: boolean; fewestFacts?: boolean },
  io: { err: (text: string) => void },
): Promise<number> {
  try {
    const summary = await runBatch(library, policyId, file, { state: options.state, workers: options.workers, trace: options.trace, compact: options.compact, fewestFacts: options.fewestFacts });
    if (summary.errors > 0) {
      io.err(`polc: ${summary.errors.toLocaleString("en-US")} of ${summary.lines.toLocaleString("en-US")} lines could not be evaluated; each has a {"line", "error"} line in the output`);
      return 2;
    }
    return 0;
  } catch (e) {
    if (e instanceof BatchUsageError) {
      io.err(`polc: ${e.message}`);
      return 2;
    }
    // The output was closed by its reader (`polc eval … --batch f | head`): stop quietly.
    if ((e as NodeJS.ErrnoException).code === "EPIPE") return 0;
    throw e;
  }
}
