/**
 * Numbers for people in the reports, written the way the CLI writes them (rates in percent,
 * differences in percentage points, p-values to two digits) so that a report and `prodinsights
 * ... ` read the same. webview/ may not import src/core code, hence its own copy of the rules.
 */

/** 0.1295 -> "12.9%"; `signed` adds "+" to positive values. */
export function percent(value: number, digits = 1, signed = false): string {
  const text = `${(value * 100).toFixed(digits)}%`;
  return signed && value > 0 ? `+${text}` : text;
}

/** A difference of proportions in percentage points: 0.0263 -> "+2.63 pp". */
export function points(value: number, digits = 2): string {
  return `${value > 0 ? "+" : ""}${(value * 100).toFixed(digits)} pp`;
}

/** p-values: two significant digits, and "< 1e-16" below what doubles resolve. */
export function pValue(p: number): string {
  if (p < 1e-16) return "< 1e-16";
  if (p < 0.0001) return p.toExponential(1);
  return p.toPrecision(2);
}

/** 14751 -> "14,751". */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A general number to a few significant digits, without exponent for everyday sizes. */
export function decimal(value: number, digits = 4): string {
  if (value === 0) return "0";
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e7 ? String(Number(value.toPrecision(digits))) : value.toPrecision(digits);
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

/** "p = 0.53", or "p < 1e-16" below what a double can tell apart from 0. */
export function pIs(p: number): string {
  const text = pValue(p);
  return text.startsWith("<") ? `p ${text}` : `p = ${text}`;
}
