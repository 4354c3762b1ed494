/**
 * `polc diff OLD NEW`: what changed between two versions of a policy library (two folders, or
 * two git revisions of this repository's library; NEW defaults to the working tree), per policy,
 * in Markdown for a pull-request review or `--json` for scripts. With `--cases`, the cases whose
 * determination changes, and how.
 */
import type { Command } from "commander";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { compileFiles, type CompileResult } from "../compile.js";
import { loadPolicies } from "../load-modules.js";
import { evaluate } from "../../runtime/determine.js";
import { InputError } from "../../runtime/validate.js";
import { StateError } from "../../runtime/states.js";
import type { Determination } from "../../runtime/determination.js";
import { caseFolders, jsonFilesUnder } from "../tools/case-folders.js";
import { caseName } from "../tools/run-cases.js";
import { diffLibraries, type PolicyDiff } from "../tools/semantic-diff.js";
import { CaseFileError, parseCase, readCaseFile, type CaseFile } from "./case-file.js";
import { printDiagnostics, type CommandContext, type Io } from "./command-support.js";
import { polFilesUnder, UsageError } from "./main.js";

interface DiffOptions {
  library: string;
  cases?: string;
  policy?: string;
  json?: boolean;
}

interface Side {
  readonly label: string;
  readonly result: CompileResult;
}

export function registerDiffCommand(program: Command, ctx: CommandContext): void {
  program
    .command("diff")
    .description("what changed between two versions of a policy library: criteria, thresholds, definitions, facts (breaking input changes flagged), service lines, overlays; with --cases, the cases whose determination changes (service lines' outcomes included)")
    .argument("<old>", "a library folder, or a git revision of this repository (main, HEAD~1, a commit)")
    .argument("[new]", "a library folder or git revision (default: the library in the working tree)")
    .option("--library <dir>", "the library's folder in the repository, for git revisions and the working tree", "policies")
    .option("--cases <dir|file.ndjson>", "cases to run on both versions: a cases root (a folder per policy), or NDJSON, one case a line")
    .option("--policy <id>", "with NDJSON cases: the policy of lines that do not name one in \"policy\"")
    .option("--json", "print the changes as JSON")
    .action((oldSpec: string, newSpec: string | undefined, options: DiffOptions) => {
      const temporary: string[] = [];
      try {
        const before = loadSide(oldSpec, options.library, temporary, ctx.io);
        const after = newSpec === undefined ? loadFolder(options.library, `${options.library} (working tree)`, ctx.io) : loadSide(newSpec, options.library, temporary, ctx.io);
        if (!before || !after) {
          ctx.setExitCode(1);
          return;
        }
        const policies = diffLibraries(before.result.library!.policies, after.result.library!.policies);
        const cases = options.cases === undefined ? undefined : caseChanges(before, after, options.cases, options.policy);
        if (options.json) ctx.io.out(JSON.stringify({ before: before.label, after: after.label, policies, ...(cases ? { cases } : {}) }, null, 2));
        else ctx.io.out(markdown(before.label, after.label, policies, cases));
      } finally {
        for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
      }
    });
}

function loadFolder(dir: string, label: string, io: Io, base?: string): Side | undefined {
  const files = polFilesUnder(base === undefined ? dir : join(base, dir));
  const result = base === undefined ? compileFiles(files) : compileFiles(files, base);
  if (!printDiagnostics(result.diagnostics.filter((d) => d.severity === "error"), result.sources, io)) return undefined;
  return { label, result };
}

