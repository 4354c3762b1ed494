/**
 * How the benchmark prints its figures (`name: value unit`, one a line, for scripts to read) and
 * summarises samples; shared by run.ts and evaluators.ts, which run in separate processes.
 */

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Prints one figure: whole numbers from 100, then one decimal from 10, then three. */
export function printFigure(name: string, value: number, unit: string): number {
  const shown = value >= 100 ? Math.round(value).toString() : value >= 10 ? value.toFixed(1) : value.toFixed(3);
  console.log(`${name}: ${shown}${unit ? ` ${unit}` : ""}`);
  return value;
}
