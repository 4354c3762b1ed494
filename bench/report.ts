/**
 * How the benchmark prints its figures (`name: value unit`, one a line, for scripts to read) and
 * summarises samples; shared by run.ts and evaluators.ts, which run in separate processes. A
 * figure of the speed issue's table carries its target after it, as a comment:
 * `ratio.trace_cost: 2.81  # target ≤ 3: met`.
 */

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Target {
  readonly op: "≤" | "<" | "≥";
  readonly value: number;
  /** How the target reads when it is not a bare number (`1 000 000 cases in < 10 s`). */
  readonly text?: string;
}

export function meets(value: number, target: Target): boolean {
  return target.op === "≤" ? value <= target.value : target.op === "<" ? value < target.value : value >= target.value;
}

/** Prints one figure: whole numbers from 100, then one decimal from 10, then three; with its target, if it has one. */
export function printFigure(name: string, value: number, unit: string, target?: Target): number {
  const shown = value >= 100 ? Math.round(value).toString() : value >= 10 ? value.toFixed(1) : value.toFixed(3);
  const goal = target ? `  # target ${target.text ?? `${target.op} ${target.value}${unit ? ` ${unit}` : ""}`}: ${meets(value, target) ? "met" : "NOT met"}` : "";
  console.log(`${name}: ${shown}${unit ? ` ${unit}` : ""}${goal}`);
  return value;
}
