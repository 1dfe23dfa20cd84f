/**
 * A model's metric as a bucketed series, and its releases, from a Prometheus-compatible backend.
 * One range query per template, evaluated once per bucket over the bucket's length, so that each
 * point holds the bucket's sufficient statistics (counts, sums, or a latency histogram) rather
 * than a ratio that cannot be tested. Releases are the moments a version's traffic weight
 * (`model_traffic_weight`) first rises above zero.
 */
import { bucketsFromCumulative, parseLe, type LeBucket } from "../../core/drift/buckets";
import type { MetricPoint, MetricSeries, ReleaseEvent } from "../../core/jumps/inputs";
import type { MetricConfig } from "../../config/types";
import { MetricsInputError, type TimeWindow } from "./abInputs";
import type { MetricsApi, RangeSeries } from "./api";
import { fillTemplate, groupByLabel } from "./templates";
import { DEFAULT_RELEASES_QUERY } from "../../config/builtins";

/** Bucket widths to choose from, finest first. */
const STEPS_MS = [60e3, 5 * 60e3, 15 * 60e3, 3600e3, 6 * 3600e3, 86400e3];

/** The finest bucket width from the usual ones that keeps the series within `maxPoints`. */
export function chooseBucketMs(window: TimeWindow, maxPoints = 1000): number {
  const span = window.end - window.start;
  return STEPS_MS.find((s) => span / s <= maxPoints) ?? Math.ceil(span / maxPoints / 86400e3) * 86400e3;
}

/** Sums the series of a version-grouped query per evaluation time: the model over all versions. */
function sumByTime(series: readonly RangeSeries[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of series) for (const p of s.points) out.set(p.t, (out.get(p.t) ?? 0) + p.v);
  return out;
}

/** The model-wide form of a per-version template: grouped by version (summed later), or the template as is. */
function modelWide(template: string): string {
  return groupByLabel(template, "version") ?? template;
}

const HISTOGRAM_QUANTILE = /^\s*histogram_quantile\s*\(\s*([0-9.]+)\s*,\s*([\s\S]+)\)\s*$/;

