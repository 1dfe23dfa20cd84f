import { histogramQuantile, type Histogram } from "../../core/jumps/histogramQuantile";
import { mannWhitneyBinned } from "../../core/jumps/mannWhitneyBinned";
import type { CompareDistribution, CompareMetric, CompareResult } from "../../core/results/report";
import type { MetricConfig } from "../../config/types";
import { readVersionHistograms, type VersionHistograms } from "../../telemetry/metrics/versionHistograms";
import { decimal, pIs } from "../format";
import { MetricsInputError, readVersionArms } from "../../telemetry/metrics/abInputs";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { analyze, formatAb } from "../formatAb";
import { LOG_FLAGS, nowFrom } from "../logsSource";
import { asMetricsUsageError, METRICS_FLAGS, metricsRange, metricsStamp, openMetrics } from "../metricsSource";
import { numberFlag } from "../parse";
import { formatTimeRange } from "../timeRange";
import { metricNamed } from "../configSource";

function compareDistributions(metric: MetricConfig, read: VersionHistograms, [baseline, candidate]: readonly [string, string], confidence: number): CompareDistribution {
  const [hb, hc] = read.histograms as [Histogram, Histogram];
  const n = (h: Histogram): number => h.counts.reduce((a, b) => a + b, 0);
  if (n(hb) === 0 || n(hc) === 0) throw new MetricsInputError(`metric '${metric.name}': no values for ${n(hb) === 0 ? baseline : candidate} in the window`);
  const test = mannWhitneyBinned(hc.counts, hb.counts);
  const probabilityHigher = test.statistic / (n(hb) * n(hc));
  const higherIsWorse = metric.direction === "lower";
  const verdict = test.pValue >= 1 - confidence ? "no significant difference" : (probabilityHigher > 0.5) === higherIsWorse ? "worse" : "better";
  const q = (h: Histogram): number => histogramQuantile(h, read.quantile).value;
  const unit = metric.unit ? ` ${metric.unit}` : "";
  const sentence =
    `p${Math.round(read.quantile * 100)}: ${candidate} ${decimal(q(hc), 3)}${unit} vs ${baseline} ${decimal(q(hb), 3)}${unit}; ` +
    `a ${candidate} value exceeds a ${baseline} value with probability ${probabilityHigher.toFixed(3)}, ${pIs(test.pValue)} (Mann-Whitney): ${verdict}.`;
  return {
    metric: metric.name,
    quantile: read.quantile,
    baseline: { version: baseline, n: n(hb), value: q(hb) },
    candidate: { version: candidate, n: n(hc), value: q(hc) },
    probabilityHigher,
    pValue: test.pValue,
    verdict,
    sentence,
  };
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
    "Quantile metrics (latency) are compared over their whole histograms by Mann-Whitney, with each version's\n" +
    "quantile. Rate metrics have no per-request values to test and are listed as skipped.",
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
    const compared: CompareMetric[] = [];
    const distributions: CompareDistribution[] = [];
    const skipped: { metric: string; reason: string }[] = [];
    for (const metric of metrics) {
      const name = metric.name;
      if (metric.kind === "rate") {
        skipped.push({ metric: name, reason: "a rate metric has no per-request values to test" });
        continue;
      }
      try {
        if (metric.kind === "quantile") {
          const read = await readVersionHistograms(session.api, model, [baseline, candidate], metric, range);
          distributions.push(compareDistributions(metric, read, [baseline, candidate], confidence));
          continue;
        }
        const read = await readVersionArms(session.api, model, [baseline, candidate], metric, range);
        compared.push({ metric: name, arms: read.arms, result: analyze(read.arms, { direction: metric.direction, confidence, randomized: false }), warnings: read.warnings });
      } catch (err) {
        if (err instanceof MetricsInputError) skipped.push({ metric: name, reason: err.message });
        else throw asMetricsUsageError(err);
      }
    }
    if (compared.length + distributions.length === 0) throw new UsageError(`nothing to compare: ${skipped.map((s) => `${s.metric}: ${s.reason}`).join("; ")}`);
    if (args.values["json"]) {
      const doc: CompareResult = { kind: "compare", model, baseline, candidate, metrics: compared, distributions, skipped, source: metricsStamp(session, range, { model }) };
      io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
      return 0;
    }
    const parts = [`Model ${model}: ${candidate} against ${baseline}, ${formatTimeRange(range)}, from ${session.backend.name} (${session.api.queries.length} queries)`];
    for (const c of compared) {
      parts.push("", `== ${c.metric} ==`, ...c.warnings.map((w) => `Warning: ${w}`), formatAb(c.result, c.arms, { metric: c.metric, groups: "versions" }).trimEnd());
    }
    for (const d of distributions) parts.push("", `== ${d.metric} ==`, d.sentence);
    for (const s of skipped) parts.push("", `${s.metric}: skipped (${s.reason})`);
    io.stdout(`${parts.join("\n")}\n`);
    return 0;
  },
};
