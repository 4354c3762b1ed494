/**
 * NIA_CG_300 (with its Washington overlay) encoded for json-rules-engine 7, the alternative the
 * evaluator benchmark compares against.
 *
 * json-rules-engine is two-valued: a condition holds or it does not, and an undefined fact makes
 * every operator false. The policy is three-valued (an undocumented fact is unknown, not false),
 * so each criterion is encoded "dual-rail": a named condition `NAME:T` that holds when the
 * criterion is surely met and `NAME:F` when it surely fails; when neither holds it is unknown.
 * `and`, `or`, `not` and `when` combine the rails (T(a and b) = T(a) ∧ T(b), F(a and b) =
 * F(a) ∨ F(b), T(not a) = F(a), …), which is exactly Kleene's logic that the runtime uses.
 *
 * - Facts: the request's facts, flattened to one json-rules-engine fact per path
 *   (`pain.average`), plus the member's `state`.
 * - Derived facts (dynamic facts): the date of service as a day number, calendar arithmetic on
 *   durations, one `therapy` fact that asks the policy's questions over the courses of
 *   conservative therapy (three-valued, exposed as `therapy.*`), and one `history` fact that works out the
 *   epidural injections in the region and in the episode of care (recent_run, surgery and new
 *   pathology) with three-valued membership, exposed as `history.*` facts (count ranges lo/hi,
 *   latest/earliest injection tests, the every/exists questions over the history).
 * - Custom operators: `sameState` (case-insensitive state code), `isOneOf` / `isNoneOf` /
 *   `isNot` (the built-in `notIn` and `notEqual` are true for an undefined fact, which would turn
 *   unknown into met).
 * - Rules: one per outcome, with the runtime's precedence as rule priorities (excluded, then
 *   does-not-meet, then meets, otherwise needs-info); the first that fires stops the run.
 *
 * Only the outcome is produced: the unmet criteria and missing facts are not (the dual-rail
 * encoding tells whether a criterion is unknown but not which facts make it so).
 */
import { Engine, type TopLevelCondition } from "json-rules-engine";
import type { Input } from "../generated/nia-cg-300.js";
import { addLength, parseIsoDate, type Length } from "../runtime/dates.js";

export type Outcome = "meets" | "does-not-meet" | "excluded" | "not-covered" | "needs-info";

// ── Conditions, dual-rail ────────────────────────────────────────────────────────────────────

// json-rules-engine's own condition types are stricter than what it accepts at run time.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Cond = any;
interface Rail {
  readonly t: Cond;
  readonly f: Cond;
}

const fact = (id: string, operator: string, value: unknown): Cond => ({ fact: id, operator, value });
const ref = (id: string) => ({ fact: id });
/** A yes/no fact (or a derived one that is true, false or undefined for unknown). */
const yesNo = (id: string): Rail => ({ t: fact(id, "equal", true), f: fact(id, "equal", false) });
const AND = (...rs: Rail[]): Rail => ({ t: { all: rs.map((r) => r.t) }, f: { any: rs.map((r) => r.f) } });
const OR = (...rs: Rail[]): Rail => ({ t: { any: rs.map((r) => r.t) }, f: { all: rs.map((r) => r.f) } });
const NOT = (r: Rail): Rail => ({ t: r.f, f: r.t });
/** A criterion with `when`: met (not applicable) when the condition surely fails. */
const WHEN = (when: Rail, rule: Rail): Rail => ({ t: { any: [when.f, rule.t] }, f: { all: [when.t, rule.f] } });
/** A count known to lie in lo…hi (the facts `${prefix}Lo`, `${prefix}Hi`; undefined when unknown). */
const count = (prefix: string) => ({
  lt: (k: number): Rail => ({ t: fact(`${prefix}Hi`, "lessThan", k), f: fact(`${prefix}Lo`, "greaterThanInclusive", k) }),
  ge: (k: number): Rail => ({ t: fact(`${prefix}Lo`, "greaterThanInclusive", k), f: fact(`${prefix}Hi`, "lessThan", k) }),
  isZero: (): Rail => ({ t: fact(`${prefix}Hi`, "lessThanInclusive", 0), f: fact(`${prefix}Lo`, "greaterThan", 0) }),
});

