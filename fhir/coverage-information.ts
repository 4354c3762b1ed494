/**
 * A determination as Da Vinci CRD coverage information: the `ext-coverage-information` extension a
 * payer's CRD service puts on the order (a ServiceRequest) it answers.
 *
 *   meets                                   covered, prior authorization satisfied by this determination
 *   needs-info                              conditional: clinical documentation needed, the missing facts
 *                                           listed, and the policy's Questionnaire to collect them
 *   does-not-meet, excluded, not-covered    not covered, with the unmet criteria (or the exclusion that applies)
 *
 * Each unmet criterion and each missing fact is a `detail` (its id and wording, or its path and what
 * to look for in the chart); `reason` says the outcome in a sentence.
 */
import type { Determination } from "../runtime/determination.js";
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

export function coverageInformation(determination: Determination, options: CoverageInformationOptions): Extension {
  const outcome = determination.outcome;
  const parts: Extension[] = [sub("coverage", { valueReference: { reference: options.coverage } })];
  const policy = `${determination.policy.id} ${determination.policy.title} (version ${determination.policy.version})`;
  const details: Extension[] = [];
  if (outcome === "meets") {
    parts.push(sub("covered", { valueCode: "covered" }), sub("pa-needed", { valueCode: "satisfied" }), sub("satisfied-pa-id", { valueString: options.assertionId }));
    parts.push(sub("reason", { valueCodeableConcept: { text: `Meets ${policy}${determination.pathway ? ` by the pathway ${determination.pathway}` : ""}.` } }));
  } else if (outcome === "needs-info") {
    parts.push(sub("covered", { valueCode: "conditional" }), sub("doc-needed", { valueCode: "clinical" }), sub("info-needed", { valueCode: "other" }));
    parts.push(sub("reason", { valueCodeableConcept: { text: `${policy} cannot be decided without more clinical documentation.` } }));
    for (const m of determination.missing) {
      details.push(sub("detail", { extension: [sub("code", { valueCodeableConcept: { coding: [{ system: "urn:pol:fact", code: m.fact }], text: m.description } }), sub("value", { valueString: "not documented" })] }));
    }
    if (options.questionnaire !== undefined) parts.push(sub("questionnaire", { valueCanonical: options.questionnaire }));
  } else {
    parts.push(sub("covered", { valueCode: "not-covered" }));
    const why = outcome === "does-not-meet" ? "does not meet" : outcome === "excluded" ? "is excluded by" : "is a service not covered under";
    parts.push(sub("reason", { valueCodeableConcept: { text: `The request ${why} ${policy}.` } }));
    for (const u of determination.unmet) {
      details.push(sub("detail", { extension: [sub("code", { valueCodeableConcept: { coding: [{ system: "urn:pol:criterion", code: u.id }], text: u.wording } }), sub("value", { valueString: outcome === "does-not-meet" ? "not met" : "applies" })] }));
    }
  }
  parts.push(...details, sub("date", { valueDate: options.date ?? new Date().toISOString().slice(0, 10) }), sub("coverage-assertion-id", { valueString: options.assertionId }));
  return { url: coverageInformationUrl, extension: parts };
}
