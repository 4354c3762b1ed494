/**
 * The library stays formatted: `polc fmt --check policies` finds nothing to change (every file is
 * a fixed point of the formatter at the library's print width). Run `polc fmt` to format a file.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../compiler/cli/main.js";
import { readLibrary } from "../support/library.js";

describe("the policy library", () => {
  it("is formatted as polc fmt formats it", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["node", "polc", "fmt", "--check", "policies"], { out: (t) => out.push(t), err: (t) => err.push(t) });
    expect({ code, out: out.join("\n"), err: err.join("\n") }).toEqual({
      code: 0,
      out: `all ${Object.keys(readLibrary()).length} files formatted`,
      err: "",
    });
  });
});
