/**
 * `polc fhir`: a policy's FHIR R4 resources (fhir/).
 *
 *   polc fhir questionnaire <policy>                the policy's facts as a DTR-style Questionnaire
 *   polc fhir case <policy> <response.json>         a QuestionnaireResponse read back as a case file
 *   polc fhir coverage <policy> <case.json>         the case's determination as CRD coverage information
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { Policy } from "../../runtime/policy.js";
import { evaluate } from "../../runtime/determine.js";
import { InputError, validateInput } from "../../runtime/validate.js";
import { stateCode, stateProblem } from "../../runtime/states.js";
import { caseFromResponse, coverageInformation, questionnaire, questionnaireUrl, ResponseError } from "../../fhir/index.js";
import { readCaseFile } from "./case-file.js";

export interface FhirCommandContext {
  readonly io: { out: (text: string) => void; err: (text: string) => void };
  /** The policy of a library by its id; undefined (with diagnostics printed) when the library has errors. */
  readonly policyOf: (id: string, library: string) => Policy | undefined;
  readonly fail: (code: number) => void;
  readonly usage: (message: string) => Error;
}

const libraryOption = ["--library <dir>", "folder of .pol files that holds the policy", "policies"] as const;

export function registerFhirCommands(program: Command, context: FhirCommandContext): void {
  const { io } = context;
  const fhir = program.command("fhir").description("a policy's FHIR R4 resources: DTR Questionnaire, QuestionnaireResponse as a case, CRD coverage information");

  fhir
    .command("questionnaire")
    .description("print the policy's facts as a FHIR R4 Questionnaire (one question per fact)")
    .argument("<policy>", "a policy id (NIA_CG_300)")
    .option(...libraryOption)
    .action((id: string, options: { library: string }) => {
      const policy = context.policyOf(id, options.library);
      if (policy) io.out(JSON.stringify(questionnaire(policy), null, 2));
    });

  fhir
    .command("case")
    .description("read a QuestionnaireResponse to the policy's Questionnaire as a case file")
    .argument("<policy>", "a policy id (NIA_CG_300)")
    .argument("<response>", "a QuestionnaireResponse (JSON)")
    .option("--state <code>", "the member's state, written into the case (for example WA)")
    .option(...libraryOption)
    .action((id: string, path: string, options: { library: string; state?: string }) => {
      if (options.state !== undefined && stateCode(options.state) === undefined) throw context.usage(`--state: ${stateProblem(options.state)}`);
      let response: unknown;
      try {
        response = JSON.parse(readFileSync(path, "utf8"));
      } catch (e) {
        throw context.usage(`cannot read ${path} as JSON: ${e instanceof Error ? e.message : String(e)}`);
      }
      const policy = context.policyOf(id, options.library);
      if (!policy) return;
      try {
        const input = caseFromResponse(policy, response);
        const problems = validateInput(policy, input);
        if (problems.length) throw new InputError(problems);
        io.out(JSON.stringify({ ...(options.state ? { state: options.state.toUpperCase() } : {}), input }, null, 2));
      } catch (e) {
        if (!(e instanceof ResponseError || e instanceof InputError)) throw e;
        io.err(`${path}: the response does not give ${id}'s input:`);
        for (const p of e.problems) io.err(`  - ${e instanceof InputError ? `input.${p.path}` : p.path}: ${p.message}`);
        context.fail(2);
      }
    });

  fhir
    .command("coverage")
    .description("evaluate a case and print its determination as Da Vinci CRD coverage information (ext-coverage-information)")
    .argument("<policy>", "a policy id (NIA_CG_300)")
    .argument("<case>", "a case file (JSON)")
    .requiredOption("--coverage <reference>", "the member's Coverage, e.g. Coverage/123")
    .option("--assertion-id <id>", "the assertion's trace number (default: the case's id, or one made up)")
    .option("--date <date>", "the assertion's date, YYYY-MM-DD (default today)")
    .option("--state <code>", "the member's state; overlays for it apply")
    .option(...libraryOption)
    .action((id: string, path: string, options: { coverage: string; assertionId?: string; date?: string; state?: string; library: string }) => {
      if (options.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.date)) throw context.usage(`--date expects a date like 2024-03-15, not '${options.date}'`);
      if (!/^[A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(options.coverage)) throw context.usage(`--coverage expects a reference like Coverage/123, not '${options.coverage}'`);
      const testCase = readCaseFile(path);
      const state = options.state ?? testCase.state;
      if (state !== undefined && stateCode(state) === undefined) throw context.usage(`${options.state !== undefined ? "--state:" : `${path}: 'state':`} ${stateProblem(state)}`);
      const policy = context.policyOf(id, options.library);
      if (!policy) return;
      try {
        const determination = evaluate(policy, testCase.input, { state: state?.toUpperCase(), trace: false });
        const assertionId = options.assertionId ?? (testCase.id !== undefined ? String(testCase.id) : `${policy.metadata.id}-${Date.now()}`);
        io.out(JSON.stringify(coverageInformation(determination, { coverage: options.coverage, assertionId, date: options.date, questionnaire: questionnaireUrl(policy) }), null, 2));
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        io.err(`${path}: the case does not match ${id}'s input:`);
        for (const p of e.problems) io.err(`  - input.${p.path}: ${p.message}`);
        context.fail(2);
      }
    });
}
