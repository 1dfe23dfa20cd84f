import { analyzeDrift } from "../../core/drift/analyzeDrift";
import type { DriftMethod } from "../../core/results/drift";
import type { Command } from "../command";
import { asUsageError, UsageError } from "../errors";
import { formatDrift } from "../formatDrift";
import { LOG_FLAGS, logPaths, logsStamp, nowFrom, scanLogs, scanSummary } from "../logsSource";
import { asMetricsUsageError, METRICS_FLAGS, metricsStamp, openMetrics } from "../metricsSource";
import { choiceFlag, numberFlag, stringFlag } from "../parse";
import { formatTimeRange, parseTimeRange } from "../timeRange";
import { readDriftFeatures } from "../../telemetry/metrics/driftInputs";
import type { FeatureInput } from "../../core/drift/inputs";
import { modelArgument } from "../configSource";

const METHODS = ["ks", "chisquare", "z", "psi", "jensenshannon", "wasserstein"] as const;

export const driftCommand: Command = {
  name: "drift",
  summary: "Did my inputs drift? Compares each feature and the prediction between two time windows.",
  usage: "drift --logs GLOB --model NAME [--baseline RANGE] [--current RANGE] [options]\n" +
    "       prodinsights drift MODEL [--config FILE] [--backend NAME] [--baseline RANGE] [--current RANGE] [options]",
  flags: {
    ...LOG_FLAGS,
    config: METRICS_FLAGS.config!,
    backend: METRICS_FLAGS.backend!,
    baseline: { type: "string", description: "the reference window, e.g. 2026-11-01..2026-11-08", default: "-14d..-7d" },
    current: { type: "string", description: "the window to check", default: "-1d..now" },
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
    "prodinsights drift churn --config prodinsights.yaml --baseline -14d..-7d --current -1d..now",
  ],
  async run(args, io) {
    const model = modelArgument(args);
    const now = nowFrom(args, io);
    const baseline = parseTimeRange(stringFlag(args, "baseline") ?? "-14d..-7d", now, "baseline");
    const current = parseTimeRange(stringFlag(args, "current") ?? "-1d..now", now, "current");
    const method = args.values["method"] === undefined ? undefined : choiceFlag(args, "method", METHODS, "ks") as DriftMethod;
    const threshold = numberFlag(args, "threshold");
    if (threshold !== undefined && method === undefined) throw new UsageError("--threshold goes with --method");
    const analyze = (features: FeatureInput[]) => {
      try {
        return analyzeDrift(features, {
          ...(method === undefined ? {} : { method }),
          ...(threshold === undefined ? {} : { threshold }),
          driftShare: numberFlag(args, "drift-share", 0.5)!,
        });
      } catch (err) {
        throw asUsageError(err);
      }
    };
    const windows = `baseline ${formatTimeRange(baseline)} vs current ${formatTimeRange(current)}`;

    if (args.values["logs"] === undefined) {
      // The model's histograms in the workspace file's backend.
      if (model === undefined) throw new UsageError("name the model: prodinsights drift churn --config prodinsights.yaml (or read logs with --logs GLOB --model NAME)");
      const session = await openMetrics(args, io, (ws) => ws.config.models.get(model)?.backend);
      let read;
      try {
        read = await readDriftFeatures(session.api, model, baseline, current);
      } catch (err) {
        throw asMetricsUsageError(err);
      }
      if (read.features.length === 0) throw new UsageError(`no model_feature, model_feature_category_total or model_prediction series of model '${model}' in the windows (${windows})`);
      const result = analyze(read.features);
      if (args.values["json"]) {
        const source = metricsStamp(session, { start: baseline.start, end: current.end }, { model, baseline: formatTimeRange(baseline), current: formatTimeRange(current), warnings: read.warnings });
        io.stdout(`${JSON.stringify({ ...result, source }, null, 2)}\n`);
        return 0;
      }
      const heading = `Drift of ${model}: ${windows}\nFrom ${session.backend.name} (${session.api.queries.length} queries)${read.warnings.map((w) => `\nWarning: ${w}`).join("")}`;
      io.stdout(formatDrift(result, heading));
      return 0;
    }

    const paths = logPaths(args);
    const logs = await scanLogs(io, { paths, filters: model === undefined ? {} : { model }, baseline, current, summaries: [] });
    if (logs.features.length === 0) {
      throw new UsageError(`no feature values in the windows (${formatTimeRange(baseline)} and ${formatTimeRange(current)}); ${dataSpan(logs)}`);
    }
    const result = analyze(logs.features);
    if (args.values["json"]) {
      const source = logsStamp(paths, logs, { model, baseline, current });
      io.stdout(`${JSON.stringify({ ...result, source }, null, 2)}\n`);
      return 0;
    }
    io.stdout(formatDrift(result, `Drift${model ? ` of ${model}` : ""}: ${windows}\n` + scanSummary(logs)));
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
