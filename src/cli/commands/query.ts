import type { RangeSeries } from "../../telemetry/prometheus/types";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { decimal, table } from "../format";
import { LOG_FLAGS, nowFrom } from "../logsSource";
import { asMetricsUsageError, METRICS_FLAGS, metricsStamp, openMetrics } from "../metricsSource";
import { stringFlag } from "../parse";
import { formatTimeRange, parseInstant, parseTimeRange } from "../timeRange";

const STEP = /^(\d+)(s|m|h|d)$/;
const STEP_MS: Readonly<Record<string, number>> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };

/** `{a="x", b="y"}` with values quoted as PromQL quotes them; the metric name first when there is one. */
function seriesName(labels: Readonly<Record<string, string>>): string {
  const { __name__: name, ...rest } = labels;
  const inner = Object.entries(rest)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ");
  return `${name ?? ""}{${inner}}`;
}

function summary(series: readonly RangeSeries[]): string {
  if (series.length === 0) return "No data: the query matched no series with finite values in the range.\n";
  const rows = [["series", "points", "first", "last", "min", "max"]];
  for (const s of series) {
    const values = s.points.map((p) => p.v);
    rows.push([seriesName(s.labels), String(values.length), decimal(values[0]!, 4), decimal(values.at(-1)!, 4), decimal(Math.min(...values), 4), decimal(Math.max(...values), 4)]);
  }
  return `${table(rows)}\n`;
}

export const queryCommand: Command = {
  name: "query",
  summary: "Runs PromQL on a backend of prodinsights.yaml: a range query, or an instant one with --at.",
  usage: "query PROMQL [--range RANGE] [--step STEP] [--at TIME] [--config FILE] [--backend NAME] [--json]",
  flags: {
    ...METRICS_FLAGS,
    range: { type: "string", description: "the time span", default: "-1d..now" },
    step: { type: "string", description: "the resolution, e.g. 1m; raised when a series would pass 11,000 points", default: "about 1,000 points" },
    at: { type: "string", description: "an instant query at this time (now, -1h, an ISO date) instead of a range" },
    now: LOG_FLAGS.now,
    json: { type: "boolean", description: "print a timeseries document with every point" },
  },
  details: "NaN and infinite values are no data and are left out, on Prometheus and VictoriaMetrics alike.",
  examples: ["prodinsights query 'sum by (version) (rate(model_requests_total[5m]))' --range -1d..now", "prodinsights query 'up' --at now --json"],
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError(`give one PromQL query, quoted: prodinsights query 'rate(model_requests_total[5m])'`);
    const query = args.positionals[0]!;
    const now = nowFrom(args, io);
    const session = await openMetrics(args, io);
    const at = stringFlag(args, "at");
    try {
      if (at !== undefined) {
        const time = parseInstant(at, now);
        const samples = await session.api.instant(query, time);
        if (args.values["json"]) {
          const doc = { kind: "timeseries", query, series: samples.map((s) => ({ labels: s.labels, points: [{ t: time, v: s.value }] })), source: metricsStamp(session, { start: time, end: time }, {}) };
          io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
          return 0;
        }
        const rows = [["series", "value"], ...samples.map((s) => [seriesName(s.labels), decimal(s.value, 6)])];
        io.stdout(samples.length === 0 ? "No data: the query matched no series with a finite value at that time.\n" : `${table(rows)}\n`);
        return 0;
      }
      const range = parseTimeRange(stringFlag(args, "range") ?? "-1d..now", now, "range");
      const stepText = stringFlag(args, "step");
      const m = stepText === undefined ? undefined : STEP.exec(stepText);
      if (stepText !== undefined && !m) throw new UsageError(`--step '${stepText}' must be a duration such as 30s, 1m or 1h`);
      const stepMs = m ? Number(m[1]) * STEP_MS[m[2]!]! : undefined;
      // By default about 1,000 points, in whole seconds, as dashboards draw a range.
      const series = await session.api.range(query, range.start, range.end, stepMs ?? Math.max(1000, Math.ceil((range.end - range.start) / 1000 / 1000) * 1000));
      if (args.values["json"]) {
        io.stdout(`${JSON.stringify({ kind: "timeseries", query, series, source: metricsStamp(session, range, {}) }, null, 2)}\n`);
        return 0;
      }
      io.stdout(`${formatTimeRange(range)}, from ${session.backend.name}\n${summary(series)}`);
      return 0;
    } catch (err) {
      throw asMetricsUsageError(err);
    }
  },
};
