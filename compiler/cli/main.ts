/**
 * polc, the command-line tool. A thin layer: each command calls the compiler or the runtime and
 * turns the result into text and an exit code (0 fine, 1 policy errors, 2 usage or input errors).
 */
import { terminalProgress } from "../progress.js";
import { Command, CommanderError } from "commander";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { compileFiles, type CompileResult } from "../compile.js";
import { errorCount, renderDiagnostic } from "../diagnostics.js";
import { BuildRefusal, renderOutputs, writeOutputs } from "../build.js";
import { inputsDigest, outputStates, outputsIntact, readStamp, writeStamp } from "../build-stamp.js";
import { coverageCasesRoot } from "../tools/docs-coverage.js";
import { evaluate } from "../../runtime/determine.js";
import { InputError } from "../../runtime/validate.js";
import { stateCode, stateProblem } from "../../runtime/states.js";
import { versionInForce, versionsOf } from "../../runtime/versions.js";
import { loadPolicies, scriptLibrary } from "../load-modules.js";
import { readCaseFile, CaseFileError } from "./case-file.js";
import { formatDetermination } from "./format-determination.js";
import { batchCommand } from "./batch.js";
import { checkQuotes } from "../quotes.js";
import { checkOutputFolder } from "./output-folder.js";
import { formatRoute, isCptCode, route } from "./route.js";
import { portOf, serve } from "./serve.js";
import { registerFhirCommands } from "./fhir.js";
import { registerTestCommand } from "./test-command.js";
import { registerCheckCommand } from "./check-command.js";
import { registerDiffCommand } from "./diff-command.js";
import { registerCasesCommand } from "./cases-command.js";
import { registerSqlCommand, sqlBatch } from "./sql-command.js";
import { registerReviewCommand } from "./review-command.js";
import { watchLoop } from "./watch.js";
import { fmtCommand } from "./fmt.js";
import { terminalText } from "../terminal-text.js";

export class UsageError extends Error {}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
};

/** Every `.pol` file under a folder (or the file itself), sorted, so builds are deterministic. */
export function polFilesUnder(path: string): string[] {
  if (!existsSync(path)) throw new UsageError(`no such file or folder: ${path}`);
  if (statSync(path).isFile()) return [path];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".pol")) found.push(full);
    }
  };
  walk(path);
  return found;
}

/** "1 file", "3 files". */
function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

function reportDiagnostics(result: CompileResult, io: Io): boolean {
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  for (const d of result.diagnostics) io.err(renderDiagnostic(d, result.sources));
  const total = errorCount(result.diagnostics);
  if (total) io.err(`${count(total, "error")} in ${count(new Set(errors.map((e) => e.span.file)).size, "file")}`);
  return errors.length === 0;
}

/** How a build's manifest names the library it comes from: its folder, from where polc runs. */
function libraryName(dir: string): string {
  return relative(process.cwd(), resolve(dir)).split(sep).join("/") || ".";
}

/** Each file a build removed, by name: only files an earlier build recorded as its own. */
function reportRemoved(removed: readonly string[], io: Io, temporaries: readonly string[] = []): void {
  for (const path of temporaries) io.out(`removed ${path} (left by an interrupted build)`);
  for (const path of removed) io.out(`removed ${path} (no policy builds it any more)`);
}

