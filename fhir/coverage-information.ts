/**
 * A determination as Da Vinci CRD coverage information: the `ext-coverage-information` extension a
 * payer's CRD service puts on the order (a ServiceRequest) it answers.
 *
 *   meets                                   covered, prior authorization satisfied by this determination
 *   needs-info                              conditional: clinical documentation needed, the missing facts
 *                                           listed, and the policy's Questionnaire to collect them
 *   refer-for-review                        conditional: prior authorization needed, a clinician decides;
 *                                           the guideline's clauses that leave it to one listed
 *   does-not-meet, excluded, not-covered    not covered, with the unmet criteria (or the exclusion that applies)
 *
 * Each unmet criterion and each missing fact is a `detail` (its id and wording, or its path and what
 * to look for in the chart); `reason` says the outcome in a sentence. Each finding taken as absent
 * because the chart does not mention it (an assumption) is a `detail` too, whatever the outcome.
 */
import type { Determination, Outcome } from "../runtime/determination.js";
import type { Extension } from "./types.js";

export const coverageInformationUrl = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information";

export interface CoverageInformationOptions {
  /** The member's Coverage the assertion is about, e.g. `Coverage/123`. */
  readonly coverage: string;
  /** The trace number of this assertion (a determination's request id serves). */
  readonly assertionId: string;
  /** The date of the assertion (YYYY-MM-DD); today by default. */
  readonly date?: string;
  /** The canonical URL of the policy's Questionnaire, offered when documentation is needed. */
  readonly questionnaire?: string;
}

const sub = (url: string, value: Omit<Extension, "url">): Extension => ({ url, ...value });

/** What each outcome asserts; a record over the runtime's Outcome type, so that a new outcome cannot be left unmapped. */
const assertions: Record<Outcome, "covered" | "documentation" | "review" | "not-covered"> = {
  meets: "covered",
  "needs-info": "documentation",
  "refer-for-review": "review",
  "does-not-meet": "not-covered",
  excluded: "not-covered",
  "not-covered": "not-covered",
};

const detail = (system: string, code: string, text: string, value: string): Extension =>
  sub("detail", { extension: [sub("code", { valueCodeableConcept: { coding: [{ system, code }], text } }), sub("value", { valueString: value })] });

export function coverageInformation(determination: Determination, options: CoverageInformationOptions): Extension {
  const outcome = determination.outcome;
  const parts: Extension[] = [sub("coverage", { valueReference: { reference: options.coverage } })];
  const policy = `${determination.policy.id} ${determination.policy.title} (version ${determination.policy.version})`;
  const details: Extension[] = [];
  switch (assertions[outcome]) {
    case "covered":
      parts.push(sub("covered", { valueCode: "covered" }), sub("pa-needed", { valueCode: "satisfied" }), sub("satisfied-pa-id", { valueString: options.assertionId }));
      parts.push(sub("reason", { valueCodeableConcept: { text: `Meets ${policy}${determination.pathway ? ` by the pathway ${determination.pathway}` : ""}.` } }));
      break;
    case "documentation":
      parts.push(sub("covered", { valueCode: "conditional" }), sub("doc-needed", { valueCode: "clinical" }), sub("info-needed", { valueCode: "other" }));
      parts.push(sub("reason", { valueCodeableConcept: { text: `${policy} cannot be decided without more clinical documentation.` } }));
      for (const m of determination.missing) details.push(detail("urn:pol:fact", m.fact, m.description, "not documented"));
      if (options.questionnaire !== undefined) parts.push(sub("questionnaire", { valueCanonical: options.questionnaire }));
      break;
    case "review":
      parts.push(sub("covered", { valueCode: "conditional" }), sub("pa-needed", { valueCode: "auth-needed" }), sub("info-needed", { valueCode: "other" }));
      parts.push(sub("reason", { valueCodeableConcept: { text: `${policy} leaves this request to a clinician's review.` } }));
      for (const r of determination.referrals) details.push(detail("urn:pol:clause", r.refs || "clause", r.clause, "for clinical review"));
      break;
    case "not-covered": {
      parts.push(sub("covered", { valueCode: "not-covered" }));
      const why = outcome === "does-not-meet" ? "does not meet" : outcome === "excluded" ? "is excluded by" : "is a service not covered under";
      parts.push(sub("reason", { valueCodeableConcept: { text: `The request ${why} ${policy}.` } }));
      for (const u of determination.unmet) details.push(detail("urn:pol:criterion", u.id, u.wording, outcome === "does-not-meet" ? "not met" : "applies"));
      break;
    }
  }
  // Whatever the outcome, a finding taken as absent because the chart is silent is stated beside it.
  for (const a of determination.assumptions) details.push(detail("urn:pol:fact", a.fact, a.description, "assumed absent (not documented)"));
  parts.push(...details, sub("date", { valueDate: options.date ?? new Date().toISOString().slice(0, 10) }), sub("coverage-assertion-id", { valueString: options.assertionId }));
  return { url: coverageInformationUrl, extension: parts };
}
