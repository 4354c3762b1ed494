/**
 * Several versions of one policy, each in force over its `effective` period: the version in force
 * on the date of service decides. A date of service that no version covers is an input error that
 * names the periods there are. A version without a period is in force on every date.
 */
import type { PolicyMetadata } from "./policy.js";
import { InputError } from "./validate.js";
import { parseIsoDate } from "./dates.js";

/** The version in force on `dateOfService` (YYYY-MM-DD); throws InputError when none is, or the date is no date. */
export function versionInForce<P extends { readonly metadata: PolicyMetadata }>(versions: readonly P[], dateOfService: unknown): P {
  if (versions.length === 0) throw new Error("versionInForce: no versions given");
  if (versions.length === 1) return versions[0];
  const day = typeof dateOfService === "string" ? parseIsoDate(dateOfService) : undefined;
  const name = versions[0].metadata.guideline ?? versions[0].metadata.id;
  if (day === undefined) throw new InputError([{ path: "date_of_service", message: `expected a calendar date like 2024-03-15, got ${JSON.stringify(dateOfService)}: it chooses the version of ${name} in force` }]);
  const inForce = versions.filter((v) => {
    const period = v.metadata.effective;
    return period === null || (day >= parseIsoDate(period.from)! && day <= parseIsoDate(period.to)!);
  });
  if (inForce.length > 0) return inForce[0];
  const periods = versions.map((v) => `version ${v.metadata.version}: ${v.metadata.effective!.from} to ${v.metadata.effective!.to}`).join("; ");
  throw new InputError([{ path: "date_of_service", message: `expected a date in the effective period of a version of ${name} (${periods}), got ${dateOfService}` }]);
}

/**
 * The versions of a guideline in a library: the policies whose `guideline` is `name`, earliest
 * period first, when there are several; none otherwise (a name with one policy names a policy).
 */
export function versionsOf<P extends { readonly metadata: PolicyMetadata }>(policies: Iterable<P>, name: string): P[] {
  const versions = [...policies].filter((p) => p.metadata.guideline === name);
  if (versions.length < 2) return [];
  return versions.sort((a, b) => ((a.metadata.effective?.from ?? "") < (b.metadata.effective?.from ?? "") ? -1 : 1));
}
