/** How many generated inputs a test file fed to the compiler, for the report printed in afterAll. */
export const fuzzCount = { total: 0, byKind: new Map<string, number>(), known: new Map<string, number>() };

/** Notes an occurrence of a defect already reported (see knownDefects in invariants.ts). */
export function countKnown(names: readonly string[]): void {
  for (const name of names) fuzzCount.known.set(name, (fuzzCount.known.get(name) ?? 0) + 1);
}

export function countInput(kind: string): void {
  fuzzCount.total++;
  fuzzCount.byKind.set(kind, (fuzzCount.byKind.get(kind) ?? 0) + 1);
}

export function fuzzReport(): string {
  const parts = [...fuzzCount.byKind].map(([k, n]) => `${k}: ${n}`).join(", ");
  const known = [...fuzzCount.known].map(([k, n]) => `${k} ×${n}`).join(", ");
  return `fuzzed inputs this run: ${fuzzCount.total} (${parts})${known ? `; known defects hit: ${known}` : ""}`;
}
