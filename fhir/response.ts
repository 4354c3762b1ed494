/**
 * A FHIR QuestionnaireResponse to a policy's Questionnaire (questionnaire.ts) read back as the
 * request's facts. Each answer is taken by the question's linkId, the fact's path; the values are
 * then the runtime's to validate, as any request's are. A problem here names the linkId.
 */
import type { Policy } from "../runtime/policy.js";
import type { RecordType, ValueType } from "../runtime/schema.js";
import { inputTree, type InputNode, type InputProblem } from "../runtime/validate.js";
import type { QuestionnaireResponse, QuestionnaireResponseAnswer, QuestionnaireResponseItem } from "./types.js";
import { noneLinkId, ucumUnits } from "./questionnaire.js";

export class ResponseError extends Error {
  constructor(readonly problems: readonly InputProblem[]) {
    super(`The QuestionnaireResponse cannot be read as a case:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n")}`);
    this.name = "ResponseError";
  }
}

const unitsByCode = new Map([...ucumUnits].map(([unit, code]) => [code, unit]));

type Facts = Record<string, unknown>;

class ResponseReader {
  readonly problems: InputProblem[] = [];
  /** The lists the response documents as empty. */
  private readonly noneSaid = new WeakSet<unknown[]>();

  /** An answer's value as the request writes it; undefined (with a problem) when it is not of the question's type. */
  answer(type: ValueType, linkId: string, answers: readonly QuestionnaireResponseAnswer[]): unknown {
    // Spinal levels take an answer per level: one is written as a text, several as a list.
    if (type.t === "levels" && answers.length > 1) return answers.map((a) => this.answer(type, linkId, [a]));
    if (answers.length !== 1) {
      this.problems.push({ path: linkId, message: `expected one answer, got ${answers.length}` });
      return undefined;
    }
    const a = answers[0];
    const expect = (kind: string, value: unknown): unknown => {
      if (value === undefined) this.problems.push({ path: linkId, message: `expected ${kind}` });
      return value;
    };
    switch (type.t) {
      case "boolean":
        return expect("valueBoolean", a.valueBoolean);
      case "number":
        return expect(type.integer ? "valueInteger" : "valueDecimal (or valueInteger)", a.valueInteger ?? (type.integer ? undefined : a.valueDecimal));
      case "date":
        return expect("valueDate", a.valueDate);
      case "text":
      case "levels":
        return expect("valueString", a.valueString);
      case "enum":
        return expect("valueCoding with a code", a.valueCoding?.code);
      case "duration": {
        const q = a.valueQuantity;
        if (q === undefined || q.value === undefined) return expect("valueQuantity with a value", undefined);
        const unit = (q.code !== undefined ? unitsByCode.get(q.code) : undefined) ?? q.unit;
        return { amount: q.value, unit };
      }
      case "list":
        return expect("a repeating group", undefined);
    }
  }

  /** The items that have a linkId and lists where lists belong; a problem for each other. */
  wellFormed(items: unknown, where: string): QuestionnaireResponseItem[] {
    if (!Array.isArray(items)) {
      this.problems.push({ path: where || "item", message: "expected a list of items" });
      return [];
    }
    return items.filter((item: unknown): item is QuestionnaireResponseItem => {
      const ok = item !== null && typeof item === "object" && typeof (item as { linkId?: unknown }).linkId === "string";
      const lists = ok && ["item", "answer"].every((k) => (item as Record<string, unknown>)[k] === undefined || Array.isArray((item as Record<string, unknown>)[k]));
      if (!ok || !lists) this.problems.push({ path: ok ? (item as { linkId: string }).linkId : `${where}(item)`, message: ok ? "expected its item and answer to be lists" : "expected an item with a linkId" });
      return ok && lists;
    });
  }

