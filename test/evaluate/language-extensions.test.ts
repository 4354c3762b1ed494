/**
 * Constructs for guidelines beyond the first library, each through the generated code: records as
 * definition parameters, namespaced imports, partial dates in the input.
 */
import { describe, expect, it } from "vitest";
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
        "a.pol:14:27: error POL043: 'b' of 'positive' expects a block, but this is a list of block",
        "   |",
        '14 | criterion a "A": positive(blocks)',
        "   |                           ^^^^^^",
      ),
      lines(
        "a.pol:15:27: error POL043: 'b' of 'positive' expects a block, but this is a visit",
        "   |",
        '15 | criterion b "B": positive(latest(v in visits))',
        "   |                           ^^^^^^^^^^^^^^^^^^^",
      ),
      lines(
        "a.pol:16:52: error POL043: 'b' of 'positive' expects a block, but this is one of kind (mbb, rfa)",
        "   |",
        '16 | criterion c "C": exists(p in blocks where positive(p.kind))',
        "   |                                                    ^^^^^^",
      ),
    ]);
  });
});

describe("importing a file under a name", () => {
  const library = `
enum kind { mbb, rfa }
record procedure "A procedure of this library" {
  date: date "Date"
  kind: kind "Kind"
}
fact history_of_blocks: list of procedure "Prior procedures"
group pain "Pain" { fact average: number 0 to 10 "Average pain" }
define recent(p: procedure) "Within the year": time since p.date < 1 year
criterion severe "Severe pain": pain.average >= 6
`;
  const other = `
record procedure "A procedure of another library" { date: date "Date" }
fact other_history: list of procedure "Procedures elsewhere"
define recent(p: procedure) "Within two years": time since p.date < 2 years
`;
  const main = `
import "lib.pol" as lib
import "other.pol" as other
fact planned: list of lib.procedure "Planned procedures"
define recent_block(p: lib.procedure) "A recent block": lib.recent(p) and p.kind = mbb
policy P "Probe" {
  version "1"
  requirements "R" {
    use lib.severe
    criterion blocks "A recent block here, and a procedure within two years elsewhere":
      exists(q in lib.history_of_blocks where recent_block(q)) and exists(q in other.other_history where other.recent(q))
    criterion pain_cap "Pain under 9, nothing planned": lib.pain.average < 9 and count(q in planned) = 0
  }
}
`;
  const sources = (mainText = main) => ({ "main.pol": mainText, "lib.pol": library, "other.pol": other });

  it("reaches its names as NAME.x, and two libraries may declare the same names", () => {
    const input = { date_of_service: "2024-06-01", history_of_blocks: [{ date: "2024-01-01", kind: "mbb" }], other_history: [{ date: "2022-12-01" }], pain: { average: 7 }, planned: [] };
    expectDetermination(evaluateSource(sources(), input), { outcome: "meets" });
    expectDetermination(evaluateSource(sources(), { ...input, other_history: [{ date: "2022-01-01" }] }), { outcome: "does-not-meet", unmet: ["blocks"] });
    expectDetermination(evaluateSource(sources(), { ...input, pain: {} }), { outcome: "needs-info", missing: ["pain.average"] });
  });

  it("adds no bare names: the file's declarations are reached through its name only", () => {
    expectDiagnostics(sources(main.replace("use lib.severe", "use severe")), [
      lines("main.pol:9:5: error POL011: unknown requirement 'severe'", "  |", "9 |     use severe", "  |     ^^^^^^^^^^"),
    ]);
  });

  it("reports a name the file does not declare, a name no file is imported under, and the name alone", () => {
    const broken = `import "lib.pol" as lib
criterion a "A": lib.sever
criterion b "B": lob.severe
criterion c "C": lib
fact d: list of lib.procedur "D"`;
    expectDiagnostics(sources(broken), [
      lines("main.pol:2:18: error POL011: 'lib' has no declaration 'sever'", "  |", '2 | criterion a "A": lib.sever', "  |                  ^^^^^^^^^", "  = did you mean 'lib.severe'?"),
      lines("main.pol:3:18: error POL011: unknown name 'lob'", "  |", '3 | criterion b "B": lob.severe', "  |                  ^^^", "  = did you mean 'lib'?"),
      lines("main.pol:4:18: error POL044: 'lib' names an imported file; name one of its declarations, like lib.NAME", "  |", '4 | criterion c "C": lib', "  |                  ^^^"),
      lines("main.pol:5:9: error POL070: a list holds records; 'procedur' is not a record type", "  |", '5 | fact d: list of lib.procedur "D"', "  |         ^^^^^^^^^^^^^^^^^^^^", "  = did you mean 'procedure'?"),
    ]);
  });

  it("a name a file is imported under is the file's own: not twice, not a declared name, not a question's entry", () => {
    const clashes = `import "lib.pol" as lib
import "other.pol" as lib
criterion a "A": exists(lib in lib.history_of_blocks)`;
    expectDiagnostics(sources(clashes), [
      lines("main.pol:2:23: error POL010: 'lib' already names an imported file", "  |", '2 | import "other.pol" as lib', "  |                       ^^^", "  main.pol:1:21: first named here"),
      lines(
        "main.pol:3:25: error POL010: 'lib' already names an imported file",
        "  |",
        '3 | criterion a "A": exists(lib in lib.history_of_blocks)',
        "  |                         ^^^",
        "  = choose another name",
        "  main.pol:1:21: named here",
      ),
    ]);
  });

  it("two facts of the same name in files one policy sees could not both be in a request (POL010)", () => {
    const clash = { ...sources(), "other.pol": other.replace("fact other_history", "fact history_of_blocks") };
    const mainText = main.replace("other.other_history", "other.history_of_blocks");
    expectDiagnostics({ ...clash, "main.pol": mainText }, [
      lines(
        "other.pol:3:6: error POL010: the fact 'history_of_blocks' is also declared in lib.pol, and main.pol sees both: a request has only one 'history_of_blocks'",
        "  |",
        '3 | fact history_of_blocks: list of procedure "Procedures elsewhere"',
        "  |      ^^^^^^^^^^^^^^^^^",
        "  = give one of them another name",
        "  lib.pol:7:6: first declared here",
      ),
    ]);
  });
});