export async function main(argv: readonly string[], given: Io = defaultIo): Promise<number> {
  // Whatever a file, a case or a policy holds, control characters reach the terminal escaped.
  const io: Io = { out: (text) => given.out(terminalText(text)), err: (text) => given.err(terminalText(text)) };
  let exitCode = 0;
  const program = new Command("polc")
    .description("Compile and run medical-necessity policies written in pol")
    .version("0.1.0")
    .exitOverride()
    .showHelpAfterError("(run polc --help, or polc COMMAND --help, for usage)")
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, "")), writeErr: (s) => io.err(s.replace(/\n$/, "")) });

  const commandContext = { io, argv, setExitCode: (code: number) => void (exitCode = code) };
  registerCheckCommand(program, commandContext, "0.1.0");

  program
    .command("build")
    .description("compile every policy under a folder into TypeScript modules and Markdown docs")
    .argument("[dir]", "folder of .pol files", "policies")
    .option("--out <dir>", "folder for the generated TypeScript modules", "generated")
    .option("--docs <dir>", "folder for the generated Markdown", "docs")
    .option("--emit <kind>", "ts: TypeScript modules; js: plain ES modules with .d.ts beside them", "ts")
    .option("--runtime <specifier>", "how the modules import the runtime (default: pol/runtime, or this checkout's runtime when polc runs from a source checkout)")
    .option("--watch", "build again after each save, printing only what changed")
    .action(async (dir: string, options: { out: string; docs: string; emit: string; runtime?: string; watch?: boolean }) => {
      if (options.emit !== "ts" && options.emit !== "js") throw new UsageError(`--emit expects ts or js, not '${options.emit}'`);
      if (options.watch) {
        exitCode = await watchLoop({ paths: [dir], run: (runIo) => main(argv.filter((a) => a !== "--watch"), runIo), io });
        return;
      }
      checkOutputFolder("--out", options.out);
      checkOutputFolder("--docs", options.docs);
      const library = libraryName(dir);
      const sources = polFilesUnder(dir);
      // Nothing changed since the last build (inputs and outputs alike): nothing to do.
      const previous = readStamp(process.cwd(), options.docs, library);
      const stampOptions = [options.out, options.docs, options.emit, options.runtime ?? ""];
      const inputs = inputsDigest(stampOptions, [...sources, ...(previous?.sources ?? [])], coverageCasesRoot(sources, process.cwd()));
      if (previous && inputs !== undefined && inputs === previous.inputs && outputsIntact(previous, process.cwd())) {
        io.out(`built ${count(previous.policies, "policy", "policies")}: 0 files written, ${previous.outputs.length} unchanged`);
        return;
      }
      const progress = terminalProgress();
      const result = compileFiles(sources);
      if (!reportDiagnostics(result, io)) {
        exitCode = 1;
        return;
      }
      const dirs = { code: options.out, docs: options.docs, emit: options.emit, runtime: options.runtime } as const;
      const files = await renderOutputs(result, dirs, process.cwd(), progress).finally(() => progress.finish());
      const { written, removed, temporariesRemoved } = writeOutputs(files, dirs, process.cwd(), library);
      // The stamp holds the inputs as read before compiling; it is kept only when they were all of them.
      const compiled = [...result.files.keys()];
      const known = new Set([...sources, ...(previous?.sources ?? [])].map((p) => resolve(p)));
      if (inputs !== undefined && compiled.every((f) => known.has(resolve(f))) && coverageCasesRoot(compiled, process.cwd()) === coverageCasesRoot(sources, process.cwd())) {
        writeStamp(process.cwd(), options.docs, library, { inputs, policies: result.policies.length, sources: compiled, casesRoot: coverageCasesRoot(sources, process.cwd()), outputs: outputStates(files, process.cwd()) });
      }
      reportRemoved(removed, io, temporariesRemoved);
      io.out(`built ${count(result.policies.length, "policy", "policies")}: ${count(written.length, "file")} written, ${files.length - written.length} unchanged${removed.length ? `, ${removed.length} stale removed` : ""}`);
    });

  program
    .command("eval")
    .description("evaluate one case against a policy and print the determination")
    .argument("<policy>", "a policy id (NIA_CG_300) or the .pol file that declares it")
    .argument("[case]", "a case file (JSON): the request's facts, or { \"input\": {…}, \"state\": \"WA\" }")
    .option("--state <code>", "the member's state; overlays for it apply (for example WA)")
    .option("--library <dir>", "folder of .pol files that holds the policy and its overlays", "policies")
    .option("--json", "print the determination as JSON")
    .option("--batch <file>", "evaluate every case of an NDJSON file (one per line, - for stdin); print one JSON determination per line, in order")
    .option("--workers <n>", "with --batch: worker threads (default: one per core)")
    .option("--trace", "with --batch: include each determination's trace")
    .option("--compact", "with --batch: print only each case's outcome, pathway, unmet ids and missing facts (every undocumented fact the open criteria read), without working out the rest of the determination")
    .option("--fewest-facts", "with --batch --compact: list, as missing, the fewest facts that decide a needs-info case, as a full determination does (searches: slower on needs-info cases)")
    .option("--engine <name>", "with --batch: duckdb evaluates the batch with the policy's SQL query in embedded DuckDB (the batch may then be a .parquet file)")
    .option("--out <file>", "with --engine duckdb: write the results to FILE, as Parquet when it ends in .parquet, else as NDJSON")
    .action(async (policyArg: string, casePath: string | undefined, options: { state?: string; library: string; json?: boolean; batch?: string; workers?: string; trace?: boolean; compact?: boolean; fewestFacts?: boolean; engine?: string; out?: string }) => {
      if (options.out !== undefined && options.engine === undefined) throw new UsageError("--out goes with --engine duckdb");
      if (options.engine !== undefined) {
        if (options.engine !== "duckdb") throw new UsageError(`--engine expects duckdb, not '${options.engine}'`);
        if (options.batch === undefined) throw new UsageError("--engine goes with --batch");
        if (options.workers !== undefined || options.trace) throw new UsageError("--workers and --trace go with the TypeScript evaluator, not --engine");
        if (options.compact) throw new UsageError("--compact goes with the TypeScript evaluator, not --engine");
        return sqlBatch(policyArg, options.batch, options, commandContext);
      }
      if (options.batch === undefined && options.trace) throw new UsageError("--trace goes with --batch; a single case's trace is always printed");
      if (options.batch === undefined && options.workers !== undefined) throw new UsageError("--workers goes with --batch");
      if (options.compact && (options.batch === undefined || options.trace)) throw new UsageError("--compact goes with --batch, without --trace");
      if (options.fewestFacts && !options.compact) throw new UsageError("--fewest-facts goes with --batch --compact (a full determination always lists the fewest facts that decide)");
      const files = policyArg.endsWith(".pol") ? [...new Set([resolve(policyArg), ...polFilesUnder(options.library).map((p) => resolve(p))])] : polFilesUnder(options.library);
      const result = compileFiles(files);
      if (!reportDiagnostics(result, io)) {
        exitCode = 1;
        return;
      }
      // A guideline with several versions: the case's date of service chooses the one in force.
      const versions = policyArg.endsWith(".pol") ? [] : versionsOf(loadPolicies(result).values(), policyArg);
      if (versions.length > 0 && options.batch !== undefined) {
        throw new UsageError(`${policyArg} has ${versions.length} versions (${versions.map((v) => `${v.metadata.id}: ${v.metadata.effective!.from} to ${v.metadata.effective!.to}`).join("; ")}): give --batch one version's policy id`);
      }
      let chosenCase: ReturnType<typeof readCaseFile> | undefined;
      let chosen: string | undefined;
      if (versions.length > 0) {
        if (casePath === undefined) throw new UsageError("missing the case file (or --batch FILE)");
        chosenCase = readCaseFile(casePath);
        const input = chosenCase.input as { date_of_service?: unknown } | null;
        try {
          chosen = versionInForce(versions, input !== null && typeof input === "object" && Object.hasOwn(input, "date_of_service") ? input.date_of_service : undefined).metadata.id;
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          exitCode = 2;
          if (options.json) {
            io.out(JSON.stringify({ error: `${casePath}: no version of ${policyArg} is in force`, problems: e.problems.map((p) => ({ path: `input.${p.path}`, message: p.message })) }, null, 2));
            return;
          }
          io.err(`${casePath}: no version of ${policyArg} is in force:`);
          for (const p of e.problems) io.err(`  - input.${p.path}: ${p.message}`);
          return;
        }
      }
      const compiled = policyArg.endsWith(".pol")
        ? result.policies.find((p) => resolve(p.policy.span.file) === resolve(policyArg))
        : result.policies.find((p) => p.policy.name === (chosen ?? policyArg));
      if (!compiled) {
        const known = result.policies.map((p) => p.policy.name).join(", ");
        throw new UsageError(`no policy '${policyArg}' in ${options.library} (the policies are: ${known || "none"})`);
      }
      if (options.batch !== undefined) {
        exitCode = await batchCommand(scriptLibrary(result), compiled.policy.name, options.batch, options, io);
        return;
      }
      if (casePath === undefined) throw new UsageError("missing the case file (or --batch FILE)");
      const testCase = chosenCase ?? readCaseFile(casePath);
      const state = options.state ?? testCase.state;
      if (state !== undefined && stateCode(state) === undefined) throw new UsageError(`${options.state !== undefined ? "--state:" : `${casePath}: 'state':`} ${stateProblem(state)}`);
      const policy = loadPolicies(result).get(compiled.policy.name)!;
      let determination;
      try {
        determination = evaluate(policy, testCase.input, { state: state?.toUpperCase() });
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        exitCode = 2;
        if (options.json) {
          // The same field paths as the text, for a script to read.
          io.out(JSON.stringify({ error: `${casePath}: the case does not match ${compiled.policy.name}'s input`, problems: e.problems.map((p) => ({ path: `input.${p.path}`, message: p.message })) }, null, 2));
          return;
        }
        io.err(`${casePath}: the case does not match ${compiled.policy.name}'s input:`);
        for (const p of e.problems) io.err(`  - input.${p.path}: ${p.message}`);
        exitCode = 2;
        return;
      }
      io.out(options.json ? JSON.stringify(determination, null, 2) : formatDetermination(determination));
    });

  program
    .command("quotes")
    .description("check that every criterion's wording appears word for word in the published guideline; exit 1 when one does not")
    .argument("[paths...]", ".pol files or folders (default policies/)")
    .requiredOption("--source <file>", "the guideline's text (as converted from PDF or HTML)")
    .option("--json", "print one result per criterion as JSON")
    .action((paths: string[], options: { source: string; json?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(options.source, "utf8");
      } catch {
        throw new UsageError(`cannot read the source text ${options.source}`);
      }
      const result = compileFiles((paths.length ? paths : ["policies"]).flatMap(polFilesUnder));
      if (!reportDiagnostics(result, io)) {
        exitCode = 1;
        return;
      }
      const quotes = checkQuotes(result, text);
      const missing = quotes.filter((q) => q.status === "not found");
      if (options.json) io.out(JSON.stringify(quotes, null, 2));
      else {
        for (const q of quotes.filter((x) => x.status !== "found")) io.out(`${q.policy} ${q.id}: ${q.status}: "${q.wording}"`);
        const parts = quotes.filter((q) => q.status === "found in parts").length;
        io.out(`${quotes.length - parts - missing.length} of ${count(quotes.length, "criterion", "criteria")} found word for word, ${parts} in parts, ${missing.length} not found in ${options.source}`);
      }
      if (missing.length) exitCode = 1;
    });

  program
    .command("route")
    .description("name the policies that apply to a request's CPT codes")
    .requiredOption("--cpt <codes...>", "the request's CPT or HCPCS codes (64483, +64484, 0213T)")
    .option("--library <dir>", "folder of .pol files", "policies")
    .option("--json", "print the policies as JSON")
    .action((options: { cpt: string[]; library: string; json?: boolean }) => {
      const codes = options.cpt.flatMap((c) => c.split(",")).filter((c) => c !== "");
      const bad = codes.filter((c) => !isCptCode(c));
      if (bad.length) throw new UsageError(`--cpt expects CPT or HCPCS codes of five letters or digits (64483, +64484, 0213T), not ${bad.map((c) => `'${c}'`).join(", ")}`);
      const result = compileFiles(polFilesUnder(options.library));
      if (!reportDiagnostics(result, io)) {
        exitCode = 1;
        return;
      }
      const routed = route(loadPolicies(result).values(), codes);
      io.out(options.json ? JSON.stringify(routed, null, 2) : formatRoute(routed));
    });

  program
    .command("serve")
    .description("serve a library's policies over HTTP: metadata, schemas, determinations, routing by CPT code, OpenAPI")
    .option("--library <dir>", "folder of .pol files", "policies")
    .option("--port <n>", "port to listen on (0: any free port)", "8080")
    .option("--host <host>", "address to bind (default loopback only)", "127.0.0.1")
    .option("--token <token>", "require Authorization: Bearer <token> (or set POLC_TOKEN)")
    .action(async (options: { library: string; port: string; host: string; token?: string }) => {
      const port = portOf(options.port);
      if (port === undefined) throw new UsageError(`--port expects a whole number from 0 to 65535, not '${options.port}'`);
      const token = options.token ?? process.env.POLC_TOKEN;
      if (token !== undefined && token.length < 16) throw new UsageError("the token must be at least 16 characters");
      const result = compileFiles(polFilesUnder(options.library));
      if (!reportDiagnostics(result, io)) {
        exitCode = 1;
        return;
      }
      exitCode = await serve(loadPolicies(result), { port, host: options.host, token }, io);
    });

  registerFhirCommands(program, {
    io,
    usage: (message) => new UsageError(message),
    fail: (code) => {
      exitCode = code;
    },
    policyOf: (id, library) => {
      const result = compileFiles(polFilesUnder(library));
      if (!reportDiagnostics(result, io)) {
        exitCode = 1;
        return undefined;
      }
      const policy = loadPolicies(result).get(id);
      if (!policy) throw new UsageError(`no policy '${id}' in ${library} (the policies are: ${result.policies.map((p) => p.policy.name).join(", ") || "none"})`);
      return policy;
    },
  });

  program
    .command("docs")
    .description("generate only the Markdown docs for every policy under a folder")
    .argument("[dir]", "folder of .pol files", "policies")
    .option("--docs <dir>", "folder for the generated Markdown", "docs")
    .action(async (dir: string, options: { docs: string }) => {
      checkOutputFolder("--docs", options.docs);
      const result = compileFiles(polFilesUnder(dir));
      if (!reportDiagnostics(result, io)) {
        exitCode = 1;
        return;
      }
      const dirs = { docs: options.docs };
      const progress = terminalProgress();
      const files = await renderOutputs(result, dirs, process.cwd(), progress).finally(() => progress.finish());
      const { written, removed, temporariesRemoved } = writeOutputs(files, dirs, process.cwd(), libraryName(dir));
      reportRemoved(removed, io, temporariesRemoved);
      io.out(`docs for ${count(result.policies.length, "policy", "policies")}: ${written.length} written`);
    });

  registerTestCommand(program, commandContext);
  registerDiffCommand(program, commandContext);
  registerCasesCommand(program, commandContext);
  registerSqlCommand(program, commandContext);
  registerReviewCommand(program, commandContext);
  program
    .command("fmt")
    .description("format .pol files in place; with --check, list those not formatted and exit 1 (files with syntax errors are never rewritten)")
    .argument("[paths...]", ".pol files or folders (default policies/)")
    .option("--check", "do not write; list the files that are not formatted")
    .action(async (paths: string[], options: { check?: boolean }) => {
      exitCode = await fmtCommand((paths.length ? paths : ["policies"]).flatMap(polFilesUnder), options, io);
    });

  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help" ? 0 : 2;
    }
    if (e instanceof UsageError || e instanceof CaseFileError || e instanceof BuildRefusal) {
      io.err(`polc: ${e.message}`);
      return 2;
    }
    io.err(`polc: internal error: ${e instanceof Error ? e.message : String(e)}\nPlease report this with the file that caused it.`);
    return 70;
  }
}