  /**
   * The answer that says a list is documented as empty (`prior_procedures#none`): yes makes the
   * list empty, and entries given beside it are a problem. True when the item was that question.
   */
  none(item: QuestionnaireResponseItem, typeOf: (name: string) => ValueType | undefined, prefix: string, into: Facts): boolean {
    const match = /^(.*)#none$/.exec(item.linkId);
    if (!match || !match[1].startsWith(prefix) || typeOf(match[1].slice(prefix.length))?.t !== "list") return false;
    const name = match[1].slice(prefix.length);
    if (!item.answer?.length) return true;
    const yes = this.answer({ t: "boolean" } as ValueType, item.linkId, item.answer);
    if (yes !== true) return true;
    if (Array.isArray(into[name]) && (into[name] as unknown[]).length) this.problems.push({ path: item.linkId, message: "is yes, but the list has entries" });
    into[name] = [];
    this.noneSaid.add(into[name] as unknown[]);
    return true;
  }

  /** The items of a group of the request into `into`. */
  group(node: InputNode, prefix: string, items: readonly QuestionnaireResponseItem[], into: Facts): void {
    for (const item of this.wellFormed(items, prefix)) {
      if (this.none(item, (name) => node.children.get(name)?.fact?.type, prefix, into)) continue;
      const name = item.linkId.startsWith(prefix) ? item.linkId.slice(prefix.length) : undefined;
      const child = name === undefined ? undefined : node.children.get(name);
      if (name === undefined || !child) {
        this.problems.push({ path: item.linkId, message: "is not a question of this policy's questionnaire" });
        continue;
      }
      if (child.fact?.type.t === "list") {
        const list = (into[name] ??= []) as Facts[];
        if (this.noneSaid.has(list)) this.problems.push({ path: item.linkId, message: `has an entry, but ${noneLinkId(item.linkId)} is yes` });
        list.push(this.entry(child.fact.type.of(), item.linkId, item.item ?? []));
      } else if (child.fact) {
        if (item.answer?.length) into[name] = this.answer(child.fact.type, item.linkId, item.answer);
      } else {
        const group = (into[name] ??= {}) as Facts;
        this.group(child, `${item.linkId}.`, item.item ?? [], group);
      }
    }
  }

  /** One entry of a list: the items of one occurrence of its repeating group. */
  entry(record: RecordType, linkId: string, items: readonly QuestionnaireResponseItem[]): Facts {
    const entry: Facts = {};
    for (const item of this.wellFormed(items, `${linkId}.`)) {
      if (this.none(item, (name) => record.fieldsByName.get(name)?.type, `${linkId}.`, entry)) continue;
      const name = item.linkId.startsWith(`${linkId}.`) ? item.linkId.slice(linkId.length + 1) : undefined;
      const field = name === undefined ? undefined : record.fieldsByName.get(name);
      if (name === undefined || !field) {
        this.problems.push({ path: item.linkId, message: `is not a question of ${linkId}` });
        continue;
      }
      if (field.type.t === "list") {
        const list = (entry[name] ??= []) as Facts[];
        if (this.noneSaid.has(list)) this.problems.push({ path: item.linkId, message: `has an entry, but ${noneLinkId(item.linkId)} is yes` });
        list.push(this.entry(field.type.of(), item.linkId, item.item ?? []));
      } else if (item.answer?.length) entry[name] = this.answer(field.type, item.linkId, item.answer);
    }
    return entry;
  }
}

/** The request's facts a QuestionnaireResponse gives; throws ResponseError naming each answer it cannot take. */
export function caseFromResponse(policy: Policy, response: unknown): Record<string, unknown> {
  const r = response as Partial<QuestionnaireResponse> | null;
  if (r === null || typeof r !== "object" || Array.isArray(r) || r.resourceType !== "QuestionnaireResponse") {
    throw new ResponseError([{ path: "resourceType", message: "expected a QuestionnaireResponse" }]);
  }
  if (r.item !== undefined && !Array.isArray(r.item)) throw new ResponseError([{ path: "item", message: "expected a list of items" }]);
  const reader = new ResponseReader();
  const input: Facts = {};
  reader.group(inputTree(policy), "", r.item ?? [], input);
  if (reader.problems.length) throw new ResponseError(reader.problems);
  return input;
}
