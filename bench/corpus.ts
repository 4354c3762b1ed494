/**
 * A fixed, seeded corpus of NIA_CG_300 requests for the benchmarks and the agreement test.
 *
 * Each case is `{ input, state? }`. Inputs follow the generated `Input` type: every fact group
 * of the policy and its Washington overlay, a procedure history of 0–12 entries dated on or
 * before the date of service (a few on the date of service itself), and some facts left out
 * (undocumented). The generator has its own PRNG (sfc32), so the corpus is the same on every
 * machine and every run: `generateCorpus()` always returns the same cases.
 */
import type { Input, Procedure, ProcedureKind, SpinalRegion } from "../generated/nia-cg-300.js";

export interface CorpusCase {
  readonly input: Input;
  readonly state?: string;
}

export const CORPUS_SIZE = 10_000;
export const CORPUS_SEED = 0x300c9;

/** sfc32: small, fast, and good enough for test data. Seeded through splitmix32. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t;
  }
  /** A float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }
  /** An integer from lo to hi, both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Picks by weight: [[value, weight], …]. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [v, w] of items) {
      r -= w;
      if (r < 0) return v;
    }
    return items[items.length - 1][0];
  }
}

const msPerDay = 86_400_000;
const dayOf = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / msPerDay;
const iso = (day: number) => new Date(day * msPerDay).toISOString().slice(0, 10);

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object | undefined | null ? Mutable<T[K]> : T[K] };
type Duration = { amount: number; unit: "days" | "weeks" | "months" | "years" };

const regions: readonly SpinalRegion[] = ["cervical", "thoracic", "lumbar", "sacral"];

/** Kinds of history entries, weighted towards epidural injections (the ones the policy counts). */
const historyKinds: readonly (readonly [ProcedureKind, number])[] = [
  ["epidural_injection", 70],
  ["facet_injection", 7],
  ["medial_branch_block", 4],
  ["facet_denervation", 3],
  ["sacroiliac_injection", 3],
  ["spinal_surgery", 4],
  ["sympathetic_block", 1],
  ["intrathecal_trial", 1],
  ["infusion_pump", 1],
  ["spinal_cord_stimulator_trial", 1],
  ["spinal_cord_stimulator", 1],
  ["other_procedure", 2],
];

const levelsByRegion: Record<SpinalRegion, readonly string[]> = {
  cervical: ["C4-5", "C5-6", "C6-7"],
  thoracic: ["T8-9", "T10-11", "T11-12"],
  lumbar: ["L3-4", "L4-5", "L5-S1"],
  sacral: ["L5-S1"],
};

function duration(rng: Rng, kind: "pain" | "relief"): Duration {
  if (kind === "pain") {
    return rng.weighted<Duration>([
      [{ amount: rng.int(1, 13), unit: "weeks" }, 30],
      [{ amount: rng.int(1, 24), unit: "months" }, 40],
      [{ amount: rng.int(20, 120), unit: "days" }, 20],
      [{ amount: rng.int(1, 5), unit: "years" }, 8],
      [{ amount: rng.pick([1.5, 2.5, 2.9, 3.5]), unit: "months" }, 2],
    ]);
  }
  return rng.weighted<Duration>([
    [{ amount: rng.int(0, 6), unit: "months" }, 45],
    [{ amount: rng.int(0, 12), unit: "weeks" }, 35],
    [{ amount: rng.int(0, 90), unit: "days" }, 15],
    [{ amount: 1, unit: "years" }, 3],
    [{ amount: 1.5, unit: "months" }, 2],
  ]);
}

/**
 * How a case is set up: the request's scenario decides the shape of the history and the
 * diagnosis, so that every pathway and every repeat-injection rule is exercised.
 */
type Scenario = "initial" | "initial_phase" | "after_initial" | "later_years" | "new_episode" | "mixed_history";

interface Ctx {
  readonly rng: Rng;
  readonly dos: number;
  readonly region: SpinalRegion;
  /** Probability that any one fact is left out. */
  readonly missingRate: number;
}

/** A value, or undefined (the fact left out) with the case's missing rate. */
function maybe<T>(ctx: Ctx, value: T): T | undefined {
  return ctx.rng.chance(ctx.missingRate) ? undefined : value;
}

/** Builds an object from entries, leaving out the undefined ones. */
function obj(entries: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(entries)) {
    if (v === undefined) continue;
    out[k] = v;
    any = true;
  }
  return any ? out : undefined;
}

