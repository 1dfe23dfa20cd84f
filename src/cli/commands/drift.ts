import { analyzeDrift } from "../../core/drift/analyzeDrift";
import type { DriftMethod } from "../../core/results/drift";
import type { Command } from "../command";
import { asUsageError, UsageError } from "../errors";
import { formatDrift } from "../formatDrift";
import { LOG_FLAGS, logPaths, logsStamp, nowFrom, scanLogs, scanSummary } from "../logsSource";
import { choiceFlag, numberFlag, stringFlag } from "../parse";
import { formatTimeRange, parseTimeRange } from "../timeRange";

const METHODS = ["ks", "chisquare", "z", "psi", "jensenshannon", "wasserstein"] as const;

export const driftCommand: Command = {
  name: "drift",
  summary: "Did my inputs drift? Compares each feature and the prediction between two time windows.",
  usage: "drift --logs GLOB --model NAME --baseline RANGE --current RANGE [options]",
  flags: {
    ...LOG_FLAGS,
    baseline: { type: "string", description: "the reference window, e.g. -14d..-7d or 2026-11-01..2026-11-08" },
    current: { type: "string", description: "the window to check, e.g. -1d..now" },
    method: { type: "string", description: `one measure for every feature: ${METHODS.join(", ")}`, default: "chosen per feature" },
    threshold: { type: "string", description: "the threshold for that measure (a p-value for ks, chisquare, z)" },
    "drift-share": { type: "string", description: "share of drifted features that makes the dataset drift", default: "0.5" },
    json: { type: "boolean", description: "print the drift document (with the source it was read from)" },
  },
  details:
    "Per feature the measure follows Evidently's rules: with up to 1,000 baseline values, KS for numeric\n" +
    "features and chi-square (or z for two categories) otherwise; with more, normed Wasserstein and\n" +
    "Jensen-Shannon distance. Each feature is none, possible or drift. See docs/drift.md.",
  examples: [
    "prodinsights drift --logs 'logs/*.jsonl' --model churn --baseline -14d..-7d --current -1d..now",
    "prodinsights drift --logs logs/ --model churn --baseline 2026-11-01..2026-11-08 --current 2026-11-20..2026-11-27 --json",
  ],
  async run(args, io) {
    const paths = logPaths(args);
    const model = stringFlag(args, "model");
    const baselineText = stringFlag(args, "baseline");
    const currentText = stringFlag(args, "current");
    if (!baselineText || !currentText) throw new UsageError("--baseline and --current are required, e.g. --baseline -14d..-7d --current -1d..now");
    const now = nowFrom(args, io);
    const baseline = parseTimeRange(baselineText, now, "baseline");
    const current = parseTimeRange(currentText, now, "current");
    const method = args.values["method"] === undefined ? undefined : choiceFlag(args, "method", METHODS, "ks") as DriftMethod;
    const threshold = numberFlag(args, "threshold");
    if (threshold !== undefined && method === undefined) throw new UsageError("--threshold goes with --method");
    const logs = await scanLogs(io, { paths, filters: model === undefined ? {} : { model }, baseline, current, summaries: [] });
    if (logs.features.length === 0) {
      throw new UsageError(`no feature values in the windows (${formatTimeRange(baseline)} and ${formatTimeRange(current)}); ${dataSpan(logs)}`);
    }
    let result;
    try {
      result = analyzeDrift(logs.features, {
        ...(method === undefined ? {} : { method }),
        ...(threshold === undefined ? {} : { threshold }),
        driftShare: numberFlag(args, "drift-share", 0.5)!,
      });
    } catch (err) {
      throw asUsageError(err);
    }
    if (args.values["json"]) {
      const source = logsStamp(paths, logs, { model, baseline, current });
      io.stdout(`${JSON.stringify({ ...result, source }, null, 2)}\n`);
      return 0;
    }
    const heading =
      `Drift${model ? ` of ${model}` : ""}: baseline ${formatTimeRange(baseline)} vs current ${formatTimeRange(current)}\n` + scanSummary(logs);
    io.stdout(formatDrift(result, heading));
    return 0;
  },
};

/** Where the matched rows lie in time, to help when a window is empty. */
export function dataSpan(logs: { versions: readonly { first: number; last: number }[] }): string {
  if (logs.versions.length === 0) return "no rows matched the filters at all";
  const first = Math.min(...logs.versions.map((v) => v.first));
  const last = Math.max(...logs.versions.map((v) => v.last));
  return `the matched rows span ${new Date(first).toISOString()} to ${new Date(last).toISOString()} (relative ranges count back from --now)`;
}
