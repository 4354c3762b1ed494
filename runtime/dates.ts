/**
 * Calendar dates as whole days since 1970-01-01 (UTC), and durations that are calendar-correct:
 * a month is a calendar month, so 2024-01-31 plus 1 month is 2024-02-29.
 */
import { durationUnits, type DurationUnit } from "./vocabulary.js";

export { durationUnits };

export interface Length {
  readonly amount: number;
  readonly unit: DurationUnit;
}

export function isValidIsoDate(text: string): boolean {
  return parseIsoDate(text) !== undefined;
}

/** The value of the decimal digit at `i`, or -1. */
function digit(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** The day number of an ISO date (YYYY-MM-DD), or undefined when it is not a day of the calendar. */
export function parseIsoDate(text: string): number | undefined {
  // Read by hand rather than with a regular expression: every date of every request goes through here.
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const y0 = digit(text, 0), y1 = digit(text, 1), y2 = digit(text, 2), y3 = digit(text, 3);
  const m0 = digit(text, 5), m1 = digit(text, 6), d0 = digit(text, 8), d1 = digit(text, 9);
  if ((y0 | y1 | y2 | y3 | m0 | m1 | d0 | d1) < 0) return undefined;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = m0 * 10 + m1;
  const day = d0 * 10 + d1;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

/** The first and last day a date written as a month (YYYY-MM) or a year (YYYY) may be. */
export interface DayRange {
  readonly lo: number;
  readonly hi: number;
}

/**
 * A date a chart gives only to the month ("2023-06") or the year ("2018"): the first and last
 * day it may be; undefined for any other text. A full date is read by `parseIsoDate`.
 */
export function parsePartialDate(text: string): DayRange | undefined {
  if (text.length !== 4 && (text.length !== 7 || text.charCodeAt(4) !== 45)) return undefined;
  const y0 = digit(text, 0), y1 = digit(text, 1), y2 = digit(text, 2), y3 = digit(text, 3);
  if ((y0 | y1 | y2 | y3) < 0) return undefined;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  if (text.length === 4) return { lo: daysFromCivil(year, 1, 1), hi: daysFromCivil(year, 12, 31) };
  const m0 = digit(text, 5), m1 = digit(text, 6);
  if ((m0 | m1) < 0) return undefined;
  const month = m0 * 10 + m1;
  if (month < 1 || month > 12) return undefined;
  return { lo: daysFromCivil(year, month, 1), hi: daysFromCivil(year, month, daysInMonth(year, month)) };
}

/** A range of days as a chart would write it: a month (2023-06), a year (2018), or from one day to another. */
export function formatDayRange(lo: number, hi: number): string {
  const first = civilFromDays(lo);
  const last = civilFromDays(hi);
  const year = String(first.year).padStart(4, "0");
  if (first.day === 1 && first.year === last.year) {
    if (first.month === 1 && last.month === 12 && last.day === 31) return year;
    if (first.month === last.month && last.day === daysInMonth(last.year, last.month)) return `${year}-${String(first.month).padStart(2, "0")}`;
  }
  return `${formatDay(lo)} to ${formatDay(hi)}`;
}

export function formatDay(day: number): string {
  const { year, month, day: d } = civilFromDays(day);
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const monthLengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : monthLengths[month - 1];
}

// Day numbers from calendar dates and back, without Date objects (H. Hinnant's civil algorithms).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const minutesPerDay = 24 * 60;

/** Minutes in a unit of a fixed length; undefined for months and years, whose length depends on the calendar. */
export function fixedMinutes(unit: Length["unit"]): number | undefined {
  switch (unit) {
    case "minutes":
      return 1;
    case "hours":
      return 60;
    case "days":
      return minutesPerDay;
    case "weeks":
      return 7 * minutesPerDay;
    default:
      return undefined;
  }
}

/** Adds (or with a negative sign, subtracts) a duration, clamping to the end of a shorter month. */
export function addLength(day: number, length: Length, sign: 1 | -1): number {
  const amount = length.amount * sign;
  switch (length.unit) {
    // Less than a day: a share of a day, so that 36 hours is a day and a half.
    case "minutes":
      return day + amount / minutesPerDay;
    case "hours":
      return day + amount / 24;
    case "days":
      return day + Math.round(amount);
    case "weeks":
      return day + Math.round(amount * 7);
    case "months":
      return addMonthsRemembered(day, amount);
    case "years":
      return addMonthsRemembered(day, amount * 12);
  }
}

/**
 * Calendar months are costly and the same few windows ("2 years", "12 months") are measured from
 * the same dates over and over, so whole-month results are remembered in a small direct-mapped
 * table (a slot per hash of day and months; a collision just recomputes).
 */
const monthSumSlots = 4096;
const monthSumDays = new Int32Array(monthSumSlots).fill(-0x80000000);
const monthSumMonths = new Int32Array(monthSumSlots);
const monthSumResults = new Int32Array(monthSumSlots);

function addMonthsRemembered(day: number, months: number): number {
  if (!Number.isInteger(months) || !Number.isInteger(day) || Math.abs(months) > 0xfffff || Math.abs(day) > 0x3fffffff) return addMonths(day, months);
  const slot = ((day * 31 + months) >>> 0) % monthSumSlots;
  if (monthSumDays[slot] === day && monthSumMonths[slot] === months) return monthSumResults[slot];
  const result = addMonths(day, months);
  monthSumDays[slot] = day;
  monthSumMonths[slot] = months;
  monthSumResults[slot] = result;
  return result;
}

function addMonths(day: number, months: number): number {
  const whole = Math.trunc(months);
  const date = civilFromDays(day);
  const monthIndex = date.month - 1 + whole;
  const year = date.year + Math.floor(monthIndex / 12);
  const month = (((monthIndex % 12) + 12) % 12) + 1;
  let result = daysFromCivil(year, month, Math.min(date.day, daysInMonth(year, month)));
  // A fractional month counts as its share of 30 days; policies rarely need it, but it must not be lost.
  const fraction = months - whole;
  if (fraction !== 0) result += Math.round(fraction * 30);
  return result;
}
