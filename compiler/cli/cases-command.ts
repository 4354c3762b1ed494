/**
 * `polc cases POLICY --boundaries [--from CASE]`: writes a case file at every threshold of a
 * policy (compiler/tools/boundaries.ts), each saying what it probes. Its `expect` is left for the
 * author, or with `--fill` filled from the policy as it stands and marked unconfirmed. A file
 * that already exists is kept as it is.
 */
import { stateCode, stateProblem } from "../../runtime/states.js";
import type { Command } from "commander";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadPolicies } from "../load-modules.js";
import { evaluate } from "../../runtime/determine.js";
import { InputError } from "../../runtime/validate.js";
import type { IrType } from "../ir.js";
import { caseFolderName, findCasesRoot, jsonFilesUnder } from "../tools/case-folders.js";
import { borrowEntries, probesOf, thresholdsOf, thresholdText, unknownProbes, type BorrowedEntry, type Probe } from "../tools/boundaries.js";
import { CaseFileError, readCaseFile } from "./case-file.js";
import { compileLibrary, plural, type CommandContext } from "./command-support.js";
import { UsageError } from "./main.js";

interface CasesOptions {
  boundaries?: boolean;
  from?: string;
  out?: string;
  fill?: boolean;
  state?: string;
  library: string;
  cases?: string;
  json?: boolean;
}

/** The date of service of generated cases when no base case gives one. */
export const defaultDateOfService = "2024-06-15";

