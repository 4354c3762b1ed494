/**
 * Compile throughput on synthetic policies of 1 000 to 100 000 lines, and where the time goes:
 * lexing, the limits checked on the tokens, parsing (Chevrotain, building the concrete syntax
 * tree), the syntax errors' wording, the tree turned into the AST, and the rest (names, checking,
 * lowering). `run.ts` bundles this file with esbuild and runs it with node, as `polc` runs from
 * its bundle; `npx tsx bench/compile-throughput.ts [--quick]` runs it from the sources (slower:
 * tsx reaches every module through its own namespace object).
 */
import { syntheticPolicy } from "./synthetic.js";
import { median, printFigure } from "./report.js";
import { compileText } from "../compiler/compile.js";
import { lexPol, parsePol } from "../grammar/parser.js";
import { nestingDiagnostic } from "../compiler/nesting-limit.js";
import { literalDiagnostics } from "../compiler/literal-limits.js";
import { syntaxDiagnostics } from "../compiler/syntax-errors.js";
import { cstToAst } from "../compiler/cst-to-ast.js";

const quick = process.argv.includes("--quick");
const comment = (text: string) => console.log(`# ${text}`);

function compileMs(text: string, size: number): number {
  const t = performance.now();
  const r = compileText({ "synthetic.pol": text });
  const ms = performance.now() - t;
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length || r.policies.length !== 1) throw new Error(`the synthetic policy of ${size} lines does not compile: ${errors[0]?.message}`);
  return ms;
}

function throughput(): void {
  // A new process: the compiler's code is optimised by the JIT only after it has run a while, so
  // every size is measured after the same warm-up (two compiles of 10 000 lines).
  const warmUp = syntheticPolicy(10_000).text;
  for (let i = 0; i < 2; i++) compileMs(warmUp, 10_000);
  const perLine: Record<number, number> = {};
  for (const [size, reps] of [
    [1_000, quick ? 3 : 7],
    [10_000, quick ? 1 : 3],
    [100_000, 1],
  ] as const) {
    const { text, lines } = syntheticPolicy(size);
    if (size < 100_000) compileMs(text, size); // warm-up (the 100k run follows the smaller ones' warm-up)
    const ms = median(Array.from({ length: reps }, () => compileMs(text, size)));
    perLine[size] = ms / lines;
    printFigure(`compile.synthetic.${size}`, lines / (ms / 1000), "lines/s", { op: "≥", value: 100_000 });
    comment(`synthetic ${size}: ${lines} lines in ${ms.toFixed(0)} ms (median of ${reps})`);
  }
  printFigure("ratio.compile_linearity", perLine[100_000] / perLine[1_000], "", { op: "≤", value: 1.3, text: "≈ 1 (linear; ≤ 1.3 allows for noise)" });
  comment("compile_linearity = time per line at 100k lines ÷ time per line at 1k lines (1 = linear)");
}

/** The fastest of `n` runs of `f`, in ms of this thread's CPU time (less disturbed by a busy machine than wall time). */
function cpuMs(f: () => void, n: number): number {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const t = process.cpuUsage().user;
    f();
    best = Math.min(best, (process.cpuUsage().user - t) / 1000);
  }
  return best;
}

function phases(): void {
  const size = 30_000;
  const n = quick ? 2 : 5;
  const { text, lines } = syntheticPolicy(size);
  const lexed = lexPol(text);
  const parsed = parsePol(text, lexed);
  const shown = "synthetic.pol";
  const parts: [string, number][] = [
    ["lex", cpuMs(() => lexPol(text), n)],
    ["limits on the tokens", cpuMs(() => (nestingDiagnostic(lexed.tokens, shown), literalDiagnostics(lexed.tokens, shown)), n)],
    ["parse (concrete syntax tree)", cpuMs(() => parsePol(text, lexed), n)],
    ["syntax errors", cpuMs(() => syntaxDiagnostics(parsed, shown, text), n)],
    ["syntax tree to AST", cpuMs(() => cstToAst(parsed, shown, []), n)],
  ];
  const all = cpuMs(() => compileText({ [shown]: text }), n);
  parts.push(["names, checking, lowering (the rest)", Math.max(0, all - parts.reduce((s, [, ms]) => s + ms, 0))]);
  comment(`where a compile of ${lines} lines (${lexed.tokens.length} tokens) goes, CPU ms, fastest of ${n}: ${all.toFixed(0)} in all (${Math.round(lines / (all / 1000))} lines/s)`);
  for (const [name, ms] of parts) comment(`  ${name.padEnd(38)} ${ms.toFixed(0).padStart(5)} ms  ${((100 * ms) / all).toFixed(0).padStart(3)} %`);
}

throughput();
phases();
