/**
 * The compiler at its limits: deep nesting, import cycles, overlays aimed at nothing, and files
 * full of mistakes. Each case compiles or gives a clear diagnostic; none may throw, hang or
 * overflow the stack.
 *
 * Cases compile in a worker thread (test/support/isolated.ts) with the main thread's
 * stack size, as when polc runs, and a deadline: vitest's own timeout cannot stop synchronous
 * code, so a hang is caught by the worker's deadline and reported as a failure.
 *
 * Cases that crash today are skipped with the crash in their name; they are what the compiler
 * must fix. Un-skip each one when it is fixed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileText } from "../../compiler/compile.js";
import { renderDiagnostic } from "../../compiler/diagnostics.js";
import { renderOutputs } from "../../compiler/build.js";
import { main } from "../../compiler/cli/main.js";
import { IsolatedCompiler, type IsolatedResult } from "../support/isolated.js";
import { checkResult } from "../support/invariants.js";

const deadlineMs = 15_000;
const testTimeout = 40_000;

/**
 * One worker for the file, started cold: the deep cases run first, when frames are largest. A
 * compile that passes its deadline stops the worker; the next case starts a fresh one.
 */
const compiler = new IsolatedCompiler();
afterAll(() => compiler.close());

async function isolated(files: Record<string, string>): Promise<IsolatedResult> {
  return compiler.compile(files, undefined, deadlineMs);
}

/** Asserts the compile neither hung nor threw, and returns what it reported. */
function settled(r: IsolatedResult): IsolatedResult {
  expect(r.hung, `hung for ${deadlineMs} ms`).toBeUndefined();
  expect(r.threw, r.stack).toBeUndefined();
  return r;
}

const brief = (r: IsolatedResult) => r.diagnostics.map((d) => [d.code, `${d.span.file}:${d.span.line}:${d.span.column}`, d.message]);

const fact = 'fact a: boolean "A"\n';
/** A policy whose one requirement has the given condition. */
const inPolicy = (condition: string) => `${fact}policy P "Deep" {\n  version "1"\n  requirements "R" {\n    criterion c "C": ${condition}\n  }\n}\n`;
const parens = (n: number) => inPolicy(`${"(".repeat(n)}a${")".repeat(n)}`);
const nots = (n: number) => inPolicy(`${"not ".repeat(n)}a`);
const ands = (n: number) => inPolicy(`a${" and a".repeat(n - 1)}`);
const nestedLists = (n: number) =>
  `${fact}policy P "Deep" {\n  version "1"\n  requirements "R" {\n    criterion c "C": ${"all of {\n".repeat(n)}criterion leaf "Leaf": a\n${"}\n".repeat(n)}  }\n}\n`;