export function registerCasesCommand(program: Command, ctx: CommandContext): void {
  program
    .command("cases")
    .description("write case files that probe every threshold of a policy: just below, at and above each number; the day before, on and after each date window and interval; each count at its limit; each fact undocumented")
    .argument("<policy>", "a policy id (NIA_CG_300)")
    .option("--boundaries", "write a case at each threshold (the kind of cases this command writes)")
    .option("--from <case>", `the case each probe changes (default: a request with only date_of_service ${defaultDateOfService})`)
    .option("--out <dir>", "where to write them (default: CASES/<policy folder>/boundaries/)")
    .option("--fill", "fill each case's expect from the policy as it stands, marked \"unconfirmed\": true")
    .option("--state <code>", "the member's state for every case (default: the --from case's)")
    .option("--library <dir>", "folder of .pol files", "policies")
    .option("--cases <dir>", "the cases root (default: found beside the library)")
    .option("--json", "print what was written as JSON")
    .action((policyId: string, options: CasesOptions) => {
      if (!options.boundaries) throw new UsageError("polc cases writes boundary cases: give --boundaries");
      if (options.state !== undefined && stateCode(options.state) === undefined) throw new UsageError(`--state: ${stateProblem(options.state)}`);
      const result = compileLibrary(options.library, ctx.io);
      if (!result) {
        ctx.setExitCode(1);
        return;
      }
      const compiled = result.policies.find((p) => p.ir.id === policyId);
      if (!compiled) throw new UsageError(`no policy '${policyId}' in ${options.library} (the policies are: ${result.policies.map((p) => p.ir.id).join(", ")})`);
      const base = options.from === undefined ? { input: { date_of_service: defaultDateOfService } } : readCaseFile(options.from);
      const state = (options.state ?? base.state)?.toUpperCase();
      const root = findCasesRoot(options.library, options.cases);
      const out = options.out ?? (root === undefined ? undefined : join(root, caseFolderName(policyId), "boundaries"));
      if (out === undefined) throw new UsageError(`no case folder for ${options.library}: give --out DIR (or --cases DIR)`);

      const ir = compiled.ir;
      const types = new Map<string, IrType>(ir.facts.map((f) => [f.path, f.type]));
      const thresholds = thresholdsOf(ir);
      const probes: Probe[] = [];
      const unprobed: string[] = [];
      const policy = loadPolicies(result).get(policyId)!;
      // What the policy determines for a request: a count's probes are chosen where it changes.
      const judge = (input: Record<string, unknown>): string | undefined => {
        try {
          const d = evaluate(policy, input, { state, trace: false });
          return JSON.stringify([d.outcome, d.pathway, d.unmet.map((u) => u.id), d.missing.map((m) => m.fact), d.lines.map((l) => [l.id, l.outcome])]);
        } catch (e) {
          if (e instanceof InputError) return undefined;
          throw e;
        }
      };
      // The policy's other cases lend entries to a count whose list the base case leaves empty.
      const others = (root === undefined ? [] : jsonFilesUnder(join(root, caseFolderName(policyId)))).flatMap((file) => {
        if (options.from !== undefined && resolve(file) === resolve(options.from)) return [];
        try {
          return [{ file, input: readCaseFile(file).input }];
        } catch (e) {
          if (e instanceof CaseFileError) return []; // a broken case lends nothing; polc test names it
          throw e;
        }
      });
      const borrowed = new Map<string, BorrowedEntry[]>();
      const elsewhere = (listPath: string) => borrowed.get(listPath) ?? borrowed.set(listPath, borrowEntries(others, listPath, base.input)).get(listPath)!;
      for (const t of thresholds) {
        const made = probesOf(t, base.input, (path) => types.get(path), judge, elsewhere);
        if (made.length === 0) unprobed.push(`${thresholdText(t)} in ${t.owner}: the base case has nothing to change (${t.kind === "count" || t.subject.includes("[]") ? "no entry in the list" : "no date of service"})`);
        probes.push(...made);
      }
      probes.push(...unknownProbes(ir, base.input));

      mkdirSync(out, { recursive: true });
      const written: { file: string; probe: string; written: boolean; problem?: string }[] = [];
      const names = new Set<string>();
      for (const p of probes) {
        let name = p.name;
        for (let i = 2; names.has(name); i++) name = `${p.name}-${i}`;
        names.add(name);
        const file = join(out, `${name}.json`);
        if (existsSync(file)) {
          written.push({ file, probe: p.probe, written: false });
          continue;
        }
        const testCase: Record<string, unknown> = { description: `Boundary: ${p.probe}`, probe: p.probe, ...(state ? { state } : {}), input: p.input };
        let problem: string | undefined;
        if (options.fill) {
          try {
            const d = evaluate(policy, p.input, { state, trace: false });
            testCase.expect = {
              outcome: d.outcome,
              pathway: d.pathway,
              unmet: d.unmet.map((u) => u.id),
              missing: d.missing.map((m) => m.fact),
              ...(d.advisories.length ? { advisories: d.advisories.map((a) => a.id) } : {}),
              ...(d.referrals.length ? { referrals: d.referrals.map((r) => r.clause) } : {}),
              ...(d.assumptions.length ? { assumptions: d.assumptions.map((a) => a.fact) } : {}),
            };
            testCase.unconfirmed = true;
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
            problem = e.problems.map((x) => `input.${x.path}: ${x.message}`).join("; ");
          }
        }
        writeFileSync(file, `${JSON.stringify(testCase, null, 2)}\n`, { flag: "wx" });
        written.push({ file, probe: p.probe, written: true, ...(problem ? { problem } : {}) });
      }
      if (options.json) {
        ctx.io.out(JSON.stringify({ policy: policyId, thresholds: thresholds.length, folder: out, cases: written, unprobed }, null, 2));
        return;
      }
      for (const w of written) ctx.io.out(`${w.written ? "wrote" : "kept "} ${w.file}: ${w.probe}${w.problem ? ` (the policy refuses this request: ${w.problem})` : ""}`);
      for (const u of unprobed) ctx.io.out(`not probed: ${u}`);
      const made = written.filter((w) => w.written).length;
      ctx.io.out(`${plural(thresholds.length, "threshold")} in ${policyId}: ${plural(made, "case file")} written to ${out}${written.length - made ? `, ${written.length - made} kept as they were` : ""}${options.fill ? " (expect filled from the policy as it stands: confirm each, then remove \"unconfirmed\")" : " (write each one's expect)"}`);
    });
}
