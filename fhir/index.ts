/** FHIR R4 for payers' prior-authorization stacks (`pol/fhir`): DTR questionnaires, responses read back as cases, CRD coverage information. */
export { questionnaire, questionnaireUrl, enumSystem, ucumUnits, ucumSystem } from "./questionnaire.js";
export { caseFromResponse, ResponseError } from "./response.js";
export { coverageInformation, coverageInformationUrl, type CoverageInformationOptions } from "./coverage-information.js";
export type * from "./types.js";
