/**
 * Each version's requests and errors over the last 24 hours from a model's Prometheus-compatible
 * backend, for models that Unleash or Argo Rollouts route: those providers count no requests (the
 * gateway counts its own). Two instant queries at the snapshot's instant through the CLI's `query`,
 * as errorSeries.ts reads the hourly rates. No `vscode` here.
 */
import type { VersionTotals } from "../../rollout/gateway";
import type { RangeSeries } from "../../telemetry/metrics/api";
import { escapeLabelValue } from "../../telemetry/metrics/templates";
import type { GatherContext } from "./context";
import { failureOf } from "./insights";

export const TOTALS_HOURS = 24;

/** What the error rate and the test against the stable version need of a version. */
export type VersionCounts = Pick<VersionTotals, "requests" | "errors">;

/** Requests and errors per version over the window ending at the query's instant (DESIGN.md §4). */
export function versionTotalsQueries(model: string): { readonly requests: string; readonly errors: string } {
  const m = `model="${escapeLabelValue(model)}"`;
  return {
    requests: `sum by (version) (increase(model_requests_total{${m}}[${TOTALS_HOURS}h]))`,
    errors: `sum by (version) (increase(model_errors_total{${m}}[${TOTALS_HOURS}h]))`,
  };
}

/** One value per version at the snapshot's instant; a version with no series is absent. */
async function perVersion(ctx: GatherContext, query: string, backend: string): Promise<Map<string, number>> {
  const run = await ctx.insights(["query", query, "--config", ctx.configFile, "--backend", backend, "--at", "now", "--json"]);
  if (run.code !== 0) throw new Error(failureOf(run).replace(/^prodinsights query: /, ""));
  const out = new Map<string, number>();
  for (const s of (run.document as { series: RangeSeries[] }).series) {
    const version = s.labels["version"];
    const value = s.points[0]?.v;
    if (version !== undefined && value !== undefined) out.set(version, value);
  }
  return out;
}

/**
 * Each version's requests and errors in the last 24 hours. Only versions with a request series
 * have totals: no series means the backend knows nothing of the version, not that it served 0.
 */
export async function readVersionTotals(ctx: GatherContext, model: string, backend: string): Promise<Record<string, VersionCounts>> {
  const q = versionTotalsQueries(model);
  const [requests, errors] = await Promise.all([perVersion(ctx, q.requests, backend), perVersion(ctx, q.errors, backend)]);
  const out: Record<string, VersionCounts> = {};
  for (const [version, r] of requests) {
    // Prometheus' increase() extrapolates towards the window's edges, so counts come back
    // fractional; the two-proportion test takes whole counts.
    const n = Math.round(r);
    // No error series: the version has made no error yet (a counter is often created at its first
    // increment). Extrapolated separately, errors could pass requests by a rounding: they cannot.
    out[version] = { requests: n, errors: Math.min(n, Math.round(errors.get(version) ?? 0)) };
  }
  return out;
}