// ── Derived facts ────────────────────────────────────────────────────────────────────────────

type Tv = boolean | undefined;
const tand = (...xs: Tv[]): Tv => (xs.includes(false) ? false : xs.includes(undefined) ? undefined : true);
const tor = (...xs: Tv[]): Tv => (xs.includes(true) ? true : xs.includes(undefined) ? undefined : false);
const tnot = (x: Tv): Tv => (x === undefined ? undefined : !x);
const known = <V>(v: V | null | undefined): v is V => v !== undefined && v !== null;
const lumbosacral = (r: string) => r === "lumbar" || r === "sacral";

type Procedure = NonNullable<Input["prior_procedures"]>[number];
interface Item {
  readonly p: Procedure;
  readonly day: number;
  readonly m: Tv;
}

function sameRegion(a: string | null | undefined, b: string | null | undefined): Tv {
  const e = known(a) && known(b) ? a === b : undefined;
  if (e === true) return true;
  return tor(e, tand(known(a) ? lumbosacral(a) : undefined, known(b) ? lumbosacral(b) : undefined));
}
const kindIs = (p: Procedure, ...kinds: string[]): Tv => (known(p.kind) ? kinds.includes(p.kind) : undefined);
const range = (ms: readonly Tv[]) => {
  const lo = ms.filter((m) => m === true).length;
  return { lo, hi: lo + ms.filter((m) => m === undefined).length };
};
/** latest/earliest: the item, null when none matches, "unknown" when an uncertain entry could be it. */
function extreme(items: readonly Item[], latest: boolean): Item | null | "unknown" {
  let best: Item | undefined;
  for (const x of items) if (x.m === true && (!best || (latest ? x.day > best.day : x.day < best.day))) best = x;
  if (items.some((x) => x.m === undefined && (!best || (latest ? x.day >= best.day : x.day <= best.day)))) return "unknown";
  return best ?? null;
}

const historyKeys = [
  "episodeCountLo",
  "episodeCountHi",
  "inFirstYear",
  "latestSpacedTwoWeeks",
  "latestRelief30",
  "latestFunctionalImprovement",
  "everyTherapeuticRelieved",
  "within12Lo",
  "within12Hi",
  "within6Lo",
  "within6Hi",
  "regionCountLo",
  "regionCountHi",
  "regionMeaningfulImprovement",
  "otherRegionWithin7Days",
  "sameDayAllowed",
  "priorSpinalInjectionInRegion",
] as const;
type History = { [K in (typeof historyKeys)[number]]: number | Tv };

