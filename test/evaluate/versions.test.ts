/** The version of a policy in force on the date of service decides; a date no version covers is an input error naming the periods. */
import { describe, expect, it } from "vitest";
import { versionInForce } from "../../runtime/versions.js";
import { InputError } from "../../runtime/validate.js";
import type { PolicyMetadata } from "../../runtime/policy.js";

const version = (v: string, from: string, to: string): { metadata: PolicyMetadata } => ({
  metadata: { id: "NIA_CG_300", title: "Epidural Spine Injections", version: v, effective: { from, to }, cpt: [], overlays: [], source: "cg300.pol" },
});
const v2023 = version("2023", "2023-01-01", "2023-12-31");
const v2024 = version("2024", "2024-01-01", "2024-12-31");

describe("the version in force on the date of service", () => {
  it("is the one whose effective period holds the date, first and last days included", () => {
    expect(versionInForce([v2023, v2024], "2023-12-31")).toBe(v2023);
    expect(versionInForce([v2023, v2024], "2024-01-01")).toBe(v2024);
    expect(versionInForce([v2023, v2024], "2024-12-31")).toBe(v2024);
  });

  it("is the only one when the library holds one, whatever the date", () => {
    expect(versionInForce([v2024], "2025-06-01")).toBe(v2024);
  });

  it("is an input error naming the periods when no version covers the date", () => {
    let error: unknown;
    try {
      versionInForce([v2023, v2024], "2025-01-01");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems).toEqual([{ path: "date_of_service", message: "expected a date in the effective period of a version of NIA_CG_300 (version 2023: 2023-01-01 to 2023-12-31; version 2024: 2024-01-01 to 2024-12-31), got 2025-01-01" }]);
    expect(() => versionInForce([v2023, v2024], "2024-02-30")).toThrow(InputError);
  });
});
