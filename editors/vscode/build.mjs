#!/usr/bin/env node
// Builds the VS Code extension and packages it as a .vsix: writes the TextMate grammar from the
// lexer's tokens, bundles the client and the language server (with the compiler) with esbuild,
// then runs vsce. Usage: node editors/vscode/build.mjs [--no-package]
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { register } from "tsx/esm/api";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));

register();
const { polTextMateGrammar } = await import("./scripts/textmate-grammar.ts");
mkdirSync(`${here}syntaxes`, { recursive: true });
writeFileSync(`${here}syntaxes/pol.tmLanguage.json`, `${JSON.stringify({ name: "pol", ...polTextMateGrammar() }, null, 2)}\n`);

const common = { bundle: true, platform: "node", format: "cjs", target: "node20", logLevel: "warning" };
await build({ ...common, entryPoints: [`${here}src/extension.ts`], outfile: `${here}dist/extension.cjs`, external: ["vscode"] });
await build({ ...common, entryPoints: [`${root}packages/language-server/src/main.ts`], outfile: `${here}dist/server.cjs` });

if (!process.argv.includes("--no-package")) {
  const vsce = createRequire(import.meta.url).resolve("@vscode/vsce/vsce");
  const { version } = JSON.parse(execFileSync(process.execPath, ["-p", "JSON.stringify(require('./package.json'))"], { cwd: here, encoding: "utf8" }));
  execFileSync(process.execPath, [vsce, "package", "--no-dependencies", "--skip-license", "--allow-missing-repository", "--out", `pol-${version}.vsix`], { cwd: here, stdio: "inherit" });
}
