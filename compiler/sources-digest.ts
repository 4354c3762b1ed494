/**
 * The digest of a policy's sources: SHA-256 over the text of every `.pol` file the policy is
 * compiled from (its own, its overlays', and every file they import, however deep), so that a
 * determination names exactly the rules it came from. It depends on the files' contents only,
 * not on where they lie or in what order they are listed.
 */
import { createHash } from "node:crypto";

export function sourcesDigest(files: readonly string[], importsOf: (file: string) => readonly string[], sources: ReadonlyMap<string, string>): string {
  const reached = new Set<string>();
  const pending = [...files];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (reached.has(file)) continue;
    reached.add(file);
    pending.push(...importsOf(file));
  }
  const each = [...reached].map((f) => createHash("sha256").update(sources.get(f) ?? "").digest("hex")).sort();
  return `sha256:${createHash("sha256").update(each.join("\n")).digest("hex")}`;
}
