// A worker thread that compiles what it is sent, so that a test can stop a compile that hangs
// (vitest's per-test timeout cannot interrupt synchronous code). Plain JavaScript: it registers
// tsx to load the TypeScript compiler.
import { parentPort } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { compileText } = await import("../../compiler/compile.ts");

parentPort.on("message", ({ id, files, entries }) => {
  const started = performance.now();
  try {
    const result = compileText(files, entries);
    parentPort.postMessage({
      id,
      ms: performance.now() - started,
      diagnostics: result.diagnostics.map((d) => ({ code: d.code, message: d.message, hint: d.hint, span: d.span })),
      policies: result.policies.map((p) => p.ir.id),
    });
  } catch (e) {
    parentPort.postMessage({ id, ms: performance.now() - started, diagnostics: [], policies: [], threw: `${e?.name}: ${e?.message}`, stack: String(e?.stack ?? "").split("\n").slice(0, 8).join("\n") });
  }
});
parentPort.postMessage({ ready: true });
