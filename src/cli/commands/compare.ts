import type { AbArmInput } from "../../core/ab/armStats";
import type { AbResult } from "../../core/results/ab";
import { MetricsInputError, readVersionArms } from "../../telemetry/metrics/abInputs";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { analyze, formatAb } from "../formatAb";
import { LOG_FLAGS, nowFrom } from "../logsSource";
import { asMetricsUsageError, METRICS_FLAGS, metricsRange, metricsStamp, openMetrics } from "../metricsSource";
import { numberFlag } from "../parse";
import { formatTimeRange } from "../timeRange";
import { metricNamed } from "../configSource";

interface MetricComparison {
  readonly metric: string;
  /** Per version, the baseline first: the counts (or sums) the result was computed from. */
  readonly arms: readonly AbArmInput[];
  readonly result: AbResult;
  readonly warnings: readonly string[];
}

export const compareCommand: Command = {
  name: "compare",
  summary: "How does a model version do against another in production? Each metric as an A/B test of versions.",
  usage: "compare MODEL CANDIDATE BASELINE [--metric METRIC ...] [--range RANGE] [--config FILE] [--backend NAME] [--json]",
  flags: {
    ...METRICS_FLAGS,
    metric: { type: "string", multiple: true, description: "a proportion or mean metric of the file; repeatable", default: "the model's metrics" },
    confidence: { type: "string", description: "confidence of intervals", default: "0.95" },
    now: LOG_FLAGS.now,
    json: { type: "boolean", description: "print the comparison document as JSON" },
  },
  details:
    "Requests are the units: each version's counts over the range come from one query per template,\n" +
    "grouped by version, and each metric is tested as in 'ab' with the baseline version first.\n" +
    "Quantile and rate metrics have no per-request counts to test and are listed as skipped; 'jumps' tests latency.",
  examples: ["prodinsights compare churn v3 v2", "prodinsights compare churn v3 v2 --metric error_rate --range -7d..now --json"],
  async run(args, io) {
    const [model, candidate, baseline, ...rest] = args.positionals;
    if (model === undefined || candidate === undefined || baseline === undefined || rest.length > 0) {
      throw new UsageError("give the model, the candidate version and the baseline version: prodinsights compare churn v3 v2");
    }
    if (candidate === baseline) throw new UsageError(`compare a version with another one, not with itself ('${candidate}')`);
    const session = await openMetrics(args, io, (ws) => ws.config.models.get(model)?.backend);
    const { config } = session.workspace;
    const flagged = args.values["metric"] as readonly string[] | undefined;
    const names = flagged ?? config.models.get(model)?.metrics ?? ["error_rate"];
    const metrics = names.map((name) => metricNamed(config, name));
    const range = metricsRange(args, nowFrom(args, io));
    const confidence = numberFlag(args, "confidence", 0.95)!;
    const compared: MetricComparison[] = [];
    const skipped: { metric: string; reason: string }[] = [];
    for (const metric of metrics) {
      const name = metric.name;
      if (metric.kind !== "proportion" && metric.kind !== "mean") {
        skipped.push({ metric: name, reason: `a ${metric.kind} metric has no per-request counts to test` });
        continue;
      }
      try {
        const read = await readVersionArms(session.api, model, [baseline, candidate], metric, range);
        compared.push({ metric: name, arms: read.arms, result: analyze(read.arms, { direction: metric.direction, confidence, randomized: false }), warnings: read.warnings });
      } catch (err) {
        if (err instanceof MetricsInputError) skipped.push({ metric: name, reason: err.message });
        else throw asMetricsUsageError(err);
      }
    }
    if (compared.length === 0) throw new UsageError(`nothing to compare: ${skipped.map((s) => `${s.metric}: ${s.reason}`).join("; ")}`);
    if (args.values["json"]) {
      const doc = { kind: "compare", model, baseline, candidate, metrics: compared, skipped, source: metricsStamp(session, range, { model }) };
      io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
      return 0;
    }
    const parts = [`Model ${model}: ${candidate} against ${baseline}, ${formatTimeRange(range)}, from ${session.backend.name} (${session.api.queries.length} queries)`];
    for (const c of compared) {
      parts.push("", `== ${c.metric} ==`, ...c.warnings.map((w) => `Warning: ${w}`), formatAb(c.result, c.arms, { metric: c.metric, groups: "versions" }).trimEnd());
    }
    for (const s of skipped) parts.push("", `${s.metric}: skipped (${s.reason})`);
    io.stdout(`${parts.join("\n")}\n`);
    return 0;
  },
};
