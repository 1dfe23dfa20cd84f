/**
 * The last 24 hours of a model's error rate per version, hourly, for the hover's sparkline: one
 * grouped range query on the model's Prometheus backend, through the CLI's `query`. No `vscode` here.
 */
import type { RangeSeries } from "../../telemetry/metrics/api";
import { escapeLabelValue } from "../../telemetry/metrics/templates";
import type { GatherContext } from "./context";
import { failureOf } from "./insights";

const HOUR = 3_600_000;
export const SERIES_HOURS = 24;

/**
 * Errors over requests per version and hour. A version with requests but no error series yet
 * counts 0 errors (`or … * 0`); an hour without requests has no value at all.
 */
export function errorRateQuery(model: string): string {
  const m = `model="${escapeLabelValue(model)}"`;
  const requests = `sum by (version) (increase(model_requests_total{${m}}[1h]))`;
  return `(sum by (version) (increase(model_errors_total{${m}}[1h])) or ${requests} * 0) / ${requests}`;
}

/** Each version's 24 hourly rates ending at the snapshot's instant, NaN where there was no traffic. */
export async function readErrorRateSeries(ctx: GatherContext, model: string, backend: string): Promise<Map<string, number[]>> {
  const run = await ctx.insights(["query", errorRateQuery(model), "--config", ctx.configFile, "--backend", backend, "--range", `-${SERIES_HOURS}h..now`, "--step", "1h", "--json"]);
  if (run.code !== 0) throw new Error(failureOf(run).replace(/^prodinsights query: /, ""));
  const start = ctx.now - SERIES_HOURS * HOUR;
  const out = new Map<string, number[]>();
  for (const s of (run.document as { series: RangeSeries[] }).series) {
    const version = s.labels["version"];
    if (version === undefined) continue;
    const hours = Array.from({ length: SERIES_HOURS }, () => NaN);
    for (const p of s.points) {
      // Point k (1..24) is the hour that ends k hours after the start; point 0 is the hour before.
      const k = Math.round((p.t - start) / HOUR);
      if (k >= 1 && k <= SERIES_HOURS) hours[k - 1] = p.v;
    }
    out.set(version, hours);
  }
  return out;
}
