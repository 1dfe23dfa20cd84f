/**
 * What a release-jump analysis reads: a metric as a series of time buckets, each holding
 * sufficient statistics rather than raw rows, plus the release events to test around.
 */

/** How a metric aggregates, and so which test compares two windows of it. */
export type MetricKind = "proportion" | "mean" | "quantile";

/** One time bucket of a metric. `t` is the bucket's start, in milliseconds since the epoch. */
export interface MetricPoint {
  readonly t: number;
  /** Units (requests, users) in the bucket. */
  readonly n: number;
  /** proportion: units with the event (errors, conversions). */
  readonly successes?: number;
  /** mean: the sum and the sum of squares of the metric over the bucket's units. */
  readonly sum?: number;
  readonly sumSquares?: number;
  /** quantile: counts over shared bins, (edges[i], edges[i + 1]] as Prometheus `le` buckets. */
  readonly histogram?: { readonly edges: readonly number[]; readonly counts: readonly number[] };
}

export interface MetricSeries {
  readonly name: string;
  readonly kind: MetricKind;
  /** Whether higher values are better (conversion) or worse (error rate, latency). */
  readonly direction: "higher" | "lower";
  /** For quantile metrics, which quantile (0.95 for p95). */
  readonly quantile?: number;
  /** Sorted by t, evenly spaced. */
  readonly points: readonly MetricPoint[];
}

/** A release: the first moment a version served traffic, or an explicit event. */
export interface ReleaseEvent {
  readonly t: number;
  readonly version: string;
  readonly model?: string;
}
