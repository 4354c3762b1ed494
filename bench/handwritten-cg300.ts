/**
 * NIA_CG_300 (with its Washington overlay) written by hand in TypeScript: the practical ceiling
 * for an evaluator of this policy. Three-valued logic is done by hand: a value is `true`,
 * `false` or an `Unk` that carries the input paths it depends on, so that a needs-info outcome
 * lists exactly the facts the generated module lists.
 *
 * It returns the outcome, the sorted ids of the unmet criteria (or of the exclusions and
 * contraindications that apply) and the sorted paths of the missing facts, as the generated
 * module does. It does not validate the input (the benchmark validates nothing on this side;
 * the generated `evaluate` validates first, see bench/run.ts for both figures).
 *
 * Written from policies/nia/cg300-epidural-spine-injections.pol, policies/common/*.pol and
 * policies/washington/cg300-wa-spinal-injections.pol; the comments quote the policy's rules.
 */
import type { Input } from "../generated/nia-cg-300.js";
import { addLength, parseIsoDate } from "../runtime/dates.js";

export type Outcome = "meets" | "does-not-meet" | "excluded" | "not-covered" | "needs-info";

export interface HandResult {
  readonly outcome: Outcome;
  /** Sorted criterion ids. */
  readonly unmet: string[];
  /** Sorted fact paths (needs-info only). */
  readonly missing: string[];
}

// ── Three-valued logic ────────────────────────────────────────────────────────────────────────
//
// Written without closures in the hot path: under tsx (esbuild's keepNames), every function
// created at run time costs a call that names it.

/** Unknown, with the input paths it came from (possibly repeated; made a set at the end). */
class Unk {
  constructor(readonly m: readonly string[]) {}
}
type T = boolean | Unk;

function unk(path: string): Unk {
  return new Unk([path]);
}
function join(a: Unk, b: Unk): Unk {
  return new Unk(a.m.concat(b.m));
}
function and2(a: T, b: T): T {
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  return join(a, b);
}
function or2(a: T, b: T): T {
  if (a === true || b === true) return true;
  if (a === false) return b;
  if (b === false) return a;
  return join(a, b);
}
function and3(a: T, b: T, c: T): T {
  return a === false || b === false || c === false ? false : and2(and2(a, b), c);
}
function or3(a: T, b: T, c: T): T {
  return a === true || b === true || c === true ? true : or2(or2(a, b), c);
}
function not(a: T): T {
  return a instanceof Unk ? a : !a;
}
/** A yes/no fact: its value, or unknown naming its path. */
function fb(v: boolean | null | undefined, path: string): T {
  return v === undefined || v === null ? unk(path) : v;
}
/** A finding the policy reads as absent unless documented: false when left out. */
function absentUnlessDocumented(v: boolean | null | undefined): T {
  return v ?? false;
}
/** A criterion with `when`, given the rule's value: not applicable (met) when the condition is false. */
function applies(when: T, value: T): T {
  return when === false ? true : when === true ? value : or2(when, value);
}

/** A count over entries some of which may or may not count: from lo to hi. */
interface Range {
  readonly lo: number;
  readonly hi: number;
  readonly u: Unk;
}
type Count = number | Range | Unk;

function countMembers(list: readonly Member[]): number | Range {
  let lo = 0;
  let n = 0;
  let u: Unk | undefined;
  for (let i = 0; i < list.length; i++) {
    const m = list[i].m;
    if (m === true) lo++;
    else if (m instanceof Unk) {
      n++;
      u = u ? join(u, m) : m;
    }
  }
  return u ? { lo, hi: lo + n, u } : lo;
}
function lt(c: Count, k: number): T {
  if (c instanceof Unk) return c;
  if (typeof c === "number") return c < k;
  return c.hi < k ? true : c.lo >= k ? false : c.u;
}
function ge(c: Count, k: number): T {
  if (c instanceof Unk) return c;
  if (typeof c === "number") return c >= k;
  return c.lo >= k ? true : c.hi < k ? false : c.u;
}
function eq(c: Count, k: number): T {
  if (c instanceof Unk) return c;
  if (typeof c === "number") return c === k;
  return c.hi < k || k < c.lo ? false : c.u;
}

