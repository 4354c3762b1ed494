/**
 * The criteria of a policy as a Mermaid flowchart for its docs page: sections, pathways, lists and
 * criteria by id with a short label, so that a reviewer takes in the shape of the guideline at a
 * glance. Node ids are polc's own (`n0`, `n1`, …); every label is policy text written with
 * Mermaid's entity codes for any character but letters, digits and plain punctuation, so no policy
 * text can end a label, start a statement, or close the Markdown fence around the diagram.
 */
import type * as A from "./ast.js";
import type { Checked } from "./check.js";

/** How long a label's wording may be before it is cut (at a word) and ended with "…". */
const labelLength = 48;

const sectionLabel: Readonly<Record<A.SectionKind, string>> = {
  indications: "Indications",
  requirements: "Requirements",
  exclusions: "Exclusions",
  contraindications: "Contraindications",
  notes: "Notes",
  "not-covered": "Not covered",
  advisories: "Advisories",
};

const quantifierLabel: Readonly<Record<A.Quantifier, (n: number) => string>> = {
  all: () => "ALL of",
  any: () => "ONE of",
  none: () => "NONE of",
  atLeast: (n) => `at least ${n} of`,
  atMost: (n) => `at most ${n} of`,
};

/** Policy text as a quoted Mermaid label: only letters, digits, spaces and plain punctuation stay as they are. */
export function mermaidLabel(text: string): string {
  const escaped = [...text.replace(/[\r\n\u2028\u2029\t]+/g, " ")].map((c) => (/^[\p{L}\p{N} _.,:;()/'?!+=’‘“”–—…≥≤×-]$/u.test(c) && !/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(c) ? c : `#${c.codePointAt(0)};`)).join("");
  return `"${escaped}"`;
}

/** The start of a wording, cut at a word when long. */
export function shortLabel(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if ([...flat].length <= labelLength) return flat;
  const cut = [...flat].slice(0, labelLength).join("");
  const space = cut.lastIndexOf(" ");
  return `${(space > labelLength / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, "")}…`;
}

class Tree {
  readonly lines: string[] = ["flowchart LR"];
  private next = 0;

  constructor(private readonly checked: Checked) {}

  node(label: string, parent?: string): string {
    const id = `n${this.next++}`;
    this.lines.push(parent === undefined ? `  ${id}[${mermaidLabel(label)}]` : `  ${parent} --> ${id}[${mermaidLabel(label)}]`);
    return id;
  }

  section(s: A.Section, parent: string): void {
    const items = s.items.filter((i) => i.kind !== "Note" || i.rule);
    if (items.length === 0) return;
    const id = this.node(`${sectionLabel[s.sectionKind]}: ${shortLabel(s.title)}`, parent);
    for (const item of items) this.item(item, id);
  }

  item(item: A.Item, parent: string): void {
    switch (item.kind) {
      case "Requirement":
        this.requirement(item, parent);
        break;
      case "Use": {
        const decl = this.checked.items.get(item);
        if (decl) this.requirement(decl, parent);
        break;
      }
      case "Note":
        if (item.rule) this.node(`${item.name ?? "note"}: ${shortLabel(item.text)}`, parent);
        break;
      case "GroupBody": {
        const id = this.node(item.wording ? `${quantifierLabel[item.quantifier](item.n)}: ${shortLabel(item.wording)}` : quantifierLabel[item.quantifier](item.n), parent);
        for (const bullet of item.items) this.item(bullet, id);
        break;
      }
    }
  }

  requirement(r: A.RequirementDecl, parent: string): void {
    const role = r.role === "pathway" ? "pathway " : "";
    if (r.body.kind === "GroupBody") {
      const id = this.node(`${role}${r.name} (${quantifierLabel[r.body.quantifier](r.body.n)}): ${shortLabel(r.wording)}`, parent);
      for (const bullet of r.body.items) this.item(bullet, id);
    } else {
      this.node(`${role}${r.name}: ${shortLabel(r.wording)}`, parent);
    }
  }
}

/** The lines of the diagram (without the fence): the policy, its sections and service lines, then each overlay's. */
export function criteriaTree(policy: A.PolicyDecl, overlays: readonly A.OverlayDecl[], checked: Checked): string[] {
  const tree = new Tree(checked);
  const root = tree.node(`${policy.name}: ${shortLabel(policy.title)}`);
  const document = (doc: A.PolicyDecl | A.OverlayDecl, parent: string) => {
    for (const s of doc.sections) tree.section(s, parent);
    for (const v of doc.services) {
      const line = tree.node(`service line ${v.name}: ${shortLabel(v.wording)}`, parent);
      for (const s of v.sections) tree.section(s, line);
    }
  };
  document(policy, root);
  for (const o of overlays) document(o, tree.node(`${o.state} overlay ${o.name}: ${shortLabel(o.title)}`, root));
  return tree.lines;
}
