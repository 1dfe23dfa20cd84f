/**
 * A quantile metric's histogram for each of two or more versions over a window, from one instant
 * query: the metric's bucket template (see quantileParts) grouped by version and le, so that the
 * versions can be compared by their whole distributions, not only by one quantile.
 */
import { binnedFromCumulative, type LeBucket } from "../../core/drift/buckets";
import type { Histogram } from "../../core/jumps/histogramQuantile";
import type { MetricConfig } from "../../config/types";
import { MetricsInputError, type TimeWindow } from "./abInputs";
import type { MetricsApi } from "./api";
import { quantileParts } from "./jumpsInputs";
import { fillTemplate, groupByLabel } from "./templates";

export interface VersionHistograms {
  readonly quantile: number;
  /** In the order asked for, over shared edges (the `le` values every version has). */
  readonly histograms: readonly Histogram[];
}

export async function readVersionHistograms(
  api: MetricsApi,
  model: string,
  versions: readonly [string, string],
  metric: MetricConfig,
  window: TimeWindow,
  signal?: AbortSignal,
): Promise<VersionHistograms> {
  const { quantile, buckets } = quantileParts(metric);
  const grouped = groupByLabel(buckets, "version");
  if (grouped === undefined) throw new MetricsInputError(`metric '${metric.name}': its buckets cannot be grouped by version (it needs a version="$version" matcher inside sum by (le))`);
  const samples = await api.instant(fillTemplate(grouped, { model, windowMs: window.end - window.start }), window.end, signal);
  const byVersion = new Map<string, LeBucket[]>();
  for (const s of samples) {
    const version = s.labels["version"];
    const le = s.labels["le"];
    if (version === undefined || le === undefined || !versions.includes(version)) continue;
    let list = byVersion.get(version);
    if (!list) byVersion.set(version, (list = []));
    list.push({ le, count: Math.max(0, Math.round(s.value)) });
  }
  const missing = versions.filter((v) => !byVersion.has(v));
  if (missing.length > 0) throw new MetricsInputError(`metric '${metric.name}': no histogram of version${missing.length === 1 ? "" : "s"} ${missing.join(", ")} in the window`);
  // Shared bins, exactly as drift pairs two windows: the le values both versions have.
  const pair = binnedFromCumulative(byVersion.get(versions[0])!, byVersion.get(versions[1])!);
  return { quantile, histograms: [{ edges: pair.edges, counts: pair.baseline }, { edges: pair.edges, counts: pair.current }] };
}
