/**
 * Property-based fuzzing of the lexer, parser and checker (fast-check, fixed seed, bounded).
 *
 * Whatever the input, compileText must not throw; every diagnostic must point inside its file
 * with integer 1-based line and column that agree with its offset, and nothing NaN; every
 * diagnostic must render, quoting the line it is on; and a text the lexer or parser rejects must
 * give an error; a mutation that makes one mistake (a token deleted, doubled or a bracket added, a
 * file cut short, a character inserted) gives at most one syntax error, and (a file cut short apart)
 * at most one error in all. See test/support/invariants.ts.
 *
 * FUZZ_SCALE=10 npx vitest run test/fuzz.test.ts runs ten times as many inputs; FUZZ_SEED=7 another seed.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { compileText } from "../../compiler/compile.js";
import { syntaxCodes } from "../../compiler/syntax-errors.js";
import { renderDiagnostic } from "../../compiler/diagnostics.js";
import { Lexer } from "chevrotain";
import { allTokens, polLexer } from "../../grammar/tokens.js";
import { bigPolicyFile } from "../support/big-file.js";
import { countInput, fuzzReport } from "../support/counter.js";
import { compileAndCheck, checkResult } from "../support/invariants.js";
import { contextualStream, mutationKinds, mutationOf, tokenImages, tokenStream, type MutationKind } from "../support/generators.js";
import { readLibrary } from "../support/library.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import { policyInput, policyMutationKinds } from "../fuzz/policy-mutations.js";
import { caseInput, readCaseSeeds } from "../fuzz/case-mutations.js";
import { agreeOn } from "../fuzz/agreement.js";

const seed = Number(process.env.FUZZ_SEED ?? 42);
const scale = Number(process.env.FUZZ_SCALE ?? 1) || 1;
const runs = (n: number) => Math.max(1, Math.round(n * scale));

afterAll(() => {
  console.log(fuzzReport());
});

describe("fuzz: random token streams", () => {
  it("has an image for every token of grammar/tokens.ts, and each image lexes back to its token", () => {
    for (const { token, images } of tokenImages) {
      for (const image of fc.sample(images, { seed, numRuns: 20 })) {
        const lexed = polLexer.tokenize(image);
        expect(lexed.errors, `${token.name} ${JSON.stringify(image)}`).toEqual([]);
        if (token.name === "Comment") continue; // comments go to their own group
        expect(lexed.tokens.map((t) => t.tokenType.name), `${token.name} ${JSON.stringify(image)}`).toEqual([token.name]);
      }
    }
    // Every token the lexer can produce (whitespace aside: the separators supply it) is drawn.
    const drawn = new Set(tokenImages.map(({ token }) => token.name));
    const lexable = allTokens.filter((t) => t.PATTERN !== Lexer.NA && t.name !== "WhiteSpace").map((t) => t.name);
    expect(lexable.filter((name) => !drawn.has(name))).toEqual([]);
    expect(drawn.size).toBeGreaterThan(60);
  });

  it("never throws and reports sound positions for random token streams", () => {
    fc.assert(
      fc.property(tokenStream(60), (text) => {
        countInput("token stream");
        compileAndCheck({ "fuzz.pol": text }, "fuzz.pol");
      }),
      { seed, numRuns: runs(500) },
    );
  });

  it("never throws for token streams inside conditions, lists, definitions, policies and overlays", () => {
    fc.assert(
      fc.property(contextualStream, ({ text }) => {
        countInput("token stream in context");
        compileAndCheck({ "fuzz.pol": text }, "fuzz.pol");
      }),
      { seed, numRuns: runs(500) },
    );
  });

  it("never throws when the random file imports another random file", () => {
    fc.assert(
      fc.property(tokenStream(30), tokenStream(30), (a, b) => {
        countInput("token streams across imports");
        const { result } = compileAndCheck({ "a.pol": `import "b.pol"\n${a}`, "b.pol": b }, "a.pol");
        // The imported file is checked too: a broken b.pol must give an error in b.pol.
        if (compileText({ "b.pol": b }).diagnostics.some((d) => d.severity === "error")) {
          expect(result.diagnostics.some((d) => d.span.file === "b.pol")).toBe(true);
        }
      }),
      { seed, numRuns: runs(120) },
    );
  });
});

/** Inputs per file and mutation kind: each kind reaches every file, more for the cheap ones. */
const perKind: Record<MutationKind, number> = {
  "delete a token": 3,
  "duplicate a token": 3,
  "swap two tokens": 3,
  truncate: 3,
  "unbalanced bracket": 2,
  "unicode anywhere": 3,
  "bad character between tokens": 2,
  "long line": 1,
};

