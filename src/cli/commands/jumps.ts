import { analyzeJumps } from "../../core/jumps/analyzeJumps";
import type { Command, ParsedArgs } from "../command";
import type { CliIo } from "../io";
import { asUsageError, UsageError } from "../errors";
import { formatJumps } from "../formatJumps";
import { LOG_FLAGS, logPaths, logsStamp, nowFrom, scanLogs, scanSummary } from "../logsSource";
import { asMetricsUsageError, METRICS_FLAGS, metricsRange, metricsStamp, openMetrics } from "../metricsSource";
import { stringFlag } from "../parse";
import { chooseBucketMs, readMetricSeries } from "../../telemetry/metrics/jumpsInputs";
import { readModelReleases, releaseSourceOf, RELEASES_FLAG } from "../releaseSource";
import { formatTimeRange, parseTimeRange } from "../timeRange";
import { dataSpan } from "./drift";
import { metricNamed, modelArgument } from "../configSource";

const METRICS = ["error_rate", "latency_p95", "prediction_mean", "outcome_rate"] as const;
const DURATION = /^(\d+(?:\.\d+)?)([smhdw])$/;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

function duration(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const m = DURATION.exec(text.trim());
  if (!m) throw new UsageError(`--${flag} '${text}' must be a duration such as 15m, 1h or 1d`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export const jumpsCommand: Command = {
  name: "jumps",
  summary: "Did a release make a metric jump? Tests each release, and finds unannounced changes and trends.",
  usage: "jumps --logs GLOB --model NAME --metric METRIC [--range RANGE] [options]\n" +
    "       prodinsights jumps MODEL [--config FILE] [--backend NAME] [--metric METRIC] [--range RANGE] [options]\n" +
    "       prodinsights jumps METRIC --model MODEL [options]",
  flags: {
    ...LOG_FLAGS,
    config: METRICS_FLAGS.config!,
    backend: METRICS_FLAGS.backend!,
    metric: { type: "string", description: `with --logs one of ${METRICS.join(", ")}; with --config a proportion, mean or quantile metric of the file`, default: "error_rate" },
    range: { type: "string", description: "the time span to analyze, e.g. -28d..now", default: "all the logs; with --config -14d..now" },
    bucket: { type: "string", description: "series bucket width, e.g. 1h", default: "the finest that fits 1,000 points" },
    window: { type: "string", description: "how far each side of a release to compare, cut at neighbouring releases", default: "3d" },
    releases: RELEASES_FLAG,
    json: { type: "boolean", description: "print the jumps document (with the source it was read from)" },
  },
  details:
    "Releases are explicit release events in the logs, or the first row of each new version; with --config,\n" +
    "the history of the model's rollout provider (Unleash, Argo) or the first rise of its traffic weight. Each is\n" +
    "tested with the metric's test (two proportions, Welch, or ranks over latency bins), adjusted with\n" +
    "Holm. Change points come from PELT, the trend from Mann-Kendall with a Theil-Sen slope. See docs/jumps.md.",
  examples: [
    "prodinsights jumps --logs 'logs/*.jsonl' --model churn --metric error_rate",
    "prodinsights jumps --logs logs/ --model churn --metric latency_p95 --range -14d..now --bucket 1h --json",
    "prodinsights jumps churn --config prodinsights.yaml --metric error_rate --range -14d..now",
  ],
  async run(given, io) {
    const args = metricAsPositional(given);
    const model = modelArgument(args);
    if (args.values["logs"] === undefined) return jumpsFromMetrics(args, io, model);
    if (args.values["releases"] !== undefined) throw new UsageError("--releases is for --config: with --logs, releases are the logs' own release events and first rows");
    const paths = logPaths(args);
    const metricName = stringFlag(args, "metric") ?? "error_rate";
    if (!(METRICS as readonly string[]).includes(metricName)) {
      throw new UsageError(`--metric must be one of ${METRICS.join(", ")}, got '${metricName}'`);
    }
    const rangeText = stringFlag(args, "range");
    const range = rangeText === undefined ? undefined : parseTimeRange(rangeText, nowFrom(args, io), "range");
    const bucketMs = duration(stringFlag(args, "bucket"), "bucket");
    const windowMs = duration(stringFlag(args, "window"), "window");
    const logs = await scanLogs(io, {
      paths,
      filters: { ...(model === undefined ? {} : { model }), ...(range ? { range } : {}) },
      ...(bucketMs === undefined ? {} : { bucketMs }),
      summaries: ["series", "releases"],
    });
    const series = logs.series.find((s) => s.name === metricName);
    if (!series || series.points.every((p) => p.n === 0)) {
      throw new UsageError(`no rows for ${metricName}${range ? ` in ${formatTimeRange(range)}` : ""}; ${dataSpan(logs)}`);
    }
    const events = logs.releases
      .filter((e) => model === undefined || e.model === model)
      .map((e) => ({ t: e.t, version: e.version, ...(e.model === undefined ? {} : { model: e.model }) }));
    let result;
    try {
      result = analyzeJumps(series, events, { bucketMs: logs.bucketMs, ...(windowMs === undefined ? {} : { windowMs }) });
    } catch (err) {
      throw asUsageError(err);
    }
    if (args.values["json"]) {
      const source = logsStamp(paths, logs, { model, range, releases: logs.releases });
      io.stdout(`${JSON.stringify({ ...result, source }, null, 2)}\n`);
      return 0;
    }
    const heading = `Release jumps${model ? ` of ${model}` : ""}${range ? ` in ${formatTimeRange(range)}` : ""}\n${scanSummary(logs)}`;
    io.stdout(formatJumps(result, heading));
    return 0;
  },
};

/**
 * `jumps error_rate --model churn`: with the model named by --model, the one positional is the
 * metric, so that both orders a person would write mean the same.
 */
function metricAsPositional(args: ParsedArgs): ParsedArgs {
  if (args.positionals.length !== 1 || typeof args.values["model"] !== "string" || args.values["metric"] !== undefined) return args;
  return { values: { ...args.values, metric: args.positionals[0] }, positionals: [] };
}

/** `jumps MODEL --config …`: the metric's bucketed series and the releases from Prometheus. */
async function jumpsFromMetrics(args: ParsedArgs, io: CliIo, model: string | undefined): Promise<number> {
  if (model === undefined) throw new UsageError("name the model: prodinsights jumps churn --config prodinsights.yaml (or read logs with --logs GLOB --model NAME)");
  const releaseSource = releaseSourceOf(args);
  const session = await openMetrics(args, io, (ws) => ws.config.models.get(model)?.backend);
  const { config } = session.workspace;
  const metricName = stringFlag(args, "metric") ?? config.models.get(model)?.metrics[0] ?? "error_rate";
  const metric = metricNamed(config, metricName);
  const range = metricsRange(args, nowFrom(args, io));
  const bucketMs = duration(stringFlag(args, "bucket"), "bucket") ?? chooseBucketMs(range);
  const windowMs = duration(stringFlag(args, "window"), "window");
  let series;
  let found;
  try {
    [series, found] = await Promise.all([readMetricSeries(session.api, { model, metric, window: range, bucketMs }), readModelReleases(releaseSource, io, session, model, range, bucketMs)]);
  } catch (err) {
    throw asMetricsUsageError(err);
  }
  const releases = found.events;
  if (found.note) io.stderr(`${found.note}\n`);
  if (series.points.every((p) => p.n === 0)) throw new UsageError(`no data for ${metricName} of model '${model}' in ${formatTimeRange(range)}`);
  let result;
  try {
    result = analyzeJumps(series, releases, { bucketMs, ...(windowMs === undefined ? {} : { windowMs }) });
  } catch (err) {
    throw asUsageError(err);
  }
  if (args.values["json"]) {
    const source = metricsStamp(session, range, { model, metric: metricName, releases, releasesFrom: found.from, ...(found.note ? { releasesNote: found.note } : {}) });
    io.stdout(`${JSON.stringify({ ...result, source }, null, 2)}\n`);
    return 0;
  }
  const heading = `Release jumps of ${model}, ${metricName}, ${formatTimeRange(range)}\nFrom ${session.backend.name} (${session.api.queries.length} queries); releases (${found.from === "metrics" ? "from the metrics" : `from ${found.from}'s history`}): ${releases.map((r) => r.version).join(", ") || "none"}`;
  io.stdout(formatJumps(result, heading));
  return 0;
}