/** Everything the policy asks of the procedure history, three-valued (undefined = unknown). */
function analyseHistory(
  list: readonly Procedure[] | null | undefined,
  region: string | undefined,
  newPathology: Tv,
  sameDayReason: Tv,
  cyst: Tv,
  dos: number,
): History | undefined {
  if (!known(list)) return undefined;
  const all = list.map((p) => ({ p, day: parseIsoDate(p.date)! }));
  // region_injections
  const ri: Item[] = [];
  for (const x of all) {
    const m = tand(kindIs(x.p, "epidural_injection"), sameRegion(x.p.region, region));
    if (m !== false) ri.push({ ...x, m });
  }
  // recent_run(region_injections, 2 years)
  const dated = ri.filter((x) => x.day <= dos).sort((a, b) => b.day - a.day);
  const walk = (entries: readonly Item[]) => {
    const run = new Set<Item>();
    let cursor = dos;
    for (const x of entries) {
      if (addLength(x.day, { amount: 2, unit: "years" }, 1) <= cursor) break;
      run.add(x);
      cursor = x.day;
    }
    return run;
  };
  const widest = walk(dated);
  const surest = walk(dated.filter((x) => x.m === true));
  const run = dated.filter((x) => widest.has(x)).map((x) => (surest.has(x) || x.m !== true ? x : { ...x, m: undefined }));
  // episode_injections: no new pathology and no surgery on the region after the injection
  const episode: Item[] = [];
  for (const x of run.reverse()) {
    const surgeryAfter = tor(...all.filter((s) => s.day > x.day).map((s) => tand(kindIs(s.p, "spinal_surgery"), sameRegion(s.p.region, region))));
    const m = tand(x.m, tnot(newPathology), tnot(surgeryAfter));
    if (m !== false) episode.push({ ...x, m });
  }
  const ep = range(episode.map((x) => x.m));
  const first = extreme(episode, false);
  const last = extreme(episode, true);
  const pick = (f: (x: Item) => Tv): Tv => (last === "unknown" ? undefined : last === null ? false : f(last));
  const twoMonthsBack = addLength(dos, { amount: 2, unit: "months" }, -1);
  const within = (months: number) => {
    const start = addLength(dos, { amount: months, unit: "months" }, -1);
    return range(ri.map((x) => (x.day >= start && x.day <= dos ? x.m : false)));
  };
  const w12 = within(12);
  const w6 = within(6);
  const rc = range(ri.map((x) => x.m));
  return {
    episodeCountLo: ep.lo,
    episodeCountHi: ep.hi,
    inFirstYear: first === "unknown" ? undefined : first === null ? false : dos < addLength(first.day, { amount: 1, unit: "years" }, 1),
    latestSpacedTwoWeeks: pick((x) => dos >= x.day + 14),
    latestRelief30: pick((x) => (known(x.p.relief_percent) ? x.p.relief_percent >= 30 : undefined)),
    latestFunctionalImprovement: pick((x) => x.p.functional_improvement ?? undefined),
    // every(p in therapeutic_of(after_initial_phase_injections): …): from the 3rd injection of the
    // episode on, therapeutic as charted or, when not, more than local anesthetic.
    everyTherapeuticRelieved: tand(
      ...episode.map((x) =>
        tor(
          tnot(
            tand(
              x.m,
              atLeast(range(episode.filter((q) => q.day < x.day).map((q) => q.m)), 2),
              known(x.p.therapeutic) ? x.p.therapeutic : tnot(x.p.local_anesthetic_only ?? undefined),
            ),
          ),
          tand(
            tor(known(x.p.relief_percent) ? x.p.relief_percent >= 50 : undefined, x.p.functional_improvement ?? undefined),
            known(x.p.relief_duration) ? addLength(dos, x.p.relief_duration as Length, -1) <= twoMonthsBack : undefined,
          ),
        ),
      ),
    ),
    within12Lo: w12.lo,
    within12Hi: w12.hi,
    within6Lo: w6.lo,
    within6Hi: w6.hi,
    regionCountLo: rc.lo,
    regionCountHi: rc.hi,
    regionMeaningfulImprovement: tor(...ri.map((x) => tand(x.m, x.p.clinically_meaningful_improvement ?? undefined))),
    otherRegionWithin7Days: tor(...all.filter((x) => dos < x.day + 7).map((x) => tand(kindIs(x.p, "epidural_injection"), tnot(sameRegion(x.p.region, region))))),
    sameDayAllowed: tand(
      ...all
        .filter((x) => x.day === dos)
        .map((x) => {
          const inc = known(x.p.kind) ? x.p.kind !== "spinal_surgery" : undefined;
          const sr = sameRegion(x.p.region, region);
          return tor(tnot(inc), tor(tand(tnot(sr), sameDayReason), tand(sr, kindIs(x.p, "epidural_injection")), tand(sr, cyst, kindIs(x.p, "facet_injection"))));
        }),
    ),
    priorSpinalInjectionInRegion: tor(...all.map((x) => tand(kindIs(x.p, "epidural_injection", "facet_injection", "medial_branch_block", "sacroiliac_injection", "intrathecal_trial"), sameRegion(x.p.region, region)))),
  };
}
/** count(…) >= k over a count range. */
const atLeast = (r: { lo: number; hi: number }, k: number): Tv => (r.lo >= k ? true : r.hi < k ? false : undefined);