function git(args: readonly string[]): string | undefined {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

/** A folder as it is, or the library as a git revision has it (written to a temporary folder). */
function loadSide(spec: string, library: string, temporary: string[], io: Io): Side | undefined {
  if (existsSync(spec) && statSync(spec).isDirectory()) return loadFolder(spec, spec, io);
  if (spec.startsWith("-") || git(["rev-parse", "--verify", "--quiet", `${spec}^{commit}`]) === undefined) throw new UsageError(`'${spec}' is neither a library folder nor a git revision of this repository`);
  const listed = git(["ls-tree", "-r", "-z", "--name-only", spec, "--", library]);
  const files = (listed ?? "").split("\0").filter((f) => f.endsWith(".pol"));
  if (files.length === 0) throw new UsageError(`revision ${spec} has no .pol files under ${library}`);
  const root = mkdtempSync(join(tmpdir(), "polc-diff-"));
  temporary.push(root);
  for (const file of files) {
    const text = execFileSync("git", ["show", `${spec}:./${file}`], { maxBuffer: 64 * 1024 * 1024 });
    mkdirSync(join(root, dirname(file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return loadFolder(library, `${library} at ${spec}`, io, root);
}

export interface CaseChange {
  readonly case: string;
  readonly policy: string;
  readonly before: string;
  readonly after: string;
  readonly details: readonly string[];
}

function summary(d: Determination | string): string {
  return typeof d === "string" ? d : `${d.outcome}${d.pathway ? ` (${d.pathway})` : ""}`;
}

function evaluateOn(side: Side, policyId: string, testCase: CaseFile): Determination | string {
  const policy = loadPolicies(side.result).get(policyId);
  if (!policy) return "no such policy";
  try {
    return evaluate(policy, testCase.input, { state: testCase.state?.toUpperCase(), trace: false });
  } catch (e) {
    if (e instanceof InputError) return `refused: ${e.problems.map((p) => `input.${p.path}: ${p.message}`).join("; ")}`;
    if (e instanceof StateError) return `refused: state: ${e.message}`;
    throw e;
  }
}

/** What differs between two determinations of one case, or nothing. */
function determinationChanges(a: Determination | string, b: Determination | string): string[] {
  if (typeof a === "string" || typeof b === "string") return summary(a) === summary(b) ? [] : [`${summary(a)} → ${summary(b)}`];
  const out: string[] = [];
  if (a.outcome !== b.outcome) out.push(`outcome ${a.outcome} → ${b.outcome}`);
  if (a.pathway !== b.pathway) out.push(`pathway ${a.pathway ?? "none"} → ${b.pathway ?? "none"}`);
  const list = (name: string, x: readonly string[], y: readonly string[]) => {
    const gone = x.filter((v) => !y.includes(v));
    const added = y.filter((v) => !x.includes(v));
    if (gone.length || added.length) out.push(`${name} ${[...gone.map((v) => `-${v}`), ...added.map((v) => `+${v}`)].join(" ")}`);
  };
  list("unmet", a.unmet.map((u) => u.id), b.unmet.map((u) => u.id));
  list("missing", a.missing.map((m) => m.fact), b.missing.map((m) => m.fact));
  list("advisories", a.advisories.map((x) => x.id), b.advisories.map((x) => x.id));
  list("referrals", a.referrals.map((r) => r.clause), b.referrals.map((r) => r.clause));
  // Each service line the request asks for, on either side: whether it is asked for, and what it comes to.
  for (const id of [...new Set([...a.lines, ...b.lines].map((l) => l.id))]) {
    const x = a.lines.find((l) => l.id === id);
    const y = b.lines.find((l) => l.id === id);
    if (!x || !y) {
      out.push(`line ${id} ${x ? `${x.outcome} → not asked for` : `not asked for → ${y!.outcome}`}`);
      continue;
    }
    if (x.outcome !== y.outcome) out.push(`line ${id} outcome ${x.outcome} → ${y.outcome}`);
    list(`line ${id} unmet`, x.unmet.map((u) => u.id), y.unmet.map((u) => u.id));
    list(`line ${id} missing`, x.missing.map((m) => m.fact), y.missing.map((m) => m.fact));
  }
  return out;
}

function caseChanges(before: Side, after: Side, source: string, defaultPolicy: string | undefined): CaseChange[] {
  if (!existsSync(source)) throw new UsageError(`--cases: no such file or folder: ${source}`);
  const ids = [...new Set([...before.result.policies, ...after.result.policies].map((p) => p.ir.id))];
  const cases: { name: string; policy: string; testCase: CaseFile }[] = [];
  if (statSync(source).isDirectory()) {
    const folders = caseFolders(source, ids);
    for (const [policy, files] of folders.byPolicy) {
      for (const file of files) {
        try {
          cases.push({ name: caseName(source, file), policy, testCase: readCaseFile(file) });
        } catch (e) {
          if (!(e instanceof CaseFileError)) throw e;
          throw new UsageError(e.message);
        }
      }
    }
    if (folders.byPolicy.size === 0 && jsonFilesUnder(source).length) throw new UsageError(`--cases ${source}: expected a folder per policy (such as ${source}/nia-cg-300/) holding its cases`);
  } else {
    readFileSync(source, "utf8")
      .split(/\r?\n/)
      .forEach((line, i) => {
        if (!line.trim()) return;
        const where = `${source}:${i + 1}`;
        let data: unknown;
        try {
          data = JSON.parse(line);
        } catch (e) {
          throw new UsageError(`${where} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
        }
        const record = data !== null && typeof data === "object" && !Array.isArray(data) ? { ...(data as Record<string, unknown>) } : undefined;
        const named = record && typeof record.policy === "string" ? record.policy : undefined;
        if (record && "policy" in record) delete record.policy;
        const policy = named ?? defaultPolicy;
        if (!policy) throw new UsageError(`${where}: the line names no "policy"; give --policy ID`);
        try {
          cases.push({ name: where, policy, testCase: parseCase(JSON.stringify(record ?? data), where) });
        } catch (e) {
          if (e instanceof CaseFileError) throw new UsageError(e.message);
          throw e;
        }
      });
  }
  const out: CaseChange[] = [];
  for (const c of cases) {
    const a = evaluateOn(before, c.policy, c.testCase);
    const b = evaluateOn(after, c.policy, c.testCase);
    const details = determinationChanges(a, b);
    if (details.length) out.push({ case: c.name, policy: c.policy, before: summary(a), after: summary(b), details });
  }
  return out;
}

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

function markdown(beforeLabel: string, afterLabel: string, policies: readonly PolicyDiff[], cases: readonly CaseChange[] | undefined): string {
  const out: string[] = [`# Policy changes: ${beforeLabel} → ${afterLabel}`, ""];
  const changed = policies.filter((p) => p.kind !== "unchanged");
  if (changed.length === 0) out.push("No policy changed.", "");
  for (const p of changed) {
    out.push(`## ${p.id} ${p.title}${p.kind === "added" ? " (added)" : p.kind === "removed" ? " (removed)" : ""}`, "");
    if (p.version) out.push(`Version ${p.version.before} → ${p.version.after}`, "");
    if (p.requirements.length) {
      out.push("### Criteria", "");
      for (const r of p.requirements) {
        const where = r.section ? ` (${r.section})` : "";
        if (r.kind === "added") out.push(`- **added** ${code(r.id)}${where}: "${r.wordingText}"`);
        else if (r.kind === "removed") out.push(`- **removed** ${code(r.id)}${where}: "${r.wordingText}"`);
        else {
          const parts: string[] = [];
          if (r.thresholds?.length) parts.push(`thresholds ${r.thresholds.map((t) => `${code(t.before)} → ${code(t.after)}`).join(", ")}`);
          else if (r.rule) parts.push("rule changed");
          if (r.through?.length) parts.push(`through changed definition${r.through.length > 1 ? "s" : ""} ${r.through.map(code).join(", ")}`);
          if (r.sectionBefore !== undefined) parts.push(`moved from "${r.sectionBefore}"`);
          if (r.wording) parts.push(r.rule || r.through?.length ? "wording changed too" : "wording only");
          out.push(`- **changed** ${code(r.id)}${where}: ${parts.join("; ")}`);
          if (r.wording) out.push(`  - before: "${r.wording.before}"`, `  - after: "${r.wording.after}"`);
        }
      }
      out.push("");
    }
    if (p.definitions.length) {
      out.push("### Definitions", "");
      for (const d of p.definitions) out.push(`- **${d.kind}** ${code(d.name)}${d.thresholds?.length ? `: thresholds ${d.thresholds.map((t) => `${code(t.before)} → ${code(t.after)}`).join(", ")}` : d.kind === "changed" ? ": rule changed" : ""}`);
      out.push("");
    }
    if (p.facts.length) {
      out.push("### Facts (the input type)", "");
      for (const f of p.facts) {
        const types = f.kind === "added" ? ` (${f.after})` : f.kind === "removed" ? ` (${f.before})` : f.kind === "type changed" ? `: ${code(f.before!)} → ${code(f.after!)}` : `: "${f.before}" → "${f.after}"`;
        out.push(`- **${f.kind}** ${code(f.path)}${types}${f.breaking ? ` — **breaking** for integrators: ${f.breaking}` : ""}`);
      }
      out.push("");
    }
    if (p.services.length) {
      out.push("### Service lines", "");
      for (const v of p.services) {
        const where = v.overlay ? ` (${v.overlay})` : "";
        out.push(`- **${v.kind}** ${code(v.id)}${where}${v.wordingText !== undefined ? `: "${v.wordingText}"` : v.details.length ? `: ${v.details.join("; ")}` : ""}`);
      }
      out.push("");
    }
    if (p.overlays.length) {
      out.push("### Overlays", "");
      for (const o of p.overlays) out.push(`- **${o.kind}** ${code(o.id)}${o.details.length ? `: ${o.details.join("; ")}` : ""}`);
      out.push("");
    }
  }
  if (cases) {
    out.push("## Cases whose determination changes", "");
    if (cases.length === 0) out.push("None.", "");
    else {
      out.push("| Case | Policy | Before | After | What changed |", "|---|---|---|---|---|");
      for (const c of cases) out.push(`| ${c.case} | ${c.policy} | ${c.before} | ${c.after} | ${c.details.join("; ")} |`);
      out.push("");
    }
  }
  return out.join("\n").replace(/\n+$/, "");
}