// ── Calendar: the runtime's calendar arithmetic, as a hand-written service would use a date library ──

/** Dates reaching here have passed validation. */
function parseDay(s: string): number {
  return parseIsoDate(s)!;
}
function addMonths(day: number, months: number): number {
  return addLength(day, { amount: months, unit: "months" }, 1);
}
const addLen = addLength;

// ── History ──────────────────────────────────────────────────────────────────────────────────

type Procedure = NonNullable<Input["prior_procedures"]>[number];
type Region = Procedure["region"];
interface Entry {
  readonly i: number;
  readonly day: number;
  readonly p: Procedure;
}
/** An entry of a selected list, with whether it belongs (true or unknown). */
interface Member {
  readonly e: Entry;
  readonly m: T;
}

function lumbosacral(r: string): boolean {
  return r === "lumbar" || r === "sacral";
}
/** same_region(p.region, request.region): equal, or both lumbar/sacral ("sacral counts with lumbar"). */
function sameRegion(e: Entry, b: Region): T {
  const a = e.p.region;
  const ua = a === undefined || a === null ? unk(`prior_procedures[${e.i}].region`) : undefined;
  const ub = b === undefined || b === null ? unk("request.region") : undefined;
  const equal: T = ua ? (ub ? join(ua, ub) : ua) : ub ? ub : a === b;
  if (equal === true) return true;
  return or2(equal, and2(ua ?? lumbosacral(a!), ub ?? lumbosacral(b!)));
}
/** p.kind = kind */
function kindIs(e: Entry, kind: string): T {
  const k = e.p.kind;
  return k === undefined || k === null ? unk(`prior_procedures[${e.i}].kind`) : k === kind;
}
const spinalInjections = new Set(["epidural_injection", "facet_injection", "medial_branch_block", "sacroiliac_injection", "intrathecal_trial"]);
/** A record field's value, or unknown naming `prior_procedures[i].field`. */
function field<K extends keyof Procedure>(e: Entry, name: K): NonNullable<Procedure[K]> | Unk {
  const v = e.p[name];
  return v === undefined || v === null ? unk(`prior_procedures[${e.i}].${name}`) : (v as NonNullable<Procedure[K]>);
}
function byDayDescending(x: Member, y: Member): number {
  return y.e.day - x.e.day;
}
/** Walks back from the date of service while each step is shorter than 2 years; how many entries it keeps. */
function walk(dated: readonly Member[], dos: number, onlySure: boolean, keep: boolean[]): void {
  let cursor = dos;
  for (let i = 0; i < dated.length; i++) {
    const x = dated[i];
    if (onlySure && x.m !== true) continue;
    if (addMonths(x.e.day, 24) <= cursor) break;
    keep[i] = true;
    cursor = x.e.day;
  }
}
/**
 * recent_run(list, 2 years): going back from the date of service, each entry is kept while it is
 * less than 2 years before the next kept one. An entry that may or may not belong can bridge a
 * gap; entries reached only through such a bridge are in the run only possibly.
 */
