// The same, through the declarations beside the JavaScript modules of `polc build --emit js`.
import { evaluate, type Input } from "../lib/policies/knee-mri.js";
import type { Outcome } from "pol/runtime";

const input: Input = { date_of_service: "2025-03-01", side: "right" };
export const outcome: Outcome = evaluate(input).outcome;
