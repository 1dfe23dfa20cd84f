/**
 * Running totals per model version that a canary is judged by: requests, errors, and latencies in
 * the /metrics histogram's bins. The canary host takes a snapshot when a step begins and judges the
 * difference when it ends; `prodinsights canary run` does the same through the admin API. Totals
 * start at zero with the process, like the /metrics counters.
 */
import type { VersionTotals } from "../rollout/gateway";
import { LATENCY_BUCKETS } from "./metrics";

/** Its latency bins are counts per bin (not cumulative): LATENCY_BUCKETS' upper bounds, then one above the last. */
export type { VersionTotals };
export { GATEWAY_CANARY_METRICS, measurements, since } from "../rollout/gateway";

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
