import { UsageError } from "./errors";

/** A half-open time range [start, end) in milliseconds since the epoch. */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };
const RELATIVE = /^-(\d+(?:\.\d+)?)([smhdw])$/;
// ISO 8601 dates and date-times, as people type them: 2026-11-01, 2026-11-01T12:00, ...Z, ...+02:00
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** One end of a range: `now`, `-7d` (relative to now), or an ISO date (UTC unless it says otherwise). */
export function parseInstant(text: string, now: number): number {
  const t = text.trim();
  if (t === "now") return now;
  const rel = RELATIVE.exec(t);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  if (ISO.test(t)) {
    // A bare date or date-time has no zone: read it as UTC, so results do not depend on the machine.
    const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(t) || !t.includes(":") ? t : `${t}Z`;
    const ms = Date.parse(t.includes(":") ? zoned.replace(" ", "T") : `${t}T00:00:00Z`);
    if (Number.isFinite(ms)) return ms;
  }
  throw new UsageError(`'${text}' is not a time: use now, a relative time such as -7d or -12h, or an ISO date such as 2026-11-01`);
}

/**
 * Parses `START..END`, e.g. `-14d..-7d`, `-1d..now` or `2026-11-01..2026-11-08T12:00`.
 * Relative times count back from `now`, which callers pass so that results can be reproduced.
 *
 * @example parseTimeRange("-1d..now", 86400000) // { start: 0, end: 86400000 }
 */
export function parseTimeRange(text: string, now: number, flag = "range"): TimeRange {
  const parts = text.split("..");
  if (parts.length !== 2) throw new UsageError(`--${flag} '${text}' must be START..END, e.g. -14d..-7d or 2026-11-01..now`);
  const start = parseInstant(parts[0]!, now);
  const end = parseInstant(parts[1]!, now);
  if (!(start < end)) throw new UsageError(`--${flag} '${text}' ends before it starts`);
  return { start, end };
}

/** A range for messages and result stamps: ISO times in UTC. */
export function formatTimeRange(range: TimeRange): string {
  return `${new Date(range.start).toISOString()}..${new Date(range.end).toISOString()}`;
}
