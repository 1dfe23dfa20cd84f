/** `prodinsights ab EXPERIMENT --config …`: the A/B analysis over a Prometheus-compatible backend. */
import type { AbOptions } from "../../core/ab/analyzeAb";
import { experimentNamed } from "../../config/load";
import { readExperimentArms } from "../../telemetry/metrics/abInputs";
import type { ParsedArgs } from "../command";
import type { CliIo } from "../io";
import { nowFrom } from "../logsSource";
import { asMetricsUsageError, metricsRange, metricsStamp, openMetrics } from "../metricsSource";
import { stringFlag } from "../parse";
import { analyze, formatAb } from "../formatAb";
import { formatTimeRange } from "../timeRange";
import { metricNamed } from "../configSource";

/**
 * Reads the experiment's arms (one query per template, grouped by arm) and prints the analysis.
 * `options` makes the analysis options from the metric's direction and the configured split.
 */
export async function abFromMetrics(
  args: ParsedArgs,
  io: CliIo,
  experimentName: string,
  options: (direction: "higher" | "lower", expectedSplit?: readonly number[]) => AbOptions,
): Promise<number> {
  const session = await openMetrics(args, io, (ws) => ws.config.experiments.get(experimentName)?.backend);
  const { config } = session.workspace;
  const experiment = experimentNamed(config, experimentName);
  const metricName = stringFlag(args, "metric") ?? experiment.metrics[0]!;
  const metric = metricNamed(config, metricName);
  const range = metricsRange(args, nowFrom(args, io));
  let read;
  try {
    read = await readExperimentArms(session.api, experiment, metric, range);
  } catch (err) {
    throw asMetricsUsageError(err);
  }
  // The file's alpha and MDE apply unless the command line says otherwise.
  const fromFile: AbOptions = {
    ...(args.values["confidence"] === undefined ? { confidence: 1 - experiment.alpha } : {}),
    ...(args.values["mde"] === undefined && experiment.mde !== undefined ? { mde: experiment.mde } : {}),
  };
  const result = analyze(read.arms, { ...options(metric.direction, read.expectedSplit), ...fromFile });
  const warnings = [...read.warnings];
  if (args.values["json"]) {
    const source = metricsStamp(session, range, { experiment: experimentName, metric: metricName, warnings });
    io.stdout(`${JSON.stringify({ ...result, source }, null, 2)}\n`);
    return 0;
  }
  const head = `Experiment ${experimentName}, ${metricName}, ${formatTimeRange(range)}, from ${session.backend.name} (${session.api.queries.length} queries)`;
  io.stdout(`${head}\n${warnings.map((w) => `Warning: ${w}\n`).join("")}\n${formatAb(result, read.arms)}`);
  return 0;
}
