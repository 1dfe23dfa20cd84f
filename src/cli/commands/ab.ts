import type { AbOptions } from "../../core/ab/analyzeAb";
import type { ProportionArmInput } from "../../core/ab/armStats";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { analyze, formatAb } from "../formatAb";
import { LOG_FLAGS, logPaths, logsStamp, scanLogs, scanSummary } from "../logsSource";
import { METRICS_FLAGS } from "../metricsSource";
import { choiceFlag, numberFlag, stringFlag } from "../parse";
import { abFromMetrics } from "./abFromMetrics";

/** Metrics the prediction logs give per arm; "conversion" is the outcome rate. */
const LOG_METRICS = ["outcome_rate", "outcome_mean", "error_rate", "latency_ms", "prediction_mean"] as const;

export const abCommand: Command = {
  name: "ab",
  summary: "Did my experiment win? Compares each arm with the baseline, from counts, prediction logs or Prometheus.",
  usage: 'ab --counts "Baseline=SUCCESSES/TRIALS,Variant=SUCCESSES/TRIALS[,...]" [options]\n' +
    "       prodinsights ab --logs GLOB --experiment NAME [--metric METRIC] [options]\n" +
    "       prodinsights ab EXPERIMENT [--config FILE] [--backend NAME] [--metric METRIC] [--range RANGE] [options]",
  flags: {
    counts: { type: "string", description: "arms as name=conversions/units, comma-separated, baseline first" },
    logs: LOG_FLAGS.logs,
    experiment: { type: "string", description: "the experiment to analyze (or give it as the first argument)" },
    metric: {
      type: "string",
      description: `with --logs: conversion (= outcome_rate), ${LOG_METRICS.slice(1).join(", ")}; with --config: a proportion or mean metric of the file`,
      default: "conversion, or the experiment's first metric",
    },
    ...METRICS_FLAGS,
    now: LOG_FLAGS.now,
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
    "prodinsights ab checkout --config prodinsights.yaml --range -14d..now",
  ],
  async run(args, io) {
    const counts = stringFlag(args, "counts");
    const hasLogs = args.values["logs"] !== undefined;
    if (counts !== undefined && hasLogs) throw new UsageError('give either --counts "A=378/3662,B=462/3568" or --logs GLOB, not both');
    if (args.positionals.length > 1) throw new UsageError(`one experiment at a time; got ${args.positionals.join(", ")}`);
    const experimentArg = args.positionals[0] ?? stringFlag(args, "experiment");
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
    if (!hasLogs) {
      // Neither counts nor logs: the experiment's telemetry in the workspace file's backend.
      if (experimentArg === undefined) {
        throw new UsageError('name the experiment (prodinsights ab checkout --config prodinsights.yaml), or give --counts "A=378/3662,B=462/3568" or --logs GLOB');
      }
      return abFromMetrics(args, io, experimentArg, (direction, expectedSplit) => {
        const o = options(direction);
        return expectedSplit && o.expectedSplit === undefined ? { ...o, expectedSplit } : o;
      });
    }
    const experiment = experimentArg;
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
