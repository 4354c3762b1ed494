import { describe, expect, it } from "vitest";
import { terminalProgress, type ProgressStream } from "../../compiler/progress.js";

function fakeTerminal(isTTY: boolean, columns = 80): ProgressStream & { readonly written: string[] } {
  const written: string[] = [];
  return { isTTY, columns, written, write: (text: string) => written.push(text) };
}

describe("the progress line", () => {
  it("shows nothing when the output is not a terminal", () => {
    let clock = 0;
    const stream = fakeTerminal(false);
    const progress = terminalProgress(stream, { now: () => clock, delay: 1000, interval: 100 });
    progress.phase("running cases", 2);
    clock = 5000;
    progress.step();
    progress.finish();
    expect(stream.written).toEqual([]);
  });

  it("shows nothing for work that ends within the first second", () => {
    let clock = 0;
    const stream = fakeTerminal(true);
    const progress = terminalProgress(stream, { now: () => clock, delay: 1000, interval: 100 });
    progress.phase("running cases", 3);
    clock = 400;
    progress.step(3);
    progress.finish();
    expect(stream.written).toEqual([]);
  });

  it("draws after the first second, at most once per interval, and clears the line at the end", () => {
    let clock = 0;
    const stream = fakeTerminal(true);
    const progress = terminalProgress(stream, { now: () => clock, delay: 1000, interval: 100 });
    progress.phase("running cases", 4);
    clock = 1000;
    progress.step(); // drawn: the first second is over
    clock = 1050;
    progress.step(); // within the interval: not drawn
    clock = 1200;
    progress.step();
    progress.phase("writing generated files", 2); // a new part is always drawn
    progress.finish();
    expect(stream.written).toEqual([
      "\rrunning cases [######..................] 1/4\u001b[K",
      "\rrunning cases [##################......] 3/4\u001b[K",
      "\rwriting generated files [........................] 0/2\u001b[K",
      "\r\u001b[K",
    ]);
  });

  it("cuts the line to the terminal's width, so that it never wraps", () => {
    let clock = 0;
    const stream = fakeTerminal(true, 20);
    const progress = terminalProgress(stream, { now: () => clock, delay: 1000, interval: 100 });
    clock = 2000;
    progress.phase("running cases", 10);
    expect(stream.written).toEqual(["\rrunning cases [....\u001b[K"]);
  });

  it("takes 80 columns where the terminal gives its width as 0", () => {
    let clock = 0;
    const stream = fakeTerminal(true, 0);
    const progress = terminalProgress(stream, { now: () => clock, delay: 1000, interval: 100 });
    clock = 1500;
    progress.phase("writing generated files", 40);
    expect(stream.written).toEqual(["\rwriting generated files [........................] 0/40\u001b[K"]);
  });
});
