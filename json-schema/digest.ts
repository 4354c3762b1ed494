/**
 * The digest of a schema's shape: SHA-256 over its JSON with keys sorted, so that it depends on
 * what the schema says and not on the order it was written in.
 */
import { createHash } from "node:crypto";

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function shapeDigest(value: unknown): string {
  return createHash("sha256").update(canonical(value)).digest("hex");
}
