// One-off migration of case files (kept for review): conservative therapy as one course
// (`conservative_therapy` + `home_exercise_program`) becomes a list of dated courses.
//   node test/support/migrate-conservative-therapy-courses.mjs test/cases
// - The old course becomes the one entry of `conservative_therapy.courses`, with its fields;
//   the home exercise program's three facts become the course's `home_exercise_*` fields;
//   `targets_treated_region` is true (the old facts were "region-specific").
// - `medical_reason_not_done` stays on `conservative_therapy`.
// - "ongoing" is read from the dates now: where the old case said `ongoing: false` but the course
//   ran to the date of service, the course ends the day before.
import { readdirSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".json") ? [p] : [];
  });
}

function dayBefore(iso) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

const courseFields = ["start", "end", "failed", "inactive_components", "physical_therapy", "chiropractic_care"];
const hepFields = { prescription: "home_exercise_prescription", completion_documented: "home_exercise_completion_documented", inability_medical_reason: "home_exercise_inability_medical_reason" };

function migrate(input) {
  const old = input.conservative_therapy;
  const hep = input.home_exercise_program;
  if (old === undefined && hep === undefined) return undefined;
  const course = {};
  for (const f of courseFields) if (old && f in old) course[f] = old[f];
  course.targets_treated_region = true;
  for (const [f, to] of Object.entries(hepFields)) if (hep && f in hep) course[to] = hep[f];
  if (old && old.ongoing === false && typeof course.end === "string" && course.end >= input.date_of_service) course.end = dayBefore(input.date_of_service);
  const therapy = { courses: [course] };
  if (old && "medical_reason_not_done" in old) therapy.medical_reason_not_done = old.medical_reason_not_done;
  const out = {};
  for (const [k, v] of Object.entries(input)) {
    if (k === "conservative_therapy" || (k === "home_exercise_program" && old === undefined)) out.conservative_therapy = therapy;
    else if (k !== "home_exercise_program") out[k] = v;
  }
  return out;
}

let changed = 0;
for (const file of files(process.argv[2] ?? "test/cases")) {
  const text = readFileSync(file, "utf8");
  const data = JSON.parse(text);
  const wrapped = typeof data.input === "object" && data.input !== null;
  const input = migrate(wrapped ? data.input : data);
  if (input === undefined) continue;
  const result = wrapped ? { ...data, input } : input;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  changed++;
}
console.log(`${changed} case files changed`);
