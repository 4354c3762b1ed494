/** What the authoring-tool tests share: running polc in process, a small policy, writing cases. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { main } from "../../compiler/cli/main.js";

export interface Run {
  code: number;
  out: string;
  err: string;
}

export async function polc(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "polc", ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

export const kneePolicy = `fact pain_score: number 0 to 10 "Average pain score"
fact therapy_start: date "First date of physical therapy"
fact infection: boolean "Active infection at the injection site"

policy KNEE_1 "Knee Injections" {
  version "2024"
  indications "INDICATIONS" {
    pathway chronic_pain "Chronic knee pain": all of {
      criterion severe "Pain 6 or more": pain_score >= 6
      criterion therapy "Six weeks of therapy": time since therapy_start >= 6 weeks
    }
  }
  contraindications "CONTRAINDICATIONS" {
    criterion infection_present "Active infection": infection
  }
}
`;

/** Writes a case file under LIBRARY/cases/; returns its path. */
export function writeCase(library: string, name: string, data: unknown): string {
  const path = join(library, "cases", name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
