/** The A/B analysis as the CLI runs and prints it, whatever the arms were read from. */
import { analyzeAb, type AbOptions } from "../core/ab/analyzeAb";
import type { AbArmInput } from "../core/ab/armStats";
import type { AbResult } from "../core/results/ab";
import { asUsageError } from "./errors";
import { count, decimal, percent, pIs, points, pValue, table } from "./format";

/** analyzeAb, with a mistake in the arms reported as the user's. */
export function analyze(arms: readonly AbArmInput[], options: AbOptions): AbResult {
  try {
    return analyzeAb(arms, options);
  } catch (err) {
    throw asUsageError(err);
  }
}

/** The readable table a person pastes into a review. */
export function formatAb(result: AbResult, arms: readonly AbArmInput[], what: { metric?: string; groups?: "arms" | "versions" } = {}): string {
  const proportion = result.metricKind === "proportion";
  const show = (v: number) => (proportion ? percent(v) : decimal(v, 4));
  const diff = (v: number) => (proportion ? points(v) : `${v > 0 ? "+" : ""}${decimal(v, 3)}`);
  const pm = (ci: readonly [number, number], estimate: number) => `${show(estimate)} ±${show(Math.max(estimate - ci[0], ci[1] - estimate))}`;
  // A named metric counts events of its own (errors, say); an unnamed proportion is a conversion rate.
  const group = what.groups === "versions" ? "version" : "arm";
  const header = proportion ? [group, "units", what.metric ? "events" : "conversions", "rate"] : [group, "units", "mean"];
  const rows: string[][] = [[...header, "lift", "difference", "p", "chance to beat", "verdict"]];
  result.arms.forEach((arm, i) => {
    const input = arms[i];
    const cells = [arm.name, count(arm.n)];
    if (proportion) cells.push(count(input && "successes" in input ? input.successes : 0));
    cells.push(arm.status === "ok" ? pm(arm.ci, arm.estimate) : "n/a");
    const c = i === 0 ? undefined : result.comparisons[i - 1];
    if (i === 0) cells.push("baseline");
    else if (c && c.status === "ok") {
      const lift = c.relative.status === "insufficient-data" ? "n/a" : percent(c.relative.estimate, 1, true);
      cells.push(lift, diff(c.absolute.estimate), pValue(c.adjustedPValue), percent(c.chanceToBeatBaseline), c.verdict);
    } else cells.push("", "", "", "", "insufficient data");
    rows.push(cells);
  });
  const lines = [
    `${what.groups === "versions" ? `${result.arms.length} versions` : `A/B test: ${result.arms.length} arms`}, ` +
      `${what.metric ? `${what.metric} (${proportion ? "rate" : "mean"})` : proportion ? "conversion rate" : "mean"}, ${percent(result.confidence, 0)} confidence, ` +
      `${result.correction === "none" ? "no" : result.correction === "bh" ? "Benjamini-Hochberg" : "Holm"} correction`,
    "",
    table(rows),
    "",
    ...result.comparisons.map((c) => comparisonSentence(c, diff)),
  ];
  if (result.srm.status === "ok") {
    const verdict = result.srm.flagged ? "MISMATCH" : "ok";
    lines.push(`Sample ratio check: ${pIs(result.srm.pValue)} against the expected split (${verdict}).`);
  }
  if (result.power.status === "ok") lines.push(`Power to detect ${diff(result.power.mde)}: ${percent(result.power.value)}.`);
  lines.push(...result.warnings.map((w) => `Warning: ${w}`));
  lines.push(`Verdict: ${result.winner ? `${result.winner} wins` : result.verdict}.`);
  return `${lines.join("\n")}\n`;
}

function comparisonSentence(c: AbResult["comparisons"][number], diff: (v: number) => string): string {
  if (c.status !== "ok") return `${c.arm} vs ${c.baseline}: insufficient data (${c.reason}).`;
  const [lo, hi] = c.absolute.ci;
  const rel = c.relative.status === "insufficient-data" ? "" : `${percent(c.relative.estimate, 1, true)} relative, `;
  return (
    `${c.arm} vs ${c.baseline}: ${rel}${diff(c.absolute.estimate)} ` +
    `(CI ${diff(lo)} to ${diff(hi)}), ${pIs(c.adjustedPValue)}, ` +
    `chance to beat baseline ${percent(c.chanceToBeatBaseline)}.`
  );
}
