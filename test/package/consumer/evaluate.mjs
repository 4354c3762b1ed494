// Plain node, no TypeScript: the JavaScript modules of `polc build --emit js`.
import { evaluate } from "./lib/policies/knee-mri.js";
import { readFileSync } from "node:fs";
import { InputError } from "pol/runtime";
import { inputSchema } from "pol/json-schema";
import { questionnaire } from "pol/fhir";
import { policy } from "./lib/policies/knee-mri.js";

const request = {
  date_of_service: "2025-03-01",
  side: "left",
  symptoms: { locking: true, pain: 8, duration: { amount: 4, unit: "months" } },
  therapy_courses: [{ date: "2024-12-01", length_in_weeks: 8 }],
};
const determination = evaluate(request, { trace: false });
let inputError = [];
try {
  evaluate({ ...request, symptoms: { pain: 11 } });
} catch (e) {
  if (!(e instanceof InputError)) throw e;
  inputError = e.problems.map((p) => `${p.path}: ${p.message}`);
}
console.log(
  JSON.stringify({
    outcome: determination.outcome,
    pathway: determination.pathway,
    unmet: determination.unmet.map((u) => u.id),
    missing: determination.missing.map((m) => m.fact),
    inputError,
    // The schema written beside the module is the one the package gives for the policy.
    schemaBesideModule: JSON.stringify({ ...JSON.parse(readFileSync("lib/policies/knee-mri.input.schema.json", "utf8")), $comment: undefined }) === JSON.stringify(inputSchema(policy)),
    questions: questionnaire(policy).item.map((i) => i.linkId),
  }),
);
