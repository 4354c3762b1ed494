#!/usr/bin/env node
// Starts polc: from the bundle (dist/polc.mjs, made by bin/bundle.mjs) when it is newer than
// every source file, otherwise from the TypeScript sources through tsx. An installed package
// holds the bundle and no sources: it always runs the bundle, with plain node.
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bundle = `${root}dist/polc.mjs`;

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const sources = ["grammar", "compiler", "runtime"].map((d) => `${root}${d}`);
const installed = !sources.every((d) => existsSync(d));
// The formatter's plugin is bundled too: its sources count where they are.
const watched = [...sources, `${root}packages`].filter((d) => existsSync(d));
const fresh = installed || (existsSync(bundle) && statSync(bundle).mtimeMs >= Math.max(...watched.map(newestSource)));

// A reader that stops early (`polc sql POLICY | head`) closes the pipe: stop quietly, as other
// command-line tools do, rather than with an unhandled EPIPE.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

let main;
if (fresh) ({ main } = await import(bundle));
else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../compiler/cli/main.ts"));
}
process.exitCode = await main(process.argv);
