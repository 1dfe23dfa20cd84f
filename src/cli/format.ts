/** Number formatting for people: the CLI's tables and summaries. */
export { count, decimal, percent, pIs, points, pValue } from "../core/format";

/** Left-aligned text columns separated by two spaces; rows may be shorter than the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n");
}
