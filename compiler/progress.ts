/**
 * A progress line for commands that can run for more than a second (build, test): drawn on a
 * terminal only, and only once the command has run for a second, so quick runs and output that
 * goes to a file or a pipe never show it. Steps are reported synchronously (running case files
 * blocks the event loop), so drawing is throttled by the clock, not by a timer.
 */

export interface Progress {
  /** Starts a part of the work: what it is ("formatting", "running cases") and how many steps it has. */
  phase(label: string, total: number): void;
  /** One or more steps of the current part are done. */
  step(count?: number): void;
  /** The work is over: the line is cleared. */
  finish(): void;
}

/** For callers with nothing to show. */
export const noProgress: Progress = { phase() {}, step() {}, finish() {} };

/** What a progress line needs of its stream. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressTiming {
  /** Milliseconds since some fixed point. */
  readonly now: () => number;
  /** Nothing is drawn before this many milliseconds. */
  readonly delay: number;
  /** At most one redraw per this many milliseconds. */
  readonly interval: number;
}

const defaultTiming: ProgressTiming = { now: () => performance.now(), delay: 1000, interval: 100 };
const barWidth = 24;
const clearToEnd = "\u001b[K";

export function terminalProgress(stream: ProgressStream = process.stderr, timing: ProgressTiming = defaultTiming): Progress {
  if (!stream.isTTY) return noProgress;
  const started = timing.now();
  let lastDrawn = -Infinity;
  let shown = false;
  let label = "";
  let total = 0;
  let done = 0;

  const draw = (force: boolean) => {
    const at = timing.now();
    if (at - started < timing.delay) return;
    if (!force && at - lastDrawn < timing.interval) return;
    lastDrawn = at;
    shown = true;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(fraction * barWidth);
    const line = `${label} [${"#".repeat(filled)}${".".repeat(barWidth - filled)}] ${done}/${total}`;
    // A line longer than the terminal would wrap, and `\r` would then redraw only its last part.
    const width = stream.columns || 80; // 0 where the terminal does not say
    stream.write(`\r${line.length < width ? line : line.slice(0, Math.max(0, width - 1))}${clearToEnd}`);
  };

  return {
    phase(newLabel, newTotal) {
      label = newLabel;
      total = newTotal;
      done = 0;
      draw(true);
    },
    step(count = 1) {
      done += count;
      draw(false);
    },
    finish() {
      if (shown) stream.write(`\r${clearToEnd}`);
      shown = false;
    },
  };
}
