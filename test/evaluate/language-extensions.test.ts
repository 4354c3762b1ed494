/**
 * Constructs for guidelines beyond the first library, each through the generated code: records as
 * definition parameters, namespaced imports, partial dates in the input.
 */
import { describe, it } from "vitest";
import type { Determination } from "../../runtime/determination.js";
import { evaluateSource, expectDetermination, expectDiagnostics, lines } from "../support/policies.js";

const header = `
enum kind { mbb, rfa }
record block "A block" {
  date: date "Date"
  kind: kind "Kind"
  relief: percent "Relief after the block"
  lasted: duration "How long relief lasted"
}
fact blocks: list of block "Prior blocks"
fact other_blocks: list of block "Blocks elsewhere"
`;

function run(definitions: string, rule: string, input: Readonly<Record<string, unknown>>): Determination {
  return evaluateSource(`${header}${definitions}\npolicy P "Probe" {\n  version "1"\n  requirements "R" {\n    criterion rule "The rule": ${rule}\n  }\n}\n`, {
    date_of_service: "2024-06-01",
    ...input,
  });
}

describe("a record as a definition's parameter", () => {
  const positive = `define positive(b: block) "A block with at least 80% relief lasting 3 hours": b.kind = mbb and b.relief >= 80% and b.lasted >= 3 hours`;

  it("takes a query's entry and reads its fields", () => {
    const rule = "count(p in blocks where positive(p)) >= 2";
    const good = { date: "2024-01-01", kind: "mbb", relief: 90, lasted: { amount: 4, unit: "hours" } };
    expectDetermination(run(positive, rule, { blocks: [good, { ...good, date: "2024-02-01" }] }), { outcome: "meets" });
    expectDetermination(run(positive, rule, { blocks: [good, { ...good, date: "2024-02-01", relief: 70 }] }), { outcome: "does-not-meet" });
  });

  it("an undocumented field of the entry is missing under the entry's place", () => {
    const rule = "count(p in blocks where positive(p)) >= 2";
    const good = { date: "2024-01-01", kind: "mbb", relief: 90, lasted: { amount: 4, unit: "hours" } };
    expectDetermination(run(positive, rule, { blocks: [good, { date: "2024-02-01", kind: "mbb", relief: 85 }] }), { outcome: "needs-info", missing: ["blocks[1].lasted"] });
  });

  it("takes the entry latest(…) picks; with no entry every field is none, so the comparison is false", () => {
    const rule = "positive(latest(p in blocks where p.kind = mbb))";
    expectDetermination(run(positive, rule, { blocks: [{ date: "2024-01-01", kind: "mbb", relief: 90, lasted: { amount: 4, unit: "hours" } }] }), { outcome: "meets" });
    expectDetermination(run(positive, rule, { blocks: [] }), { outcome: "does-not-meet" });
    // Which entry is the latest is open while the later entry's kind is undocumented.
    expectDetermination(run(positive, rule, { blocks: [{ date: "2024-01-01", kind: "mbb", relief: 90, lasted: { amount: 4, unit: "hours" } }, { date: "2024-03-01", relief: 50 }] }), {
      outcome: "needs-info",
      missing: ["blocks[1].kind"],
    });
  });

  it("may be tested with is known, and passed on to another definition", () => {
    const defs = `${positive}\ndefine checked(b: block) "A documented positive block": b is known and positive(b)`;
    expectDetermination(run(defs, "checked(latest(p in blocks))", { blocks: [] }), { outcome: "does-not-meet" });
    expectDetermination(run(defs, "checked(latest(p in blocks))", { blocks: [{ date: "2024-01-01", kind: "mbb", relief: 90, lasted: { amount: 4, unit: "hours" } }] }), { outcome: "meets" });
  });

  it("is checked: a list, another record or a field where an entry is expected is POL020", () => {
    const defs = `record visit "A visit" { date: date "Date" }\nfact visits: list of visit "Visits"\n${positive}`;
    expectDiagnostics(`${header}${defs}\ncriterion a "A": positive(blocks)\ncriterion b "B": positive(latest(v in visits))\ncriterion c "C": exists(p in blocks where positive(p.kind))\n`, [
      lines(
        "a.pol:14:27: error POL020: 'b' of 'positive' expects a block, but this is a list of block",
        "   |",
        '14 | criterion a "A": positive(blocks)',
        "   |                           ^^^^^^",
      ),
      lines(
        "a.pol:15:27: error POL020: 'b' of 'positive' expects a block, but this is a visit",
        "   |",
        '15 | criterion b "B": positive(latest(v in visits))',
        "   |                           ^^^^^^^^^^^^^^^^^^^",
      ),
      lines(
        "a.pol:16:52: error POL020: 'b' of 'positive' expects a block, but this is one of kind (mbb, rfa)",
        "   |",
        '16 | criterion c "C": exists(p in blocks where positive(p.kind))',
        "   |                                                    ^^^^^^",
      ),
    ]);
  });
});
