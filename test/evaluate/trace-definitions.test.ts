/**
 * The facts a definition read are listed in the trace of every criterion that uses its value,
 * once, where first read, however often the value is used: inside a question over the history
 * (once per entry), through another definition, or with arguments. The trace keeps a worked-out
 * definition's reads as one group that each use refers to (runtime/context.ts), so a use costs
 * the same whatever the definition read; these are the lists that must come out of it.
 */
import { describe, expect, it } from "vitest";
import { loadPolicy } from "../support/policies.js";
import { evaluate } from "../../runtime/determine.js";

const source = `
enum region { cervical, lumbar }
record visit { date: date "Date" region: region "Region" }
fact visits: list of visit "Visits"
fact flag: boolean "Flag"
define first_lumbar "The first lumbar visit": earliest(v in visits where v.region = lumbar)
define after_first "Visits after the first lumbar one": select(v in visits where v.date after first_lumbar.date)
define in_region(l: list of visit, r: region) "Visits in a region": count(v in l where v.region = r)
policy P "Probe" {
  version "1"
  requirements "R" {
    criterion two_after "two visits after the first lumbar one": count(v in visits where v.date after first_lumbar.date) >= 2
    criterion flagged_after "flagged, or a visit after the first lumbar one": flag or count(p in after_first) >= 1
    criterion cervical_after "a cervical visit after the first lumbar one": in_region(after_first, cervical) >= 1
    criterion cervical_again "a cervical visit after the first lumbar one, asked again": in_region(after_first, cervical) >= 1 and in_region(after_first, cervical) < 9
  }
}
`;
const probe = loadPolicy({ "p.pol": source });
const visits = [
  { date: "2024-01-01", region: "cervical" },
  { date: "2023-01-01", region: "lumbar" },
  { date: "2022-01-01", region: "lumbar" },
  { date: "2023-06-01", region: "cervical" },
];
const reads = (flag: boolean) => {
  const d = evaluate(probe, { date_of_service: "2024-06-01", flag, visits });
  return new Map(d.trace.map((t) => [t.id, t.values.map((v) => `${v.fact}=${String(v.value)}`)]));
};

/** What `first_lumbar` reads: the list, then each entry's region and (for a lumbar one) its date. */
const firstLumbar = ["visits=4 entries", "visits[0].region=cervical", "visits[1].region=lumbar", "visits[1].date=2023-01-01", "visits[2].region=lumbar", "visits[2].date=2022-01-01", "visits[3].region=cervical"];
/** What `after_first` reads: the list, the first entry's date, then first_lumbar's reads (those not listed yet), then the other dates. */
const afterFirst = ["visits=4 entries", "visits[0].date=2024-01-01", ...firstLumbar.slice(1), "visits[3].date=2023-06-01"];

describe("a definition's facts in the trace of each criterion that uses it", () => {
  it("are listed once, where first read, though the value is used once per entry", () => {
    expect(reads(false).get("two_after")).toEqual(afterFirst);
  });

  it("are listed through a definition that uses it, and not after an operand that decided", () => {
    expect(reads(false).get("flagged_after")).toEqual(["flag=false", ...afterFirst]);
    expect(reads(true).get("flagged_after")).toEqual(["flag=true"]);
  });

  it("are listed through a definition with arguments, the same for every use of its remembered value", () => {
    const r = reads(false);
    const inRegion = [...afterFirst];
    expect(r.get("cervical_after")).toEqual(inRegion);
    expect(r.get("cervical_again")).toEqual(inRegion);
  });

  it("gives the same determination with the trace off", () => {
    for (const flag of [true, false]) {
      const { trace: _, ...traced } = evaluate(probe, { date_of_service: "2024-06-01", flag, visits });
      const { trace: __, ...untraced } = evaluate(probe, { date_of_service: "2024-06-01", flag, visits }, { trace: false });
      expect(traced).toEqual(untraced);
    }
  });
});