/** The mutations that make one mistake in one place (a swap makes two; a long line of token soup, many). */
const oneMistake: ReadonlySet<MutationKind> = new Set(["delete a token", "duplicate a token", "truncate", "unbalanced bracket", "unicode anywhere", "bad character between tokens"]);

describe("fuzz: mutations of every policy under policies/", () => {
  const library = readLibrary();
  const paths = Object.keys(library);

  it("finds the policy library", () => {
    expect(paths.length).toBeGreaterThan(5);
  });

  for (const path of paths) {
    it(`mutations of ${path}`, () => {
      const original = library[path];
      for (const kind of mutationKinds) {
        fc.assert(
          fc.property(mutationOf(original, kind), (m) => {
            countInput(`mutation: ${kind}`);
            const { result } = compileAndCheck({ ...library, [path]: m.text }, path, { mustFail: m.mustFail });
            // One mistake, one syntax error: what the parser then trips over only echoes it.
            if (oneMistake.has(kind)) {
              const syntax = result.diagnostics.filter((d) => d.span.file === path && syntaxCodes.has(d.code));
              if (syntax.length > 1) throw new Error(`${syntax.length} syntax errors for one mistake: ${syntax.map((d) => `${d.code} ${d.span.line}:${d.span.column} ${d.message}`).join(" | ")}`);
              // Nor does the checker echo it, in this file or in those that import it. (A file cut at
              // a declaration's end loses every declaration after it: many mistakes, not one.)
              const all = result.diagnostics.filter((d) => d.severity === "error");
              if (kind !== "truncate" && all.length > 1) throw new Error(`${all.length} errors for one mistake: ${all.map((d) => `${d.code} ${d.span.file}:${d.span.line}:${d.span.column} ${d.message}`).join(" | ")}`);
            }
            if (m.badCharAt !== undefined) {
              const here = result.diagnostics.find((d) => d.code === "POL001" && d.span.file === path && d.span.start === m.badCharAt);
              if (!here) throw new Error(`no POL001 at offset ${m.badCharAt}: ${result.diagnostics.map((d) => `${d.code}@${d.span.start}`).join(", ")}`);
            }
          }),
          { seed, numRuns: runs(perKind[kind]) },
        );
      }
    });
  }
});

describe("fuzz: hostile mutations of the library (test/fuzz/policy-mutations.ts, as npm run fuzz makes them)", () => {
  const library = readLibrary();
  it.each(policyMutationKinds.map((kind) => [kind]))("%s: never throws, and reports sound positions", (kind) => {
    // Input i of the run with this seed, for the first inputs of each kind.
    let found = 0;
    for (let i = 0; found < runs(20) && i < 5_000; i++) {
      const input = policyInput(library, seed, i);
      if (input.kind !== kind) continue;
      found++;
      countInput(`library mutation: ${kind}`);
      try {
        compileAndCheck({ ...library, ...input.changes }, input.entry, { mustFail: input.mustFail });
      } catch (e) {
        throw new Error(`input ${i} of seed ${seed} (${input.detail}): ${(e as Error).message}`);
      }
    }
    expect(found).toBe(runs(20));
  }, 120_000);
});

