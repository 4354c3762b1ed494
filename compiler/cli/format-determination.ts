/**
 * A determination as a reviewer reads it: the outcome, then the reasons in the guideline's words,
 * then the trace.
 */
import type { Determination, TraceEntry } from "../../runtime/determination.js";

const outcomeText: Record<Determination["outcome"], string> = {
  meets: "MEETS the guideline",
  "does-not-meet": "DOES NOT MEET the guideline (a recommendation for clinical review, not a denial)",
  excluded: "EXCLUDED from consideration under this guideline",
  "not-covered": "NOT COVERED",
  "needs-info": "NEEDS INFORMATION",
  "refer-for-review": "REFER FOR CLINICAL REVIEW (a clinician decides)",
};

const mark: Record<TraceEntry["result"], string> = { true: "✓", false: "✗", unknown: "?", "not-applicable": "–" };

function cite(refs: string): string {
  return refs ? ` [${refs}]` : "";
}

export function formatDetermination(d: Determination): string {
  const lines: string[] = [];
  lines.push(`${d.policy.id} ${d.policy.title} (version ${d.policy.version})${d.state ? ` — member in ${d.state}` : ""}`);
  if (d.policy.digest) lines.push(`Sources ${d.policy.digest}, compiled by polc ${d.policy.compiler}`);
  lines.push(`Outcome: ${outcomeText[d.outcome]}`);
  if (d.pathway) {
    const p = d.pathways.find((x) => x.id === d.pathway);
    if (p) lines.push(`Pathway: ${p.wording}${cite(p.refs)}`);
  }
  for (const o of d.overlays) lines.push(`Overlay: ${o.title} (${o.state}) — ${o.applies === "true" ? "applies" : o.applies === "false" ? "does not apply to this member" : "may apply (unknown)"}: ${o.reason}`);
  if (d.reasons.length) {
    lines.push("", "Reasons:");
    for (const r of d.reasons) lines.push(`  - ${r}`);
  }
  if (d.unmet.length) {
    lines.push("", d.outcome === "does-not-meet" ? "Not met:" : "Applies:");
    for (const u of d.unmet) lines.push(`  - "${u.wording}"${cite(u.refs)} (${u.id}; ${u.section})`);
  }
  if (d.lines.length) {
    lines.push("", "Service lines:");
    for (const l of d.lines) lines.push(`  - ${l.wording}${cite(l.refs)}: ${outcomeText[l.outcome]}${l.requested === "unknown" ? " (whether it is requested is not documented)" : ""}`);
  }
  if (d.referrals.length) {
    lines.push("", "Referred for review (the guideline leaves these to a clinician):");
    for (const r of d.referrals) lines.push(`  - "${r.clause}"${cite(r.refs)}`);
  }
  if (d.advisories.length) {
    lines.push("", "Advisories (flagged, not deciding):");
    for (const a of d.advisories) lines.push(`  - "${a.wording}"${cite(a.refs)} (${a.id}; ${a.section})`);
  }
  if (d.assumptions.length) {
    lines.push("", "Assumptions (charted only when present; not documented, so taken as absent):");
    for (const a of d.assumptions) lines.push(`  - ${a.fact}: ${a.description}`);
  }
  if (d.missing.length) {
    lines.push("", "Missing facts (document these to decide):");
    for (const m of d.missing) lines.push(`  - ${m.fact}: ${m.description}`);
  }
  if (d.alsoUndocumented.length) {
    lines.push("", "Also undocumented (not needed to decide):");
    for (const m of d.alsoUndocumented) lines.push(`  - ${m.fact}: ${m.description}`);
  }
  if (d.pathways.length && d.outcome !== "meets") {
    lines.push("", "Pathways:");
    for (const p of d.pathways) lines.push(`  ${mark[p.result]} ${p.wording}${cite(p.refs)}`);
  }
  if (d.trace.length) {
    lines.push("", "Trace:");
    for (const t of d.trace) {
      // A value taken as absent is marked: the chart did not say it.
      const values = t.values.map((v) => `${v.fact}=${JSON.stringify(v.value)}${v.assumed ? " (assumed)" : ""}`).join(", ");
      lines.push(`  ${mark[t.result]} ${t.id}: ${t.wording.length > 100 ? `${t.wording.slice(0, 99)}…` : t.wording}${values ? `  {${values}}` : ""}`);
      // The criterion's own readings; those of what it reads are in the JSON trace.
      for (const r of t.readings) if (r.of === t.id) lines.push(`      reading: ${r.text}`);
    }
  }
  return lines.join("\n");
}
