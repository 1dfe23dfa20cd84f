/**
 * A canary whose traffic a provider moves (Unleash, Argo) and whose measurements come from the
 * model's metrics backend: each policy metric of prodinsights.yaml, read per version over the
 * step's window with its PromQL templates. Proportion metrics are compared as counts, quantile
 * metrics by their whole histograms; other kinds cannot judge a canary.
 */
import type { CanaryMeasurement, CanaryMetricRule, CanaryPolicy } from "../core/canary/policy";
import type { Config, MetricConfig, PolicyConfig } from "../config/types";
import { readVersionArms } from "../telemetry/metrics/abInputs";
import type { MetricsApi } from "../telemetry/metrics/api";
import { readVersionHistograms } from "../telemetry/metrics/versionHistograms";
import type { CanaryTarget } from "./hostCanary";
import { canaryPolicyOf, UnmeasuredMetricError } from "./gatewayPolicy";
import { ProviderError, type RolloutProvider } from "./provider";

/** How much worse the candidate may be before a check fails: 0.5 pp for proportions, 10% for quantiles (as the gateway's). */
const TOLERANCE = { proportion: 0.005, distribution: 0.1 } as const;

/** The policy's metrics of prodinsights.yaml, each once, in its order. */
function judged(config: Config, p: PolicyConfig): MetricConfig[] {
  return [...new Set(p.metrics)].map((name) => {
    const metric = config.metrics.get(name);
    if (!metric) throw new UnmeasuredMetricError(`policy '${p.name}' judges '${name}', which prodinsights.yaml does not define`);
    if (metric.kind !== "proportion" && metric.kind !== "quantile") {
      throw new UnmeasuredMetricError(`policy '${p.name}' judges '${name}', a ${metric.kind} metric; a canary is judged on proportion and quantile metrics`);
    }
    return metric;
  });
}

/** `p` as the canary state machine's policy, over the metrics of prodinsights.yaml. */
export function metricsPolicy(config: Config, p: PolicyConfig): CanaryPolicy {
  const metrics = judged(config, p).map((m): CanaryMetricRule => {
    const kind = m.kind === "proportion" ? "proportion" : "distribution";
    return { name: m.name, kind, direction: m.direction, tolerance: TOLERANCE[kind] };
  });
  // A provider moves whole percents (Unleash's rollout is an integer).
  const fractional = p.steps.find((w) => !Number.isInteger(w));
  if (fractional !== undefined) throw new ProviderError(`policy '${p.name}' has a step of ${fractional}%; a canary through a rollout provider moves whole percents`, "refused");
  return canaryPolicyOf(p, metrics);
}

/** The policy metrics of the baseline and the candidate between `startMs` and `endMs`. */
export async function measureVersions(api: MetricsApi, metrics: readonly MetricConfig[], model: string, baseline: string, candidate: string, startMs: number, endMs: number, signal?: AbortSignal): Promise<CanaryMeasurement[]> {
  const window = { start: startMs, end: endMs };
  return Promise.all(
    metrics.map(async (metric): Promise<CanaryMeasurement> => {
      if (metric.kind === "quantile") {
        const { histograms } = await readVersionHistograms(api, model, [baseline, candidate], metric, window, signal);
        return { metric: metric.name, kind: "distribution", baseline: histograms[0]!.counts, candidate: histograms[1]!.counts };
      }
      const { arms } = await readVersionArms(api, model, [baseline, candidate], metric, window, signal);
      const counts = (i: number): { successes: number; trials: number } => {
        const arm = arms[i] as { successes?: number; trials?: number };
        return { successes: arm.successes ?? 0, trials: arm.trials ?? 0 };
      };
      return { metric: metric.name, kind: "proportion", baseline: counts(0), candidate: counts(1) };
    }),
  );
}

/**
 * The provider as a canary target: it moves the candidate's weight; each window is measured from
 * the metrics backend. A window shorter than the backend's scrape shows no data, which the state
 * machine treats as inconclusive, never as a pass.
 */
export function providerTarget(
  provider: RolloutProvider,
  api: MetricsApi,
  config: Config,
  policy: PolicyConfig,
  run: { readonly model: string; readonly baseline: string; readonly candidate: string; readonly now?: () => number; readonly signal?: AbortSignal },
): CanaryTarget {
  const metrics = judged(config, policy);
  const now = run.now ?? Date.now;
  let windowStart = now();
  return {
    setWeight: async (weight) => void (await provider.setWeight(run.model, run.candidate, weight, run.signal)),
    promote: async () => void (await provider.promote(run.model, run.candidate, run.signal)),
    rollback: async () => void (await provider.rollback(run.model)),
    startWindow: async () => {
      windowStart = now();
    },
    measure: () => measureVersions(api, metrics, run.model, run.baseline, run.candidate, windowStart, now(), run.signal),
  };
}
