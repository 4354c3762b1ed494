/**
 * A policy's input as JSON Schema (2020-12), for services that validate requests before they reach
 * `evaluate`, or in another language. It is derived from the runtime's own description of the
 * input (`inputTree`: every fact with its type, the records of its lists), each type taken as the
 * runtime's validator takes it; a test holds the two to the same verdicts on every case file and
 * on altered ones.
 *
 * A date fact or field may be partial (YYYY-MM or YYYY, where the chart gives no day); the date of
 * service may not. What a schema cannot say, the runtime still checks: a date that matches YYYY-MM-DD but is not a
 * day of the calendar (2024-02-30) is refused by `evaluate` (and by a validator that checks the
 * `date` format, such as Ajv with ajv-formats), and so is a spinal level the runtime cannot read.
 */
import { inputTree, type InputNode } from "../runtime/validate.js";
import type { Policy } from "../runtime/policy.js";
import type { RecordType, ValueType } from "../runtime/schema.js";
import { durationUnitSpellings } from "../runtime/vocabulary.js";
import { shapeDigest } from "./digest.js";

/** A JSON Schema, as plain JSON. */
export type JsonSchema = { readonly [key: string]: JsonSchemaValue };
type JsonSchemaValue = null | boolean | number | string | readonly JsonSchemaValue[] | JsonSchema;

export const jsonSchemaDialect = "https://json-schema.org/draft/2020-12/schema";

/** What a schema says about the policy it describes: the `x-pol` keyword of each schema polc writes. */
export interface SchemaOrigin {
  readonly policy: string;
  readonly title: string;
  readonly version: string;
  /** `sha256:` and the digest of the input's shape: it changes exactly when the requests the policy takes change. */
  readonly inputDigest: string;
}

/** The keyword under which a schema names its policy; a validator in strict mode must be told of it (`ajv.addKeyword("x-pol")`). */
export const originKeyword = "x-pol";

/** The definitions a schema refers to by name, each type once. */
class Definitions {
  readonly defs = new Map<string, JsonSchema>();
  private readonly names = new Map<RecordType, string>();

  /** A reference to a type's definition, made on first use. */
  ref(type: RecordType, kind: "record", make: () => JsonSchema): JsonSchema {
    let name = this.names.get(type);
    if (name === undefined) {
      const base = `${kind}_${type.name}`;
      name = base;
      for (let n = 2; this.defs.has(name); n++) name = `${base}_${n}`;
      this.names.set(type, name);
      this.defs.set(name, {});
      this.defs.set(name, make());
    }
    return { $ref: `#/$defs/${name}` };
  }
}

/** A calendar date to the day, as the date of service must be. */
const fullDate: JsonSchema = { format: "date", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" };

/** The schema of one value of a type, as the runtime's validator takes it. */
function valueSchema(type: ValueType, defs: Definitions): JsonSchema {
  switch (type.t) {
    case "boolean":
      return { type: "boolean" };
    case "number":
      return { type: type.integer ? "integer" : "number", ...(type.min !== undefined ? { minimum: type.min } : {}), ...(type.max !== undefined ? { maximum: type.max } : {}) };
    case "date":
      // A day, or where the chart gives no day a month (2023-06) or a year (2018): the range of days it may be.
      return { type: "string", anyOf: [fullDate, { pattern: "^[0-9]{4}(-(0[1-9]|1[0-2]))?$" }] };
    case "duration":
      return {
        type: "object",
        properties: { amount: { type: "number", minimum: 0 }, unit: { enum: [...durationUnitSpellings] } },
        required: ["amount", "unit"],
        additionalProperties: false,
      };
    case "text":
      return { type: "string" };
    case "levels":
      // Spinal levels, "L4-5" or a list of them; their spelling is the runtime's to read (see runtime/levels.ts).
      return { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] };
    case "enum":
      return { title: type.name, enum: [...type.values] };
    case "list": {
      const record = type.of();
      return { type: "array", items: defs.ref(record, "record", () => recordSchema(record, defs)) };
    }
  }
}

/** An entry of a list: its fields, each of which may be left out or null, except a history's date. */
function recordSchema(record: RecordType, defs: Definitions): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of record.fields) {
    const value = { ...valueSchema(f.type, defs), description: f.description };
    properties[f.name] = record.dateField === f ? value : nullable(value);
  }
  return {
    title: record.name,
    ...(record.description ? { description: record.description } : {}),
    type: "object",
    properties,
    ...(record.dateField ? { required: [record.dateField.name] } : {}),
    additionalProperties: false,
  };
}

/**
 * An undocumented fact is left out or null. Null joins the value's own `type` or `enum`, so that
 * a validator names a wrong value once, at its own path, as the runtime does.
 */
function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === "string") return { ...schema, type: [schema.type, "null"] };
  if (Array.isArray(schema.enum)) return { ...schema, enum: [...(schema.enum as JsonSchemaValue[]), null] };
  const { description, ...rest } = schema;
  return { ...(description !== undefined ? { description } : {}), anyOf: [rest, { type: "null" }] };
}

function groupSchema(node: InputNode, defs: Definitions, top: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [name, child] of node.children) {
    if (child.fact) {
      // The date of service is one day: a request is never for a month.
      const dateOfService = top && name === "date_of_service";
      const value = { ...(dateOfService ? { type: "string", ...fullDate } : valueSchema(child.fact.type, defs)), description: child.fact.description };
      properties[name] = dateOfService ? value : nullable(value);
    } else properties[name] = nullable(groupSchema(child, defs, false));
  }
  return { type: "object", properties, ...(top ? { required: ["date_of_service"] } : {}), additionalProperties: false };
}

/** The shape alone: what the digest is taken of. */
function inputShape(policy: Policy): JsonSchema {
  const defs = new Definitions();
  const body = groupSchema(inputTree(policy), defs, true);
  return { ...body, ...(defs.defs.size ? { $defs: Object.fromEntries(defs.defs) } : {}) };
}

const origins = new WeakMap<Policy, SchemaOrigin>();

/** Which policy, which version, which input shape; worked out once per policy. */
export function schemaOrigin(policy: Policy): SchemaOrigin {
  let origin = origins.get(policy);
  if (!origin) {
    const m = policy.metadata;
    origins.set(policy, (origin = { policy: m.id, title: m.title, version: m.version, inputDigest: `sha256:${shapeDigest(inputShape(policy))}` }));
  }
  return origin;
}

/** A stable id for a schema: the policy, its version and the input's digest. */
export function schemaId(origin: SchemaOrigin, kind: "input" | "determination"): string {
  return `urn:pol:${encodeURIComponent(origin.policy)}:${encodeURIComponent(origin.version)}:${kind}:${origin.inputDigest}`;
}

/** The JSON Schema of a request to a policy. */
export function inputSchema(policy: Policy): JsonSchema {
  const origin = schemaOrigin(policy);
  const { $defs, ...body } = inputShape(policy);
  return {
    $schema: jsonSchemaDialect,
    $id: schemaId(origin, "input"),
    title: `${origin.policy} ${origin.title}: request`,
    description: `The facts ${origin.policy} reads. Leave a fact out (or null) when the chart does not document it.`,
    [originKeyword]: { ...origin },
    ...body,
    ...($defs !== undefined ? { $defs } : {}),
  };
}
