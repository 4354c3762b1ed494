/**
 * The JSON Schema (2020-12) of a clinician's decision on a determination (runtime/review.ts), as a
 * service stores it beside the determination; `polc review` writes records of this form.
 */
import { outcomes } from "../runtime/review.js";
import { jsonSchemaDialect, type JsonSchema } from "./input.js";

const text: JsonSchema = { type: "string" };
const outcome: JsonSchema = { enum: [...outcomes] };

export const reviewDecisionSchema: JsonSchema = {
  $schema: jsonSchemaDialect,
  $id: "urn:pol:review-decision",
  title: "A clinician's decision on a determination",
  type: "object",
  properties: {
    reviewed: {
      type: "object",
      properties: { policy: text, version: text, digest: text, outcome },
      required: ["policy", "version", "digest", "outcome"],
      additionalProperties: false,
    },
    reviewer: {
      type: "object",
      properties: { id: { type: "string", minLength: 1 }, name: text, credentials: text },
      required: ["id"],
      additionalProperties: false,
    },
    decidedAt: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$" },
    decision: { enum: ["agree", "override"] },
    outcome,
    rationale: { type: "string", minLength: 1 },
  },
  required: ["reviewed", "reviewer", "decidedAt", "decision", "outcome", "rationale"],
  additionalProperties: false,
};
