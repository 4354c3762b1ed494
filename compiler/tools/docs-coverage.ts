/**
 * The library's own coverage for docs/criteria.md: when the library's `.pol` files are on disk and
 * a cases root is found beside them (case-folders.ts), its cases are run with coverage, so the
 * report says how much of each guideline the cases exercise. A library compiled from text in
 * memory has none.
 */
import { existsSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import type { CompileResult } from "../compile.js";
import { findCasesRoot } from "./case-folders.js";
import { runLibraryCases } from "./test-library.js";
import { incomplete, summarize, type CoverageSummary } from "./coverage.js";

export interface PolicyCoverageSummary extends CoverageSummary {
  readonly policy: string;
  readonly cases: number;
  /** Items never seen both ways, as `kind id (never true)`. */
  readonly neverBothWays: readonly string[];
}

/** The cases root the docs' coverage runs, for a library of these files (when they are all on disk). */
export function coverageCasesRoot(libraryFiles: readonly string[], base: string): string | undefined {
  const folder = libraryFolder(libraryFiles, base);
  return folder === undefined ? undefined : findCasesRoot(folder);
}

/** The folder holding every file of the library, when they are all on disk. */
function libraryFolder(libraryFiles: readonly string[], base: string): string | undefined {
  const files = libraryFiles.map((f) => resolve(base, f));
  if (files.length === 0 || !files.every((f) => existsSync(f))) return undefined;
  let common = dirname(files[0]).split(sep);
  for (const f of files.slice(1)) {
    const parts = dirname(f).split(sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(sep) || sep;
}

export function libraryCoverage(result: CompileResult, base: string): readonly PolicyCoverageSummary[] | undefined {
  if (!result.library || result.policies.length === 0) return undefined;
  const root = coverageCasesRoot([...result.files.keys()], base);
  if (root === undefined) return undefined;
  // The docs count what each case's evaluation reached; whether a case passes is polc test's
  // business, so a needs-info case is not searched for its fewest deciding facts, which only
  // narrows its list of missing facts (and evaluates it up to hundreds of times more).
  const run = runLibraryCases(result, root, {}, true, undefined, undefined, { fewestFacts: false });
  return run.coverage.map((c) => ({
    policy: c.items[0]?.policy ?? "",
    cases: c.caseNames.length,
    ...summarize(c.items),
    neverBothWays: incomplete(c.items).map(({ item, lacking }) => `${item.kind} ${item.id} (never ${lacking.join(" or ")})`),
  }));
}
