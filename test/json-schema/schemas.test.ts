/**
 * The JSON Schemas polc writes beside each module: every case file validates against its policy's
 * input schema with Ajv, its real determination against the determination schema, and altered
 * requests are refused by Ajv at exactly the field paths the runtime's validator names. The
 * committed schemas under generated/ are the ones the policies give now.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { compileFiles } from "../../compiler/compile.js";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import { policySlug } from "../../compiler/build.js";
import { evaluate } from "../../runtime/determine.js";
import { inputTree, validateInput, type InputNode } from "../../runtime/validate.js";
import type { RecordType, ValueType } from "../../runtime/schema.js";
import type { Policy } from "../../runtime/policy.js";
import { determinationSchema, inputSchema, originKeyword, schemaOrigin } from "../../json-schema/index.js";

const policies = loadPolicies(compileFiles(polFilesUnder("policies")));
const bySlug = new Map([...policies.values()].map((p) => [policySlug(p.metadata.id), p]));

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addKeyword(originKeyword);
  return ajv;
}
const ajv = validator();
const inputValidators = new Map([...policies.values()].map((p) => [p, ajv.compile(inputSchema(p))]));
const determinationValidators = new Map([...policies.values()].map((p) => [p, ajv.compile(determinationSchema(p))]));

interface Case {
  readonly file: string;
  readonly policy: Policy;
  readonly state?: string;
  readonly input: Record<string, unknown>;
}

const cases: Case[] = [...bySlug].flatMap(([slug, policy]) =>
  readdirSync(join("test", "cases", slug))
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const data = JSON.parse(readFileSync(join("test", "cases", slug, f), "utf8")) as { input?: Record<string, unknown>; state?: string };
      return { file: `${slug}/${f}`, policy, state: data.state, input: data.input ?? (data as Record<string, unknown>) };
    }),
);

/** Whether a place in a request holds a duration, from the runtime's description of the input. */
function isDurationAt(policy: Policy, parts: readonly string[]): boolean {
  let node: InputNode | undefined = inputTree(policy);
  let entryOf: RecordType | undefined;
  let type: ValueType | undefined;
  for (const part of parts) {
    if (type?.t === "list") {
      entryOf = type.of();
      type = undefined;
      node = undefined;
    } else if (entryOf) {
      type = entryOf.fieldsByName.get(part)?.type;
      entryOf = undefined;
    } else {
      node = node?.children.get(part);
      type = node?.fact?.type;
    }
  }
  return type?.t === "duration";
}

/**
 * An Ajv error's field, as the runtime names it: `prior_procedures[0].date`. A duration is one
 * value to the runtime, which names the duration where Ajv names its amount, its unit or a field
 * it should not have.
 */
function runtimePath(policy: Policy, e: ErrorObject): string {
  const parts = e.instancePath.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (e.keyword === "additionalProperties") parts.push((e.params as { additionalProperty: string }).additionalProperty);
  if (e.keyword === "required") parts.push((e.params as { missingProperty: string }).missingProperty);
  for (let i = 1; i < parts.length; i++) {
    if (isDurationAt(policy, parts.slice(0, i))) parts.length = i;
  }
  return parts.reduce((text, part) => (/^\d+$/.test(part) ? `${text}[${part}]` : text ? `${text}.${part}` : part), "");
}

function ajvPaths(policy: Policy, input: unknown): string[] {
  const validate = inputValidators.get(policy)!;
  if (validate(input)) return [];
  // A value that is neither what the type takes nor null is named once, at its own path.
  return [...new Set((validate.errors ?? []).map((e) => runtimePath(policy, e)))].sort();
}

function runtimePaths(policy: Policy, input: unknown): string[] {
  return [...new Set(validateInput(policy, input).map((p) => p.path))].sort();
}

