/**
 * Readings (`reading "…"`): attached to what they explain, refused where they explain nothing,
 * quoted in each trace entry they shape, and shown beside their item in the docs.
 */
import { describe, expect, it } from "vitest";
import { generatePolicyPage } from "../../compiler/generate-docs.js";
import { compile, evaluateSource, expectDiagnostics, lines } from "../support/policies.js";

const source = lines(
  'group pain "The member\'s pain" {',
  '  reading "the duration is of the current episode of pain"',
  '  fact duration: duration "How long the pain has lasted"',
  "}",
  'reading "a group read as a whole"',
  'group therapy "Therapy" {',
  '  fact failed: boolean "Therapy failed"',
  "}",
  'reading "the episode is the pain documented now"',
  'define chronic "Chronic pain": pain.duration >= 3 months',
  'policy P "P" {',
  '  version "1"',
  '  reading "the section applies to every request"',
  '  requirements "R" {',
  '    reading "chronic pain with failed therapy"',
  '    criterion long_pain "Pain for 3 months or more": chronic and therapy.failed',
  '    criterion plain "Therapy failed": therapy.failed',
  "  }",
  "}",
);

describe("readings", () => {
  it("are quoted in the trace entry of each criterion they shape: its own, then its definitions' and facts' (with their groups')", () => {
    const d = evaluateSource(source, { date_of_service: "2024-03-15", pain: { duration: { amount: 4, unit: "months" } }, therapy: { failed: true } });
    expect(d.outcome).toBe("meets");
    expect(d.trace.map((t) => [t.id, t.readings])).toEqual([
      [
        "long_pain",
        [
          { text: "chronic pain with failed therapy", of: "long_pain" },
          { text: "the episode is the pain documented now", of: "chronic" },
          { text: "the duration is of the current episode of pain", of: "pain.duration" },
          { text: "a group read as a whole", of: "therapy" },
        ],
      ],
      ["plain", [{ text: "a group read as a whole", of: "therapy" }]],
    ]);
  });

  it("are shown beside their items on the docs page", () => {
    const result = compile(source);
    const page = generatePolicyPage(result.policies[0], result.checked);
    expect(page).toContain("_Reading:_ the section applies to every request\n");
    expect(page).toContain("- Pain for 3 months or more\n  - `long_pain`: `chronic and therapy.failed`\n  - _Reading:_ chronic pain with failed therapy\n");
    expect(page).toContain("- `chronic`: Chronic pain\n  - `pain.duration >= 3 months`\n  - _Reading:_ the episode is the pain documented now\n");
    expect(page).toContain("- `pain.duration` — _Reading:_ the duration is of the current episode of pain\n- `therapy.*` — _Reading:_ a group read as a whole\n");
  });

  it("may not stand before a property: POL028", () => {
    expectDiagnostics(lines('policy P "P" {', '  reading "why"', '  version "1"', "}"), [
      [
        "a.pol:2:3: error POL063: a reading explains the section, applies clause or service line after it, not a property, CPT codes, references or history",
        "  |",
        '2 |   reading "why"',
        "  |   ^^^^^^^^^^^^^",
        "  = put the reading before the item whose rule it explains, or make it a comment",
      ].join("\n"),
    ]);
  });
});
