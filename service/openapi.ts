/**
 * The service's OpenAPI 3.1 document, made from the same JSON Schemas the service serves (OpenAPI
 * 3.1 takes JSON Schema 2020-12 as it is): one request and one determination schema per policy,
 * and the error body every failure has.
 */
import type { Policy } from "../runtime/policy.js";
import type { JsonSchema } from "../json-schema/index.js";
import { reviewDecisionSchema } from "../json-schema/review.js";

const errorSchema: JsonSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: {
        status: { type: "integer" },
        code: { type: "string" },
        message: { type: "string" },
        problems: { type: "array", items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } }, required: ["path", "message"] } },
      },
      required: ["status", "code", "message"],
    },
  },
  required: ["error"],
};

const jsonError = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

/** A name for a policy's schemas among the components: its id, with what a component name cannot hold replaced. */
function componentName(id: string, kind: string): string {
  return `${id.replace(/[^A-Za-z0-9._-]/g, "_")}.${kind}`;
}

export function openApiDocument(policies: ReadonlyMap<string, Policy>, schemas: ReadonlyMap<string, { input: JsonSchema; determination: JsonSchema }>, secured: boolean): JsonSchema {
  const { $schema: _dialect, $id: _id, ...reviewDecision } = reviewDecisionSchema;
  const components: Record<string, JsonSchema> = { Error: errorSchema, ReviewDecision: reviewDecision };
  const paths: Record<string, JsonSchema> = {
    "/health": { get: { summary: "Liveness", security: [], responses: { "200": { description: "The service is up" } } } },
    "/policies": { get: { summary: "Every policy with its metadata and input digest", responses: { "200": { description: "The policies" } } } },
    "/reviews": {
      post: {
        summary: "Record a clinician's decision on a determination (agree or override, who, when, why): the record comes back to be stored beside it",
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  determination: { type: "object", description: "The determination reviewed, as POST /policies/{id}/determinations returned it" },
                  review: {
                    type: "object",
                    properties: {
                      reviewer: { type: "object", properties: { id: { type: "string" }, name: { type: "string" }, credentials: { type: "string" } }, required: ["id"] },
                      decision: { enum: ["agree", "override"] },
                      outcome: { type: "string", description: "Required when overriding: the outcome decided instead" },
                      rationale: { type: "string" },
                      decidedAt: { type: "string", description: "ISO 8601 date and time with its offset; now when left out" },
                    },
                    required: ["reviewer", "decision", "rationale"],
                  },
                },
                required: ["determination", "review"],
                additionalProperties: false,
              },
            },
          },
        },
        responses: {
          "200": { description: "The review record", content: { "application/json": { schema: { type: "object", properties: { requestId: { type: "string" }, review: { $ref: "#/components/schemas/ReviewDecision" } }, required: ["requestId", "review"] } } } },
          "400": jsonError("The body is not JSON, or not a determination and a review"),
          "422": jsonError("The review cannot be recorded; each problem names its field"),
        },
      },
    },
    "/route": {
      get: {
        summary: "The policies that list a request's CPT codes",
        parameters: [{ name: "cpt", in: "query", required: true, style: "form", explode: true, schema: { type: "array", items: { type: "string", pattern: "^\\+?[0-9A-Za-z]{5}$" } } }],
        responses: { "200": { description: "The matching policies and the codes none lists" }, "400": jsonError("No code, or one that is not a CPT code") },
      },
    },
  };
  for (const [id, policy] of policies) {
    const own = schemas.get(id)!;
    const input = componentName(id, "Case");
    const request = componentName(id, "Request");
    const determination = componentName(id, "Determination");
    components[request] = own.input;
    components[determination] = own.determination;
    components[input] = {
      type: "object",
      properties: { input: { $ref: `#/components/schemas/${request}` }, state: { type: ["string", "null"], pattern: "^[A-Za-z]{2}$" }, trace: { type: "boolean", default: true }, id: { type: ["string", "number"] } },
      required: ["input"],
      additionalProperties: false,
    };
    const base = `/policies/${encodeURIComponent(id)}`;
    paths[base] = { get: { summary: `${id} ${policy.metadata.title}: metadata, facts and schemas`, responses: { "200": { description: "The policy" }, "404": jsonError("No such policy") } } };
    paths[`${base}/input.schema.json`] = { get: { summary: `The JSON Schema of a request to ${id}`, responses: { "200": { description: "JSON Schema 2020-12" } } } };
    paths[`${base}/determination.schema.json`] = { get: { summary: `The JSON Schema of ${id}'s determination`, responses: { "200": { description: "JSON Schema 2020-12" } } } };
    paths[`${base}/determinations`] = {
      post: {
        summary: `Evaluate a case against ${id} ${policy.metadata.title} (version ${policy.metadata.version})`,
        parameters: [{ name: "X-Request-Id", in: "header", required: false, schema: { type: "string", pattern: "^[\\w.:-]{1,128}$" }, description: "Echoed back in the response's header and its requestId" }],
        requestBody: { required: true, content: { "application/json": { schema: { $ref: `#/components/schemas/${input}` } } } },
        responses: {
          "200": { description: "The determination", content: { "application/json": { schema: { allOf: [{ $ref: `#/components/schemas/${determination}` }], properties: { requestId: { type: "string" } }, required: ["requestId"] } } } },
          "400": jsonError("The body is not JSON, gives a key twice in one object, or is not a case"),
          "413": jsonError("The body is too large"),
          "415": jsonError("The body is not application/json"),
          "422": jsonError("The case does not match the policy's input; each problem names its field"),
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: { title: "pol policies", version: "1", description: "Medical-necessity policies compiled by polc: their metadata, schemas and determinations." },
    ...(secured ? { security: [{ bearer: [] }] } : {}),
    paths,
    components: { schemas: components, ...(secured ? { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } } : {}) },
  };
}
