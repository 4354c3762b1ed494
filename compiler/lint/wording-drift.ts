/**
 * POL057: the numbers, units and comparison words of a criterion's (or definition's) wording do
 * not match its rule — the wording says "< 3 months" and the rule `pain.duration < 4 months`, or
 * the wording "at least 3 months" and the rule `< 3 months`. The quantities read from the wording
 * are a number with a unit (days to years, hours, minutes, %), and a bare number after a
 * comparison sign (`≥ 6`); each must stand in the rule (or in the definitions it uses), and where
 * the wording bounds it from below ("at least", "≥") or above ("less than", "within") a rule
 * that compares with it must bound it the same way (strictness aside: "a maximum of 4" counts the
 * request, `count(earlier) < 4` does not). A part of the wording that the rule states
 * differently on purpose is marked with `reading of "…": "why"` on the item, and not checked.
 */
import type { DurationUnit } from "../../runtime/vocabulary.js";
import type { IrExpr, IrReading } from "../ir.js";
import { subexpressions } from "../ir.js";
import type { LintContext, LintRule } from "./rule.js";

type Direction = "lower" | "upper";

/** A quantity the wording states: `at least 3 months`, `≥ 6`, `2-3 months`. */
export interface WordingQuantity {
  /** As written, for messages. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** One value, or both ends of a range. */
  readonly values: readonly number[];
  readonly unit: DurationUnit | "percent" | undefined;
  readonly direction: Direction | undefined;
}

/** A number the rule holds, with its unit, and how the rule bounds what it is compared with. */
interface RuleQuantity {
  readonly value: number;
  readonly unit: DurationUnit | undefined;
  readonly direction: Direction | undefined;
}

const numberWords: ReadonlyMap<string, number> = new Map(
  ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"].map((w, i) => [w, i]),
);

/** Comparison words and signs before a number, longest first, and the bound each sets. */
const comparisons: readonly (readonly [string, Direction])[] = [
  ["greater than or equal to", "lower"],
  ["less than or equal to", "upper"],
  ["no sooner than", "lower"],
  ["a minimum of", "lower"],
  ["a maximum of", "upper"],
  ["no less than", "lower"],
  ["not less than", "lower"],
  ["no more than", "upper"],
  ["not more than", "upper"],
  ["no longer than", "upper"],
  ["minimum of", "lower"],
  ["maximum of", "upper"],
  ["greater than", "lower"],
  ["longer than", "lower"],
  ["shorter than", "upper"],
  ["more than", "lower"],
  ["fewer than", "upper"],
  ["less than", "upper"],
  ["at least", "lower"],
  ["at most", "upper"],
  ["up to", "upper"],
  ["within", "upper"],
  ["≥", "lower"],
  [">=", "lower"],
  ["≤", "upper"],
  ["<=", "upper"],
  [">", "lower"],
  ["<", "upper"],
];
const signs = new Set(["≥", ">=", "≤", "<=", ">", "<"]);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const comparisonPattern = comparisons.map(([w]) => escape(w)).join("|");
const numberPattern = `\\d+(?:\\.\\d+)?|${[...numberWords.keys()].join("|")}`;
const quantityPattern = new RegExp(
  `(?:(?<cmp>${comparisonPattern})\\s*)?(?<![\\p{L}\\p{N}_.])(?<n>${numberPattern})(?:\\s*(?:-|–|to)\\s*(?<n2>\\d+(?:\\.\\d+)?))?(?:\\s*-?\\s*(?<unit>%|percent\\b|days?\\b|weeks?\\b|months?\\b|years?\\b|hours?\\b|minutes?\\b))?(?<after>\\s+or\\s+(?:more|longer|greater|less|fewer|shorter)\\b)?`,
  "giu",
);

function unitOf(word: string | undefined): WordingQuantity["unit"] {
  if (!word) return undefined;
  const w = word.toLowerCase();
  if (w === "%" || w === "percent") return "percent";
  return (w.endsWith("s") ? w : `${w}s`) as DurationUnit;
}

function numberOf(text: string): number {
  return numberWords.get(text.toLowerCase()) ?? Number(text);
}

/** The quantities a wording states: a number with a unit, or a bare number after a comparison sign. */
export function wordingQuantities(wording: string): WordingQuantity[] {
  const out: WordingQuantity[] = [];
  for (const m of wording.matchAll(quantityPattern)) {
    const g = m.groups!;
    const unit = unitOf(g.unit);
    const cmp = g.cmp?.toLowerCase();
    const isWord = numberWords.has(g.n.toLowerCase());
    // A bare number is a quantity only after a sign (`≥ 6`); a spelled number only with a unit.
    if (unit === undefined && (cmp === undefined || !signs.has(cmp) || isWord)) continue;
    let direction = cmp === undefined ? undefined : comparisons.find(([w]) => w === cmp)![1];
    if (g.after) direction = /more|longer|greater/i.test(g.after) ? "lower" : "upper";
    out.push({
      text: m[0].trim(),
      start: m.index!,
      end: m.index! + m[0].length,
      values: g.n2 ? [numberOf(g.n), Number(g.n2)] : [numberOf(g.n)],
      unit,
      direction,
    });
  }
  return out;
}

const flip = (d: Direction | undefined): Direction | undefined => (d === "lower" ? "upper" : d === "upper" ? "lower" : undefined);

