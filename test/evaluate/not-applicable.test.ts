/**
 * Not applicable is a value of its own: a bullet whose `when` does not hold leaves its list, a list
 * with no applicable bullet is not applicable, and a pathway that is not applicable is never the
 * way a request meets. In a requirements section a not-applicable item requires nothing.
 */
import { describe, it } from "vitest";
import type { Determination } from "../../runtime/determination.js";
import { evaluateSource, expectDetermination } from "../support/policies.js";

const facts = `
fact first_block: boolean "A first diagnostic block was done"
fact second_relief: boolean "At least 80% relief after the first block"
fact imaging: boolean "Imaging guidance is documented"
fact a: boolean "Finding a"
fact b: boolean "Finding b"
fact c: boolean "Finding c"
`;

function run(policyBody: string, input: Readonly<Record<string, unknown>>): Determination {
  return evaluateSource(`${facts}\npolicy P "Probe" {\n  version "1"\n${policyBody}\n}\n`, { date_of_service: "2024-06-01", ...input });
}

describe("a pathway that does not apply", () => {
  const indications = `
  indications "INDICATIONS" {
    pathway second_block "A second confirmatory block" when first_block: all of {
      criterion relief "80% relief after the first block": second_relief
    }
    pathway imaging_only "Imaging guidance": imaging
  }`;

  it("is never the way a request meets, and shows as not applicable", () => {
    expectDetermination(run(indications, { first_block: false, imaging: false }), {
      outcome: "does-not-meet",
      pathway: null,
      results: { second_block: "not-applicable", imaging_only: "false" },
      unmet: ["imaging_only"],
    });
  });

  it("meets when it applies and its criteria hold", () => {
    expectDetermination(run(indications, { first_block: true, second_relief: true, imaging: false }), { outcome: "meets", pathway: "second_block", results: { second_block: "true" } });
  });

  it("whose applicability is undocumented cannot approve: the facts that decide it are missing", () => {
    expectDetermination(run(indications, { second_relief: true, imaging: false }), { outcome: "needs-info", pathway: null, missing: ["first_block"] });
  });

  it("whose criteria all do not apply is not applicable itself", () => {
    const body = `
  indications "INDICATIONS" {
    pathway p1 "Pathway one": all of {
      criterion only_when_a "Only when a" when a: b
    }
    pathway p2 "Pathway two": c
  }`;
    expectDetermination(run(body, { a: false, b: true, c: false }), { outcome: "does-not-meet", pathway: null, results: { p1: "not-applicable", only_when_a: "not-applicable", p2: "false" } });
  });
});

describe("lists leave out bullets that do not apply", () => {
  const requirement = (list: string) => `
  requirements "R" {
    criterion listed "The list": ${list} {
      criterion ca "A applies when b" when b: a
      criterion cc "C" : c
    }
  }`;

  it("ONE of: a bullet that does not apply does not make the list met", () => {
    expectDetermination(run(requirement("any of"), { b: false, c: false }), { outcome: "does-not-meet", results: { ca: "not-applicable", listed: "false" }, unmet: ["cc"] });
    expectDetermination(run(requirement("any of"), { b: false, c: true }), { outcome: "meets", results: { listed: "true" } });
  });

  it("ALL of: it requires nothing", () => {
    expectDetermination(run(requirement("all of"), { b: false, c: true }), { outcome: "meets", results: { ca: "not-applicable", listed: "true" } });
  });

  it("at least N of: it counts neither for nor against", () => {
    const body = `
  requirements "R" {
    criterion two "Two of" : at least 2 of {
      criterion ca "A when b" when b: a
      criterion cc "C": c
      criterion cb "B": b
    }
  }`;
    // With b false, only two bullets apply (cc and cb), and one of them fails.
    expectDetermination(run(body, { a: true, b: false, c: true }), { outcome: "does-not-meet", results: { ca: "not-applicable", two: "false" } });
    expectDetermination(run(body, { a: true, b: true, c: false }), { outcome: "meets", results: { two: "true" } });
  });

  it("a list with no applicable bullet is not applicable, and a requirements section asks nothing of it", () => {
    const body = `
  requirements "R" {
    criterion nothing_applies "Nothing applies": any of {
      criterion ca "A when b" when b: a
      criterion cc "C when b" when b: c
    }
  }`;
    expectDetermination(run(body, { b: false }), { outcome: "meets", results: { nothing_applies: "not-applicable" } });
  });

  it("bullets that share one undocumented when apply together or not at all", () => {
    // If b holds, ca is met and the list is met; if not, neither bullet applies. Either way the list holds.
    const body = `
  requirements "R" {
    criterion shared "Shared": any of {
      criterion ca "A when b" when b: a
      criterion cc "C when b" when b: c
    }
  }`;
    expectDetermination(run(body, { a: true, c: false }), { outcome: "meets" });
    // With a false, the list fails when b holds: b decides.
    expectDetermination(run(body, { a: false, c: false }), { outcome: "needs-info", missing: ["b"] });
  });
});

describe("exclusions", () => {
  it("an exclusion that does not apply excludes nothing", () => {
    const body = `
  requirements "R" { criterion cc "C": c }
  exclusions "EXCLUSIONS" {
    criterion ex "Excluded when a and b" when a: b
  }`;
    expectDetermination(run(body, { a: false, b: true, c: true }), { outcome: "meets", results: { ex: "not-applicable" } });
    expectDetermination(run(body, { a: true, b: true, c: true }), { outcome: "excluded", unmet: ["ex"] });
  });
});