/** `histogram_quantile(q, sum by (le) (rate(x_bucket[…])))` as q and the bucket counts' template. */
export function quantileParts(metric: MetricConfig): { quantile: number; buckets: string } {
  const m = HISTOGRAM_QUANTILE.exec(metric.query ?? "");
  const q = m ? Number(m[1]) : NaN;
  if (!m || !(q > 0 && q < 1) || !/\ble\b/.test(m[2]!)) {
    throw new MetricsInputError(
      `metric '${metric.name}': a quantile metric is tested from its histogram, so its query must read histogram_quantile(q, sum by (le) (rate(x_bucket{…}[$window]))); got ${metric.query}`,
    );
  }
  // Counts per bucket, not rates: the tests need how many requests fell in each.
  return { quantile: q, buckets: m[2]!.replace(/\brate\s*\(/g, "increase(") };
}

export interface SeriesRequest {
  readonly model: string;
  readonly metric: MetricConfig;
  readonly window: TimeWindow;
  readonly bucketMs: number;
  readonly signal?: AbortSignal;
}

/**
 * The metric as evenly spaced points over the window. A point's `t` is its bucket's start; the
 * query is evaluated at the bucket's end over the bucket's length. Buckets without data have n 0.
 */
export async function readMetricSeries(api: MetricsApi, request: SeriesRequest): Promise<MetricSeries> {
  const { model, metric, window, bucketMs, signal } = request;
  const values = { model, windowMs: bucketMs };
  const first = window.start + bucketMs;
  const starts: number[] = [];
  for (let t = window.start; t + bucketMs <= window.end; t += bucketMs) starts.push(t);
  if (starts.length === 0) throw new MetricsInputError(`the range is shorter than one ${bucketMs / 1000} s bucket`);
  const last = starts[starts.length - 1]! + bucketMs;
  const range = (template: string): Promise<RangeSeries[]> => api.range(fillTemplate(modelWide(template), values), first, last, bucketMs, signal);
  const at = (m: Map<number, number>, start: number): number => Math.max(0, m.get(start + bucketMs) ?? 0);
  const base = { name: metric.name, direction: metric.direction };

  if (metric.kind === "proportion") {
    const [num, den] = await Promise.all([range(metric.numerator!), range(metric.denominator!)]).then((r) => r.map(sumByTime));
    const points: MetricPoint[] = starts.map((t) => {
      const n = Math.round(at(den!, t));
      return { t, n, successes: Math.min(n, Math.round(at(num!, t))) };
    });
    return { ...base, kind: "proportion", points };
  }
  if (metric.kind === "mean") {
    const [sum, squares, count] = await Promise.all([range(metric.sum!), range(metric.sumSquares!), range(metric.count!)]).then((r) => r.map(sumByTime));
    const points: MetricPoint[] = starts.map((t) => ({ t, n: Math.round(at(count!, t)), sum: sum!.get(t + bucketMs) ?? 0, sumSquares: squares!.get(t + bucketMs) ?? 0 }));
    return { ...base, kind: "mean", points };
  }
  if (metric.kind === "quantile") {
    const { quantile, buckets } = quantileParts(metric);
    const series = await api.range(fillTemplate(modelWide(buckets), values), first, last, bucketMs, signal);
    return { ...base, kind: "quantile", quantile, points: histogramPoints(series, starts, bucketMs) };
  }
  throw new MetricsInputError(`metric '${metric.name}' is a rate; jumps are tested on proportion, mean and quantile metrics`);
}

/** Per evaluation time, cumulative counts by le (summed over versions) turned into shared bins. */
function histogramPoints(series: readonly RangeSeries[], starts: readonly number[], bucketMs: number): MetricPoint[] {
  const byTime = new Map<number, Map<string, number>>();
  const les = new Set<number>();
  for (const s of series) {
    const le = s.labels["le"];
    if (le === undefined) continue;
    les.add(parseLe(le));
    for (const p of s.points) {
      let m = byTime.get(p.t);
      if (!m) byTime.set(p.t, (m = new Map()));
      m.set(le, (m.get(le) ?? 0) + p.v);
    }
  }
  if (les.size === 0) return starts.map((t) => ({ t, n: 0 }));
  const sorted = [...les].sort((a, b) => a - b);
  const lowerBound = sorted[0]! >= 0 ? 0 : undefined; // latencies and sizes start at 0
  const empty = bucketsFromCumulative(sorted.map((le) => ({ le, count: 0 })), lowerBound === undefined ? {} : { lowerBound });
  return starts.map((t) => {
    const m = byTime.get(t + bucketMs);
    if (!m || m.size !== les.size) return { t, n: 0, histogram: { edges: empty.edges, counts: empty.counts } };
    const buckets: LeBucket[] = [...m].map(([le, count]) => ({ le, count: Math.max(0, Math.round(count)) }));
    const bins = bucketsFromCumulative(buckets, lowerBound === undefined ? {} : { lowerBound });
    return { t, n: bins.counts.reduce((a, b) => a + b, 0), histogram: { edges: bins.edges, counts: bins.counts } };
  });
}

/**
 * Releases are placed to within this by default (or the bucket, if finer): fine enough for hourly
 * buckets, coarse enough that 14 days of a few versions' weights cost a few thousand points.
 */
export const RELEASE_STEP_MS = 15 * 60e3;

/** The resolution of release times for a series of `bucketMs` buckets. */
export const releaseStepMs = (bucketMs: number): number => Math.min(bucketMs, RELEASE_STEP_MS);

export interface ReleasesRequest {
  readonly model: string;
  readonly window: TimeWindow;
  /** Where releases are placed to within; see releaseStepMs. */
  readonly stepMs: number;
  /** A template over $model whose series carry `version`; by default the traffic weight. */
  readonly query?: string;
  readonly signal?: AbortSignal;
}

/**
 * Releases in the window: each version whose series (by default `model_traffic_weight`) goes from
 * zero (or absent) to above zero, at the first point it does. A version already serving when the
 * window starts was released before it.
 */
export async function readReleases(api: MetricsApi, request: ReleasesRequest): Promise<ReleaseEvent[]> {
  const { model, window, stepMs, signal } = request;
  const query = fillTemplate(request.query ?? DEFAULT_RELEASES_QUERY, { model });
  const series = await api.range(query, window.start, window.end, stepMs, signal);
  const events: ReleaseEvent[] = [];
  for (const s of series) {
    const version = s.labels["version"];
    if (version === undefined) continue;
    let serving: boolean | undefined;
    for (const p of s.points) {
      const now = p.v > 0;
      if (now && serving === false) {
        events.push({ t: p.t, version, model });
        break;
      }
      if (serving === undefined && p.t > window.start && now) {
        // First seen above zero after the window began, with no zero before it: released in the window.
        events.push({ t: p.t, version, model });
        break;
      }
      serving = now;
    }
  }
  return events.sort((a, b) => a.t - b.t);
}