describe("limits: deep nesting", () => {
  it("compiles 100 levels of parentheses", async () => {
    const r = settled(await isolated({ "a.pol": parens(100) }));
    expect(r.diagnostics).toEqual([]);
    expect(r.policies).toEqual(["P"]);
  }, testTimeout);

  it("compiles 1 000 levels of parentheses, or says they are too deep, without exhausting the stack", async () => {
    const r = settled(await isolated({ "a.pol": parens(1_000) }));
    expect(r.diagnostics.length).toBeLessThanOrEqual(1);
  }, testTimeout);

  it("compiles a 120-deep chain of not", async () => {
    const r = settled(await isolated({ "a.pol": nots(120) }));
    expect(r.diagnostics).toEqual([]);
    expect(r.policies).toEqual(["P"]);
  }, testTimeout);

  it("renders (polc build) a policy with a 120-deep chain of not", async () => {
    const result = compileText({ "a.pol": nots(120) });
    const files = await renderOutputs(result, { code: "generated", docs: "docs" });
    expect(files.map((f) => f.path)).toContain(join("generated", "p.ts"));
  }, testTimeout);

  // Chains that each nest what follows them: the parser, the checker and the back ends recurse once a link.
  const timeSince = (n: number) => `fact d: date "D"\n${inPolicy(`${"time since ".repeat(n)}d >= 1 days`)}`;
  const fieldChain = (n: number) => inPolicy(`a${".x".repeat(n)}`);
  const tooDeep: [string, string, string, string][] = [
    ["1 200 nots", nots(1_200), "a.pol:5:526", "this file has a chain of 'not' nested more than 128 levels deep, counting the brackets around it; it is not read further"],
    ["600 time since", timeSince(600), "a.pol:6:1408", "this file has a chain of 'time since' or 'time between' nested more than 128 levels deep, counting the brackets around it; it is not read further"],
    ["a 3 000-link field chain", fieldChain(3_000), "a.pol:5:275", "this file has a chain of fields ('.') nested more than 128 levels deep, counting the brackets around it; it is not read further"],
    ["nots between 100 brackets", inPolicy(`${"(not ".repeat(100)}a${")".repeat(100)}`), "a.pol:5:337", "this file has brackets and chains of 'not', 'time since' or fields nested more than 128 levels deep; it is not read further"],
    ["1 000 nots outside any bracket", `${fact}criterion c "C": ${"not ".repeat(1_000)}a\n`, "a.pol:2:530", "this file has a chain of 'not' more than 128 long; it is not read further"],
  ];
  it.each(tooDeep)("refuses %s with one POL032, without exhausting the stack", async (_name, source, where, message) => {
    const r = settled(await isolated({ "a.pol": source }));
    expect(brief(r)).toEqual([["POL032", where, message]]);
  }, testTimeout);

  it("compiles 100-deep nested all of { … } lists", async () => {
    const r = settled(await isolated({ "a.pol": nestedLists(100) }));
    expect(r.diagnostics).toEqual([]);
    expect(r.policies).toEqual(["P"]);
  }, testTimeout);

  it("compiles 1 000-deep nested all of { … } lists, or says they are too deep, without exhausting the stack", async () => {
    const r = settled(await isolated({ "a.pol": nestedLists(1_000) }));
    expect(r.diagnostics.length).toBeLessThanOrEqual(1);
  }, testTimeout);

  it("compiles a 1 000-term chain of and", async () => {
    const r = settled(await isolated({ "a.pol": ands(1_000) }));
    expect(r.diagnostics).toEqual([]);
  }, testTimeout);

  it("compiles a 2 000-term chain of and (one 12 000-character line; a 100 000-character line of 'a and a and …' likewise) without recursion over it", async () => {
    const r = settled(await isolated({ "a.pol": ands(2_000) }));
    expect(r.diagnostics).toEqual([]);
    const long = settled(await isolated({ "a.pol": ands(16_700) }));
    expect(long.diagnostics).toEqual([]);
  }, testTimeout);
});

describe("limits: imports", () => {
  it("reports a policy file that imports itself", async () => {
    const r = settled(await isolated({ "a.pol": `import "a.pol"\n${fact}` }));
    expect(brief(r)).toEqual([["POL004", "a.pol:1:1", "import cycle: a.pol → a.pol"]]);
  }, testTimeout);

  it("reports a cycle of three imports once, at the import that closes it", async () => {
    const r = settled(
      await isolated({
        "a.pol": 'import "b.pol"\nfact a: boolean "A"\n',
        "b.pol": 'import "c.pol"\nfact b: boolean "B"\n',
        "c.pol": 'import "other.pol"\nimport "a.pol"\nfact c: boolean "C"\n',
        "other.pol": 'fact o: boolean "O"\n',
      }),
    );
    expect(brief(r)).toEqual([["POL004", "c.pol:2:1", "import cycle: a.pol → b.pol → c.pol → a.pol"]]);
    expect(r.diagnostics[0].hint).toBe("move the shared declarations into a file both can import");
  }, testTimeout);

  it("reports a cycle of three imports across folders", async () => {
    const r = settled(
      await isolated({
        "x/a.pol": 'import "../y/b.pol"\nfact a: boolean "A"\n',
        "y/b.pol": 'import "../z/c.pol"\nfact b: boolean "B"\n',
        "z/c.pol": 'import "../x/a.pol"\nfact c: boolean "C"\n',
      }),
    );
    expect(brief(r)).toEqual([["POL004", "z/c.pol:1:1", "import cycle: x/a.pol → y/b.pol → z/c.pol → x/a.pol"]]);
  }, testTimeout);
});