describe("the union of levels across entries", () => {
  const levelsHeader = `
record entry "A procedure of the session" {
  date: date "Date"
  levels: spinal_levels "Levels"
  facet: boolean "A facet joint procedure"
}
fact entries: list of entry "Procedures charted for the date of service"
fact requested: spinal_levels "Requested levels"
`;
  const runLevels = (rule: string, input: Readonly<Record<string, unknown>>) =>
    evaluateSource(`${levelsHeader}\npolicy P "Probe" {\n  version "1"\n  requirements "R" {\n    criterion rule "The rule": ${rule}\n  }\n}\n`, { date_of_service: "2024-06-01", ...input });
  const session = "level_union(requested, union(p in entries where p.facet: p.levels))";
  const entry = (levels: string | undefined, facet: boolean | undefined) => ({ date: "2024-06-01", ...(levels ? { levels } : {}), ...(facet === undefined ? {} : { facet }) });

  it("gathers the levels of a session charted one entry per level", () => {
    const rule = `level_count(${session}) <= 2`;
    expectDetermination(runLevels(rule, { requested: "L4-5", entries: [entry("L4-L5", true), entry("L5-S1", true)] }), { outcome: "meets" });
    expectDetermination(runLevels(rule, { requested: "L4-5", entries: [entry("L3-4", true), entry("L5-S1", true)] }), { outcome: "does-not-meet" });
    // An entry surely left out brings nothing.
    expectDetermination(runLevels(rule, { requested: "L4-5", entries: [entry("L3-4", false), entry("L5-S1", true)] }), { outcome: "meets" });
    expectDetermination(runLevels(`${session} = "L4-5, L5-S1"`, { requested: "L5-S1", entries: [entry("L4/5", true)] }), { outcome: "meets" });
  });

  it("is open only as far as the entries that may count could change the answer", () => {
    const rule = `level_count(${session}) <= 2`;
    // Whether the L3-4 entry is a facet procedure decides it.
    expectDetermination(runLevels(rule, { requested: "L4-5, L5-S1", entries: [entry("L3-4", undefined)] }), { outcome: "needs-info", missing: ["entries[0].facet"] });
    // An entry at a requested level changes nothing, whether it counts or not.
    expectDetermination(runLevels(rule, { requested: "L4-5, L5-S1", entries: [entry("L4-5", undefined)] }), { outcome: "meets" });
    // Three levels surely brought: too many, whatever the open entry brings.
    expectDetermination(runLevels(rule, { requested: "L4-5", entries: [entry("L3-4", true), entry("L5-S1", true), entry(undefined, true)] }), { outcome: "does-not-meet" });
    // Undocumented levels may be any: with one requested level, they decide it.
    expectDetermination(runLevels(rule, { requested: "L4-5, L5-S1", entries: [entry(undefined, true)] }), { outcome: "needs-info", missing: ["entries[0].levels"] });
  });

  it("each level operation decides over the bounds a union lies between", () => {
    const open = { requested: "L4-5", entries: [entry("L5-S1", undefined)] };
    const results = (rules: readonly string[]) => rules.map((rule) => runLevels(rule, open).outcome);
    expect(
      results([
        `same_level(${session}, "L4-5")`,
        `same_level(${session}, "L5-S1")`,
        `same_level(${session}, "C3-4")`,
        `adjacent_level(${session}, "L3-4")`,
        `adjacent_level(${session}, "C3-4")`,
        `levels_within(${session}, "L3-4, L4-5, L5-S1")`,
        `levels_within(${session}, "L4-5")`,
        `levels_within("L4-5", ${session})`,
        `levels_within("L5-S1", ${session})`,
        `levels_apart(${session}, "L2-3") = 2`,
        `levels_apart(${session}, "L5-S1") = 0`,
        `${session} != "C3-4"`,
      ]),
    ).toEqual(["meets", "needs-info", "does-not-meet", "meets", "does-not-meet", "meets", "needs-info", "meets", "needs-info", "meets", "needs-info", "meets"]);
  });

  it("needs levels after ':' (POL028) and gives levels, not a condition (POL020)", () => {
    expectDiagnostics(`${levelsHeader}criterion a "A": level_count(union(p in entries where p.facet)) = 1\ncriterion b "B": union(p in entries: p.facet) = requested\n`, [
      lines(
        "a.pol:9:30: error POL064: union needs the levels each entry brings after ':', as in union(p in session: p.levels)",
        "  |",
        '9 | criterion a "A": level_count(union(p in entries where p.facet)) = 1',
        "  |                              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      ),
      lines(
        "a.pol:10:38: error POL043: union gathers spinal levels, but this is a yes/no value",
        "   |",
        '10 | criterion b "B": union(p in entries: p.facet) = requested',
        "   |                                      ^^^^^^^",
      ),
    ]);
  });
});
