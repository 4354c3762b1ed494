/**
 * The JSON Schema (2020-12) of what a policy's `evaluate` returns: the `Determination` of
 * runtime/determination.ts, with the policy's id, version and outcomes fixed. A test validates
 * the real determination of every case file against it.
 */
import type { Policy } from "../runtime/policy.js";
import type { Outcome } from "../runtime/determination.js";
import { jsonSchemaDialect, originKeyword, schemaId, schemaOrigin, type JsonSchema } from "./input.js";

const truthValue: JsonSchema = { enum: ["true", "false", "unknown"] };

/** Every outcome, as a record over the runtime's Outcome type so that a new outcome cannot be left out here. */
const outcomes: Record<Outcome, true> = { meets: true, "does-not-meet": true, excluded: true, "not-covered": true, "needs-info": true, "refer-for-review": true };
const text: JsonSchema = { type: "string" };

const criterionRef: JsonSchema = {
  type: "object",
  properties: { id: text, wording: text, refs: text, section: text },
  required: ["id", "wording", "refs", "section"],
};

/** The determination of a request to `policy`. */
export function determinationSchema(policy: Policy): JsonSchema {
  const origin = schemaOrigin(policy);
  const ids = policy.requirements.map((r) => r.ref.id);
  const assumable = policy.facts.filter((f) => f.absentUnlessDocumented).map((f) => f.path);
  return {
    $schema: jsonSchemaDialect,
    $id: schemaId(origin, "determination"),
    title: `${origin.policy} ${origin.title}: determination`,
    [originKeyword]: { ...origin },
    type: "object",
    properties: {
      outcome: { enum: Object.keys(outcomes) },
      policy: {
        type: "object",
        properties: {
          id: { const: origin.policy },
          title: { const: origin.title },
          version: { const: origin.version },
          digest: { const: policy.metadata.digest ?? "" },
          compiler: text,
          effective: { anyOf: [{ type: "object", properties: { from: text, to: text }, required: ["from", "to"] }, { type: "null" }] },
        },
        required: ["id", "title", "version", "digest", "compiler", "effective"],
      },
      state: { type: ["string", "null"] },
      pathway: { anyOf: [{ enum: [...new Set(ids)] }, { type: "null" }] },
      pathways: {
        type: "array",
        items: { type: "object", allOf: [{ $ref: "#/$defs/criterion" }], properties: { result: { enum: ["true", "false", "unknown", "not-applicable"] }, unmet: { type: "array", items: { $ref: "#/$defs/criterion" } } }, required: ["result", "unmet"] },
      },
      unmet: { type: "array", items: { $ref: "#/$defs/criterion" } },
      missing: { type: "array", items: { $ref: "#/$defs/missing" } },
      assumptions: { type: "array", items: { $ref: "#/$defs/assumption" } },
      alsoUndocumented: { type: "array", items: { $ref: "#/$defs/missing" } },
      recommendation: { enum: ["clinical-review", null] },
      referrals: { type: "array", items: { $ref: "#/$defs/referral" } },
      advisories: { type: "array", items: { $ref: "#/$defs/criterion" } },
      lines: {
        type: "array",
        items: {
          type: "object",
          properties: {
            id: text,
            wording: text,
            refs: text,
            requested: truthValue,
            outcome: { enum: Object.keys(outcomes) },
            unmet: { type: "array", items: { $ref: "#/$defs/criterion" } },
            missing: { type: "array", items: { $ref: "#/$defs/missing" } },
            alsoUndocumented: { type: "array", items: { $ref: "#/$defs/missing" } },
            referrals: { type: "array", items: { $ref: "#/$defs/referral" } },
            reasons: { type: "array", items: text },
          },
          required: ["id", "wording", "refs", "requested", "outcome", "unmet", "missing", "alsoUndocumented", "referrals", "reasons"],
        },
      },
      overlays: {
        type: "array",
        items: { type: "object", properties: { id: text, title: text, state: text, applies: truthValue, reason: text }, required: ["id", "title", "state", "applies", "reason"] },
      },
      reasons: { type: "array", items: text },
      trace: {
        type: "array",
        items: {
          type: "object",
          allOf: [{ $ref: "#/$defs/criterion" }],
          properties: {
            result: { enum: ["true", "false", "unknown", "not-applicable"] },
            readings: { type: "array", items: { type: "object", properties: { text, of: text }, required: ["text", "of"], additionalProperties: false } },
            values: { type: "array", items: { type: "object", properties: { fact: text, value: true, assumed: { const: true } }, required: ["fact", "value"] } },
          },
          required: ["result", "readings", "values"],
        },
      },
    },
    required: ["outcome", "policy", "recommendation", "state", "pathway", "pathways", "unmet", "missing", "alsoUndocumented", "assumptions", "referrals", "advisories", "lines", "overlays", "reasons", "trace"],
    $defs: {
      criterion: { ...criterionRef, properties: { ...(criterionRef.properties as JsonSchema), id: { enum: [...new Set(ids)] } } },
      missing: { type: "object", properties: { fact: text, description: text }, required: ["fact", "description"] },
      referral: { type: "object", properties: { clause: text, refs: text }, required: ["clause", "refs"] },
      // Only facts declared absent unless documented can be assumed, and only as absent.
      assumption: {
        type: "object",
        properties: { fact: { enum: assumable.length ? assumable : [""] }, description: text, value: { anyOf: [{ const: false }, { type: "array", maxItems: 0 }] }, statement: text },
        required: ["fact", "description", "value", "statement"],
      },
    },
  };
}