describe("the input schema", () => {
  it("accepts every case file of every policy", () => {
    expect(cases.length).toBeGreaterThan(700);
    const refused = cases.filter((c) => !inputValidators.get(c.policy)!(c.input)).map((c) => `${c.file}: ${JSON.stringify(inputValidators.get(c.policy)!.errors)}`);
    expect(refused).toEqual([]);
  });

  it("takes a duration unit in the singular, as the runtime does, and refuses a unit that is neither", () => {
    const policy = policies.get("NIA_CG_300")!;
    const base = cases.find((c) => c.file === "nia-cg-300/acute-radicular-meets.json")!.input;
    const withUnit = (unit: string) => ({ ...base, pain: { ...(base.pain as object), duration: { amount: 1, unit } } });
    for (const unit of ["year", "month", "week", "day", "hour", "minute"]) {
      expect(runtimePaths(policy, withUnit(unit)), unit).toEqual([]);
      expect(inputValidators.get(policy)!(withUnit(unit)), unit).toBe(true);
    }
    expect(runtimePaths(policy, withUnit("fortnight"))).toEqual(["pain.duration"]);
    expect(ajvPaths(policy, withUnit("fortnight"))).toEqual(["pain.duration"]);
    expect(validateInput(policy, withUnit("fortnight"))[0]!.message).toBe('expected the unit to be one of minutes, hours, days, weeks, months, years (or the singular), got "fortnight"');
  });

  it("carries the policy's id, version and the digest of its input's shape", () => {
    const p = policies.get("NIA_CG_300")!;
    const schema = inputSchema(p);
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema[originKeyword]).toEqual({ policy: "NIA_CG_300", title: "Epidural Spine Injections", version: "2024", inputDigest: schemaOrigin(p).inputDigest });
    expect(schemaOrigin(p).inputDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(schema.$id).toBe(`urn:pol:NIA_CG_300:2024:input:${schemaOrigin(p).inputDigest}`);
    // Policies that read different facts have different shapes.
    expect(new Set([...policies.values()].map((x) => schemaOrigin(x).inputDigest)).size).toBe(policies.size);
  });

  it("refuses altered requests at exactly the fields the runtime's validator names", () => {
    const alterations: [string, (input: Record<string, unknown>) => unknown][] = [
      ["a fact of the wrong type", (i) => ({ ...i, pain: { ...(i.pain as object), average: "seven" } })],
      ["a number out of range", (i) => ({ ...i, pain: { ...(i.pain as object), average: 11 } })],
      ["a fact the policy does not read", (i) => ({ ...i, pian: 3 })],
      ["a field of a group the policy does not read", (i) => ({ ...i, pain: { ...(i.pain as object), mood: "low" } })],
      ["a group that is not an object", (i) => ({ ...i, pain: [7] })],
      ["a duration in an unknown unit", (i) => ({ ...i, pain: { ...(i.pain as object), duration: { amount: 6, unit: "fortnights" } } })],
      ["a negative duration", (i) => ({ ...i, pain: { ...(i.pain as object), duration: { amount: -1, unit: "weeks" } } })],
      ["a duration with another field", (i) => ({ ...i, pain: { ...(i.pain as object), duration: { amount: 1, unit: "weeks", approx: true } } })],
      ["a choice that is not one of the enum's", (i) => ({ ...i, request: { ...(i.request as object), region: "cranial" } })],
      ["a date that is not a date", (i) => ({ ...i, date_of_service: "15/03/2024" })],
      ["a day that is not in the calendar", (i) => ({ ...i, date_of_service: "2024-02-30" })],
      ["no date of service", (i) => Object.fromEntries(Object.entries(i).filter(([k]) => k !== "date_of_service"))],
      ["a history entry without its date", (i) => ({ ...i, prior_procedures: [{ kind: "epidural_injection", region: "lumbar" }] })],
      ["a history entry with an unknown field and a wrong type", (i) => ({ ...i, prior_procedures: [{ date: "2023-01-02", kind: 3, colour: "red" }] })],
      ["a list that is not a list", (i) => ({ ...i, prior_procedures: { date: "2023-01-02" } })],
      ["an entry that is not an object", (i) => ({ ...i, prior_procedures: ["2023-01-02"] })],
      ["a date of service given only to the month", (i) => ({ ...i, date_of_service: "2024-03" })],
      ["a partial date with a month that is not one", (i) => ({ ...i, prior_procedures: [{ date: "2023-13" }] })],
      ["a partial date with a day but no month", (i) => ({ ...i, prior_procedures: [{ date: "2023--02" }] })],
    ];
    const policy = policies.get("NIA_CG_300")!;
    const base = cases.find((c) => c.file === "nia-cg-300/acute-radicular-meets.json")!.input;
    for (const [what, alter] of alterations) {
      const input = alter(base);
      const expected = runtimePaths(policy, input);
      expect(expected.length, what).toBeGreaterThan(0);
      expect(ajvPaths(policy, input), what).toEqual(expected);
    }
  });

  it("takes an entry's date given only to the month or the year, as the runtime does", () => {
    const policy = policies.get("NIA_CG_300")!;
    const base = cases.find((c) => c.file === "nia-cg-300/acute-radicular-meets.json")!.input;
    for (const date of ["2023-06", "2018"]) {
      const input = { ...base, prior_procedures: [{ date, kind: "epidural_injection", region: "lumbar" }] };
      expect(runtimePaths(policy, input), date).toEqual([]);
      expect(ajvPaths(policy, input), date).toEqual([]);
    }
  });

  it("agrees with the runtime on every case file of every policy with one fact made wrong", () => {
    let compared = 0;
    for (const c of cases) {
      for (const [key, value] of Object.entries(c.input)) {
        if (key === "date_of_service" || value === null) continue;
        const input = { ...c.input, [key]: Array.isArray(value) ? "not a list" : typeof value === "object" ? { not_a_fact: true } : { wrong: true } };
        expect(ajvPaths(c.policy, input), `${c.file}: ${key}`).toEqual(runtimePaths(c.policy, input));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(2000);
  });
});

describe("the determination schema", () => {
  it("accepts the determination of every case file, with its trace and without", () => {
    const refused: string[] = [];
    for (const c of cases) {
      const validate = determinationValidators.get(c.policy)!;
      for (const trace of [true, false]) {
        if (!validate(JSON.parse(JSON.stringify(evaluate(c.policy, c.input, { state: c.state, trace }))))) refused.push(`${c.file}: ${JSON.stringify(validate.errors)}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it("refuses a determination of another policy or with an outcome there is not", () => {
    const c = cases.find((x) => x.file === "nia-cg-300/acute-radicular-meets.json")!;
    const d = JSON.parse(JSON.stringify(evaluate(c.policy, c.input))) as Record<string, unknown>;
    const validate = determinationValidators.get(policies.get("NIA_CG_301")!)!;
    expect(validate(d)).toBe(false);
    expect(determinationValidators.get(c.policy)!({ ...d, outcome: "approved" })).toBe(false);
  });
});

describe("the schemas polc build writes", () => {
  it("are the committed files beside each module under generated/, each marked as generated", () => {
    for (const [slug, policy] of bySlug) {
      for (const [kind, schema] of [["input", inputSchema(policy)], ["determination", determinationSchema(policy)]] as const) {
        const written = JSON.parse(readFileSync(join("generated", `${slug}.${kind}.schema.json`), "utf8")) as Record<string, unknown>;
        expect(written.$comment, `${slug} ${kind}`).toBe("Generated by polc — do not edit. Rebuild with polc build.");
        const { $comment: _, ...rest } = written;
        expect(rest, `${slug} ${kind}`).toEqual(JSON.parse(JSON.stringify(schema)));
      }
    }
  });
});