/** The numbers a rule holds, through the definitions it calls (not other criteria, which have wording of their own). */
function ruleQuantities(roots: readonly IrExpr[]): RuleQuantity[] {
  const out: RuleQuantity[] = [];
  const entered = new Set<unknown>();
  const literal = (e: IrExpr): { value: number; unit: DurationUnit | undefined } | undefined =>
    e.k === "num" ? { value: e.v, unit: undefined } : e.k === "dur" ? { value: e.amount, unit: e.unit } : undefined;
  // Bounded: nesting is limited to 128 levels, and each definition is entered once.
  const visit = (e: IrExpr, negated: boolean): void => {
    if (e.k === "crit") return;
    const lit = literal(e);
    if (lit) {
      out.push({ ...lit, direction: undefined });
      return;
    }
    if (e.k === "cmp") {
      const right = literal(e.b);
      const left = literal(e.a);
      const bound: Direction | undefined = e.op === ">=" || e.op === ">" ? "lower" : e.op === "<=" || e.op === "<" ? "upper" : undefined;
      if (right) out.push({ ...right, direction: negated ? flip(bound) : bound });
      if (left) out.push({ ...left, direction: negated ? bound : flip(bound) });
      if (!right) visit(e.b, negated);
      if (!left) visit(e.a, negated);
      return;
    }
    if (e.k === "within") {
      const window = literal(e.window);
      if (window) out.push({ ...window, direction: negated ? "lower" : "upper" });
      else visit(e.window, negated);
      visit(e.arg, negated);
      return;
    }
    if (e.k === "not") return visit(e.arg, !negated);
    for (const sub of subexpressions(e)) visit(sub, negated);
    if (e.k === "call" && !entered.has(e.def)) {
      entered.add(e.def);
      visit(e.def.body, negated);
    }
  };
  for (const root of roots) visit(root, false);
  return out;
}

/** A duration in a common measure, where one exists: days and weeks in days, months and years in months, hours and minutes in minutes. */
function measure(value: number, unit: DurationUnit): { scale: string; amount: number } {
  switch (unit) {
    case "weeks":
      return { scale: "days", amount: value * 7 };
    case "years":
      return { scale: "months", amount: value * 12 };
    case "hours":
      return { scale: "minutes", amount: value * 60 };
    default:
      return { scale: unit, amount: value };
  }
}

function sameQuantity(q: WordingQuantity, value: number, r: RuleQuantity): boolean {
  if (r.unit === undefined) return value === r.value;
  if (q.unit === undefined) return value === r.value;
  if (q.unit === "percent") return false;
  const a = measure(value, q.unit);
  const b = measure(r.value, r.unit);
  return a.scale === b.scale && a.amount === b.amount;
}

function describeRule(r: RuleQuantity): string {
  return r.unit === undefined ? String(r.value) : `${r.value} ${r.value === 1 ? r.unit.replace(/s$/, "") : r.unit}`;
}

/** What is wrong between a wording and its rule, one message per quantity; nothing when they agree. */
export function wordingDrift(wording: string, rule: readonly IrExpr[], readings: readonly IrReading[]): { problems: string[]; unknownFragments: string[] } {
  const fragments = readings.flatMap((r) => (r.fragment === undefined ? [] : [r.fragment]));
  const exempt: { start: number; end: number }[] = [];
  const unknownFragments: string[] = [];
  for (const fragment of fragments) {
    const at = wording.indexOf(fragment);
    if (at < 0 || fragment === "") unknownFragments.push(fragment);
    else exempt.push({ start: at, end: at + fragment.length });
  }
  const inRule = ruleQuantities(rule);
  const problems: string[] = [];
  for (const q of wordingQuantities(wording)) {
    if (exempt.some((x) => q.start < x.end && x.start < q.end)) continue;
    const matches = inRule.filter((r) => q.values.some((v) => sameQuantity(q, v, r)));
    if (matches.length === 0) {
      const numbers = [...new Set(inRule.map(describeRule))];
      const unit = q.unit === undefined || q.unit === "percent" ? "" : ` ${q.values.length === 1 && q.values[0] === 1 ? q.unit.replace(/s$/, "") : q.unit}`;
      problems.push(`the wording says '${q.text}', but the rule has no ${q.values.join(" or ")}${unit}${numbers.length ? ` (it has ${numbers.join(", ")})` : ""}`);
      continue;
    }
    if (q.direction === undefined) continue;
    const bounded = matches.filter((r) => r.direction !== undefined);
    if (bounded.length > 0 && bounded.every((r) => r.direction !== q.direction)) {
      problems.push(`the wording says '${q.text}' (${q.direction === "lower" ? "at least" : "at most"}), but the rule tests ${q.direction === "lower" ? "less than" : "more than"} ${describeRule(bounded[0])}`);
    }
  }
  return { problems, unknownFragments };
}

export const wordingDriftRule: LintRule = {
  code: "POL057",
  name: "wording and rule disagree",
  run(ctx: LintContext) {
    for (const m of ctx.library.modules) {
      if (!ctx.checked(m.file)) continue;
      const check = (owner: string, wording: string | undefined, rule: readonly (IrExpr | undefined)[], readings: readonly IrReading[], line: number) => {
        if (!wording) return;
        const { problems, unknownFragments } = wordingDrift(
          wording,
          rule.filter((e): e is IrExpr => e !== undefined),
          readings,
        );
        for (const problem of problems) {
          ctx.report("POL057", ctx.at(m.file, line), `in ${owner}: ${problem}`, {
            hint: 'make the rule say what the wording says; if the difference is meant, say why with reading of "…": "…" before it',
          });
        }
        for (const fragment of unknownFragments) {
          ctx.report("POL057", ctx.at(m.file, line), `in ${owner}: a reading is of '${fragment}', which the wording does not contain`, { hint: "quote the part of the wording the reading is about, word for word" });
        }
      };
      for (const r of m.requirements) if (r.test) check(`${r.role} '${r.id}'`, r.wording, [r.when, r.test], r.readings, r.line);
      for (const d of m.definitions) check(`definition '${d.name}'`, d.wording, [d.body], d.readings, d.line);
    }
  },
};
