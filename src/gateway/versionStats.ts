/**
 * Running totals per model version that a canary is judged by: requests, errors, and latencies in
 * the /metrics histogram's bins. The canary host takes a snapshot when a step begins and judges the
 * difference when it ends; `prodinsights canary run` does the same through the admin API. Totals
 * start at zero with the process, like the /metrics counters.
 */
import type { CanaryMeasurement } from "../core/canary/policy";
import { LATENCY_BUCKETS } from "./metrics";

export interface VersionTotals {
  readonly requests: number;
  readonly errors: number;
  /** Counts per latency bin (not cumulative): LATENCY_BUCKETS' upper bounds, then one above the last. */
  readonly latencyBins: readonly number[];
}

/** The metrics a gateway canary can be judged by, and what kind each is. */
export const GATEWAY_CANARY_METRICS = {
  error_rate: { kind: "proportion", direction: "lower" },
  latency: { kind: "distribution", direction: "lower" },
} as const;
export type GatewayCanaryMetric = keyof typeof GATEWAY_CANARY_METRICS;

const binOf = (seconds: number): number => {
  const i = LATENCY_BUCKETS.findIndex((b) => seconds <= b);
  return i === -1 ? LATENCY_BUCKETS.length : i;
};

export class VersionStats {
  private readonly totals = new Map<string, { requests: number; errors: number; latencyBins: number[] }>();

  record(model: string, version: string, seconds: number, failed: boolean): void {
    const key = `${model}\u0000${version}`;
    let t = this.totals.get(key);
    if (!t) this.totals.set(key, (t = { requests: 0, errors: 0, latencyBins: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0) }));
    t.requests++;
    if (failed) t.errors++;
    t.latencyBins[binOf(seconds)]!++;
  }

  /** A copy of a version's totals now. */
  of(model: string, version: string): VersionTotals {
    const t = this.totals.get(`${model}\u0000${version}`);
    return t ? { requests: t.requests, errors: t.errors, latencyBins: [...t.latencyBins] } : { requests: 0, errors: 0, latencyBins: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0) };
  }
}

/** What happened between two snapshots of the same version. */
export function since(now: VersionTotals, before: VersionTotals): VersionTotals {
  return { requests: now.requests - before.requests, errors: now.errors - before.errors, latencyBins: now.latencyBins.map((c, i) => c - (before.latencyBins[i] ?? 0)) };
}

/** The canary measurements of `metrics` from the baseline's and the candidate's totals over a window. */
export function measurements(metrics: readonly string[], baseline: VersionTotals, candidate: VersionTotals): CanaryMeasurement[] {
  return metrics.map((metric): CanaryMeasurement => {
    if (metric === "error_rate") {
      return { metric, kind: "proportion", baseline: { successes: baseline.errors, trials: baseline.requests }, candidate: { successes: candidate.errors, trials: candidate.requests } };
    }
    if (metric === "latency") return { metric, kind: "distribution", baseline: baseline.latencyBins, candidate: candidate.latencyBins };
    throw new Error(`no gateway canary metric '${metric}' (there are ${Object.keys(GATEWAY_CANARY_METRICS).join(", ")})`);
  });
}