describe("limits: overlays aimed at nothing", () => {
  const policy = `${fact}policy POL_1 "P" {\n  version "1"\n  requirements "R" {\n    criterion c "C": a\n  }\n}\n`;

  it("reports an overlay targeting a policy that does not exist", async () => {
    const r = settled(await isolated({ "a.pol": `${fact}overlay O "O" for NOPE in state WA {\n  requirements "R" { criterion q "Q": a }\n}\n` }));
    expect(brief(r)).toEqual([["POL016", "a.pol:2:19", "overlay 'O' targets 'NOPE', which is not a policy this build knows"]]);
    expect(r.diagnostics[0].hint).toBe("import the policy's file");
  }, testTimeout);

  it("suggests the policy an overlay's misspelt target means", async () => {
    const r = settled(await isolated({ "a.pol": `${policy}overlay O "O" for POL_2 in state WA {\n  requirements "R" { criterion q "Q": a }\n}\n` }));
    expect(brief(r)).toEqual([["POL016", "a.pol:8:19", "overlay 'O' targets 'POL_2', which is not a policy this build knows"]]);
    expect(r.diagnostics[0].hint).toBe("did you mean 'POL_1'?");
    // A library with errors is not lowered: no policy comes out of it.
    expect(r.policies).toEqual([]);
  }, testTimeout);

  it("reports an overlay using a criterion that does not exist", async () => {
    const r = settled(await isolated({ "a.pol": `${policy}overlay O "O" for POL_1 in state WA {\n  requirements "R" { use nope }\n}\n` }));
    expect(brief(r)).toEqual([["POL011", "a.pol:9:22", "unknown requirement 'nope'"]]);
  }, testTimeout);

  it("reports an overlay testing a criterion that does not exist, with the one it likely means", async () => {
    const r = settled(await isolated({ "a.pol": `${policy}overlay O "O" for POL_1 in state WA {\n  requirements "R" { criterion q "Q": cc and a }\n}\n` }));
    expect(brief(r)).toEqual([["POL011", "a.pol:9:39", "unknown name 'cc'"]]);
    expect(r.diagnostics[0].hint).toBe("did you mean 'c'?");
  }, testTimeout);

  it("reports an overlay using a criterion of a policy file it does not import", async () => {
    const r = settled(await isolated({ "p.pol": policy, "o.pol": 'overlay O "O" for POL_1 in state WA {\n  requirements "R" { use c }\n}\n' }));
    expect(brief(r)).toEqual([["POL011", "o.pol:2:22", "unknown requirement 'c'"]]);
  }, testTimeout);
});

// ── Error recovery ──────────────────────────────────────────────────────────────────────────

/** Code and line of every diagnostic of a one-file program; checks the invariants too. */
function codesAndLines(source: string): [string, number][] {
  const result = compileText({ "a.pol": source });
  expect(checkResult(result).problems).toEqual([]);
  for (const d of result.diagnostics) renderDiagnostic(d, result.sources);
  return result.diagnostics.map((d) => [d.code, d.span.line]);
}

