// A service's code: the TypeScript modules polc built, and the runtime by the package's name.
import { evaluate, metadata, type Input } from "./policies/knee-mri.js";
import { InputError, type Determination } from "pol/runtime";

const input: Input = {
  date_of_service: "2025-03-01",
  side: "left",
  symptoms: { locking: true, pain: 8, duration: { amount: 4, unit: "months" } },
  therapy_courses: [{ date: "2024-12-01", length_in_weeks: 8 }],
};
const determination: Determination = evaluate(input, { trace: false });
export const summary = `${metadata.id} ${determination.outcome}`;
export const isInputError = (e: unknown): e is InputError => e instanceof InputError;
