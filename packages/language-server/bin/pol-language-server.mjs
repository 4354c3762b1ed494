#!/usr/bin/env node
// Starts the pol language server from the TypeScript sources (through tsx). Editors start it as
// `node packages/language-server/bin/pol-language-server.mjs --stdio`.
const { register } = await import("tsx/esm/api");
register();
await import("../src/main.ts");