/**
 * Courses of conservative therapy: one that started some days before the date of service and,
 * after one that ended before it, often a home exercise program that runs on to the date of
 * service (or stopped earlier).
 */
function therapyCourses(ctx: Ctx, startDay: number, endDay: number): Record<string, unknown>[] {
  const { rng, dos } = ctx;
  const b = (p: number) => maybe(ctx, rng.chance(p));
  const first = obj({
    start: maybe(ctx, iso(startDay)),
    end: maybe(ctx, iso(endDay)),
    failed: b(0.85),
    targets_treated_region: b(0.95),
    inactive_components: b(0.85),
    physical_therapy: b(0.7),
    chiropractic_care: b(0.2),
    home_exercise_prescription: b(0.4),
    home_exercise_completion_documented: b(0.5),
    home_exercise_inability_medical_reason: b(0.1),
  }) ?? {};
  if (endDay >= dos || !rng.chance(0.5)) return [first];
  const secondStart = Math.min(dos, endDay + rng.int(1, 20));
  const second = obj({
    start: maybe(ctx, iso(secondStart)),
    end: maybe(ctx, iso(rng.chance(0.8) ? dos : secondStart + rng.int(0, Math.max(0, dos - secondStart)))),
    failed: b(0.2),
    targets_treated_region: b(0.95),
    inactive_components: b(0.5),
    physical_therapy: b(0.1),
    chiropractic_care: b(0.05),
    home_exercise_prescription: b(0.8),
    home_exercise_completion_documented: b(0.2),
    home_exercise_inability_medical_reason: b(0.05),
  }) ?? {};
  return [first, second];
}

function sameRegionFamily(a: SpinalRegion, b: SpinalRegion): boolean {
  return a === b || ((a === "lumbar" || a === "sacral") && (b === "lumbar" || b === "sacral"));
}

function historyRegion(ctx: Ctx): SpinalRegion {
  const { rng, region } = ctx;
  const r = rng.next();
  if (r < 0.72) return region;
  if (r < 0.8 && sameRegionFamily(region, "lumbar")) return region === "lumbar" ? "sacral" : "lumbar";
  return rng.pick(regions);
}

function procedure(ctx: Ctx, day: number, kind: ProcedureKind, region: SpinalRegion, opts: { goodRelief?: boolean } = {}): Procedure {
  const { rng } = ctx;
  const good = opts.goodRelief ?? rng.chance(0.7);
  const isInjection = kind !== "spinal_surgery" && kind !== "spinal_cord_stimulator" && kind !== "infusion_pump";
  const relief = good ? rng.weighted([[rng.int(50, 100), 6], [rng.int(30, 49), 3], [rng.pick([29, 30, 49, 50]), 1]]) : rng.int(0, 49);
  const reliefDuration: Duration = good && rng.chance(0.75) ? rng.pick<Duration>([{ amount: rng.int(2, 6), unit: "months" }, { amount: rng.int(9, 26), unit: "weeks" }]) : duration(rng, "relief");
  const miss = ctx.missingRate * 1.5;
  const leave = <T>(v: T): T | undefined => (rng.chance(miss) ? undefined : v);
  const entry = obj({
    date: iso(day),
    kind: rng.chance(miss * 0.3) ? undefined : kind,
    region: rng.chance(miss * 0.3) ? undefined : region,
    level: rng.chance(0.2) ? undefined : rng.pick(levelsByRegion[region]),
    side: rng.chance(0.2) ? undefined : rng.pick(["left", "right", "bilateral"] as const),
    therapeutic: isInjection ? leave(rng.chance(0.85)) : undefined,
    local_anesthetic_only: rng.chance(0.15) ? rng.chance(0.3) : undefined,
    relief_percent: isInjection ? leave(relief) : undefined,
    relief_duration: isInjection ? leave(reliefDuration) : undefined,
    functional_improvement: isInjection ? leave(good ? rng.chance(0.7) : rng.chance(0.15)) : undefined,
    clinically_meaningful_improvement: isInjection ? leave(good ? rng.chance(0.8) : rng.chance(0.2)) : undefined,
  });
  return entry as unknown as Procedure;
}

