import { analyzeAb, type AbOptions } from "../../core/ab/analyzeAb";
import type { AbArmInput, ProportionArmInput } from "../../core/ab/armStats";
import type { AbResult } from "../../core/results/ab";
import type { Command } from "../command";
import { asUsageError, UsageError } from "../errors";
import { count, decimal, percent, points, pValue, table } from "../format";
import { LOG_FLAGS, logPaths, logsStamp, scanLogs, scanSummary } from "../logsSource";
import { choiceFlag, numberFlag, stringFlag } from "../parse";

/** Metrics the prediction logs give per arm; "conversion" is the outcome rate. */
const LOG_METRICS = ["outcome_rate", "outcome_mean", "error_rate", "latency_ms", "prediction_mean"] as const;

export const abCommand: Command = {
  name: "ab",
  summary: "Did my experiment win? Compares each arm with the baseline, from counts or prediction logs.",
  usage: 'ab --counts "Baseline=SUCCESSES/TRIALS,Variant=SUCCESSES/TRIALS[,...]" [options]\n' +
    "       prodinsights ab --logs GLOB --experiment NAME [--metric METRIC] [options]",
  flags: {
    counts: { type: "string", description: "arms as name=conversions/units, comma-separated, baseline first" },
    logs: LOG_FLAGS.logs,
    experiment: { type: "string", description: "with --logs: the experiment to analyze" },
    metric: { type: "string", description: `with --logs: conversion (= outcome_rate), ${LOG_METRICS.slice(1).join(", ")}`, default: "conversion" },
    confidence: { type: "string", description: "confidence of intervals; alpha = 1 - confidence", default: "0.95" },
    correction: { type: "string", description: "adjustment across arms: none, holm or bh", default: "holm" },
    mde: { type: "string", description: "minimum detectable effect (absolute) for the power figure" },
    split: { type: "string", description: "expected traffic split for the SRM check, e.g. 50,50", default: "even" },
    direction: { type: "string", description: "whether higher or lower values are better", default: "higher, or the metric's" },
    json: { type: "boolean", description: "print the ab result document as JSON" },
  },
  details:
    "Intervals are Wald intervals; the relative lift uses the delta method; the chance to beat the baseline\n" +
    "is a normal approximation. The SRM check flags p < 0.001 once every arm has 8 units.\n" +
    "For mean metrics, pipe sufficient statistics to 'prodinsights stats ab'.",
  examples: [
    'prodinsights ab --counts "Original Page=378/3662,Test it out=462/3568"',
    'prodinsights ab --counts "control=1200/10000,red=1290/10000,blue=1210/10000" --mde 0.01 --json',
    "prodinsights ab --logs 'logs/*.jsonl' --experiment checkout --metric conversion",
  ],
  async run(args, io) {
    const counts = stringFlag(args, "counts");
    const hasLogs = args.values["logs"] !== undefined;
    if ((counts === undefined) === !hasLogs) {
      throw new UsageError('give either --counts "A=378/3662,B=462/3568" or --logs GLOB --experiment NAME');
    }
    const split = stringFlag(args, "split");
    const options = (direction: "higher" | "lower"): AbOptions => ({
      confidence: numberFlag(args, "confidence", 0.95)!,
      correction: choiceFlag(args, "correction", ["none", "holm", "bh"] as const, "holm"),
      direction: choiceFlag(args, "direction", ["higher", "lower"] as const, direction),
      ...(args.values["mde"] === undefined ? {} : { mde: numberFlag(args, "mde")! }),
      ...(split !== undefined && split !== "even" ? { expectedSplit: parseSplit(split) } : {}),
    });
    if (counts !== undefined) {
      const arms = parseCounts(counts);
      const result = analyze(arms, options("higher"));
      io.stdout(args.values["json"] ? `${JSON.stringify(result, null, 2)}\n` : formatAb(result, arms));
      return 0;
    }
    const experiment = stringFlag(args, "experiment");
    if (experiment === undefined) throw new UsageError("--experiment is required with --logs, e.g. --experiment checkout");
    const metricFlag = stringFlag(args, "metric") ?? "conversion";
    const metricName = metricFlag === "conversion" ? "outcome_rate" : metricFlag;
    if (!(LOG_METRICS as readonly string[]).includes(metricName)) {
      throw new UsageError(`--metric must be conversion or one of ${LOG_METRICS.join(", ")}, got '${metricFlag}'`);
    }
    const paths = logPaths(args);
    const logs = await scanLogs(io, { paths, filters: { experiment }, summaries: ["experiments"] });
    const found = logs.experiments.find((e) => e.experiment === experiment);
    if (!found) throw new UsageError(`no rows of experiment '${experiment}' in the logs`);
    const metric = found.metrics.find((m) => m.name === metricName);
    if (!metric) throw new UsageError(`experiment '${experiment}' has no ${metricName} in the logs; it has ${found.metrics.map((m) => m.name).join(", ")}`);
    const result = analyze(metric.arms, options(metric.direction));
    if (args.values["json"]) {
      const source = logsStamp(paths, logs, { experiment, metric: metricName });
      io.stdout(`${JSON.stringify({ ...result, source }, null, 2)}\n`);
      return 0;
    }
    io.stdout(`Experiment ${experiment}, ${metricName}\n${scanSummary(logs)}\n\n${formatAb(result, metric.arms)}`);
    return 0;
  },
};

function analyze(arms: readonly AbArmInput[], options: AbOptions): AbResult {
  try {
    return analyzeAb(arms, options);
  } catch (err) {
    throw asUsageError(err);
  }
}

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
export function formatAb(result: AbResult, arms: readonly AbArmInput[]): string {
  const proportion = result.metricKind === "proportion";
  const show = (v: number) => (proportion ? percent(v) : decimal(v, 4));
  const diff = (v: number) => (proportion ? points(v) : `${v > 0 ? "+" : ""}${decimal(v, 3)}`);
  const pm = (ci: readonly [number, number], estimate: number) => `${show(estimate)} ±${show(Math.max(estimate - ci[0], ci[1] - estimate))}`;
  const header = proportion ? ["arm", "units", "conversions", "rate"] : ["arm", "units", "mean"];
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
    `A/B test: ${result.arms.length} arms, ${proportion ? "conversion rate" : "mean"}, ${percent(result.confidence, 0)} confidence, ` +
      `${result.correction === "none" ? "no" : result.correction === "bh" ? "Benjamini-Hochberg" : "Holm"} correction`,
    "",
    table(rows),
    "",
    ...result.comparisons.map((c) => comparisonSentence(c, diff)),
  ];
  if (result.srm.status === "ok") {
    const verdict = result.srm.flagged ? "MISMATCH" : "ok";
    lines.push(`Sample ratio check: p = ${pValue(result.srm.pValue)} against the expected split (${verdict}).`);
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
    `(CI ${diff(lo)} to ${diff(hi)}), p = ${pValue(c.adjustedPValue)}, ` +
    `chance to beat baseline ${percent(c.chanceToBeatBaseline)}.`
  );
}