describe("error recovery", () => {
  it("reports five independent mistakes on five declarations once each, and nothing else", () => {
    const source = [
      'fact pain_score: number 0 to 10 "Average pain on a scale of 0 to 10"',
      'fact flag boolean "A flag"', // 2: missing ':'
      'fact kind: colour "The kind"', // 3: unknown type
      'fact started: date "Start of therapy"',
      'criterion severe "Severe pain": pain_scor >= 6', // 5: unknown name
      'criterion too_high "Out of range": pain_score >= 11', // 6: outside the fact's range
      'criterion bad_date "Bad date": started before 2024-02-30', // 7: not a calendar date
      'criterion fine "Fine": pain_score >= 3 and started before date_of_service',
      "",
    ].join("\n");
    expect(codesAndLines(source)).toEqual([
      ["POL002", 2],
      ["POL012", 3],
      ["POL011", 5],
      ["POL021", 6],
      ["POL023", 7],
    ]);
  });

  it("recovers from five syntax errors on five declarations, reporting each once", () => {
    const source = [
      'fact pain_score: number 0 to 10 "Average pain on a scale of 0 to 10"',
      'fact flag boolean "A flag"', // 2: missing ':'
      'enum side "Side" { left, right, }', // 3: comma after the last value
      'fact s: side "S"',
      'criterion c1 "C1" pain_score >= 3', // 5: missing ':'
      'record r "R" { date: date "D" kind side "K" }', // 6: missing ':' in a field
      'criterion c2 "C2": (pain_score >= 3', // 7: '(' not closed, found at line 8
      'criterion fine "Fine": pain_score >= 3 and s = left',
      "",
    ].join("\n");
    expect(codesAndLines(source)).toEqual([
      ["POL002", 2],
      ["POL002", 3],
      ["POL002", 5],
      ["POL002", 6],
      ["POL002", 8],
    ]);
  });

  const prelude = 'fact n: number 0 to 10 "N"\nfact a: boolean "A"\n';
  const next = '\ncriterion ok "OK": a\n';

  /** One mistake, followed by a good declaration: exactly one syntax error, on the mistake's line or the next. */
  const clean: [string, number][] = [
    ['criterion c "C":', 4],
    ['criterion c "C": a and', 4],
    ['criterion c "C": not', 4],
    ['criterion c "C": (a', 4],
    ['policy P "T" { version "1" requirements "R" { use } }', 3],
  ];
  it.each(clean)("reports %j once, with no follow-on error", (mistake, line) => {
    expect(codesAndLines(prelude + mistake + next)).toEqual([["POL002", line]]);
  });

  /** Mistakes after which the checker once reported a follow-on error for what the parser put in (the error it gave is kept beside each). */
  const followOn: [string, number, string][] = [
    ['criterion c "C": n >=', 4, "POL034 3:20 cannot compare a number from 0 to 10 with a yes/no value"],
    ['criterion c "C": n >= >= 3', 3, "POL034 3:20 cannot compare a number from 0 to 10 with a yes/no value"],
    ['criterion c "C": n +', 4, "POL036 3:20 cannot add a yes/no value to a number from 0 to 10"],
    ['criterion c "C": time since', 4, "POL020 3:18 expected a yes/no condition here, but this is a duration; POL020 3:22 time since/between needs a date, but this is a yes/no value"],
    ['criterion c "C": count(p in ) > 1', 3, "POL025 3:25 count needs a list to look through, but this is a yes/no value"],
    ['criterion c "C": a in {}', 3, "POL042 3:18 'in {…}' needs a value from a list of choices, but this is a yes/no value"],
    ['fact x: "X"', 3, "POL012 3:7 unknown type ''"],
    ['define d(x: ) "D": a', 3, "POL012 3:11 unknown type ''"],
    ['criterion c "C" [1-]: a', 3, "POL019 3:18 reference range 1-0 runs backwards"],
    ["fact", 4, "POL002 4:14 expected ':', but found '\"OK\"'; POL012 4:20 unknown type 'a' (the next declaration is swallowed)"],
  ];
  for (const [mistake, line, extra] of followOn) {
    it(`reports ${JSON.stringify(mistake)} once, with no follow-on error such as ${extra.split(";")[0].split(" ")[0]}`, () => {
      // A word of the language where a name goes (`fact fact …`) is POL009; every other mistake here, POL002.
      expect(codesAndLines(prelude + mistake + next)).toEqual([[mistake === "fact" ? "POL009" : "POL002", line]]);
    });
  }

  it("reports a guideline paragraph pasted without quotes once, whatever its words and characters", () => {
    const paragraph =
      "Pain causing functional disability or average pain level of ≥ 6 on a scale of 0 to 10; duration of pain < 3 months; failure to respond to conservative therapy for a minimum of 2 weeks unless the medical reason this treatment cannot be done is clearly documented";
    const result = compileText({ "a.pol": `${prelude}${paragraph}\n${paragraph}\n${next}` });
    expect(result.diagnostics.map((d) => [d.code, d.span.line, d.span.column, d.message])).toEqual([
      ["POL002", 3, 1, "unexpected 'Pain': expected a declaration (fact, group, enum, record, define, criterion), a policy or an overlay"],
    ]);
  });

  it("reports a mistake after a pasted paragraph on its own, from the next declaration on", () => {
    const result = compileText({ "a.pol": `${prelude}Pain causing disability; of the following\nfact x boolean "X"\n` });
    expect(result.diagnostics.map((d) => [d.code, d.span.line, d.span.column])).toEqual([
      ["POL002", 3, 1],
      ["POL002", 4, 8],
    ]);
  });

  // Each run of 64 KB: error recovery once took time quadratic in the run (64 KB: 12 s; 128 KB: 40 s);
  // bench/check-scale.ts measures it. The deadline here only catches a hang, on however busy a machine.
  const strayRuns: [string, string, string][] = [
    ["fact", "fact ", "POL009"],
    ["criterion c", "criterion c ", "POL002"],
    ["policy", "policy ", "POL009"],
    [")", ") ", "POL002"],
    ["mixed", 'fact x: ) policy { "t" [ 1 - all of , } criterion : not ', "POL002"],
  ];
  it.each(strayRuns)("reports a 64 KB run of stray %j tokens as one mistake, without hanging", async (_name, unit, code) => {
    const source = prelude + unit.repeat(Math.floor((64 * 1024) / unit.length)) + "\n";
    const r = await compiler.compile({ "a.pol": source }, undefined, 120_000);
    expect(r.hung, "hung for 120 s").toBeUndefined();
    expect(r.threw, r.stack).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.span.line])).toEqual([[code, 3]]);
  }, 150_000);

  const manyMistakes = Array.from({ length: 150 }, (_, i) => `fact f${i}: colour "Finding ${i}"`).join("\n") + "\n";

  it("reports 100 of 150 independent mistakes, then one 'too many errors' line (POL030)", () => {
    const result = compileText({ "a.pol": manyMistakes });
    expect(checkResult(result).problems).toEqual([]);
    expect(result.diagnostics).toHaveLength(101);
    expect(result.diagnostics.slice(0, 100).map((d) => [d.code, d.span.line])).toEqual(Array.from({ length: 100 }, (_, i) => ["POL012", i + 1]));
    const last = result.diagnostics[100];
    expect(last.code).toBe("POL030");
    expect(last.message).toBe("too many errors: 50 more not shown; fix these and check again");
    expect(renderDiagnostic(last, result.sources).split("\n")[0]).toBe("a.pol:100:11: error POL030: too many errors: 50 more not shown; fix these and check again");
  });

  describe("polc check with 150 mistakes", () => {
    const dir = mkdtempSync(join(tmpdir(), "pol-limits-"));
    const file = join(dir, "many.pol");
    writeFileSync(file, manyMistakes);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const run = async () => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(["node", "polc", "check", file], { out: (t) => out.push(t), err: (t) => err.push(t) });
      return { code, out: out.join("\n"), err: err.join("\n") };
    };

    it("prints 100 errors and the 'too many errors' line, and exits 1", async () => {
      const { code, err } = await run();
      expect(code).toBe(1);
      expect(err.match(/error POL012/g)).toHaveLength(100);
      expect(err.match(/error POL030: too many errors: 50 more not shown/g)).toHaveLength(1);
    });

    it("counts all 150 errors in its summary, not only those shown", async () => {
      const { err } = await run();
      expect(err.trimEnd().split("\n").at(-1)).toBe("150 errors in 1 file");
    });
  });
});