/** Days back from the date of service of a run of `n` injections, most recent first. */
function injectionGaps(ctx: Ctx, n: number, scenario: Scenario): number[] {
  const { rng } = ctx;
  const back: number[] = [];
  let cursor = rng.weighted([
    [rng.int(14, 60), 6],
    [rng.int(7, 13), 1],
    [rng.int(61, 200), 2],
    [rng.pick([13, 14, 15]), 1],
  ]);
  if (scenario === "new_episode") cursor = rng.weighted([[rng.int(700, 760), 3], [rng.pick([729, 730, 731, 732]), 1], [rng.int(300, 600), 1]]);
  for (let i = 0; i < n; i++) {
    back.push(cursor);
    const gap =
      scenario === "later_years"
        ? rng.weighted([[rng.int(45, 120), 6], [rng.int(20, 44), 2], [rng.int(121, 400), 1]])
        : rng.weighted([[rng.int(14, 35), 5], [rng.int(36, 120), 4], [rng.int(7, 13), 1], [rng.int(121, 800), 1]]);
    cursor += rng.chance(0.03) ? 0 : gap; // now and then two entries on the same day
  }
  return back;
}

function history(ctx: Ctx, scenario: Scenario): Procedure[] {
  const { rng, dos, region } = ctx;
  const entries: Procedure[] = [];
  const injections =
    scenario === "initial"
      ? rng.weighted([[0, 8], [1, 1]]) // an initial request may still have an old injection (> 2 years ago)
      : scenario === "initial_phase"
        ? rng.int(1, 2)
        : scenario === "after_initial"
          ? rng.int(3, 6)
          : scenario === "later_years"
            ? rng.int(5, 10)
            : scenario === "new_episode"
              ? rng.int(1, 4)
              : rng.int(0, 8);
  const back = injectionGaps(ctx, injections, scenario);
  if (scenario === "initial" && injections === 1) back[0] = rng.int(731, 1500);
  for (const b of back) {
    const r = rng.chance(0.85) ? region : historyRegion(ctx);
    entries.push(procedure(ctx, dos - b, "epidural_injection", r));
  }
  // Other procedures and surgery, in the requested region or elsewhere.
  const others = rng.weighted([[0, 5], [1, 3], [2, 2], [3, 1]]);
  for (let i = 0; i < others && entries.length < 12; i++) {
    const kind = rng.weighted(historyKinds);
    const b = rng.weighted([[rng.int(1, 900), 8], [rng.int(1, 6), 1], [0, 1]]);
    entries.push(procedure(ctx, dos - b, kind, historyRegion(ctx)));
  }
  if (scenario === "new_episode" && rng.chance(0.5) && entries.length < 12) {
    // Surgery on the region after the last injection starts a new episode.
    const last = Math.min(...back, 800);
    entries.push(procedure(ctx, dos - rng.int(1, Math.max(1, last - 1)), "spinal_surgery", region));
  }
  if (rng.chance(0.04) && entries.length < 12) {
    // A procedure on the date of service itself (same-day rules).
    entries.push(procedure(ctx, dos, rng.weighted<ProcedureKind>([["epidural_injection", 2], ["facet_injection", 2], ["spinal_surgery", 1]]), historyRegion(ctx)));
  }
  while (entries.length > 12) entries.pop();
  // Histories arrive in any order: by date, newest first, or as claims happen to list them.
  const order = rng.next();
  if (order < 0.4) entries.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  else if (order < 0.7) entries.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
  else
    for (let i = entries.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [entries[i], entries[j]] = [entries[j], entries[i]];
    }
  return entries;
}

