/**
 * Calendar dates as whole days since 1970-01-01 (UTC), and durations that are calendar-correct:
 * a month is a calendar month, so 2024-01-31 plus 1 month is 2024-02-29.
 */
import type { DurationUnit } from "./program.js";

export interface Length {
  readonly amount: number;
  readonly unit: DurationUnit;
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;
const msPerDay = 86_400_000;

export function isValidIsoDate(text: string): boolean {
  return parseIsoDate(text) !== undefined;
}

/** The day number of an ISO date, or undefined when it is not a day of the calendar. */
export function parseIsoDate(text: string): number | undefined {
  const match = isoDate.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return Date.UTC(year, month - 1, day) / msPerDay;
}

export function formatDay(day: number): string {
  return new Date(day * msPerDay).toISOString().slice(0, 10);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Adds (or with a negative sign, subtracts) a duration, clamping to the end of a shorter month. */
export function addLength(day: number, length: Length, sign: 1 | -1): number {
  const amount = length.amount * sign;
  switch (length.unit) {
    case "days":
      return day + Math.round(amount);
    case "weeks":
      return day + Math.round(amount * 7);
    case "months":
      return addMonths(day, amount);
    case "years":
      return addMonths(day, amount * 12);
  }
}

function addMonths(day: number, months: number): number {
  const whole = Math.trunc(months);
  const date = new Date(day * msPerDay);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + whole;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const clamped = Math.min(date.getUTCDate(), daysInMonth(targetYear, targetMonth + 1));
  let result = Date.UTC(targetYear, targetMonth, clamped) / msPerDay;
  // A fractional month counts as its share of 30 days; policies rarely need it, but it must not be lost.
  const fraction = months - whole;
  if (fraction !== 0) result += Math.round(fraction * 30);
  return result;
}
