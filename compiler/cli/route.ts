/**
 * Which policies apply to a request's CPT codes (`polc route --cpt …`, and the service's
 * `/route`): each policy lists its codes by region; an add-on code is written `+64484` in the
 * policy and matches `64484` or `+64484` in a request.
 */
import type { Policy } from "../../runtime/policy.js";

export interface RouteMatch {
  readonly policy: string;
  readonly title: string;
  readonly version: string;
  /** The request's codes this policy lists, each with the region it is listed under. */
  readonly codes: readonly { readonly code: string; readonly region: string }[];
}

export interface Route {
  readonly matches: readonly RouteMatch[];
  /** The request's codes that no policy lists. */
  readonly unmatched: readonly string[];
}

/** A CPT or HCPCS code as a request may write it: five letters or digits, `+` for an add-on. */
const codePattern = /^\+?[0-9A-Za-z]{5}$/;

export function isCptCode(code: string): boolean {
  return codePattern.test(code);
}

function bare(code: string): string {
  return code.replace(/^\+/, "").toUpperCase();
}

/** The policies that list any of `codes`, in the order given, and the codes none lists. */
export function route(policies: Iterable<Policy>, codes: readonly string[]): Route {
  const wanted = [...new Set(codes.map(bare))];
  const matches: RouteMatch[] = [];
  const matched = new Set<string>();
  for (const policy of policies) {
    const found: { code: string; region: string }[] = [];
    for (const { region, codes: listed } of policy.metadata.cpt) {
      for (const code of listed) {
        if (wanted.includes(bare(code)) && !found.some((f) => f.code === bare(code))) {
          found.push({ code: bare(code), region });
          matched.add(bare(code));
        }
      }
    }
    if (found.length) matches.push({ policy: policy.metadata.id, title: policy.metadata.title, version: policy.metadata.version, codes: found });
  }
  return { matches, unmatched: wanted.filter((c) => !matched.has(c)) };
}

/** The text `polc route` prints: a line per policy, then the codes no policy lists. */
export function formatRoute(result: Route): string {
  const lines = result.matches.map((m) => `${m.policy} ${m.title} (version ${m.version}): ${m.codes.map((c) => `${c.code} (${c.region})`).join(", ")}`);
  if (result.unmatched.length) lines.push(`no policy lists ${result.unmatched.join(", ")}`);
  return lines.join("\n");
}