function generateCase(rng: Rng): CorpusCase {
  const dos = dayOf(2023, 1, 1) + rng.int(0, 900);
  const region = rng.weighted<SpinalRegion>([["lumbar", 55], ["cervical", 30], ["thoracic", 8], ["sacral", 7]]);
  const missingRate = rng.weighted([[0, 40], [0.03, 25], [0.1, 20], [0.25, 15]]);
  const ctx: Ctx = { rng, dos, region, missingRate };
  const scenario = rng.weighted<Scenario>([
    ["initial", 40],
    ["initial_phase", 18],
    ["after_initial", 14],
    ["later_years", 10],
    ["new_episode", 8],
    ["mixed_history", 10],
  ]);
  const diagnosis = rng.weighted<"acute" | "stenosis" | "fbs" | "planning" | "none">([
    ["acute", 35],
    ["stenosis", 30],
    ["fbs", 15],
    ["planning", 10],
    ["none", 10],
  ]);
  const b = (p: number) => maybe(ctx, rng.chance(p));

  const painDuration: Duration =
    diagnosis === "acute" && rng.chance(0.8)
      ? rng.weighted<Duration>([
          [{ amount: rng.int(2, 12), unit: "weeks" }, 5],
          [{ amount: rng.int(15, 95), unit: "days" }, 3],
          [{ amount: rng.pick([2, 3]), unit: "months" }, 1],
        ])
      : duration(rng, "pain");
  const average = rng.chance(0.1) ? rng.int(0, 20) / 2 : rng.weighted([[rng.int(6, 10), 6], [rng.int(0, 5), 3], [rng.pick([5, 5.5, 6]), 1]]);

  // Conservative therapy: a course that started some days before the date of service.
  const started = rng.weighted([[rng.int(14, 180), 7], [rng.int(181, 400), 2], [rng.int(5, 13), 1]]);
  const endBack = rng.weighted([[0, 6], [rng.int(1, 30), 3], [rng.int(0, started), 1]]);
  const startDay = dos - started;
  const endDay = rng.chance(0.01) ? startDay - rng.int(1, 20) : dos - Math.min(endBack, started);

  const approach = rng.weighted<"interlaminar" | "transforaminal" | "caudal">([
    ["transforaminal", diagnosis === "planning" ? 8 : 4],
    ["interlaminar", 4],
    ["caudal", 2],
  ]);
  const input = obj({
    date_of_service: iso(dos),
    request: obj({
      region: maybe(ctx, region),
      therapeutic: maybe(ctx, diagnosis === "planning" ? rng.chance(0.2) : rng.chance(0.85)),
      image_guidance: maybe(ctx, rng.weighted([["fluoroscopy", 7], ["ct", 1.5], ["ultrasound", 1], ["no_guidance", 0.5]])),
    }),
    epidural: obj({
      approach: maybe(ctx, approach),
      levels: maybe(ctx, rng.weighted([[1, 6], [2, 3], [3, 1], [rng.int(4, 10), 0.3]])),
    }),
    pain: obj({
      acute_radicular_symptoms: maybe(ctx, diagnosis === "acute" ? rng.chance(0.9) : rng.chance(0.3)),
      functional_disability: b(0.5),
      average: maybe(ctx, average),
      duration: maybe(ctx, painDuration),
    }),
    diagnosis: obj({
      spinal_stenosis: maybe(ctx, diagnosis === "stenosis" ? rng.chance(0.95) : rng.chance(0.1)),
      failed_back_surgery: maybe(ctx, diagnosis === "fbs" ? rng.chance(0.95) : rng.chance(0.05)),
      surgical_planning: maybe(ctx, diagnosis === "planning" ? rng.chance(0.95) : rng.chance(0.03)),
    }),
    injection_medical_reason: maybe(ctx, diagnosis === "fbs" ? rng.chance(0.8) : rng.chance(0.3)),
    preoperative_evaluation_and_plan: maybe(ctx, diagnosis === "planning" ? rng.chance(0.85) : rng.chance(0.1)),
    new_pathology: maybe(ctx, scenario === "new_episode" ? rng.chance(0.4) : rng.chance(0.05)),
    unsuccessful_injection_retry: b(0.2),
    pain_generator_in_question: b(0.3),
    special_circumstances: b(0.2),
    different_region_medical_reason: b(0.1),
    same_day_medical_reason: b(0.1),
    synovial_cyst_confirmed_on_imaging: b(0.05),
    conservative_therapy: obj({
      courses: rng.chance(ctx.missingRate * 0.4) ? undefined : therapyCourses(ctx, startDay, endDay),
      medical_reason_not_done: b(0.08),
    }),
    prior_procedures: rng.chance(ctx.missingRate * 0.4) ? undefined : history(ctx, scenario),
    purpose: obj({
      intrathecal_before_pump: b(0.01),
      chemotherapy_catheter: b(0.01),
      postoperative_pain_control: b(0.02),
      surgical_anesthesia: b(0.01),
    }),
    findings: obj({
      active_infection: b(0.02),
      puncture_site_infection: b(0.02),
      severe_stenosis_obstruction: b(0.03),
    }),
    systemic_inflammatory_disease: b(0.05),
    radicular_pain: b(0.8),
  }) as unknown as Mutable<Input>;
  const state = rng.weighted<string | undefined>([
    [undefined, 55],
    ["WA", 35],
    ["OR", 5],
    ["wa", 2],
    ["CA", 3],
  ]);
  return state === undefined ? { input } : { input, state };
}

/** The corpus: `n` cases from `seed`. The same arguments always give the same cases. */
export function generateCorpus(n: number = CORPUS_SIZE, seed: number = CORPUS_SEED): CorpusCase[] {
  const rng = new Rng(seed);
  const cases: CorpusCase[] = [];
  for (let i = 0; i < n; i++) cases.push(generateCase(rng));
  return cases;
}
