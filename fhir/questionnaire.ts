/**
 * A policy's facts as a FHIR R4 Questionnaire, in the manner of Da Vinci DTR: one question per
 * fact, its text what a reviewer looks for in the chart, its answer typed as the fact is (yes/no,
 * decimal or integer with the fact's range, date, a choice of the enum's values, a quantity in
 * one of the duration units for a duration, a text per spinal level), groups as the request groups facts, and a
 * repeating group for each list of records, enabled when the list is not documented as empty. Each question's linkId is the fact's path in the
 * request (`pain.average`; `prior_procedures.date` for a field of a list's entries), so that a
 * QuestionnaireResponse reads back into a case (response.ts). It is made from the runtime's own
 * description of the input, the one validation reads.
 */
import type { Policy } from "../runtime/policy.js";
import type { FieldDescriptor, RecordType, ValueType } from "../runtime/schema.js";
import { inputTree, type InputNode } from "../runtime/validate.js";
import { durationUnits, type DurationUnit } from "../runtime/vocabulary.js";
import type { Extension, Questionnaire, QuestionnaireItem } from "./types.js";

/** How each duration unit is written in UCUM, the units FHIR quantities use; a record over the runtime's units, so none is left out. */
const ucum: Record<DurationUnit, string> = { minutes: "min", hours: "h", days: "d", weeks: "wk", months: "mo", years: "a" };
export const ucumUnits: ReadonlyMap<string, string> = new Map(durationUnits.map((u) => [u, ucum[u]]));
export const ucumSystem = "http://unitsofmeasure.org";

/** The code system of an enum's values. */
export function enumSystem(name: string): string {
  return `urn:pol:enum:${name}`;
}

/** The canonical URL of a policy's questionnaire. */
export function questionnaireUrl(policy: Policy): string {
  return `urn:pol:questionnaire:${policy.metadata.id}`;
}

const cptSystem = "http://www.ama-assn.org/go/cpt";

function rangeExtensions(type: Extract<ValueType, { t: "number" }>): Extension[] {
  const value = (v: number): Extension => (type.integer ? { url: "", valueInteger: v } : { url: "", valueDecimal: v });
  const out: Extension[] = [];
  if (type.min !== undefined) out.push({ ...value(type.min), url: "http://hl7.org/fhir/StructureDefinition/minValue" });
  if (type.max !== undefined) out.push({ ...value(type.max), url: "http://hl7.org/fhir/StructureDefinition/maxValue" });
  return out;
}

/** The question for a value of a type at `linkId`. */
function question(linkId: string, text: string, type: ValueType, required: boolean): QuestionnaireItem {
  const base = { linkId, text, ...(required ? { required: true } : {}) };
  switch (type.t) {
    case "boolean":
      return { ...base, type: "boolean" };
    case "number": {
      const range = rangeExtensions(type);
      return { ...base, type: type.integer ? "integer" : "decimal", ...(range.length ? { extension: range } : {}) };
    }
    case "date":
      return { ...base, type: "date" };
    case "duration":
      return {
        ...base,
        type: "quantity",
        extension: [...ucumUnits].map(([unit, code]) => ({ url: "http://hl7.org/fhir/StructureDefinition/questionnaire-unitOption", valueCoding: { system: ucumSystem, code, display: unit } })),
      };
    case "text":
      return { ...base, type: "string" };
    case "levels":
      // One answer per spinal level ("L4-5"); the runtime reads each spelling.
      return { ...base, type: "string", repeats: true };
    case "enum":
      return { ...base, type: "choice", answerOption: type.values.map((code) => ({ valueCoding: { system: enumSystem(type.name), code } })) };
    case "list":
      return { ...base, type: "group", repeats: true, item: entryItems(type.of(), linkId) };
  }
}

/** The linkId of the question that says a list is documented as empty. */
export function noneLinkId(listLinkId: string): string {
  return `${listLinkId}#none`;
}

/**
 * The questions for a fact or field. A list is a repeating group, preceded by a yes/no question
 * "none", since an empty list (the chart documents no prior procedure) is not the same as an
 * undocumented one; the group is enabled only when that answer is not yes.
 */
function questions(linkId: string, text: string, type: ValueType, required: boolean): QuestionnaireItem[] {
  if (type.t !== "list") return [question(linkId, text, type, required)];
  const none = noneLinkId(linkId);
  return [
    { linkId: none, text: `None: the chart documents no entries of this list (${text})`, type: "boolean" },
    { ...question(linkId, text, type, required), enableWhen: [{ question: none, operator: "!=", answerBoolean: true }] },
  ];
}

/** The questions of a list's entries: one per field, a history's date required. */
function entryItems(record: RecordType, linkId: string): QuestionnaireItem[] {
  return record.fields.flatMap((f: FieldDescriptor) => questions(`${linkId}.${f.name}`, f.description, f.type, record.dateField === f));
}

function groupItems(node: InputNode, prefix: string): QuestionnaireItem[] {
  const items: QuestionnaireItem[] = [];
  for (const [name, child] of node.children) {
    const linkId = `${prefix}${name}`;
    if (child.fact) items.push(...questions(linkId, child.fact.description, child.fact.type, linkId === "date_of_service"));
    else items.push({ linkId, text: name.replace(/_/g, " "), type: "group", item: groupItems(child, `${linkId}.`) });
  }
  return items;
}

export function questionnaire(policy: Policy): Questionnaire {
  const m = policy.metadata;
  return {
    resourceType: "Questionnaire",
    id: m.id.toLowerCase().replace(/[^a-z0-9-.]/g, "-").slice(0, 64),
    url: questionnaireUrl(policy),
    version: m.version,
    name: m.id.replace(/[^A-Za-z0-9_]/g, "_").replace(/^[^A-Z]/, (c) => `Q${c}`),
    title: `${m.id} ${m.title}`,
    status: "active",
    subjectType: ["Patient"],
    description: `The documentation ${m.id} ${m.title} (version ${m.version}) reads. Leave a question unanswered when the chart does not document it.`,
    code: m.cpt.flatMap((c) => c.codes.map((code) => ({ system: cptSystem, code: code.replace(/^\+/, ""), display: c.region }))),
    item: groupItems(inputTree(policy), ""),
  };
}
