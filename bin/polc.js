#!/usr/bin/env node
// Runs the TypeScript sources directly: tsx registers its loader, then the CLI starts.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../compiler/cli/main.ts");
process.exitCode = await main(process.argv);
