/**
 * Timestamps of log records as milliseconds since the epoch: ISO 8601 text, epoch numbers in
 * seconds to nanoseconds (or their text), Dates. The common spelling `YYYY-MM-DDTHH:MM:SS(.sss)Z`
 * is read digit by digit, from a string or straight from a line's bytes (the JSONL fast path),
 * both through `utcMs`, so that the two agree by construction.
 */

// ISO 8601 dates and date-times as logs write them; a value without a zone is UTC.
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
/** A decimal number in text, as pandas and the CSV reader take it. */
export const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Epoch numbers are told apart by size, each unit covering 1973 to 5138: below 1e11 they are
 * seconds, below 1e14 milliseconds, below 1e17 microseconds, and nanoseconds above. Seconds are
 * rounded to whole milliseconds, so that 1790000000.123 is exactly 1790000000123.
 *
 * @example epochToMs(1790000000) // 1790000000000
 * @example epochToMs(1790000000000) // 1790000000000
 */
export function epochToMs(v: number): number {
  const a = Math.abs(v);
  if (a < 1e11) return Math.round(v * 1e3);
  if (a < 1e14) return v;
  if (a < 1e17) return v / 1e3;
  return v / 1e6;
}

// Logs repeat one day for thousands of lines, so the last day's start is kept, by its digits as
// one number (yyyymmdd: digits name a day uniquely; NaN, from a non-digit, never matches).
let lastDay = NaN;
let lastDayMs = 0;

/**
 * A UTC date-time from its parts as read digit by digit, where a non-digit made a part NaN; undefined
 * when a part is NaN or out of range, or the day is not in the calendar (31 April). Years below 100
 * are left to the general way: Date.UTC reads them as 1900-1999.
 */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, sec: number, ms: number): number | undefined {
  const day = y * 10000 + mo * 100 + d;
  let dayMs: number;
  if (day === lastDay) dayMs = lastDayMs;
  else {
    if (!(y >= 100 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31)) return undefined;
    dayMs = Date.UTC(y, mo - 1, d);
    if (new Date(dayMs).getUTCDate() !== d) return undefined;
    lastDay = day;
    lastDayMs = dayMs;
  }
  if (!(h <= 23 && mi <= 59 && sec <= 59 && ms >= 0)) return undefined;
  return dayMs + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
}

const T = 84;
const COLON = 58;
const DOT = 46;
const Z = 90;
const DASH = 45;

/** The digit at `i`, or NaN, which fails every later range check. */
function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
}

/**
 * The common log spelling, `YYYY-MM-DDTHH:MM:SSZ` with or without `.sss`, read digit by digit: a
 * scan meets one per line and the regular expression below costs ten times as much. Anything
 * else (or an impossible date) is undefined and goes the general way.
 */
function isoUtcFast(s: string): number | undefined {
  const n = s.length;
  if (n !== 24 && n !== 20) return undefined;
  if (s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH || s.charCodeAt(10) !== T || s.charCodeAt(13) !== COLON || s.charCodeAt(16) !== COLON) return undefined;
  if (s.charCodeAt(n - 1) !== Z || (n === 24 && s.charCodeAt(19) !== DOT)) return undefined;
  const y = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const ms = n === 24 ? digit(s, 20) * 100 + digit(s, 21) * 10 + digit(s, 22) : 0;
  return utcMs(y, digit(s, 5) * 10 + digit(s, 6), digit(s, 8) * 10 + digit(s, 9), digit(s, 11) * 10 + digit(s, 12), digit(s, 14) * 10 + digit(s, 15), digit(s, 17) * 10 + digit(s, 18), ms);
}

/** The digit of byte `c`, or NaN. */
function byteDigit(c: number): number {
  const d = c - 48;
  return d >= 0 && d <= 9 ? d : NaN;
}

/**
 * isoUtcFast of the text b[at, end), ASCII without escapes, without making the string: the JSONL
 * fast path meets one per line, and a string per line was 7% of a drift scan. For the same text
 * it gives what parseTimestamp gives.
 */
export function isoUtcBytes(b: Uint8Array, at: number, end: number): number | undefined {
  const n = end - at;
  if (n !== 24 && n !== 20) return undefined;
  if (b[at + 4] !== DASH || b[at + 7] !== DASH || b[at + 10] !== T || b[at + 13] !== COLON || b[at + 16] !== COLON) return undefined;
  if (b[end - 1] !== Z || (n === 24 && b[at + 19] !== DOT)) return undefined;
  const y = byteDigit(b[at]!) * 1000 + byteDigit(b[at + 1]!) * 100 + byteDigit(b[at + 2]!) * 10 + byteDigit(b[at + 3]!);
  const mo = byteDigit(b[at + 5]!) * 10 + byteDigit(b[at + 6]!);
  const d = byteDigit(b[at + 8]!) * 10 + byteDigit(b[at + 9]!);
  const h = byteDigit(b[at + 11]!) * 10 + byteDigit(b[at + 12]!);
  const mi = byteDigit(b[at + 14]!) * 10 + byteDigit(b[at + 15]!);
  const sec = byteDigit(b[at + 17]!) * 10 + byteDigit(b[at + 18]!);
  const ms = n === 24 ? byteDigit(b[at + 20]!) * 100 + byteDigit(b[at + 21]!) * 10 + byteDigit(b[at + 22]!) : 0;
  return utcMs(y, mo, d, h, mi, sec, ms);
}

/** Whether YYYY-MM-DD names a day of the calendar. */
function isRealDate(date: string): boolean {
  const [y, mo, d] = date.split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(2000, mo - 1, d));
  day.setUTCFullYear(y); // Date.UTC alone reads years 0-99 as 1900-1999
  return mo >= 1 && mo <= 12 && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d;
}

/** A timestamp as milliseconds since the epoch: ISO 8601 text, an epoch number (or its text), or a Date. */
export function parseTimestamp(v: unknown): number | undefined {
  if (typeof v === "string") {
    const fast = isoUtcFast(v);
    if (fast !== undefined) return fast;
  }
  if (typeof v === "number") return Number.isFinite(v) ? epochToMs(v) : undefined;
  if (typeof v === "bigint") return epochToMs(Number(v));
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.getTime() : undefined;
  if (typeof v !== "string") return undefined;
  const s = v.trim();
  if (DECIMAL.test(s)) {
    const n = Number(s);
    return Number.isFinite(n) ? epochToMs(n) : undefined;
  }
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [, date, time, zone] = m;
  if (!isRealDate(date!)) return undefined; // Date.parse would roll 2026-02-30 over into March
  let clock = time ?? "00:00";
  if (clock.length === 5) clock += ":00";
  const frac = /[.,](\d+)$/.exec(clock);
  // Keep milliseconds; Date.parse does not take every fraction length.
  if (frac) clock = `${clock.slice(0, clock.length - frac[0].length)}.${frac[1]!.slice(0, 3).padEnd(3, "0")}`;
  let tz = zone === undefined || zone === "z" ? "Z" : zone;
  if (tz !== "Z") tz = tz.length === 3 ? `${tz}:00` : tz.includes(":") ? tz : `${tz.slice(0, 3)}:${tz.slice(3)}`;
  const ms = Date.parse(`${date}T${clock}${tz}`);
  return Number.isFinite(ms) ? ms : undefined;
}