describe("limits: long names", () => {
  it("reports 10 facts of a 100 000-character unknown type, without a suggestion, within the deadline", async () => {
    const long = `boolean_${"n".repeat(100_000)}`;
    const source = Array.from({ length: 10 }, (_, i) => `fact f${i}: ${long} "F${i}"`).join("\n") + `\nfact g: boolean "G"\n`;
    const r = settled(await isolated({ "a.pol": source }));
    expect(r.diagnostics).toHaveLength(10);
    expect(new Set(r.diagnostics.map((d) => `${d.code} ${d.hint?.startsWith("did you mean") ? "with" : "without"} a suggestion`))).toEqual(new Set(["POL012 without a suggestion"]));
  }, testTimeout);
});

describe("limits: numbers", () => {
  const prelude = 'fact n: number "N"\nfact d: date "D"\n';
  it("refuses a 401-digit number (it would be Infinity) and a 16-digit one, with POL021", () => {
    const result = compileText({ "a.pol": `${prelude}criterion big "Big": n > 1${"0".repeat(400)}\ncriterion long "Long": n > 1234567890.123456\ncriterion fine "Fine": n > 123456789012345\n` });
    expect(result.diagnostics.map((d) => [d.code, `${d.span.line}:${d.span.column}`, d.message])).toEqual([
      ["POL078", "3:26", "this number has 401 digits; at most 15 are allowed"],
      ["POL078", "4:28", "this number has 16 digits; at most 15 are allowed"],
    ]);
  });

  it("refuses a duration longer than 100 000 of its unit", () => {
    const result = compileText({ "a.pol": `${prelude}criterion long "Long": time since d >= 100001 days\ncriterion fine "Fine": time since d >= 100000 years\n` });
    expect(result.diagnostics.map((d) => [d.code, `${d.span.line}:${d.span.column}`, d.message])).toEqual([
      ["POL079", "3:40", "a duration of 100001 days is longer than the 100000 that are allowed"],
    ]);
  });
});

describe("the hang guard itself", () => {
  it("reports a compile that passes its deadline as hung, and stops it", async () => {
    // Twenty files, so that the compile surely outlasts a 1 ms deadline however fast one file becomes.
    const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}.pol`, nestedLists(100)]));
    const r = await compiler.compile(files, undefined, 1);
    expect(r.hung).toBe(true);
  }, testTimeout);
});
