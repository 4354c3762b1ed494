/**
 * Case files: a request's facts, optionally with the member's state, a description and the
 * expected determination. Either the facts object itself, or { "input": {…}, … }. Read strictly
 * (strict-json.ts): a key given twice is an error, a byte order mark is not.
 */
import { readFileSync } from "node:fs";
import { parseStrictJson, StrictJsonError } from "./strict-json.js";
import { stateCode, stateProblem } from "../../runtime/states.js";

export class CaseFileError extends Error {}

export interface CaseExpectation {
  readonly outcome?: string;
  readonly pathway?: string | null;
  readonly unmet?: readonly string[];
  readonly missing?: readonly string[];
  /** The advisories that apply, by id. */
  readonly advisories?: readonly string[];
  /** The clauses referred for clinical review, as the guideline words them. */
  readonly referrals?: readonly string[];
  /** The facts taken as absent (declared absent unless documented, left out), by path. */
  readonly assumptions?: readonly string[];
}

export interface CaseFile {
  /** The caller's name for the case, passed through to what is printed for it. */
  readonly id?: string | number;
  readonly description?: string;
  readonly state?: string;
  readonly input: Record<string, unknown>;
  readonly expect?: CaseExpectation;
  /** What a boundary case probes (written by `polc cases --boundaries`). */
  readonly probe?: string;
  /** The expectation was filled from the policy as it stood, not confirmed by the author. */
  readonly unconfirmed?: boolean;
}

/** The fields of a case, in a case file and on a line of `polc eval --batch` alike. */
export const caseKeys: readonly string[] = ["id", "description", "state", "input", "expect", "probe", "unconfirmed"];
const expectKeys = ["outcome", "pathway", "unmet", "missing", "advisories", "referrals", "assumptions"];
const outcomes = ["meets", "does-not-meet", "excluded", "not-covered", "needs-info", "refer-for-review"];

/** What to do when a request's facts are taken for a case: one of them is named `input` (and a request gives `date_of_service`). */
export const inputFactHint = `a request with a fact or group named 'input' is written as a case: {"input": {…its facts…}}`;

export function readCaseFile(path: string): CaseFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new CaseFileError(`cannot read the case file ${path}`);
  }
  return parseCase(text, path);
}

export function parseCase(text: string, path: string): CaseFile {
  let data: unknown;
  try {
    data = parseStrictJson(text);
  } catch (e) {
    if (e instanceof StrictJsonError) throw new CaseFileError(`${path}: ${e.message}`);
    const detail = e instanceof Error ? e.message : String(e);
    throw new CaseFileError(`${path} is not valid JSON: ${detail}`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) throw new CaseFileError(`${path}: expected a JSON object`);
  const record = data as Record<string, unknown>;
  if (!("input" in record)) return { input: record };
  const problems: string[] = [];
  for (const key of Object.keys(record)) if (!caseKeys.includes(key)) problems.push(`'${key}' is not a case field (the fields are ${caseKeys.join(", ")})`);
  // A request's facts (they always give the date of service) read as a case because one of them is named `input`.
  if (Object.hasOwn(record, "date_of_service")) problems.push(inputFactHint);
  const input = record.input;
  if (input === null || typeof input !== "object" || Array.isArray(input)) problems.push("'input' must be an object of facts");
  if (record.state !== undefined && stateCode(record.state) === undefined) problems.push(`'state': ${stateProblem(record.state)}`);
  if (record.description !== undefined && typeof record.description !== "string") problems.push("'description' must be a text");
  if (record.id !== undefined && typeof record.id !== "string" && !(typeof record.id === "number" && Number.isFinite(record.id))) problems.push("'id' must be a text or a number");
  if (record.probe !== undefined && typeof record.probe !== "string") problems.push("'probe' must be a text");
  if (record.unconfirmed !== undefined && typeof record.unconfirmed !== "boolean") problems.push("'unconfirmed' must be true or false");
  const expect = record.expect as Record<string, unknown> | undefined;
  if (expect !== undefined) {
    if (expect === null || typeof expect !== "object" || Array.isArray(expect)) problems.push("'expect' must be an object");
    else {
      for (const key of Object.keys(expect)) if (!expectKeys.includes(key)) problems.push(`'expect.${key}' is not an expectation (they are ${expectKeys.join(", ")})`);
      if (expect.outcome !== undefined && !outcomes.includes(expect.outcome as string)) problems.push(`'expect.outcome' must be one of ${outcomes.join(", ")}`);
      for (const key of ["unmet", "missing", "advisories", "referrals", "assumptions"]) {
        const v = expect[key];
        if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== "string"))) problems.push(`'expect.${key}' must be a list of texts`);
      }
    }
  }
  if (problems.length) throw new CaseFileError(`${path}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return record as unknown as CaseFile;
}
