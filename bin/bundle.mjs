#!/usr/bin/env node
// Bundles polc into one JavaScript file (dist/polc.mjs) so that it starts without compiling
// TypeScript or resolving hundreds of small modules on every run. bin/polc.js uses the bundle
// only while it is newer than every source file, and runs the sources through tsx otherwise.
import { build } from "esbuild";

await build({
  entryPoints: [new URL("../compiler/cli/main.ts", import.meta.url).pathname],
  outfile: new URL("../dist/polc.mjs", import.meta.url).pathname,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Prettier is loaded only when a build formats its output; tsx only by batch workers from sources;
  // TypeScript only by `build --emit js`; Fastify only by `serve`; DuckDB (a native module) only by the SQL engine.
  external: ["prettier", "tsx", "tsx/*", "typescript", "fastify", "@duckdb/node-api"],
  // Bundled CommonJS dependencies (commander) call require for Node's own modules.
  banner: { js: 'import { createRequire as __polcCreateRequire } from "node:module"; const require = __polcCreateRequire(import.meta.url);' },
  logLevel: "warning",
});
