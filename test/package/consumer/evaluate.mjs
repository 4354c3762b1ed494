// Plain node, no TypeScript: the JavaScript modules of `polc build --emit js`.
import { evaluate } from "./lib/policies/knee-mri.js";
import { InputError } from "pol/runtime";

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
  }),
);
