/**
 * The parts of FHIR R4 that pol reads and writes, as plain JSON types (the resources are checked
 * against the R4 definitions in the tests).
 */

export interface Coding {
  readonly system?: string;
  readonly code?: string;
  readonly display?: string;
}

export interface CodeableConcept {
  readonly coding?: readonly Coding[];
  readonly text?: string;
}

export interface Quantity {
  readonly value?: number;
  readonly unit?: string;
  readonly system?: string;
  readonly code?: string;
}

export interface Reference {
  readonly reference?: string;
  readonly display?: string;
}

export interface Extension {
  readonly url: string;
  readonly extension?: readonly Extension[];
  readonly valueCode?: string;
  readonly valueString?: string;
  readonly valueDate?: string;
  readonly valueInteger?: number;
  readonly valueDecimal?: number;
  readonly valueBoolean?: boolean;
  readonly valueCoding?: Coding;
  readonly valueCodeableConcept?: CodeableConcept;
  readonly valueReference?: Reference;
  readonly valueCanonical?: string;
}

export type QuestionnaireItemType = "group" | "display" | "boolean" | "decimal" | "integer" | "date" | "string" | "choice" | "quantity";

export interface QuestionnaireItem {
  readonly linkId: string;
  readonly text?: string;
  readonly type: QuestionnaireItemType;
  readonly required?: boolean;
  readonly repeats?: boolean;
  readonly extension?: readonly Extension[];
  readonly code?: readonly Coding[];
  readonly answerOption?: readonly { readonly valueCoding: Coding }[];
  readonly enableWhen?: readonly { readonly question: string; readonly operator: "exists" | "=" | "!="; readonly answerBoolean?: boolean }[];
  readonly item?: readonly QuestionnaireItem[];
}

export interface Questionnaire {
  readonly resourceType: "Questionnaire";
  readonly id?: string;
  readonly url?: string;
  readonly version?: string;
  readonly name?: string;
  readonly title?: string;
  readonly status: "draft" | "active" | "retired" | "unknown";
  readonly subjectType?: readonly string[];
  readonly description?: string;
  readonly code?: readonly Coding[];
  readonly item?: readonly QuestionnaireItem[];
}

export interface QuestionnaireResponseAnswer {
  readonly valueBoolean?: boolean;
  readonly valueDecimal?: number;
  readonly valueInteger?: number;
  readonly valueDate?: string;
  readonly valueString?: string;
  readonly valueCoding?: Coding;
  readonly valueQuantity?: Quantity;
  readonly item?: readonly QuestionnaireResponseItem[];
}

export interface QuestionnaireResponseItem {
  readonly linkId: string;
  readonly text?: string;
  readonly answer?: readonly QuestionnaireResponseAnswer[];
  readonly item?: readonly QuestionnaireResponseItem[];
}

export interface QuestionnaireResponse {
  readonly resourceType: "QuestionnaireResponse";
  readonly id?: string;
  readonly questionnaire?: string;
  readonly status: "in-progress" | "completed" | "amended" | "entered-in-error" | "stopped";
  readonly item?: readonly QuestionnaireResponseItem[];
}