type Course = NonNullable<NonNullable<Input["conservative_therapy"]>["courses"]>[number];
const therapyKeys = ["twoWeeks", "sixWeeks", "anyOngoing", "ongoingActive", "anyFailed"] as const;
type Therapy = { [K in (typeof therapyKeys)[number]]: Tv };

/** The questions over the courses of conservative therapy, each an exists(…) over the courses. */
function analyseTherapy(courses: readonly Course[] | null | undefined, dos: number): Therapy | undefined {
  if (!known(courses)) return undefined;
  const windowStart = addLength(dos, { amount: 6, unit: "months" }, -1);
  const lasted = (c: Course, days: number): Tv => (known(c.start) && known(c.end) ? parseIsoDate(c.end)! >= Math.max(parseIsoDate(c.start)!, windowStart) + days : undefined);
  const v = (x: boolean | null | undefined): Tv => x ?? undefined;
  const active = (c: Course) => tand(v(c.targets_treated_region), tor(v(c.physical_therapy), v(c.chiropractic_care), tand(v(c.home_exercise_prescription), tor(v(c.home_exercise_completion_documented), v(c.home_exercise_inability_medical_reason)))));
  const ongoing = (c: Course): Tv => (known(c.end) ? parseIsoDate(c.end)! >= dos : undefined);
  return {
    twoWeeks: tor(...courses.map((c) => tand(v(c.failed), lasted(c, 14)))),
    sixWeeks: tor(...courses.map((c) => tand(active(c), v(c.inactive_components), v(c.failed), lasted(c, 42)))),
    anyOngoing: tor(...courses.map(ongoing)),
    ongoingActive: tor(...courses.map((c) => tand(ongoing(c), v(c.targets_treated_region), tor(v(c.physical_therapy), v(c.chiropractic_care), v(c.home_exercise_prescription))))),
    anyFailed: tor(...courses.map((c) => v(c.failed))),
  };
}

// ── The engine ───────────────────────────────────────────────────────────────────────────────

const groups = new Set(["request", "pain", "conservative_therapy", "diagnosis", "epidural", "purpose", "findings"]);

/** The request's facts as json-rules-engine runtime facts, one per path. */
function runtimeFacts(input: Input, state: string | undefined): Record<string, unknown> {
  const facts: Record<string, unknown> = { state };
  for (const [key, value] of Object.entries(input)) {
    if (groups.has(key) && value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) facts[`${key}.${k}`] = v;
    } else facts[key] = value;
  }
  // Findings the policy reads as absent unless documented (its exclusions, contraindications and
  // the Washington carve-out): left out, they are false.
  for (const path of absentUnlessDocumented) if (facts[path] === undefined || facts[path] === null) facts[path] = false;
  return facts;
}

const absentUnlessDocumented = [
  "purpose.intrathecal_before_pump",
  "purpose.chemotherapy_catheter",
  "purpose.postoperative_pain_control",
  "purpose.surgical_anesthesia",
  "findings.active_infection",
  "findings.puncture_site_infection",
  "findings.severe_stenosis_obstruction",
  "systemic_inflammatory_disease",
];

