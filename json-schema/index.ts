/** JSON Schema (2020-12) for a policy's requests and determinations (`pol/json-schema`). */
export { inputSchema, schemaOrigin, schemaId, originKeyword, jsonSchemaDialect, type JsonSchema, type SchemaOrigin } from "./input.js";
export { determinationSchema } from "./determination.js";
export { reviewDecisionSchema } from "./review.js";
