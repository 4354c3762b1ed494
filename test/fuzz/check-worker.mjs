// A worker thread that checks what it is sent (test/fuzz/check-one.ts), so that the fuzzer can
// stop an input that hangs. Plain JavaScript: it registers tsx to load the TypeScript sources.
import { parentPort } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { checkOne } = await import("./check-one.ts");
const { readLibrary } = await import("../support/library.ts");
// The library is read once; each input sends only the files it changes or adds.
const library = readLibrary();

parentPort.on("message", ({ id, changes, entry, mustFail }) => {
  parentPort.postMessage({ id, ...checkOne(library, changes, entry, mustFail) });
});
parentPort.postMessage({ ready: true });