describe("fuzz: hostile case inputs (test/fuzz/case-mutations.ts) through every evaluation path", () => {
  it("evaluate with the trace on and off, the batch's line and the case reader agree, and none throws", () => {
    const policies = loadPolicies(compileText(readLibrary()));
    const seeds = readCaseSeeds();
    const endings = new Map<string, number>();
    const problems: string[] = [];
    for (let i = 0; i < runs(1_000); i++) {
      const c = caseInput(seeds, seed, i, { longHistories: false });
      countInput("case input");
      const agreement = agreeOn(policies.get(c.policyId)!, c.text, Infinity);
      endings.set(agreement.ending, (endings.get(agreement.ending) ?? 0) + 1);
      if (agreement.problems.length) problems.push(`case ${i} (${c.detail}): ${agreement.problems.join("; ")}`);
    }
    expect(problems).toEqual([]);
    // Every ending is reached: the mutations are neither all harmless nor all fatal.
    expect([...endings.keys()].sort()).toEqual(["case file refused", "evaluated", "input refused"]);
  }, 120_000);
});

describe("fuzz: size", () => {
  // How the time grows with the size is measured by the benchmark (compile.synthetic.*,
  // ratio.compile_linearity; bench/check-scale.ts), never asserted here: a time depends on the
  // machine's load. A compile that ran away would show as the suite's own time-out.
  it("compiles a generated 10 000-line valid file without errors", () => {
    const large = bigPolicyFile(10_000);
    expect(large.split("\n").length).toBeGreaterThanOrEqual(10_000);
    const result = compileText({ "big.pol": large });
    countInput("generated big file");
    expect(result.diagnostics).toEqual([]);
    expect(checkResult(result).problems).toEqual([]);
    expect(result.policies).toHaveLength(1);
    expect(result.library!.modules.flatMap((m) => m.requirements).length).toBeGreaterThanOrEqual(1_240);
  });
});

describe("the invariant checker itself", () => {
  it("catches a NaN line, an offset outside the file, a position that disagrees with its offset and a wrong quoted line", () => {
    const text = 'fact a: boolean "A"\nfact b: boolean "B"\n';
    const good = compileText({ "a.pol": text });
    const span = { file: "a.pol", start: 25, end: 26, line: 2, column: 6 };
    const fake = (s: typeof span) => ({ ...good, diagnostics: [{ code: "POL011" as const, severity: "error" as const, message: "unknown name 'b'", span: s }] });
    expect(checkResult(fake(span)).problems).toEqual([]);
    expect(checkResult(fake({ ...span, line: Number.NaN })).problems.join("\n")).toMatch(/line is not an integer/);
    expect(checkResult(fake({ ...span, end: text.length + 5 })).problems.join("\n")).toMatch(/end 45 outside 25\.\.40/);
    expect(checkResult(fake({ ...span, column: 3 })).problems.join("\n")).toMatch(/does not match offset 25, which is 2:6/);
    expect(checkResult(fake({ ...span, line: 7 })).problems.join("\n")).toMatch(/line 7 outside 1\.\.4/);
  });
});

describe("fuzz: defects found and fixed", () => {
  it("a syntax error at the end of the file ends inside the file", () => {
    const text = 'group pain "x" {';
    const { diagnostics } = compileText({ "a.pol": text });
    expect(diagnostics.map((d) => [d.code, d.span.line, d.span.column, d.span.start, d.span.end])).toEqual([["POL002", 1, 17, 16, 16]]);
  });

  it("a lone \\r line break is counted alike by the lexer and the code frame", () => {
    const text = 'fact a: boolean "A"\rfact b boolean "B"\n';
    const result = compileText({ "a.pol": text });
    expect(result.diagnostics.map((d) => renderDiagnostic(d, result.sources))).toEqual([
      ["a.pol:2:8: error POL002: expected ':', but found 'boolean'", "  |", '2 | fact b boolean "B"', "  |        ^^^^^^^"].join("\n"),
    ]);
  });
});
