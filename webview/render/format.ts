/**
 * Numbers for people in the reports: the CLI's own rules (src/core/format.ts, the one module of
 * core that webview/ may import besides result types), so that a report and `prodinsights …` read
 * the same, and a few that only reports need.
 */
import { decimal as coreDecimal } from "../../src/core/format";

export { count, percent, pIs, points, pValue } from "../../src/core/format";

/** A general number to a few significant digits; zero is "0", not "0.000". */
export function decimal(value: number, digits = 4): string {
  return value === 0 ? "0" : coreDecimal(value, digits);
}

/** decimal() with "+" on positive values, for differences. */
export function signedDecimal(value: number, digits = 4): string {
  return `${value > 0 ? "+" : ""}${decimal(value, digits)}`;
}

/** An interval as "lo to hi" with the given formatter. */
export function interval(ci: readonly [number, number], format: (v: number) => string): string {
  return `${format(ci[0])} to ${format(ci[1])}`;
}

/** ms since the epoch -> "2026-10-11T00:00Z" (UTC, to the minute, as the CLI prints times). */
export function time(ms: number): string {
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 16)}Z` : String(ms);
}

/** A span in ms for people: "30 s", "5 min", "2 h", "3 d". */
export function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 90) return `${decimal(s, 2)} s`;
  if (s < 90 * 60) return `${decimal(s / 60, 2)} min`;
  if (s < 36 * 3600) return `${decimal(s / 3600, 2)} h`;
  return `${decimal(s / 86400, 2)} d`;
}
