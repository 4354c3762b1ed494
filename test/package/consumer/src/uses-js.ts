// The same, through the declarations beside the JavaScript modules of `polc build --emit js`.
import { evaluate, type Input } from "../lib/policies/knee-mri.js";

const input: Input = { date_of_service: "2025-03-01", side: "right" };
export const outcome: "meets" | "does-not-meet" | "excluded" | "not-covered" | "needs-info" = evaluate(input).outcome;
