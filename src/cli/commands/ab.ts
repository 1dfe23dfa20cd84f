import { analyzeAb } from "../../core/ab/analyzeAb";
import type { ProportionArmInput } from "../../core/ab/armStats";
import type { AbResult } from "../../core/results/ab";
import type { Command } from "../command";
import { asUsageError, UsageError } from "../errors";
import { count, percent, points, pValue, table } from "../format";
import { choiceFlag, numberFlag } from "../parse";

export const abCommand: Command = {
  name: "ab",
  summary: "Did my experiment win? Compares each arm's conversion rate with the baseline (the first arm).",
  usage: 'ab --counts "Baseline=SUCCESSES/TRIALS,Variant=SUCCESSES/TRIALS[,...]" [options]',
  flags: {
    counts: { type: "string", description: "arms as name=conversions/units, comma-separated, baseline first" },
    confidence: { type: "string", description: "confidence of intervals; alpha = 1 - confidence", default: "0.95" },
    correction: { type: "string", description: "adjustment across arms: none, holm or bh", default: "holm" },
    mde: { type: "string", description: "minimum detectable effect (absolute) for the power figure" },
    split: { type: "string", description: "expected traffic split for the SRM check, e.g. 50,50", default: "even" },
    direction: { type: "string", description: "whether higher or lower rates are better", default: "higher" },
    json: { type: "boolean", description: "print the ab result document as JSON" },
  },
  details:
    "Intervals are Wald intervals; the relative lift uses the delta method; the chance to beat the baseline\n" +
    "is a normal approximation. The SRM check flags p < 0.001 once every arm has 8 units.\n" +
    "For mean metrics, pipe sufficient statistics to 'prodinsights stats ab'.",
  examples: [
    'prodinsights ab --counts "Original Page=378/3662,Test it out=462/3568"',
    'prodinsights ab --counts "control=1200/10000,red=1290/10000,blue=1210/10000" --mde 0.01 --json',
  ],
  async run(args, io) {
    const raw = args.values["counts"];
    if (typeof raw !== "string") throw new UsageError('--counts is required, e.g. --counts "A=378/3662,B=462/3568"');
    const arms = parseCounts(raw);
    const split = args.values["split"];
    let result: AbResult;
    try {
      result = analyzeAb(arms, {
        confidence: numberFlag(args, "confidence", 0.95)!,
        correction: choiceFlag(args, "correction", ["none", "holm", "bh"] as const, "holm"),
        direction: choiceFlag(args, "direction", ["higher", "lower"] as const, "higher"),
        ...(args.values["mde"] === undefined ? {} : { mde: numberFlag(args, "mde")! }),
        ...(typeof split === "string" && split !== "even" ? { expectedSplit: parseSplit(split) } : {}),
      });
    } catch (err) {
      throw asUsageError(err);
    }
    io.stdout(args.values["json"] ? `${JSON.stringify(result, null, 2)}\n` : formatAb(result, arms));
    return 0;
  },
};

/** "A=378/3662,B=462/3568" -> arms. Names may hold spaces but not commas or '='. */
export function parseCounts(text: string): ProportionArmInput[] {
  return text.split(",").map((part, i) => {
    const m = /^\s*([^=]+?)\s*=\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(part);
    if (!m) throw new UsageError(`--counts arm ${i + 1} '${part.trim()}' is not name=conversions/units`);
    return { name: m[1]!, successes: Number(m[2]), trials: Number(m[3]) };
  });
}

function parseSplit(text: string): number[] {
  return text.split(",").map((part) => {
    const v = Number(part);
    if (!(part.trim() !== "" && v > 0)) throw new UsageError(`--split '${text}' must be positive numbers, e.g. 50,50`);
    return v;
  });
}

/** The readable table a person pastes into a review. */
export function formatAb(result: AbResult, arms: readonly ProportionArmInput[]): string {
  const pm = (ci: readonly [number, number], estimate: number) => `${percent(estimate)} ±${percent(Math.max(estimate - ci[0], ci[1] - estimate))}`;
  const rows: string[][] = [["arm", "units", "conversions", "rate", "lift", "difference", "p", "chance to beat", "verdict"]];
  result.arms.forEach((arm, i) => {
    const rate = arm.status === "ok" ? pm(arm.ci, arm.estimate) : "n/a";
    const cells = [arm.name, count(arm.n), count(arms[i]?.successes ?? 0), rate];
    const c = i === 0 ? undefined : result.comparisons[i - 1];
    if (i === 0) cells.push("baseline");
    else if (c && c.status === "ok") {
      const lift = c.relative.status === "insufficient-data" ? "n/a" : percent(c.relative.estimate, 1, true);
      cells.push(lift, points(c.absolute.estimate), pValue(c.adjustedPValue), percent(c.chanceToBeatBaseline), c.verdict);
    } else cells.push("", "", "", "", "insufficient data");
    rows.push(cells);
  });
  const lines = [
    `A/B test: ${result.arms.length} arms, conversion rate, ${percent(result.confidence, 0)} confidence, ` +
      `${result.correction === "none" ? "no" : result.correction === "bh" ? "Benjamini-Hochberg" : "Holm"} correction`,
    "",
    table(rows),
    "",
    ...result.comparisons.map((c) => comparisonSentence(c)),
  ];
  if (result.srm.status === "ok") {
    const verdict = result.srm.flagged ? "MISMATCH" : "ok";
    lines.push(`Sample ratio check: p = ${pValue(result.srm.pValue)} against the expected split (${verdict}).`);
  }
  if (result.power.status === "ok") lines.push(`Power to detect ${points(result.power.mde)}: ${percent(result.power.value)}.`);
  lines.push(...result.warnings.map((w) => `Warning: ${w}`));
  lines.push(`Verdict: ${result.winner ? `${result.winner} wins` : result.verdict}.`);
  return `${lines.join("\n")}\n`;
}

function comparisonSentence(c: AbResult["comparisons"][number]): string {
  if (c.status !== "ok") return `${c.arm} vs ${c.baseline}: insufficient data (${c.reason}).`;
  const [lo, hi] = c.absolute.ci;
  const rel = c.relative.status === "insufficient-data" ? "" : `${percent(c.relative.estimate, 1, true)} relative, `;
  return (
    `${c.arm} vs ${c.baseline}: ${rel}${points(c.absolute.estimate)} ` +
    `(CI ${points(lo)} to ${points(hi)}), p = ${pValue(c.adjustedPValue)}, ` +
    `chance to beat baseline ${percent(c.chanceToBeatBaseline)}.`
  );
}
