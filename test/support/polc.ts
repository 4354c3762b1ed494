/** polc run in this process, as a user runs it from a shell: its exit code and what it printed. */
import { main } from "../../compiler/cli/main.js";

export interface PolcRun {
  code: number;
  out: string;
  err: string;
}

export async function polc(...args: string[]): Promise<PolcRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "polc", ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}
