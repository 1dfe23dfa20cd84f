import type { JumpsResult } from "../core/results/jumps";
import { decimal, percent, pIs, points, pValue, table } from "./format";

function isoMinute(t: number): string {
  return `${new Date(t).toISOString().slice(0, 16)}Z`;
}

/** The readable release-jump summary: one row per release, then change points and the trend. */
export function formatJumps(result: JumpsResult, heading: string): string {
  const proportion = result.metric.kind === "proportion";
  const value = (v: number) => (proportion ? percent(v, 2) : decimal(v, 4));
  const change = (v: number) => (proportion ? points(v) : `${v > 0 ? "+" : ""}${decimal(v, 3)}`);
  // Slopes per day are small next to the level: significant digits, not fixed decimals.
  const slope = (v: number) => `${v > 0 ? "+" : ""}${proportion ? `${Number((v * 100).toPrecision(2))} pp` : Number(v.toPrecision(2))}`;
  const rows: string[][] = [["release", "at", "before", "after", "change", "95% CI", "p (Holm)", "verdict"]];
  for (const j of result.jumps) {
    if (j.status !== "ok") {
      rows.push([j.version, isoMinute(j.t), "", "", "", "", "", `insufficient data (${j.reason})`]);
      continue;
    }
    const [lo, hi] = j.difference.ci;
    rows.push([
      j.version,
      isoMinute(j.t),
      value(j.before.estimate),
      value(j.after.estimate),
      change(j.difference.estimate),
      `${change(lo)} to ${change(hi)}`,
      pValue(j.adjustedPValue),
      j.significant ? j.direction.toUpperCase() : "no change",
    ]);
  }
  rows[0]![5] = `${percent(result.settings.confidence, 0)} CI`;
  const better = result.metric.direction === "higher" ? "higher is better" : "lower is better";
  const lines = [heading, `${result.metric.name}: ${result.metric.kind}, ${better}`, ""];
  lines.push(result.jumps.length > 0 ? table(rows) : "No release events in this range.", "");
  if (result.changePoints.status === "ok") {
    const cps = result.changePoints.points;
    lines.push(cps.length === 0 ? "Change points: none." : "Change points:");
    for (const c of cps) {
      const at = c.coincidesWith.length > 0 ? `at release ${c.coincidesWith.join(", ")}` : "unannounced";
      lines.push(`  ${isoMinute(c.t)}  ${value(c.before.mean)} -> ${value(c.after.mean)}  (${c.direction}, ${at})`);
    }
  } else lines.push(`Change points: insufficient data (${result.changePoints.reason}).`);
  const tr = result.trend;
  lines.push(
    tr.status === "ok"
      ? `Trend: Mann-Kendall tau = ${decimal(tr.tau, 3)}, ${pIs(tr.pValue)}; Theil-Sen slope ${slope(tr.slope)} per day ` +
          `(${slope(tr.slopeCi[0])} to ${slope(tr.slopeCi[1])}): ${tr.significant ? `trending ${tr.direction}` : "no trend"}.`
      : `Trend: insufficient data (${tr.reason}).`,
  );
  lines.push(...result.warnings.map((w) => `Warning: ${w}`));
  return `${lines.join("\n")}\n`;
}
