/**
 * Numbers for people, in result texts (the reasons of a canary's checks) and in the CLI's tables:
 * rates in percent, differences in percentage points, p-values to two digits.
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

/** "p = 0.53", or "p < 1e-16" below what a double can tell apart from 0. */
export function pIs(p: number): string {
  const text = pValue(p);
  return text.startsWith("<") ? `p ${text}` : `p = ${text}`;
}

/** 14751 -> "14,751". */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A general number to a few significant digits, without exponent for everyday sizes. */
export function decimal(value: number, digits = 4): string {
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e7 ? String(Number(value.toPrecision(digits))) : value.toPrecision(digits);
}