function recentRun(list: readonly Member[], dos: number): Member[] {
  const dated: Member[] = [];
  for (let i = 0; i < list.length; i++) if (list[i].e.day <= dos) dated.push(list[i]);
  dated.sort(byDayDescending);
  const widest: boolean[] = new Array(dated.length).fill(false);
  const surest: boolean[] = new Array(dated.length).fill(false);
  walk(dated, dos, false, widest);
  walk(dated, dos, true, surest);
  let bridges: Unk | undefined;
  for (let i = 0; i < dated.length; i++) {
    const m = dated[i].m;
    if (m instanceof Unk && widest[i]) bridges = bridges ? join(bridges, m) : m;
  }
  const out: Member[] = [];
  for (let i = dated.length - 1; i >= 0; i--) {
    if (!widest[i]) continue;
    const x = dated[i];
    out.push(surest[i] || x.m !== true ? x : { e: x.e, m: bridges ?? new Unk([]) });
  }
  return out;
}
/** latest(…) or earliest(…): the entry, `null` for none, or unknown. */
function extreme(list: readonly Member[], latest: boolean): Entry | null | Unk {
  let best: Entry | undefined;
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x.m === true && (!best || (latest ? x.e.day > best.day : x.e.day < best.day))) best = x.e;
  }
  let doubt: Unk | undefined;
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x.m instanceof Unk && (!best || (latest ? x.e.day >= best.day : x.e.day <= best.day))) doubt = doubt ? join(doubt, x.m) : x.m;
  }
  return doubt ?? best ?? null;
}
/** count(p in region_injections where p.date within last N months) */
function countWithin(list: readonly Member[] | Unk, dos: number, months: number): Count {
  if (list instanceof Unk) return list;
  const start = addMonths(dos, -months);
  let lo = 0;
  let n = 0;
  let u: Unk | undefined;
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x.e.day < start || x.e.day > dos) continue;
    if (x.m === true) lo++;
    else if (x.m instanceof Unk) {
      n++;
      u = u ? join(u, x.m) : x.m;
    }
  }
  return u ? { lo, hi: lo + n, u } : lo;
}
type Course = NonNullable<NonNullable<Input["conservative_therapy"]>["courses"]>[number];
const courseField = (i: number, name: string) => `conservative_therapy.courses[${i}].${name}`;
/** A course's yes/no field: its value, or unknown naming its path. */
function cb(c: Course, i: number, name: "failed" | "targets_treated_region" | "inactive_components" | "physical_therapy" | "chiropractic_care" | "home_exercise_prescription" | "home_exercise_completion_documented" | "home_exercise_inability_medical_reason"): T {
  const v = c[name];
  return v === undefined || v === null ? unk(courseField(i, name)) : v;
}
/** failed_course_lasted's span: time between later_of(c.start, date_of_service - window) and c.end >= minimum */
function courseLasted(c: Course, i: number, dos: number, minimumDays: number, windowMonths: number): T {
  const start = c.start;
  const end = c.end;
  const us = start === undefined || start === null ? unk(courseField(i, "start")) : undefined;
  const ue = end === undefined || end === null ? unk(courseField(i, "end")) : undefined;
  if (us) return ue ? join(us, ue) : us;
  if (ue) return ue;
  const windowStart = addMonths(dos, -windowMonths);
  const s = parseDay(start!);
  const from = s > windowStart ? s : windowStart;
  const to = parseDay(end!);
  // The span runs from `from` to `to`: negative, and never long enough, when the course ended first.
  return to >= from + minimumDays;
}
/** ongoing_courses: c.end >= date_of_service */
function courseOngoing(c: Course, i: number, dos: number): T {
  const end = c.end;
  return end === undefined || end === null ? unk(courseField(i, "end")) : parseDay(end) >= dos;
}
/** active_courses: targets_treated_region and (physical_therapy or chiropractic_care or a complete home exercise program) */
function courseActive(c: Course, i: number): T {
  const hep = and2(cb(c, i, "home_exercise_prescription"), or2(cb(c, i, "home_exercise_completion_documented"), cb(c, i, "home_exercise_inability_medical_reason")));
  return and2(cb(c, i, "targets_treated_region"), or3(cb(c, i, "physical_therapy"), cb(c, i, "chiropractic_care"), hep));
}
/** The questions over the courses of conservative therapy that NIA_CG_300 asks, each exists(…). */
function therapyQuestions(courses: readonly Course[] | null | undefined, dos: number): { twoWeeks: T; sixWeeks: T; anyOngoing: T; ongoingActive: T; anyFailed: T } {
  if (courses === undefined || courses === null) {
    const u = unk("conservative_therapy.courses");
    return { twoWeeks: u, sixWeeks: u, anyOngoing: u, ongoingActive: u, anyFailed: u };
  }
  let twoWeeks: T = false;
  let sixWeeks: T = false;
  let anyOngoing: T = false;
  let ongoingActive: T = false;
  let anyFailed: T = false;
  for (let i = 0; i < courses.length; i++) {
    const c = courses[i];
    const failed = cb(c, i, "failed");
    anyFailed = or2(anyFailed, failed);
    twoWeeks = or2(twoWeeks, and2(failed, courseLasted(c, i, dos, 14, 6)));
    const complete = and2(courseActive(c, i), cb(c, i, "inactive_components"));
    sixWeeks = or2(sixWeeks, and2(complete, and2(failed, courseLasted(c, i, dos, 42, 6))));
    const ongoing = courseOngoing(c, i, dos);
    anyOngoing = or2(anyOngoing, ongoing);
    const activeNow = and2(cb(c, i, "targets_treated_region"), or3(cb(c, i, "physical_therapy"), cb(c, i, "chiropractic_care"), cb(c, i, "home_exercise_prescription")));
    ongoingActive = or2(ongoingActive, and2(ongoing, activeNow));
  }
  return { twoWeeks, sixWeeks, anyOngoing, ongoingActive, anyFailed };
}
/** time since latest(p in episode_injections).date >= 2 weeks */
function spaced(latest: Entry | null | Unk, dos: number): T {
  return latest instanceof Unk ? latest : latest === null ? false : dos >= latest.day + 14;
}