export function buildEngine(): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });

  engine.addOperator("sameState", (a: unknown, b: string) => typeof a === "string" && a.toUpperCase() === b.toUpperCase());
  engine.addOperator("isOneOf", (a: unknown, b: unknown[]) => known(a) && b.includes(a));
  engine.addOperator("isNoneOf", (a: unknown, b: unknown[]) => known(a) && !b.includes(a));
  engine.addOperator("isNot", (a: unknown, b: unknown) => known(a) && a !== b);

  // Derived facts.
  engine.addFact("dos", async (_p, almanac) => parseIsoDate(await almanac.factValue<string>("date_of_service")));
  engine.addFact("painBack", async (_p, almanac) => {
    const d = await almanac.factValue<Length | null | undefined>("pain.duration");
    return known(d) ? addLength(await almanac.factValue<number>("dos"), d, -1) : undefined;
  });
  engine.addFact("dosMinus3Months", async (_p, almanac) => addLength(await almanac.factValue<number>("dos"), { amount: 3, unit: "months" }, -1));
  engine.addFact("therapy", async (_p, almanac) => analyseTherapy(await almanac.factValue<Course[] | null>("conservative_therapy.courses"), await almanac.factValue<number>("dos")));
  for (const key of therapyKeys) engine.addFact(`therapy.${key}`, async (_p, almanac) => (await almanac.factValue<Therapy | undefined>("therapy"))?.[key]);
  engine.addFact("history", async (_p, almanac) =>
    analyseHistory(
      await almanac.factValue<Procedure[] | null>("prior_procedures"),
      (await almanac.factValue<string | null>("request.region")) ?? undefined,
      (await almanac.factValue<boolean | null>("new_pathology")) ?? undefined,
      (await almanac.factValue<boolean | null>("same_day_medical_reason")) ?? undefined,
      (await almanac.factValue<boolean | null>("synovial_cyst_confirmed_on_imaging")) ?? undefined,
      await almanac.factValue<number>("dos"),
    ),
  );
  for (const key of historyKeys) engine.addFact(`history.${key}`, async (_p, almanac) => (await almanac.factValue<History | undefined>("history"))?.[key]);

  // Named conditions, so that each criterion is written once and referenced.
  const named = (name: string, r: Rail): Rail => {
    const root = (c: Cond): TopLevelCondition => ("all" in c || "any" in c || "not" in c || "condition" in c ? c : { all: [c] });
    engine.setCondition(`${name}:T`, root(r.t));
    engine.setCondition(`${name}:F`, root(r.f));
    return { t: { condition: `${name}:T` }, f: { condition: `${name}:F` } };
  };

  const episodeCount = count("history.episodeCount");
  const initial = named("initial_request", episodeCount.isZero());
  const initialPhase = named("in_initial_phase", AND(episodeCount.ge(1), episodeCount.lt(3)));
  const firstYear = named("in_first_year", yesNo("history.inFirstYear"));
  const severe = named("severe_pain", OR(yesNo("pain.functional_disability"), { t: fact("pain.average", "greaterThanInclusive", 6), f: fact("pain.average", "lessThan", 6) }));
  const reasonNotDone = yesNo("conservative_therapy.medical_reason_not_done");
  const approachIsTransforaminal: Rail = { t: fact("epidural.approach", "equal", "transforaminal"), f: fact("epidural.approach", "isNot", "transforaminal") };

  // INDICATIONS (when initial_request)
  const acute = AND(
    yesNo("pain.acute_radicular_symptoms"),
    severe,
    { t: fact("painBack", "greaterThan", ref("dosMinus3Months")), f: fact("painBack", "lessThanInclusive", ref("dosMinus3Months")) },
    OR(yesNo("therapy.twoWeeks"), reasonNotDone),
  );
  const sixWeeks = named(
    "conservative_six_weeks",
    OR(yesNo("therapy.sixWeeks"), reasonNotDone, AND(yesNo("therapy.anyOngoing"), yesNo("history.priorSpinalInjectionInRegion"))),
  );
  const stenosis = AND(yesNo("diagnosis.spinal_stenosis"), severe, sixWeeks);
  const failedBackSurgery = AND(yesNo("diagnosis.failed_back_surgery"), severe, yesNo("injection_medical_reason"), sixWeeks);
  const surgicalPlanning = AND(AND(yesNo("diagnosis.surgical_planning"), approachIsTransforaminal), severe, yesNo("preoperative_evaluation_and_plan"));
  const indications = named("indications", WHEN(initial, OR(acute, stenosis, failedBackSurgery, surgicalPlanning)));

  // NOTE
  const twoLevels = named("two_transforaminal_levels", OR(NOT(approachIsTransforaminal), { t: fact("epidural.levels", "lessThanInclusive", 2), f: fact("epidural.levels", "greaterThan", 2) }));

  // INDICATIONS FOR REPEAT INJECTIONS
  const spaced = yesNo("history.latestSpacedTwoWeeks");
  const oneOf = OR(
    WHEN(initialPhase, AND(spaced, OR(yesNo("history.latestRelief30"), yesNo("history.latestFunctionalImprovement")))),
    WHEN(initialPhase, AND(spaced, yesNo("unsuccessful_injection_retry"), yesNo("pain_generator_in_question"))),
  );
  const within12 = count("history.within12");
  const repeat = named(
    "repeat_injections",
    AND(
      oneOf,
      WHEN(AND(NOT(initial), NOT(initialPhase)), yesNo("history.everyTherapeuticRelieved")),
      WHEN(NOT(initial), severe),
      WHEN(NOT(initial), OR(yesNo("therapy.ongoingActive"), reasonNotDone)),
      WHEN(AND(NOT(initial), firstYear), episodeCount.lt(6)),
      WHEN(AND(NOT(initial), NOT(firstYear)), OR(within12.lt(4), AND(yesNo("special_circumstances"), within12.lt(6)))),
      OR(NOT(yesNo("history.otherRegionWithin7Days")), yesNo("different_region_medical_reason"), yesNo("same_day_medical_reason")),
      yesNo("history.sameDayAllowed"),
    ),
  );

  const excluded = named("excluded", OR(...["intrathecal_before_pump", "chemotherapy_catheter", "postoperative_pain_control", "surgical_anesthesia"].map((f) => yesNo(`purpose.${f}`))));
  const contraindicated = named("contraindicated", OR(...["active_infection", "puncture_site_infection", "severe_stenosis_obstruction"].map((f) => yesNo(`findings.${f}`))));

  // Washington overlay
  const inWashington = fact("state", "sameState", "WA");
  const waWhen = AND(NOT(yesNo("systemic_inflammatory_disease")), yesNo("request.therapeutic"), {
    t: fact("painBack", "lessThanInclusive", ref("dosMinus3Months")),
    f: fact("painBack", "greaterThan", ref("dosMinus3Months")),
  });
  const waCoverage = AND(
    yesNo("radicular_pain"),
    { t: fact("request.image_guidance", "isOneOf", ["fluoroscopy", "ct"]), f: fact("request.image_guidance", "isNoneOf", ["fluoroscopy", "ct"]) },
    yesNo("therapy.anyFailed"),
    OR(count("history.regionCount").lt(2), yesNo("history.regionMeaningfulImprovement")),
    count("history.within6").lt(3),
  );
  const washington = named("washington", WHEN(waWhen, waCoverage));

  const satisfied = named("satisfied", {
    t: { all: [indications.t, twoLevels.t, repeat.t, { any: [{ not: inWashington }, washington.t] }] },
    f: { any: [indications.f, twoLevels.f, repeat.f, { all: [inWashington, washington.f] }] },
  });

  // One rule per outcome, by priority: the engine evaluates a lower priority only when no higher
  // one fired (each rule stops the run when it fires), so a request is decided by the first
  // outcome that surely holds, as in the runtime.
  const rule = (outcome: Outcome, priority: number, conditions: TopLevelCondition) =>
    engine.addRule({ name: outcome, priority, conditions, event: { type: outcome }, onSuccess: () => void engine.stop() });
  rule("excluded", 4, { all: [excluded.t] });
  rule("does-not-meet", 3, { any: [contraindicated.t, satisfied.f] });
  rule("meets", 2, { all: [excluded.f, contraindicated.f, satisfied.t] });
  rule("needs-info", 1, { all: [] });
  return engine;
}

/** An evaluator backed by one engine: `await evaluate(input, state)` gives the outcome. */
export function createJreEvaluator(): (input: Input, state?: string) => Promise<Outcome> {
  const engine = buildEngine();
  return async (input, state) => {
    const { events } = await engine.run(runtimeFacts(input, state));
    if (events.length !== 1) throw new Error(`json-rules-engine: expected one outcome, got ${events.map((e) => e.type).join(", ") || "none"}`);
    return events[0].type as Outcome;
  };
}