// ── The policy ───────────────────────────────────────────────────────────────────────────────

const noGroup = {};

export function evaluateHandwritten(input: Input, state?: string | null): HandResult {
  const dos = parseDay(input.date_of_service);
  const request: NonNullable<Input["request"]> = input.request ?? noGroup;
  const pain: NonNullable<Input["pain"]> = input.pain ?? noGroup;
  const ct: NonNullable<Input["conservative_therapy"]> = input.conservative_therapy ?? noGroup;
  const dx: NonNullable<Input["diagnosis"]> = input.diagnosis ?? noGroup;
  const epi: NonNullable<Input["epidural"]> = input.epidural ?? noGroup;
  const purpose: NonNullable<Input["purpose"]> = input.purpose ?? noGroup;
  const findings: NonNullable<Input["findings"]> = input.findings ?? noGroup;
  const reqRegion = request.region;

  // ── History: region_injections and episode_injections ──
  const raw = input.prior_procedures;
  const historyUnknown = raw === undefined || raw === null ? unk("prior_procedures") : undefined;
  const entries: Entry[] = [];
  const inRegion: T[] = [];
  // region_injections: select(p in prior_procedures where p.kind = epidural_injection and same_region(p.region, request.region))
  let regionInjections: Member[] | Unk;
  // episode_injections: select(p in recent_run(region_injections, 2 years) where not new_pathology
  //   and not exists(s in prior_procedures where s.kind = spinal_surgery and same_region(s.region, request.region) and s.date after p.date))
  let episode: Member[] | Unk;
  if (historyUnknown) {
    regionInjections = historyUnknown;
    episode = historyUnknown;
  } else {
    const ri: Member[] = [];
    const surgeryDays: number[] = [];
    const surgeryMembers: T[] = [];
    for (let i = 0; i < raw!.length; i++) {
      const p = raw![i];
      const e: Entry = { i, day: parseDay(p.date), p };
      entries.push(e);
      const r = sameRegion(e, reqRegion);
      inRegion.push(r);
      const m = and2(kindIs(e, "epidural_injection"), r);
      if (m !== false) ri.push({ e, m });
      const s = and2(kindIs(e, "spinal_surgery"), r);
      if (s !== false) {
        surgeryDays.push(e.day);
        surgeryMembers.push(s);
      }
    }
    regionInjections = ri;
    const notNewPathology = not(fb(input.new_pathology, "new_pathology"));
    const ep: Member[] = [];
    const run = recentRun(ri, dos);
    for (let k = 0; k < run.length; k++) {
      const x = run[k];
      let surgeryAfter: T = false;
      for (let j = 0; j < surgeryDays.length; j++) if (surgeryDays[j] > x.e.day) surgeryAfter = or2(surgeryAfter, surgeryMembers[j]);
      const m = and3(x.m, notNewPathology, not(surgeryAfter));
      if (m !== false) ep.push(m === x.m ? x : { e: x.e, m });
    }
    episode = ep;
  }
  const episodeCount: Count = episode instanceof Unk ? episode : countMembers(episode);

  // initial_request: count(p in episode_injections) = 0
  const initial = eq(episodeCount, 0);
  const notInitial = not(initial);
  // in_initial_phase: count >= 1 and count < 3
  const initialPhase = and2(ge(episodeCount, 1), lt(episodeCount, 3));
  // in_first_year: time since earliest(p in episode_injections).date < 1 year
  let firstYear: T;
  if (episode instanceof Unk) firstYear = episode;
  else {
    const first = extreme(episode, false);
    firstYear = first instanceof Unk ? first : first === null ? false : dos < addMonths(first.day, 12);
  }

  // severe_pain_documented: pain.functional_disability or pain.average >= 6
  const average = pain.average;
  const severe = or2(fb(pain.functional_disability, "pain.functional_disability"), average === undefined || average === null ? unk("pain.average") : average >= 6);
  // Two durations compare by measuring both back from the date of service.
  const painDuration = pain.duration;
  const painBack = painDuration === undefined || painDuration === null ? undefined : addLen(dos, painDuration, -1);
  const threeMonthsBack = addMonths(dos, -3);

  const reasonNotDone = fb(ct.medical_reason_not_done, "conservative_therapy.medical_reason_not_done");
  const therapy = therapyQuestions(ct.courses, dos);
  const approach = epi.approach;

  // ── INDICATIONS (when initial_request): four pathways ──
  let pathways: Pathway[] = [];
  let indications: T = true;
  let acuteSymptoms: T = true;
  let acuteDuration: T = true;
  let twoWeeks: T = true;
  let stenosisDx: T = true;
  let sixWeeks: T = true;
  let fbsDx: T = true;
  let medicalReason: T = true;
  let planningRequest: T = true;
  let preopPlan: T = true;
  if (initial !== false) {
    acuteSymptoms = fb(pain.acute_radicular_symptoms, "pain.acute_radicular_symptoms");
    // pain.duration < 3 months
    acuteDuration = painBack === undefined ? unk("pain.duration") : painBack > threeMonthsBack;
    // failed_course_lasted(conservative_therapy.courses, 2 weeks, 6 months) unless medical_reason_not_done
    twoWeeks = or2(therapy.twoWeeks, reasonNotDone);
    const acute = and2(and2(acuteSymptoms, severe), and2(acuteDuration, twoWeeks));
    // failed_or_ongoing_conservative_therapy(6 weeks, 6 months)
    let priorSpinal: T;
    if (historyUnknown) priorSpinal = historyUnknown;
    else {
      priorSpinal = false;
      for (let i = 0; i < entries.length && priorSpinal !== true; i++) {
        const k = entries[i].p.kind;
        const kindOk: T = k === undefined || k === null ? unk(`prior_procedures[${i}].kind`) : spinalInjections.has(k);
        priorSpinal = or2(priorSpinal, and2(kindOk, inRegion[i]));
      }
    }
    sixWeeks = or3(therapy.sixWeeks, reasonNotDone, and2(therapy.anyOngoing, priorSpinal));
    stenosisDx = fb(dx.spinal_stenosis, "diagnosis.spinal_stenosis");
    const stenosis = and3(stenosisDx, severe, sixWeeks);
    fbsDx = fb(dx.failed_back_surgery, "diagnosis.failed_back_surgery");
    medicalReason = fb(input.injection_medical_reason, "injection_medical_reason");
    const fbs = and2(and2(fbsDx, severe), and2(medicalReason, sixWeeks));
    planningRequest = and2(fb(dx.surgical_planning, "diagnosis.surgical_planning"), approach === undefined || approach === null ? unk("epidural.approach") : approach === "transforaminal");
    preopPlan = fb(input.preoperative_evaluation_and_plan, "preoperative_evaluation_and_plan");
    const planning = and3(planningRequest, severe, preopPlan);
    const any = or2(or2(acute, stenosis), or2(fbs, planning));
    pathways = [
      { met: acute, criteria: [["acute_radicular_symptoms", acuteSymptoms], ["severe_pain", severe], ["acute_duration", acuteDuration], ["conservative_two_weeks", twoWeeks]] },
      { met: stenosis, criteria: [["stenosis_diagnosis", stenosisDx], ["severe_pain", severe], ["conservative_six_weeks", sixWeeks]] },
      { met: fbs, criteria: [["failed_back_surgery_diagnosis", fbsDx], ["severe_pain", severe], ["medical_reason_for_injection", medicalReason], ["conservative_six_weeks", sixWeeks]] },
      { met: planning, criteria: [["surgical_planning_request", planningRequest], ["severe_pain", severe], ["preoperative_plan", preopPlan]] },
    ];
    indications = initial === true ? any : or2(initial, any);
  }

  // ── NOTE: epidural.approach != transforaminal or epidural.levels <= 2 ──
  const levels = epi.levels;
  const twoLevels = or2(approach === undefined || approach === null ? unk("epidural.approach") : approach !== "transforaminal", levels === undefined || levels === null ? unk("epidural.levels") : levels <= 2);

  // ── INDICATIONS FOR REPEAT INJECTIONS ──
  let initialPhaseRelief: T = true;
  let initialPhaseRetry: T = true;
  if (initialPhase !== false) {
    const latest = episode instanceof Unk ? episode : extreme(episode, true);
    const isSpaced = spaced(latest, dos);
    // … and (latest.relief_percent >= 30% or latest.functional_improvement)
    let relief: T;
    if (isSpaced === false) relief = false;
    else if (latest instanceof Unk) relief = latest;
    else if (latest === null) relief = false;
    else {
      const rp = field(latest, "relief_percent");
      relief = or2(rp instanceof Unk ? rp : rp >= 30, field(latest, "functional_improvement"));
    }
    initialPhaseRelief = applies(initialPhase, and2(isSpaced, relief));
    initialPhaseRetry = applies(initialPhase, and3(isSpaced, fb(input.unsuccessful_injection_retry, "unsuccessful_injection_retry"), fb(input.pain_generator_in_question, "pain_generator_in_question")));
  }
  const oneOf = or2(initialPhaseRelief, initialPhaseRetry);

  // every(p in therapeutic_of(after_initial_phase_injections): (p.relief_percent >= 50% or p.functional_improvement) and p.relief_duration >= 2 months)
  // after_initial_phase_injections: select(p in episode_injections where count(q in episode_injections where q.date before p.date) >= 2)
  // therapeutic_of: where if p.therapeutic is known then p.therapeutic else not p.local_anesthetic_only
  const afterWhen = and2(notInitial, not(initialPhase));
  let afterInitial: T = true;
  if (afterWhen !== false) {
    let all: T;
    if (episode instanceof Unk) all = episode;
    else {
      all = true;
      const twoMonthsBack = addMonths(dos, -2);
      for (let k = 0; k < episode.length && all !== false; k++) {
        const x = episode[k];
        const earlier: Member[] = [];
        for (let j = 0; j < episode.length; j++) if (episode[j].e.day < x.e.day) earlier.push(episode[j]);
        const charted = x.e.p.therapeutic;
        const therapeutic = charted === undefined || charted === null ? not(field(x.e, "local_anesthetic_only")) : charted;
        const inc = and3(x.m, ge(countMembers(earlier), 2), therapeutic);
        if (inc === false) continue;
        const rp = field(x.e, "relief_percent");
        const rd = field(x.e, "relief_duration");
        const body = and2(or2(rp instanceof Unk ? rp : rp >= 50, field(x.e, "functional_improvement")), rd instanceof Unk ? rd : addLen(dos, rd, -1) <= twoMonthsBack);
        all = and2(all, or2(not(inc), body));
      }
    }
    afterInitial = applies(afterWhen, all);
  }
  const continuingPain = applies(notInitial, severe);
  const ongoingTherapy = notInitial === false ? true : applies(notInitial, or2(therapy.ongoingActive, reasonNotDone));
  const firstYearWhen = and2(notInitial, firstYear);
  const firstYearLimit = firstYearWhen === false ? true : applies(firstYearWhen, lt(episodeCount, 6));
  const laterYearWhen = and2(notInitial, not(firstYear));
  let laterYearLimit: T = true;
  if (laterYearWhen !== false) {
    const c = countWithin(regionInjections, dos, 12);
    laterYearLimit = applies(laterYearWhen, or2(lt(c, 4), and2(fb(input.special_circumstances, "special_circumstances"), lt(c, 6))));
  }
  // not exists(p in prior_procedures where p.kind = epidural_injection and not same_region(p.region, request.region) and time since p.date < 7 days)
  //   unless different_region_medical_reason or same_day_medical_reason
  let otherRegionRecently: T;
  if (historyUnknown) otherRegionRecently = historyUnknown;
  else {
    otherRegionRecently = false;
    for (let i = 0; i < entries.length && otherRegionRecently !== true; i++) {
      if (dos < entries[i].day + 7) otherRegionRecently = or2(otherRegionRecently, and2(kindIs(entries[i], "epidural_injection"), not(inRegion[i])));
    }
  }
  const sameDayReason = fb(input.same_day_medical_reason, "same_day_medical_reason");
  const differentRegions = or3(not(otherRegionRecently), fb(input.different_region_medical_reason, "different_region_medical_reason"), sameDayReason);
  // same_date_of_service_allowed(epidural_injection): every(p in prior_procedures where p.date = date_of_service and p.kind != spinal_surgery:
  //   (not same_region and same_day_medical_reason) or (same_region and p.kind = epidural_injection) or (same_region and synovial_cyst_confirmed_on_imaging and p.kind = facet_injection))
  let sameDate: T;
  if (historyUnknown) sameDate = historyUnknown;
  else {
    sameDate = true;
    for (let i = 0; i < entries.length && sameDate !== false; i++) {
      const e = entries[i];
      if (e.day !== dos) continue;
      const k = e.p.kind;
      const inc: T = k === undefined || k === null ? unk(`prior_procedures[${i}].kind`) : k !== "spinal_surgery";
      if (inc === false) continue;
      const sr = inRegion[i];
      const body = or3(
        and2(not(sr), sameDayReason),
        and2(sr, kindIs(e, "epidural_injection")),
        and3(sr, fb(input.synovial_cyst_confirmed_on_imaging, "synovial_cyst_confirmed_on_imaging"), kindIs(e, "facet_injection")),
      );
      sameDate = and2(sameDate, or2(not(inc), body));
    }
  }
  const repeat = and2(
    and2(and2(oneOf, afterInitial), and2(continuingPain, ongoingTherapy)),
    and2(and2(firstYearLimit, laterYearLimit), and2(differentRegions, sameDate)),
  );

  // ── EXCLUSIONS, CONTRAINDICATIONS ──
  const ex1 = absentUnlessDocumented(purpose.intrathecal_before_pump);
  const ex2 = absentUnlessDocumented(purpose.chemotherapy_catheter);
  const ex3 = absentUnlessDocumented(purpose.postoperative_pain_control);
  const ex4 = absentUnlessDocumented(purpose.surgical_anesthesia);
  const excluded = or2(or2(ex1, ex2), or2(ex3, ex4));
  const ci1 = absentUnlessDocumented(findings.active_infection);
  const ci2 = absentUnlessDocumented(findings.puncture_site_infection);
  const ci3 = absentUnlessDocumented(findings.severe_stenosis_obstruction);
  const contraindicated = or3(ci1, ci2, ci3);

  // ── Washington overlay: applies unless systemic_inflammatory_disease; its requirements when request.therapeutic and pain.duration >= 3 months ──
  let waSection: T = true;
  let wa1: T = true;
  let wa2: T = true;
  let wa3: T = true;
  let wa4: T = true;
  let wa5: T = true;
  if (state !== undefined && state !== null && state.toUpperCase() === "WA") {
    const gate = not(absentUnlessDocumented(input.systemic_inflammatory_disease));
    const when = and3(gate, fb(request.therapeutic, "request.therapeutic"), painBack === undefined ? unk("pain.duration") : painBack <= threeMonthsBack);
    if (when !== false) {
      const guidance = request.image_guidance;
      let meaningful: T;
      if (regionInjections instanceof Unk) meaningful = regionInjections;
      else {
        meaningful = false;
        for (let k = 0; k < regionInjections.length; k++) meaningful = or2(meaningful, and2(regionInjections[k].m, field(regionInjections[k].e, "clinically_meaningful_improvement")));
      }
      wa1 = fb(input.radicular_pain, "radicular_pain");
      wa2 = guidance === undefined || guidance === null ? unk("request.image_guidance") : guidance === "fluoroscopy" || guidance === "ct";
      wa3 = therapy.anyFailed;
      // count(p in region_injections) < 2 or exists(p in region_injections where p.clinically_meaningful_improvement)
      wa4 = or2(lt(regionInjections instanceof Unk ? regionInjections : countMembers(regionInjections), 2), meaningful);
      // count(p in region_injections where p.date within last 6 months) < 3
      wa5 = lt(countWithin(regionInjections, dos, 6), 3);
      const coverage = and2(and3(wa1, wa2, wa3), and2(wa4, wa5));
      waSection = when === true ? coverage : or2(when, coverage);
    }
  }

  const satisfied = and2(and2(indications, twoLevels), and2(repeat, waSection));

  // ── The outcome ──
  let outcome: Outcome;
  const unmet: string[] = [];
  let missing: string[] = [];
  if (excluded === true) {
    outcome = "excluded";
    if (ex1 === true) unmet.push("intrathecal_before_pump");
    if (ex2 === true) unmet.push("chemotherapy_catheter");
    if (ex3 === true) unmet.push("postoperative_pain_control");
    if (ex4 === true) unmet.push("surgical_anesthesia");
  } else if (contraindicated === true || satisfied === false) {
    outcome = "does-not-meet";
    if (contraindicated === true) {
      if (ci1 === true) unmet.push("active_infection");
      if (ci2 === true) unmet.push("puncture_site_infection");
      if (ci3 === true) unmet.push("severe_stenosis_obstruction");
    }
    // every pathway failed: the failed criteria of those with the fewest, once
    if (indications === false) unmet.push(...failedCriteria(pathways, true));
    if (twoLevels === false) unmet.push("two_transforaminal_levels");
    if (repeat === false) {
      if (oneOf === false) unmet.push("initial_phase_relief", "initial_phase_retry");
      if (afterInitial === false) unmet.push("after_initial_phase");
      if (continuingPain === false) unmet.push("continuing_pain");
      if (ongoingTherapy === false) unmet.push("ongoing_conservative_therapy");
      if (firstYearLimit === false) unmet.push("first_year_limit");
      if (laterYearLimit === false) unmet.push("later_year_limit");
      if (differentRegions === false) unmet.push("different_regions_interval");
      if (sameDate === false) unmet.push("same_date_of_service");
    }
    if (waSection === false) {
      if (wa1 === false) unmet.push("wa_radicular_pain");
      if (wa2 === false) unmet.push("wa_image_guidance");
      if (wa3 === false) unmet.push("wa_failed_conservative_therapy");
      if (wa4 === false) unmet.push("wa_meaningful_improvement");
      if (wa5 === false) unmet.push("wa_three_in_six_months");
    }
    unmet.sort();
  } else if (excluded === false && contraindicated === false && satisfied === true) {
    outcome = "meets";
  } else {
    outcome = "needs-info";
    const facts = new Set<string>();
    if (excluded instanceof Unk) for (const f of excluded.m) facts.add(f);
    if (contraindicated instanceof Unk) for (const f of contraindicated.m) facts.add(f);
    if (satisfied instanceof Unk) for (const f of satisfied.m) facts.add(f);
    missing = [...facts].sort();
    // what has surely failed: each criterion of a failed pathway, and the failed WA items while the overlay may apply
    if (indications instanceof Unk) unmet.push(...failedCriteria(pathways, false));
    if (waSection instanceof Unk) {
      if (wa1 === false) unmet.push("wa_radicular_pain");
      if (wa2 === false) unmet.push("wa_image_guidance");
      if (wa3 === false) unmet.push("wa_failed_conservative_therapy");
      if (wa4 === false) unmet.push("wa_meaningful_improvement");
      if (wa5 === false) unmet.push("wa_three_in_six_months");
    }
    unmet.sort();
  }
  return { outcome, unmet, missing };
}

interface Pathway {
  readonly met: T;
  readonly criteria: readonly (readonly [string, T])[];
}

/** The failed criteria of the failed pathways (only of those with the fewest when `closest`), each once. */
function failedCriteria(pathways: readonly Pathway[], closest: boolean): string[] {
  const failed = pathways.filter((p) => p.met === false).map((p) => p.criteria.filter(([, v]) => v === false).map(([id]) => id));
  const fewest = Math.min(...failed.map((f) => f.length));
  const chosen = closest ? failed.filter((f) => f.length === fewest) : failed;
  return [...new Set(chosen.flat())];
}
